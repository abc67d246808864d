"""Hypothesis strategies: sequences of contract-valid events over a small world.

Ids come from small pools, so many events break a business rule (an unknown unit, a closed
incident, a committed unit): the sequencer's path for rejections is exercised as much as the
path for acceptance.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.stream.factories import POINTS, Events

BCUS = sorted(b for b in POINTS if b != "CITY")
INCIDENTS = [f"I{i}" for i in range(6)]
UNITS = [f"U{i}" for i in range(5)]

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
    st.sampled_from(["available", "busy"]),
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
