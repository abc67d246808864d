"""The simulated force's intelligence, so that the demo shows it: places calls keep coming
from, warning markers on some of them, and people linked to calls.

Real demand is concentrated: a small share of addresses (a pub, a hostel, a home with a
history) generates a large share of calls. Here a call may become a repeat place of its
BCU (3%, up to 150 a BCU), and later calls in that BCU come from one of those places
(5%), the oldest most often (weights 1/rank), so a few places gather dozens of calls. A
third of repeat places carry a warning marker, reviewed 3 to 18 months on. Most I- and
S-grade calls have a caller linked, some a victim or suspect; a repeat place's resident is
linked again and again (the repeat victim retention must still link by pseudonym).

Names are invented: given names and made-up surnames from the lists below, never a real
person. Everything here draws from its own generator (seeded by the simulation's seed), so
with it off a run is exactly as before; evaluations and re-runs leave it off.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from stream.sim import places
from stream.sim.demand import Arrival

NEW_PLACE, REPEAT, PLACES_PER_BCU = 0.03, 0.05, 150
MARKED = 0.35
LINKED = {"caller": 0.6, "victim": 0.3, "suspect": 0.15}  # per I/S call, each role
GIVEN = ("Morwenna", "Ifor", "Saoirse", "Tamsin", "Eluned", "Cadoc", "Briallen", "Peregrine",
         "Isolde", "Caspian", "Wynne", "Oriel", "Bronwen", "Lowen", "Fenella", "Gideon",
         "Jessamy", "Ottilie", "Rhodri", "Sabela")  # fmt: skip
SURNAMES = ("Quillfeather", "Blandwick", "Penhallow", "Thistlewood", "Marrowby", "Fennimore",
            "Grisedale", "Ashcombe", "Pellinore", "Sallowmere", "Brackenridge", "Dunmarsh",
            "Hollowell", "Kestrelby", "Larkspurr", "Mossgrave", "Nettlefold", "Orrinwick",
            "Quarrendon", "Wimblecote")  # fmt: skip
TEXTS = {
    "firearms": "Intelligence: a shotgun is believed to be kept at the address",
    "weapons": "Occupant known to carry knives; search before entry",
    "violent_towards_police": "Occupant assaulted officers on an earlier visit",
    "vulnerable_adult": "Elderly resident with dementia, lives alone",
    "vulnerable_child": "A child at the address is subject to a protection plan",
    "mental_health": "Resident under crisis care: approach calmly, no sirens",
    "domestic_abuse": "Repeat domestic abuse location (MARAC case)",
    "dangerous_dog": "Large dog at the address, has bitten before",
    "drugs": "Suspected supply address; needles found on an earlier visit",
}


@dataclass
class Place:
    lat: float
    lon: float
    borough: str
    address: str
    resident: tuple[str, str]  # (name, date of birth)


class SimIntel:
    """Repeat places, markers and linked people, emitted through ``emit`` (the
    simulation's own, so they keep its time and ids)."""

    def __init__(self, seed: int, emit: Callable[[str, dict[str, Any]], None]) -> None:
        self.rng = random.Random(f"intel-{seed}")
        self.emit = emit
        self.places: dict[str, list[Place]] = {}
        self._markers = 0

    def place(self, arrival: Arrival, when: datetime) -> tuple[Arrival, Place | None]:
        """Where the call comes from: maybe one of its BCU's repeat places, maybe a new one."""
        known = self.places.setdefault(arrival.bcu, [])
        if known and self.rng.random() < REPEAT:
            weights = [1 / (rank + 1) for rank in range(len(known))]
            chosen = self.rng.choices(known, weights)[0]
            return replace(arrival, lat=chosen.lat, lon=chosen.lon, borough=chosen.borough), chosen
        if len(known) < PLACES_PER_BCU and self.rng.random() < NEW_PLACE:
            made = Place(arrival.lat, arrival.lon, arrival.borough,
                         places.address(f"repeat-{arrival.bcu}-{len(known)}", arrival.borough),
                         self._person())  # fmt: skip
            known.append(made)
            if self.rng.random() < MARKED:
                self._mark(made, when)
            return arrival, made
        return arrival, None

    def link(self, incident_id: str, arrival: Arrival, place: Place | None) -> None:
        if arrival.grade not in ("I", "S"):
            return
        for role, share in LINKED.items():
            if self.rng.random() >= share:
                continue
            resident = place is not None and role == "victim" and self.rng.random() < 0.7
            name, born = place.resident if resident and place else self._person()
            data = {"incident_id": incident_id, "role": role, "name": name}
            self.emit("incident.person_linked", data | {"date_of_birth": born})

    def _mark(self, place: Place, when: datetime) -> None:
        kind = self.rng.choice(sorted(TEXTS))
        self._markers += 1
        review = (when + timedelta(days=self.rng.randint(90, 540))).date()
        data = {"marker_id": f"SIMMARK-{self._markers:05d}", "lat": place.lat, "lon": place.lon}
        data |= {"address": place.address, "marker_type": kind, "text": TEXTS[kind]}
        self.emit("location.marker_set", data | {"review_date": review.isoformat()})

    def _person(self) -> tuple[str, str]:
        name = f"{self.rng.choice(GIVEN)} {self.rng.choice(SURNAMES)}"
        born = datetime(1940, 1, 1) + timedelta(days=self.rng.randint(0, 365 * 65))
        return name, born.date().isoformat()
