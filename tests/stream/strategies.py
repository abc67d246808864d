"""Hypothesis strategies for events: single valid events, and sequences over a small world.

* ``single_events()``: any contract-valid CloudEvents dict (points inside the stub's box).
* ``world_sequences()``: a simulated little world of incidents and units, emitting events
  as ``Step(raw, valid)``: ``valid`` is what the business rules must decide, worked out by
  the simulation itself (independently of ``stream.picture``), so the rules are tested,
  not trusted. About one step in five is deliberately invalid (an off-duty unit assigned, a
  closed incident regraded, …). Time mostly moves forward a little, now and then backwards
  (sources disagree) and rarely jumps more than a day (closed incidents are evicted).
* ``valid_sequences()``: the valid raws only: every one of them must be accepted in order.
* ``event_sequences()``: the older, blind generator: events over small id pools, with no
  idea which will be accepted.

Points are located with ``tests.stream.factories.stub_locate`` (pure), except in
``event_sequences``, whose points are real (``POINTS``) for the spine's tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from hypothesis import strategies as st

from stream.events import BCU_CODES, Grade, UnitStatus, UnitType
from tests.stream import factories as f
from tests.stream.factories import POINTS, START, Events, stub_locate

BCUS = sorted(b for b in POINTS if b != "CITY")
#: What ``unit.status`` may set (en route and on scene come from incidents, off duty has its
#: own event).
ORDINARY_STATUSES = ("available", "busy", "at_station", "refreshment", "custody")
INCIDENTS = [f"I{i}" for i in range(6)]
UNITS = [f"U{i}" for i in range(5)]

_lat = st.floats(51.45, 51.56).map(lambda x: round(x, 5))
_lon = st.floats(-0.25, 0.05).map(lambda x: round(x, 5))
#: Any point in the stub's box (units may pass through the City)…
points = st.tuples(_lat, _lon)
#: …and points in a Met BCU (incidents must be policed by the Met).
met_points = points.filter(lambda p: (place := stub_locate(*p)) is not None and place.bcu)
_ident = st.text("ABCXYZ0123456789-", min_size=1, max_size=8)
_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=40).map(
    str.strip
)
_times = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)


@st.composite
def single_events(draw: st.DrawFn) -> dict[str, Any]:
    """One contract-valid event of any type, with random ids, text, times and points."""
    env = {"source": draw(_ident), "id": draw(_ident), "time": draw(_times)}
    kind = draw(st.sampled_from(range(10)))
    inc, unit = draw(_ident), draw(_ident)
    grade = draw(st.sampled_from(list(Grade))).value
    text = draw(_text.filter(bool))
    lat, lon = draw(met_points if kind == 0 else points)
    match kind:
        case 0:
            summary = draw(st.none() | _text)
            return f.incident_created(inc, grade, lat, lon, text, summary, **env)
        case 1:
            return f.incident_graded(inc, grade, **env)
        case 2:
            return f.incident_assigned(inc, unit, **env)
        case 3:
            return f.incident_arrived(inc, unit, **env)
        case 4:
            return f.incident_closed(inc, text, **env)
        case 5:
            bcu = draw(st.sampled_from(sorted(BCU_CODES)))
            kind_ = draw(st.sampled_from(list(UnitType))).value
            return f.unit_on_duty(unit, bcu, kind_, lat, lon, draw(_ident), **env)
        case 6:
            return f.unit_off_duty(unit, **env)
        case 7:
            status = draw(st.sampled_from(list(UnitStatus))).value
            return f.unit_status(unit, status, **env)
        case 8:
            return f.unit_location(unit, lat, lon, **env)
        case _:
            return f.unit_redeployed(unit, draw(st.sampled_from(sorted(BCU_CODES))), text, **env)


class Step(NamedTuple):
    raw: dict[str, Any]
    valid: bool  # what the business rules must decide for this event at this point


@dataclass
class _Incident:
    grade: str = "I"
    closed_at: datetime | None = None
    units: set[str] = field(default_factory=set)
    on_scene: set[str] = field(default_factory=set)


@dataclass
class _Unit:
    on: bool = True
    bcu: str = "AW"
    incident: str | None = None  # committed to (an open incident), or None
    status: str = "available"
    since: datetime = START  # event time of the last change of status


@dataclass
class _World:
    """An independent model of the decided rules (brief.md), just enough to say valid/not."""

    now: datetime = START
    latest: datetime = START
    incidents: dict[str, _Incident] = field(default_factory=dict)
    units: dict[str, _Unit] = field(default_factory=dict)
    made: int = 0

    def tick(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)
        self.latest = max(self.latest, self.now)
        horizon = self.latest - timedelta(hours=24)
        for iid in [i for i, x in self.incidents.items() if x.closed_at and x.closed_at <= horizon]:
            del self.incidents[iid]

    def open(self) -> list[str]:
        return sorted(i for i, x in self.incidents.items() if x.closed_at is None)

    def closed(self) -> list[str]:
        return sorted(i for i, x in self.incidents.items() if x.closed_at is not None)

    def on(self) -> list[str]:
        return sorted(u for u, x in self.units.items() if x.on)

    def off(self) -> list[str]:
        return sorted(u for u, x in self.units.items() if not x.on)

    def set_status(self, uid: str, status: str) -> None:
        unit = self.units[uid]
        if unit.status != status:
            unit.status, unit.since = status, self.now

    def divertable(self, uid: str, iid: str) -> bool:
        """A unit on its way (not on scene) to a call below I-grade, for an I-grade call."""
        unit = self.units[uid]
        return (
            unit.incident is not None
            and unit.incident != iid
            and unit.status == "en_route"
            and self.incidents[unit.incident].grade != "I"
            and self.incidents[iid].grade == "I"
        )

    def detach(self, uid: str) -> None:
        unit = self.units[uid]
        if unit.incident is not None:
            self.incidents[unit.incident].units.discard(uid)
            self.incidents[unit.incident].on_scene.discard(uid)
            unit.incident = None


_OPS = [
    "create",
    "create",
    "grade",
    "assign",
    "assign",
    "arrive",
    "arrive",
    "arrive",
    "close",
    "on_duty",
    "on_duty",
    "off_duty",
    "status",
    "locate",
    "locate",
    "locate",
    "redeploy",
]


def _valid_step(draw: st.DrawFn, w: _World, op: str) -> dict[str, Any] | None:
    """A valid event for ``op`` in world ``w`` (and its effect on ``w``), or None if none."""
    env = {"source": "world", "time": w.now}
    pick = lambda xs: draw(st.sampled_from(xs))  # noqa: E731 - a local shorthand
    if op == "create":
        w.made += 1
        iid = f"I{w.made}"
        grade = pick(list("ISER"))
        w.incidents[iid] = _Incident(grade)
        lat, lon = draw(met_points)
        return f.incident_created(iid, grade, lat, lon, **env)
    if op == "grade" and w.open():
        iid, grade = pick(w.open()), pick(list("ISER"))
        w.incidents[iid].grade = grade
        return f.incident_graded(iid, grade, **env)
    if op == "assign" and w.open():
        iid = pick(w.open())
        free = [u for u in w.on() if w.units[u].incident is None or w.divertable(u, iid)]
        if free:
            uid = pick(free)
            w.detach(uid)  # a diversion: the call it leaves waits again
            w.units[uid].incident = iid
            w.incidents[iid].units.add(uid)
            w.set_status(uid, "en_route")
            return f.incident_assigned(iid, uid, **env)
    if op == "arrive":
        pairs = [
            (i, u) for i in w.open() for u in sorted(w.incidents[i].units - w.incidents[i].on_scene)
        ]
        if pairs:
            iid, uid = pick(pairs)
            w.incidents[iid].on_scene.add(uid)
            w.set_status(uid, "on_scene")
            return f.incident_arrived(iid, uid, **env)
    if op == "close" and w.open():
        iid = pick(w.open())
        for uid in sorted(w.incidents[iid].units):
            w.detach(uid)
            w.set_status(uid, "available")
        w.incidents[iid].closed_at = w.now
        return f.incident_closed(iid, **env)
    if op == "on_duty":
        uid = pick([*w.off(), f"U{len(w.units) + 1}"])
        bcu = pick(sorted(BCU_CODES))
        w.units[uid] = _Unit(bcu=bcu, since=w.now)
        lat, lon = draw(points)
        return f.unit_on_duty(uid, bcu, pick(["IRV", "ARV", "DOG"]), lat, lon, **env)
    if op == "off_duty" and w.on():
        uid = pick(w.on())
        w.detach(uid)
        w.units[uid].on = False
        w.set_status(uid, "off_duty")
        return f.unit_off_duty(uid, **env)
    if op == "status" and w.on():
        uid = pick(w.on())
        w.detach(uid)
        status = pick(list(ORDINARY_STATUSES))
        w.set_status(uid, status)
        return f.unit_status(uid, status, **env)
    if op == "locate" and w.units:
        lat, lon = draw(points)
        return f.unit_location(pick(sorted(w.units)), lat, lon, **env)
    if op == "redeploy" and w.on():
        uid = pick(w.on())
        bcu = pick(sorted(BCU_CODES - {w.units[uid].bcu}))
        w.units[uid].bcu = bcu
        return f.unit_redeployed(uid, bcu, **env)
    return None


def _invalid_step(draw: st.DrawFn, w: _World) -> dict[str, Any] | None:
    """An event the rules must reject in world ``w`` (``w`` unchanged), or None if none."""
    env = {"source": "world", "time": w.now}
    pick = lambda xs: draw(st.sampled_from(xs))  # noqa: E731 - a local shorthand
    options: list[dict[str, Any]] = [
        f.incident_graded("I-none", "S", **env),
        f.unit_location("U-none", *f.CENTRE, **env),
        f.unit_status("U-none", pick(list(ORDINARY_STATUSES)), **env),
    ]
    if w.incidents:
        options.append(f.incident_created(pick(sorted(w.incidents)), **env))
    if w.closed():
        iid = pick(w.closed())
        options += [f.incident_graded(iid, "I", **env), f.incident_closed(iid, **env)]
        if w.on():
            options.append(f.incident_assigned(iid, pick(w.on()), **env))
    if w.open() and w.off():
        options.append(f.incident_assigned(pick(w.open()), pick(w.off()), **env))
    if w.open():
        iid = pick(w.open())
        committed = [
            u for u in w.on() if w.units[u].incident is not None and not w.divertable(u, iid)
        ]
        if committed:
            options.append(f.incident_assigned(iid, pick(committed), **env))
    if w.open() and w.on():
        iid, uid = pick(w.open()), pick(w.on())
        if uid not in w.incidents[iid].units:
            options.append(f.incident_arrived(iid, uid, **env))
    if w.on():
        uid = pick(w.on())
        options += [
            f.unit_on_duty(uid, **env),
            f.unit_status(uid, "off_duty", **env),
            f.unit_status(uid, pick(["en_route", "on_scene"]), **env),
        ]
    if w.off():
        options.append(f.unit_redeployed(pick(w.off()), "SN", **env))
    return pick(options)


@st.composite
def world_sequences(draw: st.DrawFn, max_size: int = 80) -> list[Step]:
    """Events from a simulated world, each marked with whether the rules must accept it."""
    return _world_run(draw, max_size)[0]


@st.composite
def world_sequences_and_units(
    draw: st.DrawFn, max_size: int = 80
) -> tuple[list[Step], dict[str, tuple[str, datetime]]]:
    """As :func:`world_sequences`, with each unit's status and the event time it began at
    the end, as the world model worked them out."""
    steps, w = _world_run(draw, max_size)
    return steps, {uid: (u.status, u.since) for uid, u in w.units.items()}


def _world_run(draw: st.DrawFn, max_size: int) -> tuple[list[Step], _World]:
    w = _World()
    steps: list[Step] = []
    for _ in range(draw(st.integers(1, max_size))):
        jump = draw(st.sampled_from(["small"] * 30 + ["back", "day"]))
        w.tick(
            {"small": draw(st.integers(0, 300)), "back": -draw(st.integers(1, 600)), "day": 90_000}[
                jump
            ]
        )
        if draw(st.integers(0, 4)) == 0:
            raw = _invalid_step(draw, w)
            valid = False
        else:
            raw = _valid_step(draw, w, draw(st.sampled_from(_OPS)))
            valid = True
        if raw is not None:
            raw["id"] = f"w{len(steps) + 1}"
            steps.append(Step(raw, valid))
    return steps, w


def valid_sequences(max_size: int = 80) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Raw events every one of which the rules accept, in order."""
    return world_sequences(max_size).map(lambda steps: [s.raw for s in steps if s.valid])


