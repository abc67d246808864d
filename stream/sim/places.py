"""Human names for simulated incidents: the CAD's reference and a street-ish address.

A real CAD numbers the day's incidents from 1 and names them with the date, e.g.
"CAD 4711/25NOV"; that is what people say on the radio, so the simulator does the same.

Addresses are made up: a house number, one of the street names most common in Great
Britain (a hand-picked list of generic names, not a claim that the street exists in that
borough) and the borough's own name, e.g. "14 Station Road, Camden". Good enough to read
like a control room's screen, and no source of data is needed (none is used).

Both are drawn from their own random generator seeded by the incident's id, never from the
simulation's, so adding them changed no other draw: runs and evaluations stay as they were.
"""

from __future__ import annotations

import random
from datetime import datetime

STREETS: tuple[str, ...] = (
    "High Street",
    "Station Road",
    "Church Road",
    "Park Road",
    "London Road",
    "Victoria Road",
    "Green Lane",
    "Manor Road",
    "Church Street",
    "Park Avenue",
    "The Avenue",
    "Queens Road",
    "Kings Road",
    "New Road",
    "Grange Road",
    "Mill Lane",
    "Albert Road",
    "Springfield Road",
    "The Crescent",
    "York Road",
)
_KINDS = ("", "", "", "Flat {n}, ", "")


def reference(when: datetime, number: int) -> str:
    """The CAD reference of the day's ``number``-th incident, e.g. ``CAD 4711/25NOV``."""
    return f"CAD {number}/{when:%d}{when:%b}".upper()


def address(incident_id: str, borough: str) -> str:
    """A plausible address in ``borough``, the same every run for the same incident."""
    rng = random.Random(f"address:{incident_id}")
    flat = rng.choice(_KINDS).format(n=rng.randint(1, 40))
    return f"{flat}{rng.randint(1, 250)} {rng.choice(STREETS)}, {borough}"
