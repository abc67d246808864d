"""A scripted day of a small force, for report tests: the raw events (CloudEvents dicts, in
time order), and the figures worked out from them directly (not through the read model),
so a report can be checked against an independent route.

Each unit works its incidents one after another (assigned, arrived, closed, sometimes busy
after), so what a unit is doing at any moment is plain from its own events. Some incidents
are never attended; one unit goes off duty early; the others are left in their last status
at the end of the script, hours before the day ends (the open intervals)."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from stream.log import EventLog
from tests.stream.factories import POINTS, numbered

DAY = "2026-11-18"  # a Wednesday in GMT: London days are UTC days
START = datetime(2026, 11, 18, 6, 0, tzinfo=UTC)
DAY_END = datetime(2026, 11, 19, 0, 0, tzinfo=UTC)
BCUS = ("AW", "CN", "NE")
TARGET = {"I": timedelta(minutes=15), "S": timedelta(minutes=60)}
AFTER_A_JOB = ("busy", "custody", "refreshment", "at_station")
# Custody is work on the job; the station and a break are on duty but not committed.
COMMITTED = {"en_route", "on_scene", "busy", "custody"}
CATEGORIES = ("violence", "concern_for_welfare", "road_traffic")


@dataclass
class Day:
    events: list[dict[str, Any]] = field(default_factory=list)
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])

    def add(self, kind: str, at: datetime, data: dict[str, Any]) -> None:
        self.events.append(
            {
                "specversion": "1.0",
                "id": f"{self.tag}-{len(self.events)}",
                "source": "report-day",
                "type": kind,
                "time": at.isoformat().replace("+00:00", "Z"),
                "data": data,
            }
        )

    def ordered(self) -> list[dict[str, Any]]:
        return sorted(self.events, key=lambda e: (e["time"], e["id"]))


def scripted(seed: int = 13, start: datetime = START, hours: float = 14.0) -> Day:
    """Events of ``hours`` from ``start``: three BCUs, two units each."""
    rng = random.Random(seed)
    day = Day()
    end = start + timedelta(hours=hours)
    n = 0
    for b, bcu in enumerate(BCUS):
        lat, lon = POINTS[bcu]
        for k in range(2):
            unit = f"U{bcu}{k}-{day.tag}"
            at = start + timedelta(minutes=5 * b + k)
            day.add(
                "unit.on_duty",
                at,
                {
                    "unit_id": unit,
                    "callsign": unit[:8],
                    "unit_type": "IRV",
                    "home_bcu": bcu,
                    "lat": lat,
                    "lon": lon,
                },
            )
            while True:
                at += timedelta(minutes=rng.randint(5, 50))
                if at > end:
                    break
                if bcu == "NE" and k == 1 and at > start + timedelta(hours=8):
                    day.add("unit.off_duty", at, {"unit_id": unit})  # goes home early
                    break
                n += 1
                incident = f"INC-{day.tag}-{n}"
                grade = rng.choice("IIS")
                day.add(
                    "incident.created",
                    at,
                    {
                        "incident_id": incident,
                        "grade": grade,
                        "category": rng.choice(CATEGORIES),
                        "lat": lat + rng.uniform(-0.0015, 0.0015),
                        "lon": lon + rng.uniform(-0.0015, 0.0015),
                    },
                )
                at += timedelta(minutes=rng.randint(1, 4))
                day.add("incident.assigned", at, {"incident_id": incident, "unit_id": unit})
                at += timedelta(minutes=rng.choice((6, 9, 12, 14, 25, 50, 75)))
                day.add("incident.arrived", at, {"incident_id": incident, "unit_id": unit})
                at += timedelta(minutes=rng.randint(15, 60))
                day.add("incident.closed", at, {"incident_id": incident, "outcome": "resolved"})
                if rng.random() < 0.3:
                    day.add(
                        "unit.status",
                        at + timedelta(minutes=1),
                        {"unit_id": unit, "status": rng.choice(AFTER_A_JOB)},
                    )
                    at += timedelta(minutes=rng.randint(10, 40))
                    day.add("unit.status", at, {"unit_id": unit, "status": "available"})
        for _ in range(3):  # never attended: late once due
            n += 1
            at = start + timedelta(minutes=rng.randint(30, int(hours * 60) - 90))
            day.add(
                "incident.created",
                at,
                {
                    "incident_id": f"INC-{day.tag}-{n}",
                    "grade": rng.choice("IS"),
                    "category": "violence",
                    "lat": lat,
                    "lon": lon,
                    # Some with the CAD's reference (what a report names them by), some not.
                    **({"reference": f"CAD {n}/{start:%d%b}".upper()} if n % 2 else {}),
                },
            )
    return day


def record(day: Day, log: EventLog) -> None:
    log.append(numbered(day.ordered(), log.last_seq() + 1))


def _time(raw: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(raw["time"].replace("Z", "+00:00"))


def compliance(day: Day, start: datetime, end: datetime) -> dict[tuple[str, str], float]:
    """% within target by (grade, BCU) of I/S incidents created in [start, end) and due by
    ``end``, from the raw events."""
    created: dict[str, tuple[datetime, str, str]] = {}
    arrived: dict[str, datetime] = {}
    for raw in day.ordered():
        data = raw["data"]
        if raw["type"] == "incident.created":
            bcu = min(
                POINTS,
                key=lambda b: abs(POINTS[b][0] - data["lat"]) + abs(POINTS[b][1] - data["lon"]),
            )
            created[data["incident_id"]] = (_time(raw), data["grade"], bcu)
        elif raw["type"] == "incident.arrived":
            arrived.setdefault(data["incident_id"], _time(raw))
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for incident, (at, grade, bcu) in created.items():
        if grade not in TARGET or not start <= at < end or at + TARGET[grade] > end:
            continue
        counts[grade, bcu][0] += 1
        first = arrived.get(incident)
        counts[grade, bcu][1] += first is not None and first <= at + TARGET[grade]
    return {key: round(ok / due * 100, 1) for key, (due, ok) in counts.items()}


def unit_seconds(day: Day, start: datetime, end: datetime) -> dict[str, tuple[float, float]]:
    """(on-duty, committed) seconds per BCU within [start, end), each unit's last status
    running on to ``end``, from the raw events."""
    timeline: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    home: dict[str, str] = {}
    on: dict[str, str] = {}  # incident -> unit
    for raw in day.ordered():
        data, kind, at = raw["data"], raw["type"], _time(raw)
        if kind == "unit.on_duty":
            home[data["unit_id"]] = data["home_bcu"]
            timeline[data["unit_id"]].append((at, "available"))
        elif kind == "unit.off_duty":
            timeline[data["unit_id"]].append((at, "off_duty"))
        elif kind == "unit.status":
            timeline[data["unit_id"]].append((at, data["status"]))
        elif kind == "incident.assigned":
            on[data["incident_id"]] = data["unit_id"]
            timeline[data["unit_id"]].append((at, "en_route"))
        elif kind == "incident.arrived":
            timeline[data["unit_id"]].append((at, "on_scene"))
        elif kind == "incident.closed" and data["incident_id"] in on:
            timeline[on.pop(data["incident_id"])].append((at, "available"))
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for unit, changes in timeline.items():
        for (begin, status), (finish, _) in zip(changes, [*changes[1:], (end, "")], strict=True):
            seconds = (min(finish, end) - max(begin, start)).total_seconds()
            if status == "off_duty" or seconds <= 0:
                continue
            totals[home[unit]][0] += seconds
            if status in COMMITTED:
                totals[home[unit]][1] += seconds
    return {bcu: (on_duty, committed) for bcu, (on_duty, committed) in totals.items()}
