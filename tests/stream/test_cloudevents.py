"""CloudEvents 1.0 in full: the optional attributes and extension attributes are accepted,
kept and given back unchanged; what the spec forbids is rejected with the reason.

The examples are those of the CloudEvents 1.0.2 specification (spec.md "Example", and the
JSON event format's section 3.2), written out here with our ``type`` and ``data`` in place
of ``com.example.someevent`` and its payload: only the catalogue's types are events here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from stream.events import InvalidEvent, parse_event, to_dict, to_json
from tests.stream import factories as f

OURS = {"type": "unit.off_duty", "data": {"unit_id": "U1"}}

#: JSON event format 3.2, "JSON Object-valued data and a content type declaring JSON".
SPEC_JSON_DATA: dict[str, Any] = {
    "specversion": "1.0",
    "type": "com.example.someevent",
    "source": "/mycontext",
    "subject": None,
    "id": "C234-1234-1234",
    "time": "2018-04-05T17:31:00Z",
    "comexampleextension1": "value",
    "comexampleothervalue": 5,
    "datacontenttype": "application/json",
    "data": {"appinfoA": "abc", "appinfoB": 123, "appinfoC": True},
}

#: JSON event format 3.2, "a literal JSON string as the data and no datacontenttype".
SPEC_NO_CONTENT_TYPE: dict[str, Any] = {
    "specversion": "1.0",
    "type": "com.example.someevent",
    "source": "/mycontext",
    "subject": None,
    "id": "D234-1234-1234",
    "time": "2018-04-05T17:31:00Z",
    "comexampleextension1": "value",
    "comexampleothervalue": 5,
    "data": "I'm just a string",
}

#: JSON event format 3.2, "a serialized XML document as the data" (with an unset extension).
SPEC_XML: dict[str, Any] = {
    "specversion": "1.0",
    "type": "com.example.someevent",
    "source": "/mycontext",
    "id": "B234-1234-1234",
    "time": "2018-04-05T17:31:00Z",
    "comexampleextension1": "value",
    "comexampleothervalue": 5,
    "unsetextension": None,
    "datacontenttype": "application/xml",
    "data": '<much wow="xml"/>',
}

#: JSON event format 3.2, "Binary-valued data".
SPEC_BINARY: dict[str, Any] = {
    "specversion": "1.0",
    "type": "com.example.someevent",
    "source": "/mycontext",
    "id": "A234-1234-1234",
    "time": "2018-04-05T17:31:00Z",
    "comexampleextension1": "value",
    "comexampleothervalue": 5,
    "datacontenttype": "application/vnd.apache.thrift.binary",
    "data_base64": "... base64 encoded string ...",
}

#: spec.md, "Example" (a pull request opened, with a subject).
SPEC_EXAMPLE: dict[str, Any] = {
    "specversion": "1.0",
    "type": "com.github.pull_request.opened",
    "source": "https://github.com/cloudevents/spec/pull",
    "subject": "123",
    "id": "A234-1234-1234",
    "time": "2018-04-05T17:31:00Z",
    "comexampleextension1": "value",
    "comexampleothervalue": 5,
    "datacontenttype": "text/xml",
    "data": '<much wow="xml"/>',
}

#: The distributed tracing extension's attributes (W3C Trace Context values).
TRACED: dict[str, Any] = {
    "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    "tracestate": "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
}


def ours(example: dict[str, Any]) -> dict[str, Any]:
    """The spec's example as one of our events: its envelope, our type and data."""
    return {**example, **OURS}


def _reason(raw: dict[str, Any]) -> str:
    with pytest.raises(InvalidEvent) as caught:
        parse_event(json.dumps(raw))
    return caught.value.reason


def _given_back(event: Any) -> dict[str, Any]:
    assert parse_event(to_json(event)) == event == parse_event(to_dict(event))
    return json.loads(to_json(event))


def test_the_specs_json_data_example_is_kept_whole() -> None:
    event = parse_event(json.dumps(ours(SPEC_JSON_DATA)))
    assert event.extensions == {"comexampleextension1": "value", "comexampleothervalue": 5}
    expected = {k: v for k, v in ours(SPEC_JSON_DATA).items() if v is not None}
    assert _given_back(event) == expected  # "subject": null is unset, so not given back


def test_no_datacontenttype_means_json_and_stays_absent() -> None:
    event = parse_event(json.dumps(ours(SPEC_NO_CONTENT_TYPE)))
    assert event.datacontenttype is None
    assert "datacontenttype" not in _given_back(event)


