"""Back-ups: an I-grade call whose unit, by its own progress (AVL), will arrive after the
target, while another unit could still arrive inside it.

A unit's lateness is read from how it has driven so far: its pace since it set off (the
seconds it has been driving over the travel model's seconds for the ground it has covered)
applied to the model's time for the rest of the way. The model gives a clear road's time;
a unit held up (a closed road, a jam with nowhere to pull over, an address hard to find)
shows it in its progress long before it is late. A back-up is offered only where it helps:
the call's target is still ahead, every unit on its way is predicted after it, and the best
unit the ranking would send (stream.recommend.assign, the same ranking as for a waiting
call) arrives inside the target and ``BACKUP_GAIN_S`` before the first of them. The first
unit on scene stands the others down (the simulator does; a controller does on the radio).

Pure: the screens' advice and the simulator's ``bluelamp`` policy both ask it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from geodata.travel import TravelTimeModel
from stream.recommend.assign import Ranker, Suggestion, in_minutes
from stream.recommend.situation import Call, Journey, Resource, pace

#: A unit's pace is judged after this much driving (turnout and getting going excluded):
#: before, a few seconds at a junction read as a crawl (assumption).
JUDGED_AFTER_S = 120.0
#: A pace slower than this many times the model's is read as this (a unit stopped dead
#: would otherwise predict never arriving): enough to call it late (assumption).
SLOWEST = 5.0
#: A back-up must arrive at least this much before the unit it backs up is predicted to:
#: a second unit on its way is a unit less for the next call (assumption).
BACKUP_GAIN_S = 60.0


@dataclass(frozen=True)
class Lateness:
    """A unit's predicted arrival at the call it is driving to, read from its progress."""

    unit_id: str
    callsign: str
    pace: float  # its seconds driving over the model's, since it set off (1: the model's)
    arrives_in_s: float  # from now
    margin_s: float  # target minus predicted arrival: negative, late by that much


def lateness(
    unit: Resource, journey: Journey, call: Call, travel: TravelTimeModel, now: datetime
) -> Lateness | None:
    """When ``unit`` (on its way to ``call`` since ``journey``) will arrive at this pace;
    None while it has driven too little to tell."""
    turnout = travel.turnout(unit.unit_type)
    grade_pace = pace(call.grade)
    seen = unit.fix_at or now  # where it is, as of its last fix (AVL)
    driven_s = (seen - journey.at).total_seconds() - journey.start_s - turnout
    if driven_s < JUDGED_AFTER_S:
        return None
    covered = travel.seconds(journey.lat, journey.lon, unit.lat, unit.lon, unit.unit_type, now)
    expected_s = (covered - turnout) * grade_pace
    ratio = SLOWEST if expected_s <= 0 else min(SLOWEST, max(1.0, driven_s / expected_s))
    rest = travel.seconds(unit.lat, unit.lon, call.lat, call.lon, unit.unit_type, now)
    arrives_in = max(0.0, (rest - turnout) * grade_pace * ratio - (now - seen).total_seconds())
    left = (call.target_at - now).total_seconds()
    return Lateness(unit.unit_id, unit.callsign, ratio, arrives_in, left - arrives_in)


def running_late(
    driving: Iterable[tuple[Resource, Journey]],
    call: Call,
    travel: TravelTimeModel,
    now: datetime,
) -> Lateness | None:
    """The first of the units driving to ``call`` to arrive, if every one is predicted to
    arrive after the target (and the target is still ahead); None otherwise, or while any
    of them has driven too little to tell."""
    if call.target_at <= now:
        return None
    found: list[Lateness] = []
    for unit, journey in driving:
        late = lateness(unit, journey, call, travel, now)
        if late is None or late.margin_s >= 0:
            return None
        found.append(late)
    return min(found, key=lambda late: late.arrives_in_s, default=None)


def worth_a_backup(late: Lateness, eta_s: float, margin_s: float) -> bool:
    """Whether a unit ``eta_s`` away (``margin_s`` inside the target) is worth sending
    beside the late one: in time, and clearly before it."""
    return margin_s >= 0 and eta_s <= late.arrives_in_s - BACKUP_GAIN_S


def backup_reasons(late: Lateness, call: Call) -> tuple[str, ...]:
    """Why the call needs a back-up, in words, for the screen."""
    return (
        f"{late.callsign} is driving at {late.pace:.1f}× the usual time: "
        f"{in_minutes(late.arrives_in_s)} to go, {in_minutes(-late.margin_s)} after the target",
        f"the first unit on scene at {call.name} stands the other down",
    )


def lateness_dict(late: Lateness) -> dict[str, Any]:
    return {
        "unit_id": late.unit_id,
        "callsign": late.callsign,
        "pace": round(late.pace, 2),
        "arrives_in_s": round(late.arrives_in_s),
        "margin_s": round(late.margin_s),
    }


@dataclass(frozen=True)
class Backup:
    """A unit to send beside the one running late to an I-grade call."""

    call: Call
    late: Lateness
    unit: Suggestion

    def to_dict(self) -> dict[str, Any]:
        return {
            "incident_id": self.call.incident_id,
            "reference": self.call.reference,
            "bcu": self.call.bcu,
            "running_late": lateness_dict(self.late),
            "suggestion": self.unit.to_dict(),
            "reasons": list(backup_reasons(self.late, self.call)),
        }


def backups(ranker: Ranker) -> list[Backup]:
    """A back-up for each I-grade call driven to (``situation.driven_to``, nearest its
    target first) whose units will all be late by their progress, where the ranking's best
    unit (of those no earlier back-up took) arrives in time, clearly before them."""
    situation, travel = ranker.situation, ranker.travel
    driving: dict[str, list[tuple[Resource, Journey]]] = {}
    for r in situation.resources:
        if r.journey is not None and r.incident_id is not None:
            driving.setdefault(r.incident_id, []).append((r, r.journey))
    found: list[Backup] = []
    taken = {r.unit_id for units in driving.values() for r, _ in units}
    for call in sorted(situation.driven_to, key=lambda c: c.target_at):
        late = running_late(driving.get(call.incident_id, ()), call, travel, situation.now)
        if late is None:
            continue
        best = ranker.rank(call, limit=1, taken=frozenset(taken))
        if best and worth_a_backup(late, best[0].eta_s, best[0].margin_s):
            found.append(Backup(call, late, best[0]))
            taken.add(best[0].unit_id)
    return found
