"""Retention: personal data does not outlive its purpose (UK GDPR; Data Protection Act 2018
Part 3, law-enforcement processing).

The live store lets go by itself: a linked person leaves the picture with their incident
(24 hours of event time after it closes), a marker the day after its review date unless
renewed (stream.picture). The log is the truth and is kept, so there the personal fields
are rewritten once their time is up, into what the contract calls a pseudonymised form:

* a person linked to an incident closed more than ``people_days`` ago keeps their role and
  a :func:`stream.privacy.pseudonym` (a keyed hash of name and date of birth: the same
  person, the same pseudonym, so repeat victims still link), and loses name, date of birth
  and notes;
* a marker whose latest review date has passed loses its text (``REMOVED``) and address
  in every version of it the log holds; kind, place and dates stay.

The snapshots from the first record rewritten on held the old fields: they go, and one
snapshot of the picture rebuilt from the rewritten log is taken. The reports' read models
hold no person and no marker text. ``plan`` says what ``apply`` would change (the dry run).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, update

from stream.events import (
    EventType,
    IncidentPersonLinked,
    IncidentPersonUnlinked,
    LocationMarkerSet,
    parse_event,
    to_json,
)
from stream.log import EventLog, events, snapshots_table
from stream.privacy import pseudonym

REMOVED = "(text removed at its review date)"
PEOPLE = (EventType.INCIDENT_PERSON_LINKED.value, EventType.INCIDENT_PERSON_UNLINKED.value)


@dataclass(frozen=True, slots=True)
class Rewrite:
    seq: int
    kind: str  # "person" | "marker"
    about: str  # the incident's id, or the marker's
    body: str  # the event as the log will hold it


@dataclass
class Plan:
    people_cutoff: datetime  # people of incidents closed before this go
    day: date  # markers reviewed before this go
    rewrites: list[Rewrite] = field(default_factory=list)
    snapshots: list[int] = field(default_factory=list)  # seqs of the snapshots to drop

    def summary(self) -> dict[str, int]:
        kinds = [r.kind for r in self.rewrites]
        return {
            "people": kinds.count("person"),
            "markers": kinds.count("marker"),
            "snapshots": len(self.snapshots),
        }


def plan(log: EventLog, now: datetime, people_days: int, key: bytes) -> Plan:
    """What retention would rewrite in ``log`` at ``now``."""
    if people_days < 1:
        raise ValueError("people are kept at least a day after their incident closes")
    made = Plan(now - timedelta(days=people_days), now.date())
    made.rewrites = _people(log, made.people_cutoff, key) + _markers(log, made.day)
    if made.rewrites:
        first = min(r.seq for r in made.rewrites)
        query = select(snapshots_table.c.seq).where(snapshots_table.c.seq >= first)
        with log.engine.connect() as conn:
            made.snapshots = sorted(conn.execute(query).scalars())
    return made


def apply(log: EventLog, made: Plan) -> None:
    """Rewrite what ``made`` lists and drop the snapshots that held it, in one transaction;
    then take a snapshot of the picture rebuilt from the rewritten log."""
    if not made.rewrites:
        return
    with log.engine.begin() as conn:
        for rewrite in made.rewrites:
            conn.execute(
                update(events).where(events.c.seq == rewrite.seq).values(body=rewrite.body)
            )
        if made.snapshots:
            conn.execute(delete(snapshots_table).where(snapshots_table.c.seq.in_(made.snapshots)))
    log.save_snapshot(log.picture())


def _people(log: EventLog, cutoff: datetime, key: bytes) -> list[Rewrite]:
    closed = select(events.c.incident_id).where(
        events.c.type == EventType.INCIDENT_CLOSED.value, events.c.time < cutoff
    )
    query = select(events.c.seq, events.c.body).where(
        events.c.type.in_(PEOPLE), events.c.incident_id.in_(closed)
    )
    with log.engine.connect() as conn:
        rows = list(conn.execute(query.order_by(events.c.seq)))
    found = []
    for seq, body in rows:
        event = parse_event(body)
        data = event.data
        assert isinstance(data, IncidentPersonLinked | IncidentPersonUnlinked)
        if data.name is None or data.date_of_birth is None:
            continue  # pseudonymised already
        known_as = pseudonym(key, data.name, data.date_of_birth)
        kept = type(data)(incident_id=data.incident_id, role=data.role, pseudonym=known_as)
        found.append(
            Rewrite(
                seq, "person", data.incident_id, to_json(event.model_copy(update={"data": kept}))
            )
        )
    return found


def _markers(log: EventLog, day: date) -> list[Rewrite]:
    query = select(events.c.seq, events.c.body).where(
        events.c.type == EventType.LOCATION_MARKER_SET.value
    )
    with log.engine.connect() as conn:
        rows = list(conn.execute(query.order_by(events.c.seq)))
    versions: dict[str, list[tuple[int, str]]] = {}
    latest: dict[str, date] = {}
    for seq, body in rows:
        data = json.loads(body)["data"]
        versions.setdefault(data["marker_id"], []).append((seq, body))
        latest[data["marker_id"]] = date.fromisoformat(data["review_date"])
    found = []
    for marker_id, bodies in versions.items():
        if latest[marker_id] >= day:
            continue
        for seq, body in bodies:
            event = parse_event(body)
            data = event.data
            assert isinstance(data, LocationMarkerSet)
            if data.text == REMOVED and data.address is None:
                continue
            kept = data.model_copy(update={"text": REMOVED, "address": None})
            body = to_json(event.model_copy(update={"data": kept}))
            found.append(Rewrite(seq, "marker", marker_id, body))
    return found
