"""What the API answers, made from the live picture: JSON-able dicts, no I/O.

Incidents carry what screens need beyond the fold's fields (when the target falls due);
demand is counted per BCU (from the picture's counts) and per H3 hex (counted here).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import orjson

from stream.events import Grade, Recorded, UnitStatus
from stream.payloads import subjects
from stream.picture import Incident, IncidentStatus, Picture, Unit
from stream.privacy import PERSONAL, shareable
from stream.wire import live_dict, live_message

HexOf = Callable[[float, float], str]


def incident_view(
    incident: Incident, picture: Picture, hex_of: HexOf | None = None
) -> dict[str, Any]:
    """The incident with its target, its response time and the kinds of warning marker
    near it (icons anyone watching may see: stream.privacy)."""
    view = incident.to_dict()
    target = incident.target_at
    view["target_at"] = None if target is None else target.isoformat()
    view["response_seconds"] = incident.response_seconds
    view["warnings"] = picture.warnings_at(incident.lat, incident.lon)
    if hex_of is not None:
        view["hex"] = hex_of(incident.lat, incident.lon)
    return view


def unit_view(unit: Unit) -> dict[str, Any]:
    return unit.to_dict()


def picture_view(
    picture: Picture, include_closed: bool = False, hex_of: HexOf | None = None
) -> dict[str, Any]:
    """The whole picture with the seq it reflects (open incidents only unless asked; each
    with its H3 cell when ``hex_of`` is given)."""
    kpis = picture.kpis()
    return {
        "seq": picture.seq,
        "as_of": kpis["as_of"],
        "kpis": {k: v for k, v in kpis.items() if k != "bcus"},
        "bcus": kpis["bcus"],
        "incidents": [
            incident_view(i, picture, hex_of)
            for i in picture.incidents.values()
            if include_closed or i.status is not IncidentStatus.CLOSED
        ],
        "units": [unit_view(u) for u in picture.units.values()],
    }


def record_view(record: Recorded) -> dict[str, Any]:
    """One recorded event as the live feed carries it (stream.wire), without what is
    personal (stream.privacy.shareable): the timeline, a replay and the feed alike."""
    return shareable(live_dict(record))


def filter_incidents(
    picture: Picture,
    statuses: Iterable[IncidentStatus] = (),
    grades: Iterable[Grade] = (),
    bcus: Iterable[str] = (),
    since: datetime | None = None,
) -> list[Incident]:
    """Newest first. Empty filters match everything."""
    want_status, want_grade, want_bcu = set(statuses), set(grades), set(bcus)
    found = [
        i
        for i in picture.incidents.values()
        if (not want_status or i.status in want_status)
        and (not want_grade or i.grade in want_grade)
        and (not want_bcu or i.bcu in want_bcu)
        and (since is None or i.created_at >= since)
    ]
    found.sort(key=lambda i: i.created_at, reverse=True)
    return found


def filter_units(
    picture: Picture,
    statuses: Iterable[UnitStatus] = (),
    types: Iterable[str] = (),
    bcus: Iterable[str] = (),
) -> list[Unit]:
    """By callsign. ``bcus`` matches where a unit is deployed now."""
    want_status, want_type, want_bcu = set(statuses), set(types), set(bcus)
    found = [
        u
        for u in picture.units.values()
        if (not want_status or u.status in want_status)
        and (not want_type or u.unit_type in want_type)
        and (not want_bcu or u.bcu in want_bcu)
    ]
    found.sort(key=lambda u: u.callsign)
    return found


def demand_view(picture: Picture, hex_of: HexOf) -> dict[str, Any]:
    """Per BCU and per hex: open incidents by grade, on-duty units by status, and the
    demand/capacity ratio (open I+S incidents per on-duty unit; the demand itself where no
    unit is on duty, so demand nobody covers stands out)."""
    open_by_hex: dict[str, Counter[str]] = defaultdict(Counter)
    units_by_hex: dict[str, Counter[str]] = defaultdict(Counter)
    for incident in picture.incidents.values():
        if incident.status is not IncidentStatus.CLOSED:
            open_by_hex[hex_of(incident.lat, incident.lon)][incident.grade.value] += 1
    for unit in picture.units.values():
        if unit.status is not UnitStatus.OFF_DUTY:
            units_by_hex[hex_of(unit.lat, unit.lon)][unit.status.value] += 1
    hexes = []
    for cell in sorted(open_by_hex.keys() | units_by_hex.keys()):
        by_grade, by_status = open_by_hex.get(cell, Counter()), units_by_hex.get(cell, Counter())
        demand = by_grade[Grade.IMMEDIATE.value] + by_grade[Grade.SIGNIFICANT.value]
        capacity = sum(by_status.values())
        hexes.append(
            {
                "hex": cell,
                "open_by_grade": dict(by_grade),
                "units_by_status": dict(by_status),
                "demand": demand,
                "capacity": capacity,
                "load": round(demand / capacity, 3) if capacity else float(demand),
            }
        )
    return {
        "seq": picture.seq,
        "bcus": [c.to_dict() for c in picture.bcu_counts().values()],
        "hexes": hexes,
    }


MESSAGE_CACHE = 50_000


class MessageCache:
    """Each record's live JSON made once per process, however many sockets send it."""

    def __init__(self, size: int = MESSAGE_CACHE) -> None:
        self.size = size
        self._texts: dict[int, str] = {}

    def text(self, record: Recorded) -> str:
        text = self._texts.get(record.seq)
        if text is None:
            if record.event.type.value in PERSONAL:
                text = orjson.dumps(record_view(record)).decode()
            else:
                text = live_message(record)
            self._texts[record.seq] = text
            if len(self._texts) > self.size:
                for seq in list(self._texts)[: self.size // 10]:
                    del self._texts[seq]
        return text


def touched_view(
    picture: Picture, records: list[Recorded], hex_of: HexOf | None = None
) -> dict[str, dict[str, Any] | None]:
    """The current state of every incident and unit these records are about, by kind and id
    (None: no longer in the picture), so a screen upserts state instead of re-folding."""
    incident_ids, unit_ids = _touched(picture, records)
    units = {u: picture.units.get(u) for u in unit_ids}
    return {
        "incidents": _incidents_view(picture, incident_ids, hex_of),
        "units": {u: None if v is None else unit_view(v) for u, v in units.items()},
    }


def touched_json(
    picture: Picture, records: list[Recorded], units: UnitTexts, hex_of: HexOf | None = None
) -> str:
    """:func:`touched_view` as JSON text, each unit's from ``units``: the live feed's frames
    for sockets out of step (each its own range of seqs) name many of the same units, and
    their views were most of a busy server's time (docs/performance.md)."""
    incident_ids, unit_ids = _touched(picture, records)
    incidents = orjson.dumps(_incidents_view(picture, incident_ids, hex_of)).decode()
    unit_texts = ",".join(f"{orjson.dumps(u).decode()}:{units.text(picture, u)}" for u in unit_ids)
    return f'{{"incidents":{incidents},"units":{{{unit_texts}}}}}'


def _touched(picture: Picture, records: list[Recorded]) -> tuple[set[str], set[str]]:
    """The ids of the incidents and units ``records`` name, or changed as a side effect."""
    incident_ids: set[str] = set()
    unit_ids: set[str] = set()
    for record in records:
        incident_id, unit_id = subjects(record.event.data)
        if incident_id:
            incident_ids.add(incident_id)
        if unit_id:
            unit_ids.add(unit_id)
    if records:
        for kind, ident in picture.side_effects_in(records[0].seq - 1, records[-1].seq):
            (unit_ids if kind == "unit" else incident_ids).add(ident)
    return incident_ids, unit_ids


def _incidents_view(
    picture: Picture, ids: Iterable[str], hex_of: HexOf | None
) -> dict[str, dict[str, Any] | None]:
    incidents = {i: picture.incidents.get(i) for i in ids}
    return {
        i: None if v is None else incident_view(v, picture, hex_of) for i, v in incidents.items()
    }


class UnitTexts:
    """Each unit's view as JSON text, made again only once a record has changed the unit
    (``Picture.unit_changed``), however many frames name it meanwhile."""

    def __init__(self) -> None:
        # The picture the texts are of: a new one (a resync) starts afresh. Held, not its
        # id(): a new picture may be given a freed one's id.
        self._picture: Picture | None = None
        self._texts: dict[str, tuple[int, str]] = {}

    def text(self, picture: Picture, unit_id: str) -> str:
        if picture is not self._picture:
            self._picture, self._texts = picture, {}
        changed = picture.unit_changed.get(unit_id, -1)  # -1: not since a snapshot
        made = self._texts.get(unit_id)
        if made is not None and made[0] == changed:
            return made[1]
        unit = picture.units.get(unit_id)
        text = "null" if unit is None else orjson.dumps(unit_view(unit)).decode()
        self._texts[unit_id] = (changed, text)
        return text
