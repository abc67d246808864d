"""Why an event was refused, in words a person can act on: pydantic's validation errors
turned into one sentence naming each field and what is wrong with it (stream.events raises
them as :class:`InvalidEvent`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from pydantic import ValidationError

from stream.envelope import EXAMPLE_TIME, OUT_OF_RANGE
from stream.payloads import MarkerType, PersonRole, UnitStatus, UnitType

NOT_AN_OBJECT = "an event must be a JSON object"
_NOT_A_DICT = ("model_type", "dict_type", "model_attributes_type")
_ENUM_HINTS: dict[str, str] = {
    "grade": "grade must be one of I, S, E, R",
    "unit_type": "unit_type must be one of " + ", ".join(t.value for t in UnitType),
    "status": "status must be one of " + ", ".join(s.value for s in UnitStatus),
    "marker_type": "marker_type must be one of " + ", ".join(m.value for m in MarkerType),
    "role": "role must be one of " + ", ".join(r.value for r in PersonRole),
}


def reason(exc: ValidationError, raw: object, types: Sequence[str]) -> str:
    """Pydantic's errors as one sentence naming each field and what is wrong (``types``:
    the event types there are, named when the type is missing or unknown)."""
    parts: list[str] = []
    for err in exc.errors(include_url=False):
        kind = err["type"]
        loc = [str(p) for p in err["loc"] if not _is_union_tag(p)]
        field = loc[-1] if loc else ""
        if kind == "json_invalid":
            return f"malformed JSON: {err['msg'].removeprefix('Invalid JSON: ')}"
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            got = _raw_type(raw)
            known = ", ".join(types)
            if got is None:
                return f"missing field: type (one of {known})"
            return f"unknown event type {got!r} (expected one of {known})"
        if kind in _NOT_A_DICT and not loc:
            return NOT_AN_OBJECT
        path = ".".join(loc)
        if kind == "missing":
            parts.append(f"missing field: {path}")
        elif kind == "extra_forbidden":
            parts.append(f"unexpected field: {path}")
        elif kind == "enum" and field in _ENUM_HINTS:
            parts.append(_ENUM_HINTS[field])
        elif kind == "literal_error" and field == "specversion":
            parts.append("specversion must be 1.0")
        elif kind in _NOT_A_DICT:
            parts.append(f"{path} must be a JSON object")
        elif kind == "string_pattern_mismatch":
            parts.append(f"{path} must not contain control characters")
        elif kind == "time_out_of_range":
            parts.append(f"{path} is {OUT_OF_RANGE}")
        elif kind == "timezone_aware":
            parts.append(f"{path} must include a UTC offset, e.g. {EXAMPLE_TIME}")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            parts.append(f"{path}: {msg}" if path else msg)
    return "; ".join(parts) or "invalid event"


def _is_union_tag(part: object) -> bool:
    kinds = ("incident", "unit", "alert", "location")
    return isinstance(part, str) and "." in part and part.split(".")[0] in kinds


def _raw_type(raw: object) -> str | None:
    if isinstance(raw, str | bytes | bytearray):
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    if isinstance(raw, Mapping):
        value = raw.get("type")
        return None if value is None else str(value)
    return None
