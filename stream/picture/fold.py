"""The live picture (:class:`Picture`): the current operational state, a pure fold of
recorded events.

Same log, same picture — always. :meth:`Picture.check` asks a command's scope
(``stream.trust``), then the event type's rule, and :meth:`Picture.apply` folds a record in
with its effect (rule and effect both in ``stream.picture.rules``), so a replay, a snapshot
plus its tail, and the sequencer's running picture are identical.
Closed incidents stay ``RETAIN_CLOSED`` of event time, then leave, so the picture of a
year-long log stays the size of a day.

Event time is measured by :class:`stream.clock.EventClock`: the latest event time, except
that one event stamped far ahead (a log written before the sequencer bounded event times)
does not move it, so such an event can neither evict every closed incident at once nor
leave the compliance KPI with no target due "in the last hour" until real time catches up.
Every sum of a time and a duration goes through ``shift``, which cannot overflow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from stream.clock import shift
from stream.events import AdviceAccepted, AdviceDismissed, AdviceOffered, Recorded, Validated
from stream.objection import Objection
from stream.payloads import subjects
from stream.picture.intel_rules import APPLIES, CHECKS
from stream.picture.kpis import i_compliance_last_hour, kpi_strip
from stream.picture.snapshot import load_snapshot, parse_json, to_snapshot
from stream.picture.state import PictureState
from stream.trust import EVERYTHING, Scope, out_of_scope

#: Closed incidents leave the live picture this long (in event time) after closing.
RETAIN_CLOSED = timedelta(hours=24)

#: Events that change nothing the whole picture shows (api.views.picture_view): the ledger
#: of advice offered and decided, written by the recommender as it runs.
UNSHOWN = frozenset({AdviceOffered, AdviceAccepted, AdviceDismissed})


class Picture(PictureState):
    """Incidents, units and per-BCU counts as of ``seq``. Change it only with :meth:`apply`."""

    # -- the fold ----------------------------------------------------------------------

    def check(self, v: Validated, scope: Scope = EVERYTHING) -> Objection | None:
        """Why this event cannot be accepted now, or None if it can: outside ``scope``
        (what the command's submitter may touch), then the event type's rule. The sequencer
        asks it when it sequences an event, the API before it sends a command."""
        data = v.event.data
        return out_of_scope(self, v, scope) or CHECKS[type(data)](self, v, data)

    def apply(self, r: Recorded) -> None:
        """Fold one recorded event in. Records must come in ``seq`` order, gap-free.

        A record the rules would have refused (an older log, a bug) changes what it can and
        never raises: a consumer that crashed here would crash again on every replay."""
        if r.seq != self.seq + 1:
            raise ValueError(f"picture is at seq {self.seq}; cannot apply seq {r.seq}")
        before = self.clock.now
        now = self.clock.advance(r.event.time)
        self._applying, self._applying_at = r.seq, r.event.time
        data = r.event.data
        APPLIES[type(data)](self, r, data)
        self.seq = r.seq
        if unit_id := subjects(data)[1]:
            self.unit_changed[unit_id] = r.seq
        if type(r.event.data) not in UNSHOWN or now != before:
            self.shown_seq = r.seq
        if self._closed and self._closed[0][0] <= (horizon := shift(now, -RETAIN_CLOSED)):
            self.evict(horizon)
        if self.review_due(now.date()):
            self.expire_markers(now.date())

    # -- what screens need --------------------------------------------------------------

    def kpis(self) -> dict[str, Any]:
        """London-wide figures for the KPI strip, all in event time (``now``), JSON-able."""
        return kpi_strip(self)

    def i_compliance_last_hour(self) -> float | None:
        """Share of I-grade incidents whose target fell due in the last hour of event time
        that had a unit there in time (None when none fell due): see ``stream.picture.kpis``."""
        return i_compliance_last_hour(self)

    # -- snapshots ------------------------------------------------------------------------

    def to_snapshot(self) -> dict[str, Any]:
        """A JSON-able copy from which :meth:`from_snapshot` rebuilds this exact picture.
        Read it or serialise it; do not change it (rows of closed incidents are shared)."""
        return to_snapshot(self)

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> Picture:
        picture = cls()
        load_snapshot(picture, data)
        return picture

    @classmethod
    def from_json(cls, text: str | bytes) -> Picture:
        """:meth:`from_snapshot` of JSON text, parsed with the GC paused (about 4x faster on
        a day-sized picture than ``json.loads`` with collections running)."""
        return cls.from_snapshot(parse_json(text))

    def recounted(self) -> Picture:
        """A copy with every derived count rebuilt from scratch (to check the running ones)."""
        return Picture.from_snapshot(self.to_snapshot())

    def __repr__(self) -> str:
        return f"<Picture seq={self.seq} incidents={len(self.incidents)} units={len(self.units)}>"


def fold(records: Iterable[Recorded], start: Picture | None = None) -> Picture:
    """The picture after applying ``records`` (in order) to ``start`` (or an empty picture).
    ``start`` is changed in place and returned."""
    picture = start if start is not None else Picture()
    for record in records:
        picture.apply(record)
    return picture
