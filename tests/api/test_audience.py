"""The live advice cut to each audience: the per-call rankings (a waiting call's units, a
back-up beside a late unit) go to a commander all, to an inspector for their own BCU."""

from __future__ import annotations

from typing import Any

from api.services import EVERY_CALL, NO_CALL, for_audience


def _advice() -> dict[str, Any]:
    calls = [{"incident_id": "C1", "bcu": "AW"}, {"incident_id": "C2", "bcu": "NE"}]
    backups = [{"incident_id": "B1", "bcu": "NE"}, {"incident_id": "B2", "bcu": "AW"}]
    moves = [{"unit_id": "U1", "to_bcu": "NE"}]
    return {"recommendations": {"calls": calls, "backups": backups, "moves": moves}}


def _ids(advice: dict[str, Any], key: str) -> list[str]:
    return [c["incident_id"] for c in advice["recommendations"][key]]


def test_a_commander_gets_every_call_s_and_an_inspector_their_bcu_s() -> None:
    advice = _advice()
    assert for_audience(advice, EVERY_CALL) == advice
    inspector = for_audience(advice, "AW")
    assert (_ids(inspector, "calls"), _ids(inspector, "backups")) == (["C1"], ["B2"])
    assert inspector["recommendations"]["moves"] == advice["recommendations"]["moves"]
    wall = for_audience(advice, NO_CALL)
    assert (_ids(wall, "calls"), _ids(wall, "backups")) == ([], [])
    assert _ids(advice, "backups") == ["B1", "B2"]  # the shared advice is left as it was
