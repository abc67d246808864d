"""Whatever London looks like (none free, all free, calls everywhere, units on foot), the
recommender answers, and what it answers keeps its promises."""

from __future__ import annotations

import json
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from stream.recommend.advise import Context, recommend
from stream.recommend.assign import LATE
from stream.recommend.grid import CoverGrid
from stream.recommend.moves import MIN_GAIN
from stream.recommend.situation import Call, Resource, Situation
from tests.stream.recommend.conftest import NOW, TRAVEL, flat

STATUSES = ["available", "at_station", "en_route", "on_scene", "busy", "refreshment", "custody"]
TYPES = ["IRV", "IRV", "ARV", "TSG", "DOG", "FOOT", "CYCLE", "TRAFFIC"]


@st.composite
def situations(
    draw: st.DrawFn, points: int
) -> tuple[list[tuple[int, str, str, str]], list[tuple[int, str, int]]]:
    units = draw(
        st.lists(
            st.tuples(
                st.integers(0, points - 1),
                st.sampled_from(STATUSES),
                st.sampled_from(TYPES),
                st.sampled_from(["S", "E", "I"]),
            ),
            max_size=40,
        )
    )
    calls = draw(
        st.lists(
            st.tuples(st.integers(0, points - 1), st.sampled_from("IS"), st.integers(0, 3_900)),
            max_size=12,
        )
    )
    return units, calls


def _build(context: Context, drawn: tuple[list, list]) -> Situation:
    grid = context.grid
    units, calls = drawn
    resources = tuple(
        Resource(
            f"U{n}",
            f"U{n}",
            kind,
            grid.bcus[p],
            float(grid.lats[p]),
            float(grid.lons[p]),
            status,
            f"X{n}" if status in ("en_route", "on_scene") else None,
            grade if status == "en_route" else None,
        )
        for n, (p, status, kind, grade) in enumerate(units)
    )
    waiting = []
    for n, (p, grade, waited) in enumerate(calls):
        created = NOW - timedelta(seconds=waited)
        target = created + timedelta(minutes=15 if grade == "I" else 60)
        waiting.append(
            Call(
                f"C{n}",
                None,
                grade,
                "violence",
                float(grid.lats[p]),
                float(grid.lons[p]),
                grid.bcus[p],
                created,
                target,
            )
        )
    return Situation(NOW, resources, tuple(sorted(waiting, key=lambda c: c.target_at)))


@settings(max_examples=40, deadline=None, derandomize=True)
@given(data=st.data())
def test_the_recommender_answers_any_situation_and_keeps_its_promises(
    grid: CoverGrid, data: st.DataObject
) -> None:
    context = Context(grid, TRAVEL, flat(grid))
    situation = _build(context, data.draw(situations(len(context.grid))))
    advice = recommend(context, situation)
    json.dumps(advice)
    by_id = {r.unit_id: r for r in situation.resources}
    assert ([c["incident_id"] for c in advice["calls"]] and True) or not situation.calls
    assert {c["incident_id"] for c in advice["calls"]} == {c.incident_id for c in situation.calls}
    for call in advice["calls"]:
        costs = [s["cost"] for s in call["suggestions"]]
        assert costs == sorted(costs) and len(costs) <= 3
        free_in_time = any(
            by_id[s["unit_id"]].dispatchable and s["cost"] < LATE for s in call["suggestions"]
        )
        for s in call["suggestions"]:
            unit = by_id[s["unit_id"]]
            if s["diverted_from"] is None:
                # Free to send; or busy, breaking off, for an I-grade call, or for an S-grade
                # call it reaches in time when no free unit does.
                assert unit.dispatchable or (
                    unit.status == "busy"
                    and (
                        call["grade"] == "I"
                        or (call["grade"] == "S" and s["margin_s"] >= 0 and not free_in_time)
                    )
                )
            else:
                assert call["grade"] == "I" and unit.divertable
        if call["best_eta_s"] is None:
            assert not any(r.dispatchable for r in situation.resources)
    moved = [m["unit_id"] for m in advice["moves"]]
    assert len(moved) == len(set(moved)) <= 3
    assert all(by_id[u].dispatchable for u in moved)
    assert all(m["gain"] >= MIN_GAIN - 1e-9 for m in advice["moves"])
    assert all(v >= 0 for v in advice["expected_breaches"].values())
    assert all(0 <= v <= 1 for v in advice["cover"].values())
