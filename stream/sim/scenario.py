"""Scenarios: small declarative TOML files in stream/sim/scenarios/ (or any path).

name = "saturday-night"
description = "..."
start = "2026-11-28T18:00"      # local (Europe/London) time; "now" for live runs
hours = 12
[fleet]                          # optional: overrides of calibration.FleetAssumptions
irv_per_shift = 330
[[surge]]                        # optional: extra demand in one BCU for a while
bcu = "AW"
start = "2026-08-30T12:00"
hours = 8
factor = 3.0
categories = ["violence", "public_order", "theft"]   # optional
[[major_incident]]               # optional: one incident needing many units
at = "2026-11-25T16:00"
lat = 51.5033
lon = -0.1196
category = "public_order"
units = 30
on_scene_minutes = 240
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from stream.sim.calibration import FleetAssumptions
from stream.sim.demand import LONDON_TZ, Surge

SCENARIOS = Path(__file__).with_name("scenarios")


class ScenarioError(ValueError):
    """A scenario file that cannot be used, with the reason."""


@dataclass(frozen=True)
class MajorIncident:
    at: datetime
    lat: float
    lon: float
    category: str
    units: int
    on_scene_s: float


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    start: datetime  # aware
    hours: float
    fleet: FleetAssumptions
    surges: tuple[Surge, ...] = ()
    major_incidents: tuple[MajorIncident, ...] = ()

    @property
    def end(self) -> datetime:
        return self.start + timedelta(hours=self.hours)

    def starting(self, start: datetime, hours: float | None = None) -> Scenario:
        """The same scenario moved to another start (surges and incidents move with it)."""
        shift = start - self.start
        return replace(
            self,
            start=start,
            hours=self.hours if hours is None else hours,
            surges=tuple(replace(s, start=s.start + shift, end=s.end + shift) for s in self.surges),
            major_incidents=tuple(replace(m, at=m.at + shift) for m in self.major_incidents),
        )


def names() -> list[str]:
    return sorted(p.stem for p in SCENARIOS.glob("*.toml"))


def load(name_or_path: str, now: datetime | None = None) -> Scenario:
    """A scenario by name (stream/sim/scenarios/NAME.toml) or by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = SCENARIOS / f"{name_or_path}.toml"
    if not path.exists():
        raise ScenarioError(f"no scenario {name_or_path!r}; one of {', '.join(names())}")
    try:
        raw = tomllib.loads(path.read_text())
        return _scenario(raw, now or datetime.now(LONDON_TZ))
    except (KeyError, TypeError, ValueError) as exc:
        raise ScenarioError(f"{path}: {exc}") from None


def _scenario(raw: dict[str, Any], now: datetime) -> Scenario:
    known = {f.name for f in fields(FleetAssumptions)}
    fleet_raw = raw.get("fleet", {})
    unknown = set(fleet_raw) - known
    if unknown:
        raise ValueError(f"unknown fleet settings {sorted(unknown)}; known: {sorted(known)}")
    start = _local(raw["start"], now)
    surges = tuple(
        Surge(
            bcu=s["bcu"],
            start=_local(s["start"], now),
            end=_local(s["start"], now) + timedelta(hours=float(s["hours"])),
            factor=float(s["factor"]),
            categories=frozenset(s["categories"]) if "categories" in s else None,
        )
        for s in raw.get("surge", [])
    )
    majors = tuple(
        MajorIncident(
            at=_local(m["at"], now),
            lat=float(m["lat"]),
            lon=float(m["lon"]),
            category=m.get("category", "public_order"),
            units=int(m["units"]),
            on_scene_s=float(m.get("on_scene_minutes", 180)) * 60,
        )
        for m in raw.get("major_incident", [])
    )
    return Scenario(
        name=raw["name"],
        description=raw.get("description", ""),
        start=start,
        hours=float(raw.get("hours", 24)),
        fleet=FleetAssumptions(**fleet_raw),
        surges=surges,
        major_incidents=majors,
    )


def _local(text: str, now: datetime) -> datetime:
    if text == "now":
        return now.replace(microsecond=0)
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=LONDON_TZ)
