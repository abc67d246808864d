"""The situation the live picture describes, and what-if answers on it."""

from __future__ import annotations

import numpy as np
import pytest

from stream.picture import Picture
from stream.recommend.advise import Context, standby, what_if
from stream.recommend.forecast import Prior
from stream.recommend.situation import Situation, of_picture
from tests.stream import factories as f
from tests.stream.recommend.conftest import NOW, call, spot, unit


def test_of_picture_takes_units_on_duty_and_calls_waiting_for_a_first_unit() -> None:
    picture = Picture()
    assert of_picture(picture) is None
    events = f.Events()
    for raw in (
        events.on_duty("U1", "AW"),
        events.on_duty("U2", "AW"),
        events.on_duty("GONE", "AW"),
        events.off_duty("GONE"),
        events.incident_created("I1", "I", "AW"),
        events.incident_created("S1", "S", "AW"),
        events.incident_created("E1", "E", "AW"),
        events.incident_created("I2", "I", "AW"),
        events.assigned("I2", "U2"),
    ):
        assert picture.check(f.validated(raw)) is None, raw
        picture.apply(f.recorded(picture.seq + 1, raw))
    situation = of_picture(picture)
    assert situation is not None
    assert {r.unit_id for r in situation.resources} == {"U1", "U2"}
    u2 = situation.resource("U2")
    assert u2 is not None and u2.status == "en_route" and u2.incident_grade == "I"
    assert [c.incident_id for c in situation.calls] == ["I1", "S1"]  # by target, E has none


def test_what_if_sending_the_only_unit_uncovers_its_bcu_and_moving_one_covers_another(
    context: Context,
) -> None:
    grid = context.grid
    situation = Situation(
        NOW, (unit("A", spot(grid, "EA", 2), "EA"),), (call("I1", spot(grid, "EA", 3), "EA"),)
    )
    sent = what_if(context, situation, "A", incident_id="I1")
    assert sent["bcus"]["EA"]["before"] > 0 and sent["bcus"]["EA"]["after"] == 0
    lat, lon = spot(grid, "WA", 4)
    moved = what_if(context, situation, "A", to=(lat, lon, "WA"))
    assert moved["bcus"]["WA"]["after"] > moved["bcus"]["WA"]["before"] == 0
    assert moved["bcus"]["EA"]["after"] < moved["bcus"]["EA"]["before"]
    with pytest.raises(LookupError):
        what_if(context, situation, "NOPE", incident_id="I1")
    with pytest.raises(ValueError):
        what_if(context, situation, "A")


def test_a_move_to_a_bcu_goes_to_its_standby_point_of_highest_demand(context: Context) -> None:
    grid = context.grid
    # A forecast with one busy point in WA: that is where a move to WA goes.
    weights = np.full(len(grid), 1.0)
    busiest = [i for i, b in enumerate(grid.bcus) if b == "WA"][7]
    weights[busiest] = 50.0
    peaked = Context(grid, context.travel, Prior(weights / weights.sum(), lambda when: 60.0))
    lat, lon, bcu = standby(peaked, NOW, "WA")
    assert (lat, lon, bcu) == (float(grid.lats[busiest]), float(grid.lons[busiest]), "WA")
    with pytest.raises(LookupError):
        standby(peaked, NOW, "XX")
