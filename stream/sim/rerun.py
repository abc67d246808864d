"""Re-run a recorded period: the log's own demand and fleet, dispatched again by a policy in
the simulator, beside what really happened (``bluelamp rerun``).

From the log, for the period (by when the log took its records, as ``?at=``):

- the calls as they came: time, grade at creation, category, place, how many units went,
  and how long the first unit stayed (its arrival to the close), when the log has both;
- the fleet as it came on duty: every unit on duty at the period's start (where it was
  then) and every one that came on duty during it, each going off duty when the log says.

- what stood at the start: units tied up then (on a call, a break, in custody) stay tied up
  until the log shows them free; calls waiting for a unit then wait in the re-run too (they
  take units, and are not judged: the figures judge calls created in the period).

The simulator's model does the rest, under the chosen policy: call handling, the BCU desk,
drives and hold-ups, breaks, reports, custody (stream.sim.workday). What really happened is
worked out from the period's recorded events by the same fold that judges every simulated
run (stream.sim.evaluate), so the two columns are comparable. What a log cannot tell the
model: each call's handling time and each unit's planned shift end (a shift is taken to end
``SHIFT_H`` after the unit came on, or when the log shows it going off, if sooner).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from geodata import London
from geodata.travel import TravelTimeModel
from stream.events import to_dict
from stream.log import EventLog
from stream.picture import Incident, IncidentStatus, Picture
from stream.sim.calibration import FleetAssumptions
from stream.sim.demand import Arrival
from stream.sim.dispatch import Policy
from stream.sim.engine import Simulation
from stream.sim.fleet import SimUnit, State
from stream.sim.scenario import Scenario, load
from stream.sim.timeline import Event
from stream.sim.workday import SimOptions

#: The re-run starts this long before the period, from the log's state then, so the state
#: at the period's start is the re-run's own (docs/simulation.md, "Re-running a shift").
WARM_UP = timedelta(hours=6)
NEVER_H = 10**6  # a recorded unit's shift, to the workday: the re-run ends it (SHIFT_H)
#: A shift's length (the Met's response shifts, stream.sim.calibration): a unit the log shows
#: on duty longer was finishing its last job.
SHIFT_H = max(hours for _, _, hours in FleetAssumptions().shifts)


@dataclass(frozen=True)
class RecordedCall:
    at: float  # epoch seconds, the event's time
    grade: str
    category: str
    lat: float
    lon: float
    borough: str
    bcu: str
    units: int  # how many units were sent (at least one, when any was)
    on_scene_s: float | None  # the first unit's arrival to the close, if both were logged


@dataclass(frozen=True)
class RecordedUnit:
    unit_id: str
    callsign: str
    unit_type: str
    home_bcu: str
    lat: float
    lon: float
    #: On duty from (the period's start for one on duty already) to off duty (None: still
    #: on at the period's end), each time it came on duty.
    stints: tuple[tuple[float, float | None], ...]
    #: On duty at the period's start but tied up (on a call, a break, custody): free from
    #: then, as the log shows it (None: free at the start, or never within the period).
    busy_until: float | None = None
    tied_as: str | None = None  # its status then (on scene, busy with a report, custody…)


@dataclass
class RecordedPeriod:
    start: datetime  # the calls created from here on are judged
    end: datetime
    first_seq: int  # the first record in the period (the picture before it is its start)
    last_seq: int
    begins: datetime  # where the re-run starts: the warm-up before ``start``
    calls: list[RecordedCall] = field(default_factory=list)
    units: list[RecordedUnit] = field(default_factory=list)
    #: Calls waiting for a unit when the re-run begins: they take units in it, and are not
    #: judged (they were not created in the period), as the calls of the warm-up.
    waiting: list[RecordedCall] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)  # for stream.sim.evaluate


class EmptyPeriod(ValueError):
    """The log holds no record in the period asked for: why, in words."""


def read_period(
    log: EventLog, start: datetime, end: datetime, warm_up: timedelta = WARM_UP
) -> RecordedPeriod:
    """The period's calls, fleet and events from ``log`` (records taken in ``start..end``),
    with the ``warm_up`` before it (as far as the log goes back) for the re-run to start in."""
    first = log.seq_at(start) or 0
    last = log.seq_at(end) or 0
    if last <= first:
        raise EmptyPeriod(
            f"the log took no record between {start.isoformat()} and {end.isoformat()}"
        )
    begins = start - warm_up
    before = log.seq_at(begins) or 0
    if before == 0 and (taken := log.first_recorded_at()) is not None:
        begins = max(begins, taken)  # a re-run starts no earlier than the log
    period = RecordedPeriod(start, end, first + 1, last, begins=begins)
    at_begin = log.picture(before) if before else Picture()
    shifts = {unit: at.timestamp() for unit, at in log.came_on_duty(before).items()}
    units = _on_duty_at(at_begin, shifts, begins)
    tied = {u.unit_id: u.incident_id for u in at_begin.units.values() if u.status.value not in FREE}
    period.waiting = [_waiting(i, begins) for i in at_begin.incidents.values() if _unsent(i)]
    calls: dict[str, dict[str, Any]] = {}
    picture, moment = at_begin, None
    for record in log.iter(before, upto=last):
        event = to_dict(record.event)
        if record.seq > first:
            period.events.append(event)
        _note(event, record.borough, record.bcu, calls, units)
        if tied:
            # Free once everything of one moment is in: a call's close frees its unit and
            # the next record, at the same time, may say it is writing its report.
            if moment is not None and event["time"] != moment:
                _freed(picture, tied, units, _seconds(moment))
            picture.apply(record)
            moment = event["time"]
    if tied and moment is not None:
        _freed(picture, tied, units, _seconds(moment))
    for unit_id in tied:  # tied up to the end of the period
        units[unit_id]["busy_until"] = end.timestamp()
    period.calls = [_call(c) for c in calls.values()]
    period.units = [
        RecordedUnit(**(u | {"stints": tuple((on, off) for on, off in u["stints"])}))
        for u in units.values()
    ]
    return period


def _on_duty_at(
    picture: Picture, since: dict[str, float], begins: datetime
) -> dict[str, dict[str, Any]]:
    """The units on duty in ``picture``, each since it came on (``since``, else ``begins``)."""
    return {
        u.unit_id: {
            "unit_id": u.unit_id,
            "callsign": u.callsign,
            "unit_type": u.unit_type.value,
            "home_bcu": u.home_bcu,
            "lat": u.lat,
            "lon": u.lon,
            "stints": [[since.get(u.unit_id, begins.timestamp()), None]],
            "busy_until": None,
            "tied_as": None if u.status.value in FREE else u.status.value,
        }
        for u in picture.units.values()
        if u.status.value != "off_duty"
    }


#: Statuses a unit can be sent from, or off duty: no longer tied up (stream.payloads).
FREE = frozenset({"available", "at_station", "off_duty"})
#: How a unit tied up at the start is held in the re-run, by its status then: a report is
#: broken off for an I-grade call as in the simulation; one on a call (on its way or on
#: scene) is held as on scene, which no call takes it from.
TIED_AS = {"busy": State.BUSY, "custody": State.CUSTODY, "refreshment": State.REFRESHMENT}


def _freed(
    picture: Picture, tied: dict[str, str | None], units: dict[str, dict[str, Any]], at: float
) -> None:
    """The units of ``tied`` (each with the call it was on) that are done with what tied
    them up at the start: free (or gone), or, from a call, sent straight to another (a
    dispatcher chose it then, as the re-run's policy may): free from ``at``. One writing a
    report is free only when the log shows it free: taken off it for an emergency, it
    went back to the report after (stream.sim.engine), which the re-run cannot know."""
    for unit_id, call in list(tied.items()):
        unit = picture.units.get(unit_id)
        done = unit is None or unit.status.value in FREE
        if done or (call is not None and unit is not None and unit.incident_id not in (None, call)):
            del tied[unit_id]
            units[unit_id]["busy_until"] = at


def _unsent(incident: Incident) -> bool:
    return incident.status is IncidentStatus.OPEN and incident.grade.value != "R"


def _waiting(incident: Incident, start: datetime) -> RecordedCall:
    return RecordedCall(
        start.timestamp(), incident.grade.value, incident.category, incident.lat, incident.lon,
        incident.borough, incident.bcu, 1, None,
    )  # fmt: skip


def _seconds(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _note(
    event: dict[str, Any],
    borough: str | None,
    bcu: str | None,
    calls: dict[str, dict[str, Any]],
    units: dict[str, dict[str, Any]],
) -> None:
    """One recorded event into what the re-run needs of calls and units."""
    kind, data = event["type"], event["data"]
    at = _seconds(event["time"])
    if kind == "incident.created" and bcu:
        calls[data["incident_id"]] = {
            "at": at, "grade": data["grade"], "category": data["category"], "lat": data["lat"],
            "lon": data["lon"], "borough": borough or "", "bcu": bcu, "units": set(),
            "arrived": None, "closed": None,
        }  # fmt: skip
    elif (call := calls.get(data.get("incident_id", ""))) is not None:
        if kind == "incident.assigned":
            call["units"].add(data["unit_id"])
        elif kind == "incident.arrived" and call["arrived"] is None:
            call["arrived"] = at
        elif kind == "incident.closed":
            call["closed"] = at
    if kind == "unit.on_duty":
        known = units.setdefault(data["unit_id"], {
            "unit_id": data["unit_id"], "callsign": data["callsign"],
            "unit_type": data["unit_type"], "home_bcu": data["home_bcu"], "lat": data["lat"],
            "lon": data["lon"], "stints": [], "busy_until": None, "tied_as": None,
        })  # fmt: skip
        if not known["stints"] or known["stints"][-1][1] is not None:
            known["stints"].append([at, None])
    elif kind == "unit.off_duty" and data["unit_id"] in units:
        stints = units[data["unit_id"]]["stints"]
        if stints and stints[-1][1] is None:
            stints[-1][1] = at


def _call(c: dict[str, Any]) -> RecordedCall:
    stayed = c["closed"] - c["arrived"] if c["arrived"] and c["closed"] else None
    return RecordedCall(
        c["at"], c["grade"], c["category"], c["lat"], c["lon"], c["borough"], c["bcu"],
        len(c["units"]), stayed,
    )  # fmt: skip


class Rerun(Simulation):
    """The simulation with the recorded calls for its demand and the recorded fleet."""

    def __init__(
        self,
        london: London,
        period: RecordedPeriod,
        policy: str | Policy,
        seed: int = 0,
        travel: TravelTimeModel | None = None,
    ) -> None:
        self.period = period
        self.carried: set[str] = set()  # the re-run's ids of calls waiting at the start
        hours = (period.end - period.begins).total_seconds() / 3600
        base = load("normal-day")
        scenario = replace(
            base.starting(period.begins.astimezone(base.start.tzinfo), hours),
            name="recorded",
            surges=(),
            major_incidents=(),
        )
        super().__init__(london, scenario, policy, seed, SimOptions(pings=False), travel)

    def _fleet(self, london: London, scenario: Scenario) -> list[SimUnit]:
        return [
            SimUnit(
                u.unit_id,
                u.callsign,
                u.unit_type,
                u.home_bcu,
                (u.lat, u.lon),
                0,
                NEVER_H,
                bcu=u.home_bcu,
            )
            for u in self.period.units
        ]

    def _start_shifts(self) -> None:
        start = self.scenario.start.timestamp()
        by_id = {u.unit_id: u for u in self.units}
        for recorded in self.period.units:
            unit = by_id[recorded.unit_id]
            for n, (on, off) in enumerate(recorded.stints):
                already = n == 0 and on <= start
                tied = None
                if already and recorded.busy_until is not None and recorded.tied_as:
                    tied = (recorded.busy_until, recorded.tied_as)
                # The log says when a unit went off, which is after its last job when
                # that ran over: the shift itself ended no later than a shift's length on.
                ends = on + SHIFT_H * 3600 if off is None else min(off, on + SHIFT_H * 3600)
                comes = functools.partial(self._comes_on, unit, tied, already, ends)
                self._at(max(start, on), comes)

    def _comes_on(
        self, unit: SimUnit, tied: tuple[float, str] | None, already: bool, ends: float
    ) -> None:
        """On duty until ``ends`` (then off as soon as free), unless still finishing the
        last stint's work (then it stays on). One on duty ``already`` at the period's start
        goes on from where it was: tied up until the log shows it free, or free (no
        parade); one whose shift is over by then goes off once free."""
        self._at(max(self.now, ends), functools.partial(self._shift_ends, unit))
        if unit.state is not State.OFF:
            unit.ending = False
            return
        if not already:
            self._on_duty(unit)
            return
        self._on_duty(unit, parade=False)
        if tied is not None and tied[0] > self.now:
            self._busy_for(unit, TIED_AS.get(tied[1], State.ON_SCENE), tied[0] - self.now)
        elif not self._take_waiting(unit):
            self._patrol(unit)

    def _arrivals(self) -> None:
        for call in self.period.waiting:
            self._at(call.at, functools.partial(self._recorded_call, call, True))
        for call in self.period.calls:
            self._at(call.at, functools.partial(self._recorded_call, call, False))

    def _recorded_call(self, call: RecordedCall, carried: bool) -> None:
        when = datetime.fromtimestamp(call.at, UTC)
        arrival = Arrival(
            when, call.category, call.grade, call.lat, call.lon, call.borough, call.bcu
        )
        job = self._create(arrival, max(1, call.units), call.on_scene_s)
        if carried or call.at < self.period.start.timestamp():
            self.carried.add(job.incident_id)

    def judged(self) -> Iterator[Event]:
        """The re-run's events without those about calls from before the period (waiting
        when it began, or of the warm-up): the recorded figures judge calls created in it."""
        for event in self.events():
            if event["data"].get("incident_id") not in self.carried:
                yield event
