"""Advice derived from the live picture: which units are nearest each waiting incident, which
incidents will miss their target unless a unit is sent now, and alerts.

Computed at most once a second per process (``Advisor.current``), not per event: travel
times to every waiting incident from every available unit cost milliseconds, and units move
little in a second. Screens get it in the live feed's frames and from ``GET /api/advice``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from geodata.travel import TravelTimeModel
from stream.events import DISPATCHABLE, Grade, UnitStatus, UnitType, alert_key
from stream.picture import Incident, IncidentStatus, Picture
from stream.recommend import situation

# Travel times depend on the hour of day in London; at the ends of datetime's range (an
# event stamped year 1 or 9999 in an old log) that conversion overflows, so the hour is
# read from a time held a little inside the range.
_TRAVEL_RANGE = (datetime(2, 1, 1, tzinfo=UTC), datetime(9998, 12, 31, tzinfo=UTC))

NEAREST = 3  # units suggested per waiting incident
AT_RISK_SLACK_S = 120.0  # target minus (now + best ETA) below this: send now or miss it
UNASSIGNED_ALERT = timedelta(minutes=3)  # an I-grade incident waiting this long is an alert
EVERY_S = 1.0
#: A unit in the station must get back to its car before it can drive (assumption).
AT_STATION_START_S = 120.0


@dataclass
class Advisor:
    travel: TravelTimeModel
    every_s: float = EVERY_S
    version: int = 0
    _at: float = -1e9
    _seq: int = -1
    _advice: dict[str, Any] = field(default_factory=dict)
    _recommendations: dict[str, Any] | None = None

    def current(self, picture: Picture) -> dict[str, Any]:
        """The latest advice, recomputed if the picture moved on and a second has passed."""
        now = time.monotonic()
        if picture.seq != self._seq and now - self._at >= self.every_s:
            self._advice = advise(picture, self.travel)
            self._advice["recommendations"] = self._recommendations
            self.version += 1
            self._advice["version"] = self.version
            self._seq, self._at = picture.seq, now
        return self._advice

    def attach(self, recommendations: dict[str, Any]) -> None:
        """The recommender's latest answer (stream.recommend, computed off the event loop by
        the server), carried from the next advice on; the advice falls due to carry it."""
        self._recommendations = recommendations
        self._seq = -2

    @property
    def seq(self) -> int:
        """The seq of the picture the current advice is of (-1: none yet)."""
        return self._seq

    def due_in(self, picture: Picture) -> float | None:
        """Seconds until :meth:`current` would recompute for ``picture`` (0: now), or None when
        the advice is of this picture already. The live feed sends advice on its own when it
        falls due after the last events frame: on a quiet feed no frame would carry it."""
        if picture.seq == self._seq:
            return None
        return max(0.0, self.every_s - (time.monotonic() - self._at))


def advise(picture: Picture, travel: TravelTimeModel) -> dict[str, Any]:
    """Waiting I/S incidents with their nearest available units (ETA), the ones at risk,
    and alerts: a BCU with no available IRV, an I-grade incident unassigned too long."""
    now = picture.now
    if now is None:
        return {
            "seq": picture.seq,
            "as_of": None,
            "waiting": [],
            "at_risk": [],
            "alerts": [],
            "mutual_aid": [],
            "acknowledged": [],
        }
    # Only units that can be sent: one on a refreshment break or in custody is not offered.
    available = [u for u in picture.units.values() if u.status in DISPATCHABLE]
    start = np.array(
        [AT_STATION_START_S if u.status is UnitStatus.AT_STATION else 0.0 for u in available]
    )
    lats = np.array([u.lat for u in available], dtype=np.float64)
    lons = np.array([u.lon for u in available], dtype=np.float64)
    types = [u.unit_type.value for u in available]
    when = min(max(now, _TRAVEL_RANGE[0]), _TRAVEL_RANGE[1])
    incidents = _waiting(picture)
    # Every available unit to every waiting incident in one call: a call per incident cost
    # 0.5 ms each, 130 ms for a busy London's 243 waiting, on the server's event loop.
    matrix = travel.seconds_matrix(
        lats, lons, [i.lat for i in incidents], [i.lon for i in incidents], types, when
    )
    waiting: list[dict[str, Any]] = []
    for column, incident in enumerate(incidents):
        nearest: list[dict[str, Any]] = []
        if available:
            seconds = matrix[:, column] * situation.pace(incident.grade.value) + start
            for i in _fastest(seconds):
                unit = available[i]
                nearest.append(
                    {
                        "unit_id": unit.unit_id,
                        "callsign": unit.callsign,
                        "bcu": unit.bcu,
                        "unit_type": unit.unit_type.value,
                        "eta_s": round(float(seconds[i])),
                    }
                )
        target = incident.target_at
        assert target is not None  # I and S have targets
        left = (target - now).total_seconds()
        slack = left - nearest[0]["eta_s"] if nearest else None
        waiting.append(
            {
                "incident_id": incident.incident_id,
                "reference": incident.reference,
                "grade": incident.grade.value,
                "category": incident.category,
                "bcu": incident.bcu,
                "borough": incident.borough,
                "created_at": incident.created_at.isoformat(),
                "target_at": target.isoformat(),
                "seconds_left": round(left),
                "slack_s": None if slack is None else round(slack),
                "nearest": nearest,
            }
        )
    at_risk = [w["incident_id"] for w in sorted(waiting, key=_slack) if _slack(w) < AT_RISK_SLACK_S]
    alerts, acknowledged = _acknowledged(picture, _alerts(picture, now))
    return {
        "seq": picture.seq,
        "as_of": now.isoformat(),
        "waiting": waiting,
        "at_risk": at_risk,
        "alerts": alerts,
        "acknowledged": acknowledged,
        "mutual_aid": _mutual_aid(picture),
    }


def _fastest(seconds: NDArray[np.float64]) -> list[int]:
    """Rows of the :data:`NEAREST` smallest ETAs, fastest first, equal ETAs by row. A
    partial sort: a full one of 3,000 units per incident costs more than the travel times."""
    rows = np.arange(len(seconds))
    if len(seconds) > NEAREST:
        # Every row as fast as the NEAREST-th (NaN, no position, sorts last and is kept
        # only when fewer than NEAREST have one).
        kth = np.partition(seconds, NEAREST - 1)[NEAREST - 1]
        rows = rows if np.isnan(kth) else np.flatnonzero(seconds <= kth)
    return [int(r) for r in rows[np.lexsort((rows, seconds[rows]))][:NEAREST]]


def _mutual_aid(picture: Picture) -> list[dict[str, Any]]:
    """Mutual aid requests waiting for a commander, oldest first, with the callsign and
    grade a screen names them by (those whose incident has closed are moot)."""
    found = []
    for aid in sorted(picture.mutual_aid.values(), key=lambda a: a.seq):
        incident, unit = picture.incidents.get(aid.incident_id), picture.units.get(aid.unit_id)
        if incident is None or incident.status is IncidentStatus.CLOSED:
            continue
        found.append(
            aid.to_dict()
            | {
                "callsign": unit.callsign if unit else aid.unit_id,
                "grade": incident.grade.value,
                "category": incident.category,
            }
        )
    return found


def _acknowledged(
    picture: Picture, alerts: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Alerts nobody has acknowledged (the active list) and those someone has, with who and
    when: still true, but in hand."""
    active, seen = [], []
    for alert in alerts:
        alert["key"] = alert_key(alert["kind"], alert.get("bcu"), alert.get("incident_id"))
        ack = picture.acknowledged.get(alert["key"])
        if ack is None:
            active.append(alert)
        else:
            seen.append(alert | {"acknowledged_by": ack[1], "acknowledged_at": ack[0].isoformat()})
    return active, seen


