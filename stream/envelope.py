"""The CloudEvents 1.0 envelope: the attributes around every event's data, and their rules.

Required: ``specversion``, ``id``, ``source``, ``type`` (on each event class) and ``time``
(optional in CloudEvents, required here: the picture's clock runs on it). Optional:
``datacontenttype`` (a JSON media type, parameters allowed), ``dataschema`` (an absolute
URI), ``subject``, and extension attributes (``traceparent`` ...). Every attribute is kept
exactly as sent, so the log, the live feed and replays give the event back unchanged; an
attribute sent as ``null`` is unset, as the JSON format says.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

# No control characters: a NUL cannot even be stored in a PostgreSQL text column, and a
# batch the log refuses would stall the sequencer.
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
NO_NUL = r"^[^\x00]*$"
Ident = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=PRINTABLE)
]
# A CloudEvents String also excludes the C1 controls (U+0080-U+009F). Only the attributes
# added with CloudEvents in full use it: ``id`` and ``source`` keep PRINTABLE, so a log
# written before still replays.
CE_STRING = r"^[^\x00-\x1f\x7f-\x9f]*$"

EXAMPLE_TIME = "2026-11-24T20:00:00Z"
OUT_OF_RANGE = "out of range: in UTC it must fall in the years 1 to 9999"

#: Bounds on what a producer may attach beside the data, so that one event cannot bloat
#: the log and every screen's live feed (CloudEvents itself sets none).
MAX_EXTENSIONS = 32
MAX_EXTENSION_CHARS = 2_000
MAX_URI_CHARS = 2_000

_NAME = re.compile(r"[a-z0-9]{1,20}")
_INT32 = range(-(2**31), 2**31)
# RFC 3986 absolute-URI: a scheme, then URI characters; no fragment.
_ABSOLUTE_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[A-Za-z0-9\-._~:/?\[\]@!$&'()*+,;=%]+")
# RFC 2046 type/subtype; the JSON format's rule: JSON data is */json or */*+json.
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_PARAM = rf"\s*;\s*{_TOKEN}=(?:{_TOKEN}|\"[^\"\\\x00-\x1f]*\")"
_JSON_MEDIA = re.compile(rf"{_TOKEN}/(?:{_TOKEN}\+)?json(?:{_PARAM})*\s*", re.IGNORECASE)
_MEDIA = re.compile(rf"{_TOKEN}/{_TOKEN}(?:{_PARAM})*\s*")
_CHARSET = re.compile(r";\s*charset=\"?([^\";\s]*)", re.IGNORECASE)


def _json_media_type(value: str) -> str:
    if not _MEDIA.fullmatch(value):
        raise ValueError(f"{value!r} is not a media type (RFC 2046), e.g. application/json")
    if not _JSON_MEDIA.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a JSON media type (*/json or */*+json, e.g. "
            "application/json; charset=utf-8): the data of every event here is a JSON object"
        )
    charset = _CHARSET.search(value)
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        raise ValueError(f"charset {charset.group(1)!r}: JSON is UTF-8 (RFC 8259)")
    return value


def _absolute_uri(value: str) -> str:
    if len(value) > MAX_URI_CHARS or not _ABSOLUTE_URI.fullmatch(value):
        raise ValueError(
            "must be an absolute URI (RFC 3986: a scheme, no spaces or fragment, at most "
            f"{MAX_URI_CHARS:,} characters), e.g. https://example.org/schemas/incident.json"
        )
    return value


def _check_extension(name: str, value: object) -> None:
    """Raise with the reason if CloudEvents forbids this extension attribute."""
    if name == "data_base64":
        raise PydanticCustomError(
            "binary_data", "data_base64: binary data is not accepted; data must be a JSON object"
        )
    if not _NAME.fullmatch(name):
        raise PydanticCustomError(
            "extension_name",
            "unexpected field: {name} (an extension attribute's name is 1 to 20 lower-case "
            "letters a-z and digits 0-9)",
            {"name": name},
        )
    if isinstance(value, bool) or (isinstance(value, int) and value in _INT32):
        return
    if isinstance(value, str):
        if len(value) <= MAX_EXTENSION_CHARS and re.fullmatch(CE_STRING, value):
            return
        problem = f"at most {MAX_EXTENSION_CHARS:,} characters, no control characters"
    elif isinstance(value, int):
        problem = "an integer must fit in 32 bits"
    else:
        problem = f"not {_json_kind(value)}"
    raise PydanticCustomError(
        "extension_value",
        "extension attribute {name} must be a string, an integer or true/false ({problem})",
        {"name": name, "problem": problem},
    )


def _json_kind(value: object) -> str:
    kinds = {float: "a fraction", list: "an array", dict: "an object"}
    return next((word for t, word in kinds.items() if isinstance(value, t)), "this")


class Envelope(BaseModel):
    """CloudEvents 1.0 attributes shared by every event; extension attributes are extras."""

    model_config = ConfigDict(frozen=True, extra="allow")

    specversion: Literal["1.0"]
    id: Ident
    source: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=PRINTABLE)]
    time: AwareDatetime
    datacontenttype: Annotated[str, AfterValidator(_json_media_type)] | None = None
    dataschema: Annotated[str, AfterValidator(_absolute_uri)] | None = None
    subject: (
        Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=CE_STRING)] | None
    ) = None

    @field_validator("time", mode="wrap")
    @classmethod
    def _rfc3339_utc(cls, value: object, handler: ValidatorFunctionWrapHandler) -> datetime:
        # pydantic would read a number as Unix time; CloudEvents says an RFC 3339 string.
        # One wrap validator, not a before and an after: each Python call costs ~1 µs.
        if not isinstance(value, str | datetime):
            raise ValueError(f"must be an RFC 3339 timestamp string, e.g. {EXAMPLE_TIME}")
        parsed: datetime = handler(value)
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            # 9999-12-31T23:59:59-01:00 is a valid timestamp whose UTC is past year 9999.
            raise PydanticCustomError("time_out_of_range", OUT_OF_RANGE) from None

    @model_validator(mode="after")
    def _extensions(self) -> Envelope:
        extra = self.__pydantic_extra__
        if not extra:
            return self
        for name, value in list(extra.items()):
            if value is None:
                del extra[name]  # null is unset (the JSON format), so it is not kept
            else:
                _check_extension(name, value)
        if len(extra) > MAX_EXTENSIONS:
            raise PydanticCustomError(
                "extension_count", f"at most {MAX_EXTENSIONS} extension attributes"
            )
        return self

    @property
    def extensions(self) -> dict[str, Any]:
        """The extension attributes, as sent (``traceparent`` ...)."""
        return dict(self.__pydantic_extra__ or {})

    @property
    def key(self) -> tuple[str, str]:
        """(source, id): unique per event; a repeat is a duplicate, never applied twice."""
        return (self.source, self.id)


def cloud_event(
    event_id: str, source: str, event_type: str, time: datetime, data: Mapping[str, Any]
) -> dict[str, Any]:
    """An event as Bluelamp's own producers (a person's command, the recommender's advice)
    send it through the spine: the required attributes, a UTC ``time`` written with ``Z``."""
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": source,
        "type": event_type,
        "time": time.isoformat().replace("+00:00", "Z"),
        "data": dict(data),
    }