# -- the blind generator ------------------------------------------------------------------------

_step = st.tuples(
    st.sampled_from(
        [
            "created",
            "graded",
            "assigned",
            "arrived",
            "closed",
            "on_duty",
            "off_duty",
            "status",
            "location",
            "redeployed",
            "location",
            "assigned",
        ]
    ),
    st.sampled_from(INCIDENTS),
    st.sampled_from(UNITS),
    st.sampled_from(BCUS),
    st.sampled_from(["I", "S", "E", "R"]),
    st.sampled_from(list(ORDINARY_STATUSES)),
    st.integers(0, 3600),
)


def _raw(ev: Events, step: tuple[Any, ...]) -> dict[str, Any]:
    op, incident, unit, bcu, grade, status, _ = step
    match op:
        case "created":
            return ev.incident_created(incident, grade=grade, bcu=bcu)
        case "graded":
            return ev.incident_graded(incident, grade)
        case "assigned":
            return ev.assigned(incident, unit)
        case "arrived":
            return ev.arrived(incident, unit)
        case "closed":
            return ev.closed(incident)
        case "on_duty":
            return ev.on_duty(unit, bcu=bcu)
        case "off_duty":
            return ev.off_duty(unit)
        case "status":
            return ev.status(unit, status)
        case "location":
            return ev.location(unit, bcu=bcu)
        case _:
            return ev.redeployed(unit, bcu)


@st.composite
def event_sequences(draw: st.DrawFn, max_size: int = 60) -> list[dict[str, Any]]:
    """A list of CloudEvents dicts; time advances by a random step (up to an hour) each."""
    steps = draw(st.lists(_step, min_size=1, max_size=max_size))
    ev = Events(source="hyp")
    raws = []
    for step in steps:
        raw = _raw(ev, step)
        ev.advance(step[-1])
        raws.append(raw)
    return raws