def _waiting(picture: Picture) -> list[Incident]:
    return sorted(
        (
            i
            for i in picture.incidents.values()
            if i.status is IncidentStatus.OPEN and i.grade in (Grade.IMMEDIATE, Grade.SIGNIFICANT)
        ),
        key=lambda i: i.target_at or i.created_at,
    )


def _slack(waiting: dict[str, Any]) -> float:
    slack = waiting["slack_s"]
    return float("-inf") if slack is None else float(slack)


def _alerts(picture: Picture, now: datetime) -> list[dict[str, Any]]:
    alerts: list[dict[str, Any]] = []
    irv_available = {bcu: 0 for bcu in picture.bcu_counts()}
    for unit in picture.units.values():
        if unit.unit_type is UnitType.IRV and unit.status in DISPATCHABLE:
            irv_available[unit.bcu] = irv_available.get(unit.bcu, 0) + 1
    for bcu, count in sorted(irv_available.items()):
        if count == 0:
            alerts.append({"kind": "no_irv", "bcu": bcu, "text": f"{bcu}: no IRV available"})
    for incident in _waiting(picture):
        waited = now - incident.created_at
        if incident.grade is Grade.IMMEDIATE and waited >= UNASSIGNED_ALERT:
            alerts.append(
                {
                    "kind": "i_unassigned",
                    "bcu": incident.bcu,
                    "incident_id": incident.incident_id,
                    "reference": incident.reference,
                    "text": f"{incident.bcu}: I-grade {incident.reference or incident.incident_id} "
                    f"unassigned for {int(waited.total_seconds() // 60)} min",
                }
            )
    return alerts
