"""Past moments: the read routes' ``?at=`` (a seq, or an RFC 3339 time with its zone), the
picture as it stood then, rebuilt from the log's nearest snapshot plus a replay
(stream.log.EventLog.picture): what any process can answer, and nothing of it touches the
live picture, its advice or the feed.

A time means what the log had taken by then (``recorded_at``): "what did we know at 02:00".
A replaying screen asks for neighbouring moments again and again, so the last few pictures
are kept (``KEPT``, a bound on memory: a London-scale picture is a few megabytes); a replay
that plays forward moves a picture of its own along the log (``advance``), so each step
costs the records it passes, not a rebuild.
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, TypeVar

from fastapi import HTTPException, Query

from stream.events import Recorded
from stream.log import EventLog
from stream.picture import Picture

KEPT = 8
CURSORS = 4  # replays playing forward at once, each with a picture of its own
T = TypeVar("T")
AT = (
    "a past moment: a seq (e.g. 48213) or an RFC 3339 time with its zone "
    "(e.g. 2026-11-26T02:00:00Z, what the log had taken by then); absent, now"
)
AtQuery = Annotated[str | None, Query(description=AT, max_length=64)]


class NoSuchMoment(ValueError):
    """``at`` names no moment the log holds: the reason, in words, for a 422."""


def moment_seq(log: EventLog, at: str, now: datetime | None = None) -> int:
    """The seq ``at`` names: itself if it is a seq the log holds; for a time, the last record
    the log had taken by then. Raises :class:`NoSuchMoment` with the reason otherwise."""
    text = at.strip()
    if re.fullmatch(r"[0-9]{1,19}", text):  # ASCII digits only: "²" and "١٢" are no seq
        seq, last = int(text), log.last_seq()
        if seq < 1 or seq > last:
            raise NoSuchMoment(f"seq {seq} is not in the log, which holds seqs 1 to {last}")
        return seq
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise NoSuchMoment(
            f"at={at!r} is neither a seq nor an RFC 3339 time, e.g. 2026-11-26T02:00:00Z"
        ) from None
    if when.tzinfo is None:
        raise NoSuchMoment(f"at={at!r} must carry a time zone, e.g. 2026-11-26T02:00:00Z")
    first = log.first_recorded_at()
    begins = "is empty" if first is None else f"begins at {first.isoformat()}"
    try:
        utc = when.astimezone(UTC)
    except OverflowError:  # within a day of the calendar's ends: before or after any log
        if when.year == 1:
            raise NoSuchMoment(f"{text} is before the log: the log {begins}") from None
        raise NoSuchMoment(f"{text} is in the future: replay looks back only") from None
    if utc > (now or datetime.now(UTC)):
        raise NoSuchMoment(f"{utc.isoformat()} is in the future: replay looks back only")
    found = log.seq_at(utc)
    if first is None or found is None:
        raise NoSuchMoment(f"{utc.isoformat()} is before the log: the log {begins}")
    return found


@dataclass
class PastPictures:
    """Pictures of past moments, the last ``KEPT`` asked for kept by seq."""

    log: EventLog
    kept: int = KEPT
    _pictures: OrderedDict[int, Picture] = field(default_factory=OrderedDict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Pictures only ``advance`` touches (it folds them in a worker thread), by seq: never
    # the ones ``at`` hands out, which a request may be reading meanwhile.
    _cursors: OrderedDict[int, Picture] = field(default_factory=OrderedDict)
    _cursor_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def at(self, at: str) -> Picture:
        """The picture at the moment ``at`` names; a 422 with the reason if it names none."""
        try:
            seq = await asyncio.to_thread(moment_seq, self.log, at)
        except NoSuchMoment as exc:
            raise HTTPException(422, str(exc)) from None
        async with self._lock:  # one rebuild per moment, however many ask at once
            picture = self._pictures.get(seq)
            if picture is None:
                picture = await asyncio.to_thread(self.log.picture, seq)
                self._pictures[seq] = picture
                while len(self._pictures) > self.kept:
                    self._pictures.popitem(last=False)
            self._pictures.move_to_end(seq)
            return picture

    async def advance(
        self, after: int, upto: int, made: Callable[[Picture, list[Recorded]], T]
    ) -> T:
        """``made(picture, records)``: the records after seq ``after`` up to ``upto`` folded
        into the picture at ``after``, which is then kept at ``upto`` for the next step. A
        replay's first step (or one after a jump) rebuilds the picture from the log."""

        def step() -> T:
            picture = self._cursors.pop(after, None)
            if picture is None:
                picture = self.log.picture(after)
            records = self.log.read(after, upto=upto)
            for record in records:
                picture.apply(record)
            result = made(picture, records)
            self._cursors[picture.seq] = picture
            while len(self._cursors) > CURSORS:
                self._cursors.popitem(last=False)
            return result

        async with self._cursor_lock:
            return await asyncio.to_thread(step)
