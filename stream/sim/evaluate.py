"""Response figures from an event stream: what the Met publishes, per grade and per BCU.

Worked out from the events alone (not from the simulator's internals), so the same fold
can judge any feed: the response clock starts at ``incident.created`` and stops at the
first ``incident.arrived``. An I- or S-grade incident whose target passed before the end of
the stream without an arrival counts as late; one whose target lies beyond the end is left
out (its outcome is unknown). Utilisation is the time units spent committed (assigned to
closed, or to the unit's release; and busy or in custody) over the time they were on duty,
by home BCU. At the station or on a refreshment break a unit is on duty, not committed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from stream.events import TARGET_SECONDS, Grade

TARGET_S = {g.value: s for g, s in TARGET_SECONDS.items()}
GRADES = tuple(g.value for g in Grade)
#: ``unit.status`` values that are work (as the resources report counts them).
WORKING = frozenset({"busy", "custody"})
Locate = Callable[[float, float], Any]


@dataclass
class Figures:
    incidents: int = 0
    judged: int = 0  # incidents whose target fell inside the stream
    on_time: int = 0
    responses: list[float] = field(default_factory=list)  # seconds, attended ones

    @property
    def within_target(self) -> float:
        return self.on_time / self.judged if self.judged else math.nan

    @property
    def late(self) -> int:
        return self.judged - self.on_time

    @property
    def mean_s(self) -> float:
        return sum(self.responses) / len(self.responses) if self.responses else math.nan

    @property
    def p90_s(self) -> float:
        if not self.responses:
            return math.nan
        ordered = sorted(self.responses)
        return ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)]

    def as_json(self) -> dict[str, Any]:
        """The figures as JSON values (a share 0-1, seconds; null where there are none)."""
        return {
            "incidents": self.incidents,
            "within_target": _number(self.within_target),
            "late": self.late,
            "mean_s": _number(self.mean_s),
            "p90_s": _number(self.p90_s),
        }


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value


@dataclass
class Evaluation:
    by_grade: dict[str, Figures]
    by_bcu_grade: dict[tuple[str, str], Figures]
    utilisation: dict[str, float]  # home BCU (or "pan-London") -> committed / on duty
    incidents: int
    events: int

    def as_json(self) -> dict[str, Any]:
        """``by_grade`` and ``by_bcu`` (each BCU by grade), every grade present."""
        bcus = sorted({bcu for bcu, _ in self.by_bcu_grade if bcu})
        return {
            "by_grade": {g: self.by_grade.get(g, Figures()).as_json() for g in GRADES},
            "by_bcu": {
                bcu: {g: self.by_bcu_grade.get((bcu, g), Figures()).as_json() for g in GRADES}
                for bcu in bcus
            },
        }


def _seconds(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def evaluate(events: Iterable[Mapping[str, Any]], locate: Locate) -> Evaluation:
    created: dict[str, tuple[float, str, str]] = {}  # id -> (time, grade, bcu)
    arrived: dict[str, float] = {}
    duty: dict[str, float] = {}  # unit -> on duty since
    unit_home: dict[str, str] = {}
    committed_since: dict[str, float] = {}
    unit_incident: dict[str, str] = {}
    incident_units: dict[str, set[str]] = defaultdict(set)
    on_duty_s: dict[str, float] = defaultdict(float)
    committed_s: dict[str, float] = defaultdict(float)
    count, end = 0, 0.0
    for event in events:
        count += 1
        t = _seconds(event["time"])
        end = max(end, t)
        data, kind = event["data"], event["type"]
        if kind == "incident.created":
            place = locate(data["lat"], data["lon"])
            created[data["incident_id"]] = (t, data["grade"], place.bcu if place else "")
        elif kind == "incident.graded" and data["incident_id"] in created:
            t0, _, bcu = created[data["incident_id"]]
            created[data["incident_id"]] = (t0, data["grade"], bcu)
        elif kind == "incident.arrived":
            arrived.setdefault(data["incident_id"], t)
        elif kind == "incident.assigned":
            unit = data["unit_id"]
            committed_since.setdefault(unit, t)
            unit_incident[unit] = data["incident_id"]
            incident_units[data["incident_id"]].add(unit)
        elif kind == "incident.closed":
            for unit in incident_units.pop(data["incident_id"], set()):
                if unit_incident.get(unit) == data["incident_id"]:
                    _release(unit, t, committed_since, unit_home, committed_s)
                    unit_incident.pop(unit, None)
        elif kind == "unit.on_duty":
            duty[data["unit_id"]] = t
            home = data["home_bcu"] if data["unit_type"] == "IRV" else "pan-London"
            unit_home[data["unit_id"]] = home
        elif kind == "unit.off_duty" and data["unit_id"] in duty:
            unit = data["unit_id"]
            on_duty_s[unit_home[unit]] += t - duty.pop(unit)
            _release(unit, t, committed_since, unit_home, committed_s)
        elif kind == "unit.status":
            unit = data["unit_id"]
            _release(unit, t, committed_since, unit_home, committed_s)
            unit_incident.pop(unit, None)
            if data["status"] in WORKING:
                committed_since[unit] = t
    for unit, since in duty.items():
        on_duty_s[unit_home[unit]] += end - since
    for unit in list(committed_since):
        _release(unit, end, committed_since, unit_home, committed_s)
    return _figures(created, arrived, end, on_duty_s, committed_s, count)


def _release(
    unit: str,
    t: float,
    since: dict[str, float],
    home: dict[str, str],
    committed: dict[str, float],
) -> None:
    start = since.pop(unit, None)
    if start is not None and unit in home:
        committed[home[unit]] += t - start


def _figures(
    created: dict[str, tuple[float, str, str]],
    arrived: dict[str, float],
    end: float,
    on_duty_s: dict[str, float],
    committed_s: dict[str, float],
    count: int,
) -> Evaluation:
    by_grade: dict[str, Figures] = defaultdict(Figures)
    by_bcu: dict[tuple[str, str], Figures] = defaultdict(Figures)
    for incident_id, (t0, grade, bcu) in created.items():
        for figures in (by_grade[grade], by_bcu[bcu, grade]):
            figures.incidents += 1
            reached = arrived.get(incident_id)
            if reached is not None:
                figures.responses.append(reached - t0)
            target = TARGET_S.get(grade)
            if target is None:
                continue
            if reached is not None and reached - t0 <= target:
                figures.judged += 1
                figures.on_time += 1
            elif t0 + target <= end:
                figures.judged += 1
    utilisation = {
        home: committed_s.get(home, 0.0) / seconds for home, seconds in on_duty_s.items() if seconds
    }
    return Evaluation(dict(by_grade), dict(by_bcu), utilisation, len(created), count)


def pooled(runs: list[Evaluation]) -> Evaluation:
    """Several runs of the same calls as one: each grade's and BCU's judged calls and
    responses together (so a share is the mean of the runs'), utilisation the runs' mean."""
    by_grade: dict[str, Figures] = defaultdict(Figures)
    by_bcu: dict[tuple[str, str], Figures] = defaultdict(Figures)
    for run in runs:
        for grade, f in run.by_grade.items():
            _add(by_grade[grade], f)
        for bcu_grade, f in run.by_bcu_grade.items():
            _add(by_bcu[bcu_grade], f)
    for f in [*by_grade.values(), *by_bcu.values()]:
        f.incidents //= len(runs)
    homes = {home for run in runs for home in run.utilisation}
    utilisation = {h: sum(r.utilisation.get(h, 0.0) for r in runs) / len(runs) for h in homes}
    incidents, events = runs[0].incidents, sum(r.events for r in runs)
    return Evaluation(dict(by_grade), dict(by_bcu), utilisation, incidents, events)


def _add(into: Figures, f: Figures) -> None:
    into.incidents += f.incidents
    into.judged += f.judged
    into.on_time += f.on_time
    into.responses.extend(f.responses)
