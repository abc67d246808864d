"""Event time at the sequencer's door (stream.eventtime; issue 12, "found from outside" #3).

Events go in through the ingest stream of a running spine, stamped relative to the real
wall clock; each refused one must be on the rejected stream with its reason, and the valid
event after it accepted.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from stream.eventtime import TimeBounds
from stream.outcome import Verdict
from stream.spine import Spine
from tests.stream.conftest import Backend
from tests.stream.factories import Events
from tests.stream.test_poison import logged, rejected

DAY = timedelta(days=1)


def _stamped(raw: dict[str, Any], when: datetime) -> dict[str, Any]:
    return {**raw, "time": when.isoformat().replace("+00:00", "Z")}


async def _reasons(spine: Spine, n: int) -> list[str]:
    return [row["reason"] for row in await rejected(spine, n)]


async def test_an_event_ahead_of_the_sequencers_clock_is_rejected(backend: Backend) -> None:
    now = datetime.now(UTC)
    ev = Events(start=now - timedelta(hours=1))
    async with backend.spine() as spine:
        outcomes = await spine.submit_many(
            [
                ev.on_duty("U1"),
                _stamped(ev.location("U1"), now + timedelta(hours=1)),
                _stamped(ev.incident_created("I9"), datetime(9999, 12, 31, 22, tzinfo=UTC)),
                _stamped(ev.location("U1"), now + timedelta(seconds=60)),  # within 5 minutes
            ]
        )
        verdicts = [o.verdict for o in outcomes]
        assert verdicts == [Verdict.ACCEPTED, Verdict.REJECTED, Verdict.REJECTED, Verdict.ACCEPTED]
        reasons = await _reasons(spine, 2)
        assert all("ahead of the sequencer's clock" in r for r in reasons), reasons
        assert "at most 5 minutes ahead" in reasons[0]
        assert spine.sequencer is not None and spine.sequencer.picture is not None
        assert spine.sequencer.picture.now is not None
        assert spine.sequencer.picture.now < now + timedelta(minutes=5)


async def test_an_event_long_before_the_latest_is_rejected(backend: Backend) -> None:
    """A unit.on_duty stamped 1970, or year 1, into a live London; and one 2 days late."""
    now = datetime.now(UTC)
    ev = Events(start=now - timedelta(hours=1))
    async with backend.spine() as spine:
        await spine.bus.add(
            [
                json.dumps(ev.on_duty("U1")),
                json.dumps(_stamped(ev.on_duty("U70"), datetime(1970, 1, 1, tzinfo=UTC))),
                json.dumps(_stamped(ev.on_duty("U0"), datetime(1, 1, 1, 2, tzinfo=UTC))),
                json.dumps(_stamped(ev.on_duty("U2"), now - 2 * DAY)),
                json.dumps(_stamped(ev.on_duty("U3"), now - timedelta(hours=20))),
            ]
        )
        reasons = await _reasons(spine, 3)
        assert all("before the latest event sequenced" in r for r in reasons), reasons
        assert "at most 24 hours late" in reasons[0]
        await logged(spine, 2)
        units = [r.event.data.unit_id for r in await asyncio.to_thread(spine.log.read)]  # type: ignore[union-attr]
        assert units == ["U1", "U3"]


async def test_a_duplicate_is_answered_as_such_however_late(backend: Backend) -> None:
    now = datetime.now(UTC)
    ev = Events(start=now - 3 * DAY)
    first = ev.on_duty("U1")
    async with backend.spine() as spine:
        accepted = await spine.submit(first)
        await spine.submit(_stamped(ev.location("U1"), now))
        again = await spine.submit(first)  # now three days behind the picture's clock
        assert (again.verdict, again.seq) == (Verdict.DUPLICATE, accepted.seq)


async def test_a_simulation_runs_ahead_with_its_own_settings(backend: Backend) -> None:
    """A simulation faster than real time: a spine told to accept a day ahead and a week
    late takes what the defaults refuse."""
    now = datetime.now(UTC)
    ev = Events(start=now)
    ahead = _stamped(ev.on_duty("U1"), now + 20 * timedelta(hours=1))
    late = _stamped(ev.location("U1"), now - 3 * DAY)
    async with backend.spine(max_event_ahead_s=86_400, max_event_late_s=7 * 86_400) as spine:
        outcomes = await spine.submit_many([ahead, late])
        assert [o.verdict for o in outcomes] == [Verdict.ACCEPTED, Verdict.ACCEPTED]


async def test_an_age_bound_refuses_old_events_into_an_empty_picture(backend: Backend) -> None:
    """Off by default (an empty log takes history, e.g. a simulated week in March); set, it
    refuses an event older than that against the wall clock."""
    now = datetime.now(UTC)
    old = Events(start=now - 2 * DAY)
    async with backend.spine(max_event_age_s=3_600) as spine:
        refused = await spine.submit(old.on_duty("U7"))
        assert refused.verdict is Verdict.REJECTED
        assert "before the sequencer's clock" in (refused.reason or "")
        assert "at most 60 minutes old" in (refused.reason or "")
    async with backend.spine() as spine:
        accepted = await spine.submit(old.on_duty("U8"))
        assert (accepted.verdict, accepted.seq) == (Verdict.ACCEPTED, 1)


def test_the_bounds_never_overflow() -> None:
    bounds = TimeBounds(ahead=timedelta.max, late=timedelta.max, age=timedelta.max)
    latest = datetime(9999, 12, 31, tzinfo=UTC)
    assert bounds.check(datetime(1, 1, 1, tzinfo=UTC), latest, datetime.now(UTC)) is None
    assert bounds.check(latest, datetime(1, 1, 1, tzinfo=UTC), datetime.now(UTC)) is None
