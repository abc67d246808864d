"""The ledger of advice, folded from the log a few records at a time, against the outcomes
worked out by hand and by a brute-force reading of the raw events."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from reports.readmodel import ReadModel
from reports.tables import report_advice
from tests.reports.test_readmodel import logged
from tests.stream import factories as f
from tests.stream.factories import POINTS, START

API = "bluelamp-api/"
AW, CE = POINTS["AW"], POINTS["CE"]


def _at(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def _offer(
    advice_id: str, minutes: float, unit: str, incident: str | None = None, kind: str = "assignment"
) -> dict[str, Any]:
    data: dict[str, Any] = {"advice_id": advice_id, "unit_id": unit, "bcu": "AW", "reason": "why"}
    if incident:
        data |= {"kind": kind, "incident_id": incident, "eta_s": 300}
    else:
        data |= {"kind": "move", "lat": CE[0], "lon": CE[1], "gain": 0.2}
    return f.envelope("advice.offered", data, source=API + "recommender", time=_at(minutes))


def _decision(
    how: str, advice_id: str, unit: str, minutes: float, by: str = "insp"
) -> dict[str, Any]:
    data: dict[str, Any] = {"advice_id": advice_id, "unit_id": unit, "by": by}
    if how == "dismissed":
        data["reason"] = "needed here"
    return f.envelope(f"advice.{how}", data, source=API + by, time=_at(minutes))


def _story() -> list[dict[str, Any]]:
    on = [
        f.unit_on_duty(u, home_bcu="AW", lat=AW[0], lon=AW[1], time=_at(0))
        for u in ("U1", "U2", "U3", "U4", "U5", "U6")
    ]
    return [
        *on,
        f.incident_created("I1", "I", AW[0], AW[1], time=_at(1)),
        f.incident_created("I2", "S", AW[0], AW[1], time=_at(1)),
        f.incident_created("I3", "I", AW[0], AW[1], time=_at(1)),
        f.incident_created("I4", "S", AW[0], AW[1], time=_at(1)),
        f.incident_created("I5", "I", AW[0], AW[1], time=_at(1)),
        f.incident_created("I6", "I", AW[0], AW[1], time=_at(1)),
        f.incident_assigned("I5", "U4", source=API + "chief", time=_at(2)),
        f.incident_assigned("I6", "U6", source=API + "chief", time=_at(2)),
        _offer("A1", 2, "U1", "I1"),  # taken: U1 is sent to I1
        _offer("A2", 2, "U2", "I2"),  # overridden: U3 is sent instead
        _offer("A3", 2, "U1", "I3"),  # replaced by A4 (newer advice for I3)...
        _offer("A4", 3, "U2", "I3"),  # ...which expires when I3 closes unattended
        _offer("A5", 2, "U3", "I4"),  # still open at the end
        _offer("B1", 3, "U5", "I5", "backup"),  # U4 running late: U5 is sent beside it
        _offer("B2", 3, "U5", "I6", "backup"),  # U6 gets there first: expired
        _offer("M1", 2, "U1"),  # accepted by a person
        _offer("M2", 2, "U1"),  # settled when M1 is accepted
        _offer("M3", 2, "U2"),  # dismissed, with the reason
        _offer("M4", 2, "U3"),  # an hour passes: expired
        f.incident_assigned("I1", "U1", source=API + "chief", time=_at(4)),
        f.incident_assigned("I2", "U3", source="cad-feed", time=_at(5)),
        f.incident_assigned("I5", "U5", source=API + "insp", time=_at(5)),
        f.incident_arrived("I6", "U6", time=_at(5)),
        f.incident_closed("I3", time=_at(6)),
        _decision("accepted", "M1", "U1", 7),
        _decision("dismissed", "M3", "U2", 8, by="chief"),
        f.incident_arrived("I1", "U1", time=_at(9)),  # 8 minutes: within the I target
        f.incident_arrived("I2", "U3", time=_at(70)),  # 69 minutes: past the S target
        f.unit_location("U2", AW[0], AW[1], time=_at(75)),  # time passes
    ]


EXPECTED = {
    "A1": ("accepted", "chief", None, None),
    "A2": ("overridden", "cad-feed", "U3", None),
    "A3": ("expired", None, None, None),
    "A4": ("expired", None, None, None),
    "A5": (None, None, None, None),
    "B1": ("accepted", "insp", None, None),
    "B2": ("expired", None, None, None),
    "M1": ("accepted", "insp", None, None),
    "M2": ("expired", None, None, None),
    "M3": ("dismissed", "chief", None, "needed here"),
    "M4": ("expired", None, None, None),
}


def _ledger(tmp_path: Path, page: int) -> dict[str, tuple[Any, ...]]:
    log = logged(tmp_path, _story())
    model = ReadModel.of(log)
    model.catch_up(log, page=page)
    t = report_advice.c
    with model.engine.connect() as conn:
        rows = conn.execute(
            select(t.advice_id, t.outcome, t.outcome_by, t.chosen_unit_id, t.dismiss_reason)
        )
        found = {r.advice_id: tuple(r)[1:] for r in rows}
    log.close()
    return found


def test_each_piece_of_advice_ends_as_worked_out_by_hand(tmp_path: Path) -> None:
    assert _ledger(tmp_path, page=3) == EXPECTED


def _brute_force(raws: list[dict[str, Any]]) -> dict[str, str | None]:
    """For each offer, the first later event that settles it, found by scanning forward."""
    found: dict[str, str | None] = {}
    for i, raw in enumerate(raws):
        if raw["type"] == "advice.offered":
            settled = (_settles(raw, later) for later in raws[i + 1 :])
            found[raw["data"]["advice_id"]] = next((s for s in settled if s), None)
    return found


def _settles(offered: dict[str, Any], later: dict[str, Any]) -> str | None:
    offer, d, kind = offered["data"], later["data"], later["type"]
    if offer["kind"] in ("assignment", "backup"):
        if d.get("incident_id") != offer["incident_id"]:
            return None
        if kind == "incident.assigned":
            return "accepted" if d["unit_id"] == offer["unit_id"] else "overridden"
        settling = ("incident.closed", "incident.arrived", "advice.offered")
        return "expired" if kind in settling else None
    if kind in ("advice.accepted", "advice.dismissed") and d["advice_id"] == offer["advice_id"]:
        return kind.split(".")[1]
    if kind == "advice.accepted" and d["unit_id"] == offer["unit_id"]:
        return "expired"
    return "expired" if later["time"] > _plus_hour(offered["time"]) else None


def _plus_hour(time: str) -> str:
    from datetime import datetime

    moment = datetime.fromisoformat(time.replace("Z", "+00:00")) + timedelta(hours=1)
    return moment.isoformat().replace("+00:00", "Z")


def test_the_fold_agrees_with_a_brute_force_reading_of_the_raw_events_page_after_page(
    tmp_path: Path,
) -> None:
    expected = _brute_force(_story())
    for page in (1, 4, 100):
        folded = _ledger(tmp_path / str(page), page)
        assert {k: v[0] for k, v in folded.items()} == expected, page


def test_the_planner_s_report_counts_the_ledger_and_times_the_calls_by_hand(tmp_path: Path) -> None:
    from reports.catalogue import Filters, Period, build

    log = logged(tmp_path, _story())
    ReadModel.of(log).catch_up(log)
    day = START.date().isoformat()
    tables = {
        t["name"]: t
        for t in build(log.engine, "advice", Period.parse(day, day), Filters()).to_json()["tables"]
    }
    log.close()
    by_outcome = {(r[0], r[1]): r[2] for r in tables["by_outcome"]["rows"]}
    # By hand from the story: A1 accepted, A2 overridden, A3 and A4 expired, A5 open;
    # M1 accepted, M2 and M4 expired, M3 dismissed.
    assert by_outcome[("unit for a call", "accepted")] == 1
    assert by_outcome[("unit for a call", "overridden")] == 1
    assert by_outcome[("unit for a call", "expired")] == 2
    assert by_outcome[("unit for a call", "open")] == 1
    assert by_outcome[("back-up for a late unit", "accepted")] == 1
    assert by_outcome[("back-up for a late unit", "expired")] == 1
    assert by_outcome[("move-up", "accepted")] == 1
    assert by_outcome[("move-up", "expired")] == 2
    assert by_outcome[("move-up", "dismissed")] == 1
    taken = {(r[0], r[1]): r[2:] for r in tables["taken"]["rows"]}
    assert taken[("I", "taken")] == [1, 100.0, 8.0]  # I1: created at 1, U1 there at 9
    assert taken[("S", "not taken")] == [1, 0.0, 69.0]  # I2: U3 instead, there at 70
    [dismissal] = tables["dismissed"]["rows"]
    assert dismissal[1:] == ["U2", "AW", "chief", "needed here"]