def test_the_specs_subject_and_a_json_content_type_with_parameters_are_kept() -> None:
    raw = ours(SPEC_EXAMPLE) | {"datacontenttype": "application/json; charset=utf-8"}
    back = _given_back(parse_event(json.dumps(raw)))
    assert back["subject"] == "123"
    assert back["datacontenttype"] == "application/json; charset=utf-8"


@pytest.mark.parametrize(
    "media", ["application/json", "application/cloudevents+json", 'text/json; charset="UTF-8"']
)
def test_every_json_media_type_is_accepted_as_sent(media: str) -> None:
    back = _given_back(parse_event(json.dumps(ours(SPEC_JSON_DATA) | {"datacontenttype": media})))
    assert back["datacontenttype"] == media


def test_a_dataschema_and_tracing_extensions_are_kept() -> None:
    schema = "https://bluelamp.example/schemas/unit.off_duty/1.json"
    raw = f.unit_off_duty("U1") | {"dataschema": schema} | TRACED
    back = _given_back(parse_event(json.dumps(raw)))
    assert back["dataschema"] == schema
    assert {k: back[k] for k in TRACED} == TRACED


def test_an_unset_extension_is_not_kept() -> None:
    raw = ours(SPEC_JSON_DATA) | {"unsetextension": None}
    assert "unsetextension" not in parse_event(json.dumps(raw)).extensions


def test_extension_values_of_every_type_the_json_format_maps() -> None:
    values = {"flag": False, "small": -(2**31), "big": 2**31 - 1, "text": "x" * 2_000}
    assert parse_event(json.dumps(f.unit_off_duty("U1") | values)).extensions == values


@pytest.mark.parametrize(
    ("example", "reason"),
    [
        (SPEC_XML, "datacontenttype: 'application/xml' is not a JSON media type"),
        (SPEC_EXAMPLE, "datacontenttype: 'text/xml' is not a JSON media type"),
        (SPEC_BINARY, "'application/vnd.apache.thrift.binary' is not a JSON media type"),
    ],
    ids=["xml", "text-xml", "binary"],
)
def test_the_specs_non_json_examples_are_rejected_with_the_reason(
    example: dict[str, Any], reason: str
) -> None:
    assert reason in _reason(ours(example))


def test_binary_data_is_rejected_whatever_its_content_type_says() -> None:
    raw = ours(SPEC_BINARY) | {"datacontenttype": "application/json"}
    assert _reason(raw) == "data_base64: binary data is not accepted; data must be a JSON object"


_BASE = f.unit_off_duty("U1", id="e1", time="2026-11-24T20:00:00Z")
_ANY_VALUE = "must be a string, an integer or true/false"


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"datacontenttype": "json"}, "'json' is not a media type (RFC 2046)"),
        ({"datacontenttype": "application/json; charset=latin-1"}, "JSON is UTF-8"),
        ({"dataschema": "/schemas/unit.json"}, "dataschema: must be an absolute URI"),
        ({"dataschema": "https://x.example/s.json#v1"}, "dataschema: must be an absolute URI"),
        ({"dataschema": ""}, "dataschema: must be an absolute URI"),
        ({"subject": ""}, "subject: String should have at least 1 character"),
        ({"subject": "a\u0085b"}, "subject must not contain control characters"),
        ({"traceParent": "x"}, "unexpected field: traceParent (an extension attribute's name"),
        ({"trace_parent": "x"}, "unexpected field: trace_parent"),
        ({"a" * 21: "x"}, f"unexpected field: {'a' * 21}"),
        ({"weight": 1.5}, f"weight {_ANY_VALUE} (not a fraction)"),
        ({"tags": ["a"]}, f"tags {_ANY_VALUE} (not an array)"),
        ({"meta": {"a": 1}}, f"meta {_ANY_VALUE} (not an object)"),
        ({"count": 2**31}, f"count {_ANY_VALUE} (an integer must fit in 32 bits)"),
        ({"note": "a\nb"}, f"note {_ANY_VALUE} (at most 2,000 characters, no control"),
        ({"note": "x" * 2_001}, f"note {_ANY_VALUE} (at most 2,000 characters"),
        ({f"x{i}": i for i in range(33)}, "at most 32 extension attributes"),
    ],
    ids=lambda x: None if isinstance(x, dict) else x[:40],
)
def test_what_the_spec_forbids_is_rejected_with_the_reason(
    extra: dict[str, Any], reason: str
) -> None:
    assert reason in _reason(_BASE | extra)


def test_the_data_stays_strict_whatever_the_envelope_allows() -> None:
    raw = _BASE | {"data": {"unit_id": "U1", "colour": "red"}}
    assert _reason(raw) == "unexpected field: data.colour"
