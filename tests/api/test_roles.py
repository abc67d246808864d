"""Who may do what: every route with no credential, an expired token, and each role, with
an inspector both inside and outside their BCU. Expected status per cell (docs/api.md, Roles)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
import pytest

from tests.api.conftest import Api
from tests.live import TEST_SECRET
from tests.stream.factories import POINTS, unit_location

CALLERS = ["none", "expired", "chief", "insp_aw", "insp_ne", "plan", "feed", "wall"]


@dataclass(frozen=True)
class Route:
    method: str
    # Builds the path and JSON body; the unit and incident are in AW (insp_aw's BCU).
    request: Callable[[Api, str, str], tuple[str, Any]]
    allowed: frozenset[str]  # callers answered 2xx; other signed-in callers get 403

    def expected(self, caller: str) -> int:
        if caller in ("none", "expired"):
            return 401
        return 200 if caller in self.allowed else 403


READERS = frozenset({"chief", "insp_aw", "insp_ne", "plan"})
VIEWERS = frozenset({*READERS, "wall"})  # the live picture as a wall shows it
ANYONE = frozenset({*VIEWERS, "feed"})
OPERATORS_IN_AW = frozenset({"chief", "insp_aw"})


def _get(path: str) -> Callable[[Api, str, str], tuple[str, Any]]:
    return lambda api, unit, incident: (path.format(unit=unit, incident=incident), None)


def _last_hour(api: Api, unit: str, incident: str) -> tuple[str, Any]:
    """The period debrief of the hour to now (the log took the unit and incident in it)."""
    now = datetime.now(UTC)
    span = {"from": (now - timedelta(hours=1)).isoformat(), "to": now.isoformat()}
    return f"/api/debrief?{urlencode(span)}", None


ROUTES: dict[str, Route] = {
    "picture": Route("GET", _get("/api/picture"), VIEWERS),
    "advice": Route("GET", _get("/api/advice"), VIEWERS),
    "incidents": Route("GET", _get("/api/incidents?grade=I"), READERS),
    "incident": Route("GET", _get("/api/incidents/{incident}"), READERS),
    "units": Route("GET", _get("/api/units?bcu=AW"), READERS),
    "unit": Route("GET", _get("/api/units/{unit}"), READERS),
    "demand": Route("GET", _get("/api/demand"), VIEWERS),
    "replay-snapshot": Route("GET", _get("/api/replay/snapshot?at=1"), VIEWERS),
    "replay-events": Route("GET", _get("/api/replay/events?after=0&at=1"), VIEWERS),
    "demand-usual": Route("GET", _get("/api/demand/usual"), VIEWERS),
    "geo": Route("GET", _get("/api/geo/bcus"), VIEWERS),
    "audit": Route("GET", _get("/api/audit"), frozenset({"chief"})),
    "audit-views": Route("GET", _get("/api/audit?kind=view"), frozenset({"chief"})),
    "context": Route("GET", _get("/api/incidents/{incident}/context"), READERS),
    "intel-views": Route(
        "GET", _get("/api/intel/views?from=2026-11-24&to=2026-11-24"), frozenset({"chief", "plan"})
    ),
    "debrief": Route(
        "GET", _get("/api/incidents/{incident}/debrief"), frozenset({"chief", "plan"})
    ),
    "debrief-period": Route("GET", _last_hour, frozenset({"chief", "plan"})),
    "audit-csv": Route("GET", _get("/api/audit?format=csv"), frozenset({"chief"})),
    "report": Route(
        "GET",
        _get("/api/reports/demand?from=2026-11-24&to=2026-11-24"),
        frozenset({"chief", "plan"}),
    ),
    "recommendations": Route(
        "GET",
        _get("/api/incidents/{incident}/recommendations"),
        frozenset({"chief", "insp_aw", "insp_ne"}),
    ),
    "moves": Route("GET", _get("/api/recommendations/moves"), VIEWERS),
    "whatif": Route(
        "POST",
        lambda api, unit, incident: ("/api/whatif", {"unit_id": unit, "incident_id": incident}),
        frozenset({"chief", "insp_aw", "insp_ne"}),
    ),
    "ledger": Route("GET", _get("/api/recommendations/ledger"), frozenset({"chief"})),
    "me": Route("GET", _get("/api/me"), ANYONE),
    "metrics": Route("GET", _get("/metrics"), ANYONE),
    "openapi": Route("GET", _get("/openapi.json"), ANYONE),
    "docs": Route("GET", _get("/docs"), ANYONE),
    "events": Route(
        "POST",
        lambda api, unit, incident: (
            "/api/events",
            unit_location(unit, *POINTS["AW"], source="matrix", id=api.fresh("loc")),
        ),
        frozenset({"feed"}),
    ),
    "assign": Route(
        "POST",
        lambda api, unit, incident: (
            f"/api/units/{unit}/assignment",
            {"incident_id": incident},
        ),
        OPERATORS_IN_AW,
    ),
    "redeploy": Route(
        "POST",
        lambda api, unit, incident: (
            f"/api/units/{unit}/redeployment",
            {"bcu": "NE", "reason": "Stratford disorder"},
        ),
        OPERATORS_IN_AW,
    ),
    "status": Route(
        "POST",
        lambda api, unit, incident: (f"/api/units/{unit}/status", {"status": "busy"}),
        OPERATORS_IN_AW,
    ),
    "close": Route(
        "POST",
        lambda api, unit, incident: (
            f"/api/incidents/{incident}/closure",
            {"outcome": "advice given"},
        ),
        OPERATORS_IN_AW,  # inspectors close their BCU's incidents (BLUELAMP_INSPECTORS_MAY_CLOSE)
    ),
    "regrade": Route(
        "POST",
        lambda api, unit, incident: (f"/api/incidents/{incident}/grade", {"grade": "S"}),
        OPERATORS_IN_AW,
    ),
    "arrival": Route(
        "POST",
        lambda api, unit, incident: (
            f"/api/incidents/{api.assigned(unit, incident)}/arrival",
            {"unit_id": unit},
        ),
        OPERATORS_IN_AW,
    ),
    "note": Route(
        "POST",
        lambda api, unit, incident: (f"/api/incidents/{incident}/notes", {"text": "door locked"}),
        OPERATORS_IN_AW,
    ),
}


def _expired(api: Api) -> str:
    now = int(time.time())
    claims = {"iss": "bluelamp", "sub": "chief", "role": "commander", "iat": now - 7200}
    return jwt.encode(claims | {"exp": now - 60}, TEST_SECRET, algorithm="HS256")


def _headers(api: Api, caller: str) -> dict[str, str]:
    if caller == "none":
        return {}
    token = _expired(api) if caller == "expired" else api.token(caller)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("name", list(ROUTES))
def test_role_matrix(api: Api, name: str, caller: str) -> None:
    route = ROUTES[name]
    unit, incident = api.unit("AW"), api.incident("AW")
    path, body = route.request(api, unit, incident)
    answer = httpx.request(
        route.method, f"{api.url}{path}", json=body, headers=_headers(api, caller), timeout=30
    )
    assert answer.status_code == route.expected(caller), (name, caller, answer.text)
    if answer.status_code == 401:
        assert "expired" in answer.json()["detail"] or caller == "none"
    if answer.status_code == 403:
        assert answer.json()["detail"], "a refusal says why"


def test_inspector_outside_their_bcu_is_refused_with_the_reason_and_audited(api: Api) -> None:
    unit = api.unit("AW")
    with api.client("insp_ne") as inspector:
        answer = inspector.post(f"/api/units/{unit}/status", json={"status": "busy"})
    assert answer.status_code == 403
    assert "deployed to AW" in answer.json()["detail"]
    assert "inspector of NE" in answer.json()["detail"]
    entry = api.audit(actor="insp_ne", outcome="denied")[0]
    assert entry["target"] == unit and entry["status"] == 403 and entry["role"] == "inspector"
    with api.client("chief") as chief:
        assert chief.get(f"/api/units/{unit}").json()["unit"]["status"] == "available"


def test_an_inspector_may_command_a_unit_once_it_is_redeployed_into_their_bcu(api: Api) -> None:
    unit = api.unit("AW")
    with api.client("chief") as chief:
        assert (
            chief.post(
                f"/api/units/{unit}/redeployment", json={"bcu": "NE", "reason": "aid"}
            ).status_code
            == 200
        )
    with api.client("insp_aw") as aw, api.client("insp_ne") as ne:
        assert aw.post(f"/api/units/{unit}/status", json={"status": "busy"}).status_code == 403
        assert ne.post(f"/api/units/{unit}/status", json={"status": "busy"}).status_code == 200


def test_a_disabled_account_is_locked_out_within_seconds(api: Api) -> None:
    api.accounts.add("leaver", "p" * 12, "planner")
    api.disable_and_wait("leaver", "p" * 12)
    refused = httpx.post(f"{api.url}/api/token", data={"username": "leaver", "password": "p" * 12})
    assert refused.status_code == 401
