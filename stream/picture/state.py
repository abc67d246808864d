"""What the live picture holds, and the per-BCU counts kept in step with it.

:class:`PictureState` is the picture without its fold: incidents, units, mutual aid
requests and acknowledgements, the heap of closed incidents to evict, and counts derived
from them. Per-BCU counts are kept incrementally (every status, grade or BCU change goes
through ``set_incident``/``set_unit``), so ``bcu_counts`` costs the same with 10 or 10,000
incidents. The methods that change it are for the rules (``stream.picture.rules``) and
snapshots (``stream.picture.snapshot``); everyone else changes a picture only with
``Picture.apply``.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from stream.clock import EventClock
from stream.events import DISPATCHABLE, Grade, UnitStatus, UnitType, alert_key
from stream.intel import MARKER_REACH_M, Marker, MarkerGrid, PersonLink, metres
from stream.mutualaid import MutualAid
from stream.offers import Offer
from stream.picture.model import (
    BCUS,
    LIVE_GRADES,
    BcuCounts,
    Incident,
    IncidentStatus,
    SetOff,
    Unit,
)

SIDE_EFFECTS_KEPT = 100_000


class PictureState:
    """Incidents, units and per-BCU counts as of ``seq``."""

    def __init__(self) -> None:
        self.seq = 0  # the last seq applied (0: nothing yet)
        # The last seq whose event may have changed what the whole picture shows (api.views):
        # the recommender's ledger entries (advice.*) move only ``seq``, several times a
        # second, and a reader's cached document stays good through them.
        self.shown_seq = 0
        self.clock = EventClock()  # "now": the latest event time, outliers aside
        self.incidents: dict[str, Incident] = {}
        self.units: dict[str, Unit] = {}
        # Mutual aid requests waiting for a commander's answer, by request id.
        self.mutual_aid: dict[str, MutualAid] = {}
        # Move-ups offered and not yet decided, by advice id (stream.offers).
        self.offers: dict[str, Offer] = {}
        self._closed: list[tuple[datetime, str]] = []  # heap of (closed_at, id) to evict
        # Snapshot rows of closed incidents, which never change again: most of a day's
        # incidents are closed, so a snapshot re-encodes only what is still live.
        self.frozen_rows: dict[str, list[Any]] = {}
        # I-grade incidents (open or closed), the only ones the compliance KPI looks at.
        self._immediate: dict[str, Incident] = {}
        # Derived counts, kept in step by set_* (and rebuilt by from_snapshot).
        self._open: dict[str, dict[Grade, int]] = {b: dict.fromkeys(Grade, 0) for b in BCUS}
        self._awaiting: dict[str, int] = dict.fromkeys(BCUS, 0)
        self._by_status: dict[str, dict[UnitStatus, int]] = {
            b: dict.fromkeys(UnitStatus, 0) for b in BCUS
        }
        # What changed besides the record's own subjects (units released when an incident
        # closes, an incident a unit left), as (seq, "unit" | "incident", id), so a screen
        # that upserts the state of what each record touched misses nothing.
        self.side_effects: deque[tuple[int, str, str]] = deque(maxlen=SIDE_EFFECTS_KEPT)
        # The seq of the last record that may have changed each unit (naming it, or as a
        # side effect): a view of a unit made since stays true (api.views.UnitTexts).
        self.unit_changed: dict[str, int] = {}
        # Where and when each unit on its way to an incident set off, by unit id: an entry
        # goes when the unit is released (and is read only while the unit is en route).
        self.set_off: dict[str, SetOff] = {}
        self._applying = 0
        self._applying_at: datetime | None = None  # event time of the record being applied
        # Alerts someone has acknowledged, by alert_key: (when, by whom). An entry goes when
        # its condition clears, so the next breach alerts again.
        self.acknowledged: dict[str, tuple[datetime, str]] = {}
        # Warning markers by id, each until cleared or the day after its review date (unless
        # renewed), and the people linked to each incident in the picture (stream.intel).
        self.markers: dict[str, Marker] = {}
        self.marker_grid = MarkerGrid()
        self._reviews: list[tuple[date, str]] = []  # heap of (review date, marker id)
        self.people: dict[str, list[PersonLink]] = {}

    @property
    def now(self) -> datetime | None:
        """The picture's event time (None before any event): see :class:`EventClock`."""
        return self.clock.now

    # -- incidents and units in and out -----------------------------------------------------

    def add_incident(self, incident: Incident) -> None:
        self.incidents[incident.incident_id] = incident
        self.count_incident(incident, +1)
        self.track_immediate(incident)

    def track_immediate(self, incident: Incident) -> None:
        """Keep ``immediate_incidents`` in step with the incident's grade."""
        if incident.grade is Grade.IMMEDIATE:
            self._immediate[incident.incident_id] = incident
        else:
            self._immediate.pop(incident.incident_id, None)

    def immediate_incidents(self) -> Collection[Incident]:
        return self._immediate.values()

    def retire(self, incident: Incident) -> None:
        """A closed incident leaves the picture a while after ``closed_at`` (``evict``)."""
        if incident.closed_at is not None:
            heapq.heappush(self._closed, (incident.closed_at, incident.incident_id))

    def evict(self, horizon: datetime) -> None:
        """Drop the incidents closed at or before ``horizon``."""
        while self._closed and self._closed[0][0] <= horizon:
            _, incident_id = heapq.heappop(self._closed)
            self.incidents.pop(incident_id, None)
            self.frozen_rows.pop(incident_id, None)
            self._immediate.pop(incident_id, None)
            self.people.pop(incident_id, None)

    def add_unit(self, unit: Unit) -> None:
        self.units[unit.unit_id] = unit
        self.count_unit(unit, +1)

    # -- every change to a counted field goes through these --------------------------------

    def count_incident(self, incident: Incident, sign: int) -> None:
        if incident.status is IncidentStatus.CLOSED:
            return
        by_grade = self._open.get(incident.bcu)
        if by_grade is None:  # not a Met BCU (only from a record the rules refused)
            return
        by_grade[incident.grade] += sign
        if incident.status is IncidentStatus.OPEN and incident.grade in LIVE_GRADES:
            self._awaiting[incident.bcu] += sign

    def count_unit(self, unit: Unit, sign: int) -> None:
        if unit.bcu in self._by_status:
            self._by_status[unit.bcu][unit.status] += sign

    def set_incident(
        self, incident: Incident, status: IncidentStatus | None = None, grade: Grade | None = None
    ) -> None:
        self.count_incident(incident, -1)
        if status is not None:
            incident.status = status
        if grade is not None:
            incident.grade = grade
        self.count_incident(incident, +1)

    def set_unit(
        self, unit: Unit, status: UnitStatus | None = None, bcu: str | None = None
    ) -> None:
        self.count_unit(unit, -1)
        if status is not None and status is not unit.status:
            unit.status = status
            unit.status_since = self._applying_at
        if bcu is not None:
            unit.bcu = bcu
        self.count_unit(unit, +1)
        self.rearm(unit)

    def rearm(self, unit: Unit) -> None:
        """An IRV free to send ends its BCU's "no IRV" alert: a later shortage alerts again."""
        available = unit.status in DISPATCHABLE and unit.unit_type is UnitType.IRV
        if self.acknowledged and available:
            self.acknowledged.pop(alert_key("no_irv", unit.bcu), None)

    def rearm_incident(self, incident: Incident) -> None:
        """A unit sent (or the incident closed) ends the incident's alerts."""
        if self.acknowledged:
            for kind in ("i_unassigned",):
                self.acknowledged.pop(alert_key(kind, incident.bcu, incident.incident_id), None)

    def restatus(self, incident: Incident) -> None:
        """An open incident's status from the units attached to it now."""
        if incident.status is IncidentStatus.CLOSED:
            return
        units = self.units
        if any(units[u].status is UnitStatus.ON_SCENE for u in incident.units if u in units):
            status = IncidentStatus.ON_SCENE
        elif incident.units:
            status = IncidentStatus.ASSIGNED
        else:
            status = IncidentStatus.OPEN
        if status is not incident.status:
            self.set_incident(incident, status)

    def withdraw_offers(self, unit_id: str) -> None:
        """Forget the move-ups offered for a unit (one was taken, or the unit left)."""
        for advice_id in [k for k, o in self.offers.items() if o.unit_id == unit_id]:
            del self.offers[advice_id]

    def expire_offers(self, before: datetime) -> None:
        """Forget the move-ups offered before ``before`` and never decided."""
        for advice_id in [k for k, o in self.offers.items() if o.offered_at < before]:
            del self.offers[advice_id]

    def release(self, unit: Unit, status: UnitStatus) -> None:
        """Detach a unit from the incident it was committed to, and set its status."""
        incident_id, unit.incident_id = unit.incident_id, None
        self.set_off.pop(unit.unit_id, None)
        self.set_unit(unit, status)
        incident = self.incidents.get(incident_id) if incident_id is not None else None
        if incident is not None and unit.unit_id in incident.units:
            incident.units.remove(unit.unit_id)
            self.restatus(incident)
            self.side_effects.append((self._applying, "incident", incident.incident_id))

    # -- markers --------------------------------------------------------------------------

    def set_marker(self, marker: Marker) -> None:
        self.drop_marker(marker.marker_id)
        self.markers[marker.marker_id] = marker
        self.marker_grid.add(marker)
        heapq.heappush(self._reviews, (marker.review_date, marker.marker_id))

    def review_due(self, day: date) -> bool:
        return bool(self._reviews) and self._reviews[0][0] < day

    def expire_markers(self, day: date) -> None:
        """Drop the markers whose review date is before ``day`` (a renewed one has a later
        date, and stays): what retention asks of the live store."""
        while self._reviews and self._reviews[0][0] < day:
            _, marker_id = heapq.heappop(self._reviews)
            marker = self.markers.get(marker_id)
            if marker is not None and marker.review_date < day:
                self.drop_marker(marker_id)
                self.warnings_changed(marker)

    def warnings_changed(self, *markers: Marker | None) -> None:
        """The open calls near these markers (a marker's old and new place) as side effects
        of the record being applied: their warning icons changed."""
        for incident in self.incidents.values():
            if incident.status is IncidentStatus.CLOSED:
                continue
            if any(
                m is not None and metres(incident.lat, incident.lon, m.lat, m.lon) <= MARKER_REACH_M
                for m in markers
            ):
                self.side_effects.append((self._applying, "incident", incident.incident_id))

    def drop_marker(self, marker_id: str) -> None:
        old = self.markers.pop(marker_id, None)
        if old is not None:
            self.marker_grid.remove(old)

    def markers_near(
        self, lat: float, lon: float, radius_m: float, day: date | None = None
    ) -> list[tuple[float, Marker]]:
        """(metres, marker) of the markers within ``radius_m`` active on ``day`` (the
        picture's own day unless given; one past its review date leaves with the next
        record of a later day), nearest first."""
        if not self.markers:
            return []
        day = day or (self.now.date() if self.now is not None else date.min)
        found = []
        for marker_id in self.marker_grid.candidates(lat, lon, radius_m):
            marker = self.markers[marker_id]
            if (
                marker.active_on(day)
                and (d := metres(lat, lon, marker.lat, marker.lon)) <= radius_m
            ):
                found.append((d, marker))
        return sorted(found, key=lambda pair: (pair[0], pair[1].marker_id))

    def warnings_at(self, lat: float, lon: float) -> list[str]:
        """The kinds of active marker a call here is warned of (the wall's icons)."""
        return sorted({m.marker_type for _, m in self.markers_near(lat, lon, MARKER_REACH_M)})

    # -- what screens need --------------------------------------------------------------

    def side_effects_in(self, after: int, upto: int) -> list[tuple[str, str]]:
        """(kind, id) of what records after..upto changed besides their own subjects (the
        latest ``SIDE_EFFECTS_KEPT`` are kept)."""
        found = []
        for seq, kind, ident in reversed(self.side_effects):
            if seq <= after:
                break
            if seq <= upto:
                found.append((kind, ident))
        return found

    def bcu_counts(self) -> dict[str, BcuCounts]:
        """Per Met BCU (all 12, sorted by code): demand, capacity and their parts."""
        result = {}
        for bcu in BCUS:
            by_grade, statuses = self._open[bcu], self._by_status[bcu]
            demand = by_grade[Grade.IMMEDIATE] + by_grade[Grade.SIGNIFICANT]
            capacity = sum(statuses.values()) - statuses[UnitStatus.OFF_DUTY]
            result[bcu] = BcuCounts(
                bcu=bcu,
                open_by_grade={g.value: n for g, n in by_grade.items()},
                units_by_status={s.value: n for s, n in statuses.items()},
                awaiting_unit=self._awaiting[bcu],
                demand=demand,
                capacity=capacity,
                available=sum(statuses[s] for s in DISPATCHABLE),
                load=round(demand / capacity, 3) if capacity else float(demand),
            )
        return result

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PictureState):
            return NotImplemented
        return (
            self.seq == other.seq
            and self.now == other.now
            and self.clock.recent == other.clock.recent
            and self.incidents == other.incidents
            and self.units == other.units
            and sorted(self._closed) == sorted(other._closed)
            and self._open == other._open
            and self._awaiting == other._awaiting
            and self._by_status == other._by_status
            and self._immediate.keys() == other._immediate.keys()
            and self.acknowledged == other.acknowledged
            and self.markers == other.markers
            and self.people == other.people
        )

    __hash__ = None  # type: ignore[assignment]
