"""``--policy bluelamp`` is the recommender: its choice for a call is the one the screens
would show for the same units, it serves the queue by time to breach, its move-ups stay
within their cap, and a run with it is deterministic."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from api.recommending import Recommending
from geodata.london import London
from geodata.travel import CrowFliesModel
from stream.advice import Advisor
from stream.picture import Picture
from stream.recommend.advise import Context, for_call
from stream.recommend.assign import S_LONGEST_WAIT_S, S_REACH_S
from stream.recommend.grid import CoverGrid
from stream.recommend.situation import ROUTINE_PACE, Call, Resource, Situation
from stream.sim.bluelamp import MOVES_PER_HOUR, BluelampPolicy
from stream.sim.dispatch import Job, make_policy
from stream.sim.engine import Simulation
from stream.sim.fleet import SimUnit, State, sendable
from stream.sim.prior import calibrated_prior
from stream.sim.scenario import load
from stream.sim.workday import SimOptions
from tests.stream import factories as f

WHEN = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
T = WHEN.timestamp()
TRAVEL = CrowFliesModel()


@pytest.fixture(scope="module")
def london() -> London:
    return London.load()


def _unit(n: int, at: tuple[float, float], bcu: str, state: State = State.AVAILABLE) -> SimUnit:
    unit = SimUnit(f"U{n}", f"{bcu}{n}", "IRV", bcu, at, 7, 10)
    unit.state = state
    return unit


def _policy(london: London, units: list[SimUnit]) -> BluelampPolicy:
    policy = make_policy("bluelamp", TRAVEL)
    assert isinstance(policy, BluelampPolicy)
    policy.attach(units, london)
    return policy


def _spots(grid: CoverGrid, bcu: str) -> list[tuple[float, float]]:
    return [(float(grid.lats[i]), float(grid.lons[i])) for i, b in enumerate(grid.bcus) if b == bcu]


def test_the_unit_it_sends_is_the_one_the_screens_would_suggest(london: London) -> None:
    grid = CoverGrid.of(london)
    aw, ce = _spots(grid, "AW"), _spots(grid, "CE")
    units = [
        _unit(0, aw[0], "AW"),
        _unit(1, aw[3], "AW"),
        _unit(2, aw[3], "AW"),
        _unit(3, ce[0], "CE"),
        _unit(4, ce[2], "CE", State.AT_STATION),
        _unit(5, ce[5], "CE", State.ON_SCENE),
    ]
    policy = _policy(london, units)
    for grade, at in (("I", aw[1]), ("S", aw[2]), ("I", ce[1])):
        job = Job("J1", grade, "violence", at[0], at[1], "AW", T - 60, T - 30, 1800.0, units=[])
        free = [u for u in units if u.state in (State.AVAILABLE, State.AT_STATION)]
        chosen = policy.choose_unit(job, free, T, WHEN)
        # The screens' route: a Situation of the same units, the recommender's for_call.
        resources = tuple(
            Resource(u.unit_id, u.callsign, "IRV", u.bcu, *u.home, u.state.value) for u in units
        )
        target = datetime.fromtimestamp(T - 60, UTC) + timedelta(minutes=15 if grade == "I" else 60)
        call = Call(
            "J1",
            None,
            grade,
            "violence",
            at[0],
            at[1],
            "AW",
            datetime.fromtimestamp(T - 60, UTC),
            target,
        )
        context = Context(grid, TRAVEL, calibrated_prior(london, grid))
        shown = for_call(context, Situation(WHEN, resources, (call,)), call)
        assert chosen is not None and chosen.unit_id == shown["suggestions"][0]["unit_id"], grade


@pytest.mark.parametrize("state, grade", [(State.EN_ROUTE, "S"), (State.ON_SCENE, "E")])
def test_a_diversion_it_makes_is_the_one_the_screens_would_suggest(
    london: London, state: State, grade: str
) -> None:
    # The only unit in time for the I-grade call is on its way to an S-grade call (or on
    # scene at an E-grade one); a free one is too far. The screens suggest diverting it;
    # the policy, offered it by the engine (stream.sim.fleet.divertable), takes it.
    grid = CoverGrid.of(london)
    aw, wa = _spots(grid, "AW"), _spots(grid, "WA")
    far = _unit(0, wa[0], "WA")
    driving = _unit(1, aw[0], "AW", state)
    driving.incident_id, driving.incident_grade = "S1", grade
    units = [far, driving]
    policy = _policy(london, units)
    at = aw[1]
    job = Job("J1", "I", "violence", at[0], at[1], "AW", T - 60, T - 30, 1800.0, units=[])
    chosen = policy.choose_unit(job, units, T, WHEN)
    resources = (
        Resource("U0", "WA0", "IRV", "WA", *far.home, "available"),
        Resource("U1", "AW1", "IRV", "AW", *driving.home, state.value, "S1", grade),
    )
    created = datetime.fromtimestamp(T - 60, UTC)
    call = Call("J1", None, "I", "violence", *at, "AW", created, created + timedelta(minutes=15))
    context = Context(grid, TRAVEL, calibrated_prior(london, grid))
    shown = for_call(context, Situation(WHEN, resources, (call,)), call)["suggestions"]
    assert shown[0]["unit_id"] == "U1" and shown[0]["diverted_from"] == "S1"
    assert chosen is driving
    # Not for an S-grade call: a unit is diverted only for an emergency. The free one is too
    # far for an S-grade call (a nearer unit usually frees first) until it has waited long.
    s_job = replace(job, grade="S")
    assert TRAVEL.seconds(*far.home, *at, "IRV", WHEN) * ROUTINE_PACE > S_REACH_S
    assert policy.choose_unit(s_job, units, T, WHEN) is None
    s_job.created = T - S_LONGEST_WAIT_S
    assert policy.choose_unit(s_job, units, T, WHEN) is far


def test_an_e_or_r_call_takes_the_quickest_unit_by_the_one_journey_estimate(
    london: London,
) -> None:
    # The policy narrows the pool with the vectorised ETA and times the few it keeps one
    # journey at a time: the unit must be the one-by-one minimum's, the first of equals.
    grid = CoverGrid.of(london)
    spots = [(float(lat), float(lon)) for lat, lon in zip(grid.lats, grid.lons, strict=True)]
    units = [_unit(n, spots[(n * 37) % len(spots)], "AW") for n in range(60)]
    units += [_unit(60 + n, units[n * 7].home, "AW") for n in range(8)]  # ties, later in order
    policy = _policy(london, units)
    for i, at in enumerate(spots[:: len(spots) // 12]):
        job = Job(f"E{i}", "E", "theft", at[0], at[1], "AW", T, T, 900.0, units=[])
        expected = min(units, key=lambda u: TRAVEL.seconds(*u.home, *at, "IRV", WHEN))
        assert policy.choose_unit(job, units, T, WHEN) is expected
        first = units[(i * 7) % 56]  # where a later unit may stand too: the first goes
        at_a_unit = Job(f"R{i}", "R", "theft", *first.home, "AW", T, T, 900.0, units=[])
        assert policy.choose_unit(at_a_unit, units, T, WHEN) is first


def test_a_free_unit_takes_the_emergency_nearest_its_breach_not_the_oldest(
    london: London,
) -> None:
    grid = CoverGrid.of(london)
    here = _spots(grid, "NW")[0]
    unit = _unit(0, here, "NW")
    policy = _policy(london, [unit])
    far = _spots(grid, "WA")[-1]
    # Older and near: 10 minutes to spare. Newer but far: it breaches first.
    near_old = Job("OLD", "I", "violence", *here, "NW", T - 300, T - 300, 900.0, units=[])
    far_new = Job("NEW", "I", "violence", *far, "WA", T - 60, T - 60, 900.0, units=[])
    assert policy.choose_job(unit, [near_old, far_new], T) is far_new
    routine = Job("S", "S", "theft", *here, "NW", T - 3000, T - 3000, 900.0, units=[])
    assert policy.choose_job(unit, [routine, near_old, far_new], T) is far_new


def test_a_free_unit_takes_the_nearest_s_call_it_can_still_reach_in_time(
    london: London,
) -> None:
    grid = CoverGrid.of(london)
    spots = _spots(grid, "NW")
    here = spots[0]
    unit = _unit(0, here, "NW")
    policy = _policy(london, [unit])

    def drive(at: tuple[float, float]) -> float:
        return TRAVEL.seconds(*here, *at, "IRV", WHEN) * ROUTINE_PACE

    by_drive = sorted(spots[1:], key=drive)
    next_door, mid = by_drive[0], next(s for s in by_drive if 600 < drive(s) < S_REACH_S)
    far = max(_spots(grid, "WA"), key=drive)
    assert drive(far) > S_REACH_S

    def s_call(name: str, at: tuple[float, float], waited: float) -> Job:
        return Job(name, "S", "theft", *at, "NW", T - waited, T - waited, 900.0, units=[])

    near, further = s_call("NEAR", next_door, 600), s_call("MID", mid, 60)
    assert policy.choose_job(unit, [further, near], T) is near  # both in time: the nearer
    # Past saving (the drive ends after its target): a call that can still be reached goes
    # first, though further; with none left, the nearest again.
    lost = s_call("LOST", next_door, 3600 - drive(next_door) / 2)
    assert policy.choose_job(unit, [lost, further], T) is further
    mid_lost = s_call("MIDLOST", mid, 3600)
    assert policy.choose_job(unit, [mid_lost, lost], T) is lost
    # Beyond reach: not worth the drive until it has waited two hours, then it is.
    across = s_call("FAR", far, 60)
    assert policy.choose_job(unit, [across], T) is None
    assert policy.choose_job(unit, [across, mid_lost], T) is mid_lost
    waited_long = s_call("LONG", far, S_LONGEST_WAIT_S)
    assert policy.choose_job(unit, [waited_long, mid_lost], T) is mid_lost  # the nearer
    assert policy.choose_job(unit, [waited_long], T) is waited_long


def test_move_ups_stay_within_their_cap_an_hour(london: London) -> None:
    grid = CoverGrid.of(london)
    spots = _spots(grid, "NE")
    bunch = [_unit(n, spots[len(spots) // 2], "NE") for n in range(30)]
    policy = _policy(london, bunch)
    made = []
    for minute in range(0, 60, 10):
        t = T + minute * 60
        moves = policy.relocations(t, datetime.fromtimestamp(t, UTC))
        for unit, point in moves:
            unit.home = unit.origin = unit.target = point  # it drove there
        made += moves
    assert 0 < len(made) <= MOVES_PER_HOUR
    assert len({u.unit_id for u, _ in made}) == len(made) or len(made) == MOVES_PER_HOUR


def _digest(london: London, policy: str) -> tuple[str, int]:
    scenario = replace(load("normal-day"), hours=2.0)
    sim = Simulation(london, scenario, policy, seed=3, options=SimOptions(pings=False))
    events = [json.dumps(e, sort_keys=True, default=str) for e in sim.events()]
    return hashlib.sha256("\n".join(events).encode()).hexdigest(), len(events)


def test_a_run_with_the_recommender_is_deterministic(london: London) -> None:
    first, count = _digest(london, "bluelamp")
    assert count > 100
    assert _digest(london, "bluelamp") == (first, count)


@pytest.mark.parametrize("free_far", [False, True])
def test_one_picture_gets_the_same_units_from_the_api_and_from_the_policy(
    london: London, free_far: bool
) -> None:
    """A live picture (folded from events, as the server's) and the simulator's units in the
    same places and states: the API's route (api.recommending.Recommending.for_incident)
    and the simulator's policy send the same unit, for an I-grade call (a busy unit near it
    breaks off) and an S-grade one (the busy unit writes on while a free unit is in reach;
    with the free units across London, it goes)."""
    grid = CoverGrid.of(london)
    se = _spots(grid, "SE")
    free = _spots(grid, "NW") if free_far else se
    places = {"A": free[0], "B": free[4], "C": free[4], "D": free[9], "BUSY": se[2]}
    states = {"D": State.AT_STATION, "BUSY": State.BUSY}
    events = f.Events(start=WHEN - timedelta(minutes=5))
    raws = []
    for name, (lat, lon) in places.items():
        on = events.on_duty(name, "SE")
        on["data"] |= {"lat": lat, "lon": lon}
        raws.append(on)
        if name in states:
            raws.append(events.status(name, states[name].value))
    scene = se[2]
    for incident_id, grade in (("CALL-I", "I"), ("CALL-S", "S")):
        created = events.incident_created(incident_id, grade, "SE")
        created["data"] |= {"lat": scene[0] + 0.002, "lon": scene[1]}
        raws.append(created)
    picture = Picture()
    for raw in raws:
        assert picture.check(f.validated(raw)) is None, raw
        picture.apply(f.recorded(picture.seq + 1, raw))
    context = Context(grid, TRAVEL, calibrated_prior(london, grid))
    api = Recommending(context, Advisor(TRAVEL))
    units = []
    for name, at in places.items():
        sim = SimUnit(name, name, "IRV", "SE", at, 7, 10)
        sim.state = states.get(name, State.AVAILABLE)
        units.append(sim)
    policy = _policy(london, units)
    assert picture.now is not None
    t = picture.now.timestamp()
    chosen = {}
    for incident_id in ("CALL-I", "CALL-S"):
        incident = picture.incidents[incident_id]
        shown = asyncio.run(api.for_incident(picture, incident))
        job = Job(
            incident_id, incident.grade.value, incident.category, incident.lat, incident.lon,
            incident.bcu, incident.created_at.timestamp(), t, 1800.0, units=[],
        )  # fmt: skip
        sent = policy.choose_unit(job, sendable(units, job.grade), t, picture.now)
        assert sent is not None and sent.unit_id == shown["suggestions"][0]["unit_id"], incident_id
        chosen[incident_id] = sent.unit_id
    assert chosen["CALL-I"] == "BUSY" and (chosen["CALL-S"] == "BUSY") == free_far
