"""Fuzzing the stream side (issue 12, "Fuzzing and input").

* The event decoder (``parse_event``/``validate``, and the sequencer's own first step
  ``read_entry``) on arbitrary bytes, arbitrary JSON (deep nesting, huge strings, unicode
  edge cases) and valid events with one part replaced: always a valid event or an
  ``InvalidEvent`` with a non-empty reason, never another exception.
* The ingest path: arbitrary entries XADDed to the real Redis ingest stream of a running
  spine: each is logged or rejected with a reason, the consumer never stops, and a valid
  event after them is accepted with the next seq.

Bounded for CI (a few seconds each). For a longer run: BLUELAMP_FUZZ_EXAMPLES=5000 (the
decoder) and BLUELAMP_FUZZ_INGEST_EXAMPLES=200 (the ingest path).
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stream.bus import Rejection
from stream.events import InvalidEvent, parse_event, validate
from stream.outcome import Verdict
from stream.sequencer import key_of, read_entry
from tests.stream.conftest import Backend
from tests.stream.factories import Events, stub_locate
from tests.stream.strategies import single_events

EXAMPLES = int(os.environ.get("BLUELAMP_FUZZ_EXAMPLES", "200"))
INGEST_EXAMPLES = int(os.environ.get("BLUELAMP_FUZZ_INGEST_EXAMPLES", "4"))

#: Characters that break naive text handling: lone surrogates, NUL and other controls, line
#: and paragraph separators, bidirectional marks, combining marks, non-BMP, BOM, noncharacters.
EDGE = [
    "\ud800", "\udfff", "\x00", "\x1f", "\x7f", "\u2028", "\u2029", "\u200f", "\u202e",
    "\u200b", "\u0301", "\U0001f6a8", "\U0010ffff", "\ufeff", "\ufffe", "\\", '"', "\n",
]  # fmt: skip
edge_text = st.lists(st.sampled_from(EDGE) | st.text(max_size=4), max_size=20).map("".join)
# Huge strings built, not drawn character by character (that is slow and adds nothing).
huge_text = st.builds(
    lambda c, n: c * n, st.sampled_from([*EDGE, "x", "é"]), st.integers(1, 50_000)
)
any_text = st.text() | edge_text | huge_text
#: Valid RFC 3339 timestamps at the edges of what a datetime holds.
EXTREME_TIMES = [
    "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999+23:59", "1970-01-01T00:00:00Z",
]  # fmt: skip
scalars = (
    st.sampled_from(EXTREME_TIMES)
    | st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**30, max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | any_text
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=20,
)


@st.composite
def deep(draw: st.DrawFn) -> str:
    """Arrays and objects nested up to 6,000 deep, bare or inside a valid event."""
    depth = draw(st.integers(1, 6_000))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}"), ('[{"b":', "}]")]))
    nested = opener * depth + draw(st.sampled_from(["1", "null", '""'])) + closer * depth
    if draw(st.booleans()):
        return nested
    raw = draw(single_events())
    where = draw(st.sampled_from(["extra", "data", "time", "id"]))
    body = json.dumps({k: v for k, v in raw.items() if k != where}, default=str)
    return body[:-1] + f', "{where}": {nested}}}'


@st.composite
def mutated_events(draw: st.DrawFn) -> Any:
    """A valid event with one attribute, or one data field, replaced by any JSON value."""
    raw = json.loads(json.dumps(draw(single_events()), default=str))
    value = draw(json_values)
    if draw(st.booleans()):
        raw[draw(st.sampled_from([*raw, "time", "time", "extra"]))] = value
    else:
        raw["data"][draw(st.sampled_from([*raw["data"], "extra"]))] = value
    return raw


def _encoded(value: Any) -> st.SearchStrategy[bytes | str]:
    text = json.dumps(value, ensure_ascii=False)
    return st.sampled_from([text, text.encode("utf-8", "surrogatepass")])


inputs = (
    st.binary(max_size=2_000)
    | any_text
    | deep()
    | json_values.flatmap(_encoded)
    | mutated_events().flatmap(_encoded)
    | mutated_events()
)


def _decided(raw: Any) -> None:
    try:
        validate(raw, stub_locate)
    except InvalidEvent as exc:
        assert isinstance(exc.reason, str) and exc.reason.strip(), repr(exc.reason)


@settings(max_examples=EXAMPLES, deadline=None)
@given(raw=inputs)
def test_the_decoder_answers_every_input_with_an_event_or_a_reason(raw: Any) -> None:
    _decided(raw)
    if isinstance(raw, str | bytes):
        assert parse_event is not None and key_of(raw) is not None  # never raises
        checked = read_entry(raw, stub_locate, "1-1")
        assert not isinstance(checked, Rejection) or checked.reason.strip()


@settings(max_examples=max(EXAMPLES // 10, 20), deadline=None)
@given(raw=st.sampled_from(EDGE).flatmap(lambda c: single_events().map(lambda r: (r, c))))
def test_edge_characters_in_every_text_field_are_decided(raw: tuple[dict[str, Any], str]) -> None:
    event, char = raw
    for name in ("id", "source"):
        _decided(json.dumps({**event, name: f"a{char}b"}, default=str))
    data = {k: (f"{v}{char}" if isinstance(v, str) else v) for k, v in event["data"].items()}
    _decided(json.dumps({**event, "data": data}, default=str))


ingest_entries = st.lists(
    st.binary(max_size=500) | deep() | any_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=INGEST_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(entries=ingest_entries)
def test_arbitrary_entries_on_the_ingest_stream_never_stop_the_consumer(
    durable_backend: Backend, entries: list[bytes]
) -> None:
    asyncio.run(_ingest(durable_backend, entries))


async def _ingest(backend: Backend, entries: list[bytes]) -> None:
    # One log and one stream for every example: each starts where the last one left off.
    ev = Events(source=f"fuzz-{os.urandom(4).hex()}")
    async with backend.spine() as spine:
        before_seq = await asyncio.to_thread(spine.log.last_seq)
        before_rejected = len(await spine.bus.rejected(100_000))
        await spine.bus.add(entries)
        after = await spine.submit(ev.on_duty(ev.source), timeout=60)
        assert after.verdict is Verdict.ACCEPTED, after
        logged = (after.seq or 0) - 1 - before_seq
        rows = (await spine.bus.rejected(100_000))[before_rejected:]
        assert logged + len(rows) == len(entries), (logged, [r["reason"] for r in rows])
        assert all(r["reason"].strip() for r in rows)
