"""The live wire format: how a recorded event travels on the live channel, both ways.

One message per accepted event, ``{"seq":N,"event":{...CloudEvents...},"borough":...,
"bcu":...}``. The sequencer writes it (:func:`live_message`), every process's hub reads it
(:func:`peek_seq`, :func:`parse_live`), and the WebSocket's events frames carry the same
text per record (api.views.MessageCache). ``seq`` comes first so a process can tell an echo
of a record it already has from the start of the message, without parsing the rest.
"""

from __future__ import annotations

import json
from typing import Any

from stream.events import Recorded, parse_event, to_dict, to_json

_SEQ_PREFIX = '{"seq":'


def live_message(record: Recorded, body: str | None = None) -> str:
    """The live message for one recorded event. ``body`` is the event's JSON if already
    made (the sequencer makes it once, for the log)."""
    event = to_json(record.event) if body is None else body
    return (
        f'{_SEQ_PREFIX}{record.seq},"event":{event},'
        f'"borough":{json.dumps(record.borough)},"bcu":{json.dumps(record.bcu)}}}'
    )


def live_dict(record: Recorded) -> dict[str, Any]:
    """The live message for one recorded event as a mapping (for a JSON body that holds
    records beside other things, e.g. an incident's timeline)."""
    return {
        "seq": record.seq,
        "event": to_dict(record.event),
        "borough": record.borough,
        "bcu": record.bcu,
    }


def peek_seq(message: str) -> int | None:
    """The seq of a live message, read off its start without parsing the rest (None if the
    message is not in the form :func:`live_message` makes)."""
    if not message.startswith(_SEQ_PREFIX):
        return None
    end = message.find(",", len(_SEQ_PREFIX))
    digits = message[len(_SEQ_PREFIX) : end]
    return int(digits) if digits.isdigit() else None


def parse_live(message: str) -> Recorded:
    """The recorded event a live message carries."""
    data = json.loads(message)
    return Recorded(
        int(data["seq"]), parse_event(data["event"]), data.get("borough"), data.get("bcu")
    )
