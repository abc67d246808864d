"""schemathesis against the published OpenAPI schema: generated requests, valid and not, on
every operation, find no 5xx. Bounded (max_examples) so CI stays quick."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.api.conftest import Api

EXAMPLES = 25


@pytest.fixture(scope="module")
def openapi(api: Api) -> schemathesis.BaseSchema:
    headers = {"Authorization": f"Bearer {api.token('chief')}"}
    return schemathesis.openapi.from_url(f"{api.url}/openapi.json", headers=headers)


def test_no_request_makes_a_server_error(openapi: schemathesis.BaseSchema, api: Api) -> None:
    """Every operation, as a role that may use it (so requests get past the role check)."""
    server_errors: list[str] = []
    operations = [result.ok() for result in openapi.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        user = "feed" if operation.path == "/api/events" else "chief"
        _fuzz(operation, api.url, {"Authorization": f"Bearer {api.token(user)}"}, server_errors)
    assert not server_errors, "\n".join(server_errors[:10])


def _fuzz(operation: Any, base_url: str, headers: dict[str, str], errors: list[str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case: schemathesis.Case) -> None:
        response = case.call(base_url=base_url, headers=headers)
        if response.status_code >= 500:
            errors.append(f"{response.status_code}: {case.as_curl_command(headers)}")

    call()


def test_the_schema_covers_every_api_route(openapi: schemathesis.BaseSchema) -> None:
    paths = set(openapi.raw_schema["paths"])
    assert {
        "/api/token",
        "/api/picture",
        "/api/incidents",
        "/api/incidents/{incident_id}",
        "/api/units",
        "/api/units/{unit_id}",
        "/api/demand",
        "/api/geo/{layer}",
        "/api/units/{unit_id}/assignment",
        "/api/units/{unit_id}/redeployment",
        "/api/units/{unit_id}/status",
        "/api/incidents/{incident_id}/closure",
        "/api/events",
        "/api/audit",
    } <= paths
    assert "OAuth2PasswordBearer" in openapi.raw_schema["components"]["securitySchemes"]
