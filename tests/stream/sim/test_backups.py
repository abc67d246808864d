"""``--policy bluelamp`` backs up a unit running late to an I-grade call, as the screens
advise: the second unit goes when the first's progress says it will miss the target, the
first on scene stands the other down, and the live picture's rules take every event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from geodata.london import London
from stream.events import Recorded, validate
from stream.picture.fold import Picture
from stream.recommend.advise import Context, recommend
from stream.recommend.grid import CoverGrid
from stream.recommend.situation import of_picture
from stream.sim.dispatch import Job
from stream.sim.engine import BACKUP_EVERY_S, Simulation
from stream.sim.evaluate import evaluate
from stream.sim.fleet import State
from stream.sim.prior import calibrated_prior
from tests.stream.sim.nights import (
    Event,
    call_at,
    irv,
    night,
    of_kind,
    refused_by_the_picture,
    run_until,
)

SCENE = (51.515, -0.14)  # the West End
FROM_NORTH = (51.54, -0.14)  # ~3 km north: 10 min at the model's pace, 28 at 3×


@pytest.fixture(scope="module")
def london() -> London:
    return London.load()


def _held_up(sim: Simulation, factors: list[float]) -> None:
    """The next drives take these factors of the model's time (then the model's)."""
    sim._hold_up = lambda: factors.pop(0) if factors else 1.0  # type: ignore[method-assign]


Positions = dict[str, tuple[float, float]]


def _night(
    london: London, factors: list[float], major: bool = False
) -> tuple[Simulation, list[Event], Positions]:
    """A: sent from the north, held up by ``factors``; B comes on duty near the scene once A
    is on its way (else it would have gone first). And where every unit was when the policy
    chose a back-up. ``major``: the call is a major incident's (its units by mutual aid)."""
    late, spare = irv("A", FROM_NORTH, "CN"), irv("B", (51.51, -0.13), "AW")
    sim = night(london, [late, spare])
    spare.state = State.OFF
    sim._on_duty(late, parade=False)
    _held_up(sim, factors)
    seen: Positions = {}
    chooses = sim.policy.backup  # type: ignore[attr-defined]

    def watched(job: Job, driving: Any, choosable: Any, t: float, when: datetime) -> Any:
        chosen = chooses(job, driving, choosable, t, when)
        if chosen is not None:
            seen.update({u.unit_id: u.position(t) for u in sim.units})
        return chosen

    sim.policy.backup = watched  # type: ignore[attr-defined]
    sim._at(sim.now + BACKUP_EVERY_S, sim._back_up)
    job = call_at(sim, "I", SCENE)
    job.major = major
    events = run_until(sim, lambda: late.state is State.EN_ROUTE)
    sim._on_duty(spare, parade=False)
    events += run_until(sim, lambda: job.first_arrival is not None)
    return sim, events + run_until(sim, lambda: job.closed), seen


def test_a_unit_held_up_is_backed_up_and_stood_down_when_the_back_up_arrives(
    london: London,
) -> None:
    sim, events, _ = _night(london, [3.0])
    [created] = [e for e in events if e["type"] == "incident.created"]
    incident = created["data"]["incident_id"]
    assert sim.backups == 1 and sim.stood_down == 1
    assigned = [e["data"]["unit_id"] for e in of_kind(events, "incident.assigned", incident)]
    assert assigned == ["A", "B"]
    [arrived] = of_kind(events, "incident.arrived", incident)
    assert arrived["data"]["unit_id"] == "B"
    stood_down = [e for e in events if e["type"] == "unit.status" and e["data"]["unit_id"] == "A"]
    assert stood_down and stood_down[0]["data"]["status"] == "available"
    assert stood_down[0]["time"] == arrived["time"]
    assert refused_by_the_picture(london, events) == []
    # Judged from the events alone: in time, by the back-up.
    assert evaluate(events, london.locate).by_grade["I"].on_time == 1


def test_a_major_incident_gets_no_back_up_its_commander_sends_more(london: London) -> None:
    sim, events, _ = _night(london, [3.0], major=True)
    assert sim.backups == 0
    assigned = [e["data"]["unit_id"] for e in events if e["type"] == "incident.assigned"]
    arrived = [e["data"]["unit_id"] for e in events if e["type"] == "incident.arrived"]
    assert assigned == arrived == ["A"]


def test_the_back_up_it_sends_is_the_one_the_screens_would_suggest(london: London) -> None:
    sim, events, seen = _night(london, [3.0])
    [sent] = [
        i
        for i, e in enumerate(events)
        if e["type"] == "incident.assigned" and e["data"]["unit_id"] == "B"
    ]
    moment = datetime.fromisoformat(events[sent]["time"].replace("Z", "+00:00"))
    # The screens' route: the picture of the events before it, with each unit's AVL fix at
    # that moment, and the recommender's advice on it.
    fixes = [_fix(unit_id, at, moment) for unit_id, at in seen.items()]
    picture = Picture()
    for seq, event in enumerate([*events[:sent], *fixes], start=1):
        picture.apply(Recorded(seq, validate(event, london.locate).event))
    situation = of_picture(picture)
    assert situation is not None
    assert [r.unit_id for r in situation.resources if r.journey is not None] == ["A"]
    grid = CoverGrid.of(london)
    advice = recommend(Context(grid, sim.travel, calibrated_prior(london, grid)), situation)
    [backup] = advice["backups"]
    assert backup["suggestion"]["unit_id"] == "B" and backup["running_late"]["unit_id"] == "A"
    assert backup["running_late"]["pace"] > 2


def _fix(unit_id: str, at: tuple[float, float], moment: datetime) -> Event:
    """A unit's AVL fix at ``moment``."""
    return {
        "specversion": "1.0",
        "id": f"fix-{unit_id}",
        "source": "test",
        "type": "unit.location",
        "time": moment.isoformat().replace("+00:00", "Z"),
        "data": {"unit_id": unit_id, "lat": round(at[0], 6), "lon": round(at[1], 6)},
    }


def test_a_unit_keeping_time_is_not_backed_up(london: London) -> None:
    sim, events, seen = _night(london, [1.0])
    assert seen == {}
    assert sim.backups == 0 and sim.stood_down == 0
    assert {e["data"]["unit_id"] for e in events if e["type"] == "incident.arrived"} == {"A"}
