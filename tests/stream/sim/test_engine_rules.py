"""The simulator sends units by the screens' rule: the engine's written-out ``sendable``
equals stream.recommend.situation.may_send for every state a simulated unit can be in, and
its ``divertable`` equals ``Resource.divertable`` for every state and grade of call."""

from __future__ import annotations

import pytest

from stream.recommend.situation import Resource, may_send
from stream.sim.fleet import SimUnit, State, divertable, sendable


@pytest.mark.parametrize("grade", ["I", "S", "E", "R"])
def test_the_engine_sends_whom_the_recommender_may(grade: str) -> None:
    units = []
    for state in State:
        unit = SimUnit(state.value, state.value, "IRV", "SE", (51.5, -0.1), 7, 10)
        unit.state = state
        units.append(unit)
    sent = {u.unit_id for u in sendable(units, grade)}
    assert sent == {s.value for s in State if may_send(s.value, grade)}
    # The one status only an I- or S-grade call takes (which policy takes it: the policy's).
    assert ("busy" in sent) == (grade in ("I", "S"))


def test_a_unit_at_its_shift_s_end_is_sent_nowhere() -> None:
    unit = SimUnit("U", "U", "IRV", "SE", (51.5, -0.1), 7, 10)
    unit.ending = True
    assert sendable([unit], "I") == []


@pytest.mark.parametrize("grade", [None, "I", "S", "E", "R"])
def test_the_engine_diverts_whom_the_recommender_may(grade: str | None) -> None:
    units = []
    for state in State:
        unit = SimUnit(state.value, state.value, "IRV", "SE", (51.5, -0.1), 7, 10)
        unit.state, unit.incident_id = state, "CALL" if grade else None
        unit.incident_grade = grade
        units.append(unit)
    ending = SimUnit("ending", "ending", "IRV", "SE", (51.5, -0.1), 7, 10)
    ending.state, ending.incident_id, ending.incident_grade = State.EN_ROUTE, "CALL", grade
    ending.ending = True
    diverted = {u.unit_id for u in divertable([*units, ending])}
    may = {
        u.unit_id
        for u in units
        if Resource(
            u.unit_id, "", "IRV", "SE", 51.5, -0.1, u.state.value, u.incident_id, grade
        ).divertable
    }
    assert diverted == may
    expected = {"S": {"en_route"}, "E": {"en_route", "on_scene"}, "R": {"en_route", "on_scene"}}
    assert diverted == expected.get(grade or "", set())
