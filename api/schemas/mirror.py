"""Response models held to the domain records they describe: :func:`mirror` is called when a
schema module is imported, so a field added to the record and not to its model (or one whose
type changed) stops the server instead of going missing from /openapi.json."""

from __future__ import annotations

import operator
from datetime import datetime
from functools import reduce
from types import UnionType
from typing import Any, get_args, get_origin, get_type_hints

from api.schemas.closed import Closed


def mirror(
    schema: type[Closed], entity: type, fields: tuple[str, ...], added: tuple[str, ...] = ()
) -> None:
    """Raise TypeError unless ``schema`` lists ``entity``'s ``fields`` in order, each with
    the type its JSON has (a time is text, a tuple a list; a narrower type, such as an enum
    of strings for a string, holds), then the view's own ``added`` fields."""
    listed = tuple(schema.model_fields)
    if listed != fields + added:
        raise TypeError(f"{schema.__name__} lists {listed}, not {fields + added}")
    hints = get_type_hints(entity)
    for name in fields:
        found, wanted = schema.model_fields[name].annotation, _as_json(hints[name])
        if found != wanted and not _narrower(found, wanted):
            raise TypeError(f"{schema.__name__}.{name} is {found}, not {wanted}")


def _as_json(hint: Any) -> Any:
    """The type a value of ``hint`` has once written as JSON: a time is ISO text, a tuple of
    one type a list of it."""
    if hint is datetime:
        return str
    origin, args = get_origin(hint), get_args(hint)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return list[_as_json(args[0])]  # type: ignore[misc]
    args = tuple(_as_json(arg) for arg in args)
    if origin is UnionType:
        return reduce(operator.or_, args)
    return hint if origin is None else origin[args]


def _narrower(found: Any, wanted: Any) -> bool:
    return isinstance(found, type) and isinstance(wanted, type) and issubclass(found, wanted)
