"""Subject access (a data-protection request): every record the log holds about a person,
found by name and date of birth and, past retention, by their pseudonym (stream.privacy),
with every record about the incidents they were linked to.

The API room's ``bluelamp subject-access`` prints them and audits the search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from stream.events import IncidentPersonLinked, IncidentPersonUnlinked, Recorded, parse_event
from stream.log import EventLog, events
from stream.privacy import folded, pseudonym
from stream.retention import PEOPLE


@dataclass(frozen=True, slots=True)
class Found:
    links: list[Recorded]  # the person's own records: linked, unlinked
    incidents: dict[str, list[Recorded]]  # every record about each incident they were on


def records_about(log: EventLog, name: str, born: date, key: bytes | None) -> Found:
    """The person's links (by name, case and spacing aside, and date of birth; or by the
    pseudonym ``key`` gives them) and every record of the incidents linked."""
    wanted = folded(name)
    known_as = None if key is None else pseudonym(key, name, born)
    query = select(events.c.seq, events.c.body, events.c.borough, events.c.bcu)
    with log.engine.connect() as conn:
        rows = list(conn.execute(query.where(events.c.type.in_(PEOPLE)).order_by(events.c.seq)))
    links = []
    for seq, body, borough, bcu in rows:
        event = parse_event(body)
        data = event.data
        assert isinstance(data, IncidentPersonLinked | IncidentPersonUnlinked)
        by_name = data.name is not None and folded(data.name) == wanted
        if (by_name and data.date_of_birth == born) or (
            known_as is not None and data.pseudonym == known_as
        ):
            links.append(Recorded(seq, event, borough, bcu))
    incidents = {}
    for record in links:
        incident_id = getattr(record.event.data, "incident_id", "")
        if incident_id not in incidents:
            incidents[incident_id] = log.history(incident_id=incident_id, limit=10_000)
    return Found(links, incidents)
