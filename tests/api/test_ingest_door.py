"""HTTP ingest (POST /api/events) at the sequencer's door: an event no step can decide, or
stamped outside the time bounds, is a 422 with the reason, never a 500, and the next event
is accepted (issue 12, "found from outside" #1 and #3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.conftest import Api
from tests.stream.factories import POINTS, incident_created, unit_on_duty


def _stamp(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def _post(api: Api, body: Any = None, content: bytes | None = None) -> Any:
    with api.client("feed") as feed:
        if content is not None:
            return feed.post(
                "/api/events", content=content, headers={"Content-Type": "application/json"}
            )
        return feed.post("/api/events", json=body)


@pytest.mark.parametrize(
    ("time", "reason"),
    [
        ("9999-12-31T23:59:59-01:00", "time is out of range"),
        ("0001-01-01T00:00:00+01:00", "time is out of range"),
        (_stamp(datetime.now(UTC) + timedelta(days=2)), "ahead of the sequencer's clock"),
        ("9999-12-31T22:00:00Z", "ahead of the sequencer's clock"),
    ],
)
def test_an_event_time_out_of_bounds_is_422_with_the_reason(
    api: Api, time: str, reason: str
) -> None:
    lat, lon = POINTS["AW"]
    answer = _post(api, incident_created(api.fresh("T"), lat=lat, lon=lon, time=time))
    assert answer.status_code == 422, answer.text
    assert reason in answer.json()["detail"]
    unit = api.fresh("U")
    (accepted,) = api.push(unit_on_duty(unit, lat=lat, lon=lon))
    assert accepted["verdict"] == "accepted"


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 1_100 + b"]" * 1_100,
        b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
        b'[{"specversion": "1.0", "x": ' + b"[" * 900 + b"]" * 900 + b"}]",
    ],
    ids=["array 1,100 deep", "object 5,000 deep", "an event with a field 900 deep"],
)
def test_deep_nesting_is_422_not_500(api: Api, body: bytes) -> None:
    answer = _post(api, content=body)
    assert answer.status_code == 422, answer.text
    answered = answer.json()
    reason = answered["results"][0]["reason"] if "results" in answered else answered["detail"]
    assert "nested too deeply" in reason or "recursion limit" in reason, reason
