"""The simulator's numbers: published Met figures, the tables derived from real data, and
every assumption, each with where it comes from. docs/simulation.md discusses them.

Published Met figures:
- 2,177,747 calls to 999 in 2017/18, about 5,970 a day;
- 2014: 482,255 calls graded I, about 1,321 a day;
- I-grade attended within 15 minutes 86.9% (12 months to Sep 2018); S within 60 minutes
  81.9%; average I-grade response 12 min 36 s (2022).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from stream.recommend import situation

DATA = Path(__file__).with_name("data")

#: Incidents a day, London-wide (assumption: one graded incident per 999 call, 2017/18).
INCIDENTS_PER_DAY = 6_000.0

#: Published figures the baseline policy is compared with (docs/simulation.md).
MET_I_WITHIN_15 = 0.869
MET_I_MEAN_RESPONSE_S = 12 * 60 + 36
MET_S_WITHIN_60 = 0.819

#: Relative demand by hour of day (Europe/London), mean 1 (assumption: the usual shape of
#: police demand — a trough 04–07 h, a climb through the day, a peak 17–23 h).
HOURLY = (
    0.98, 0.86, 0.74, 0.60, 0.48, 0.42, 0.45, 0.62, 0.85, 0.98, 1.04, 1.08,
    1.12, 1.14, 1.16, 1.20, 1.25, 1.28, 1.28, 1.26, 1.22, 1.17, 1.12, 1.06,
)  # fmt: skip

#: Relative demand by weekday (Monday = 0), mean 1 (assumption: Friday and Saturday busiest).
WEEKDAY = (0.97, 0.95, 0.96, 0.99, 1.05, 1.07, 1.01)

#: Night-time economy: extra demand on Friday and Saturday nights, 21:00–04:00 local
#: (assumption), for the categories it drives.
NIGHT_TIME_ECONOMY = 1.35
NTE_CATEGORIES = frozenset({"violence", "public_order", "robbery", "criminal_damage"})

#: Share of incidents by category (assumption, rounded from the mix of calls a response team
#: attends; crime categories in proportion to the MOPAC counts).
CATEGORY_SHARE: Mapping[str, float] = MappingProxyType(
    {
        "violence": 0.16,
        "domestic": 0.12,
        "concern_for_welfare": 0.12,
        "asb": 0.11,
        "theft": 0.11,
        "road_traffic": 0.07,
        "public_order": 0.06,
        "burglary": 0.05,
        "criminal_damage": 0.05,
        "robbery": 0.04,
        "vehicle_crime": 0.04,
        "weapons": 0.03,
        "drugs": 0.04,
    }
)

#: How the mix shifts at night (22:00–05:00 local) — multipliers, renormalised.
NIGHT_CATEGORY_FACTOR: Mapping[str, float] = MappingProxyType(
    {
        "violence": 1.5,
        "public_order": 1.5,
        "domestic": 1.2,
        "asb": 1.1,
        "theft": 0.6,
        "burglary": 0.9,
        "road_traffic": 0.7,
        "concern_for_welfare": 0.9,
    }
)

#: Grade mix (I, S, E, R) by category (assumption; overall ≈ 22% I, matching 1,321 I-grade a
#: day in ~6,000 incidents).
GRADE_MIX: Mapping[str, tuple[float, float, float, float]] = MappingProxyType(
    {
        "violence": (0.36, 0.42, 0.14, 0.08),
        "domestic": (0.33, 0.45, 0.16, 0.06),
        "concern_for_welfare": (0.28, 0.44, 0.14, 0.14),
        "asb": (0.06, 0.34, 0.30, 0.30),
        "theft": (0.10, 0.34, 0.34, 0.22),
        "road_traffic": (0.30, 0.44, 0.10, 0.16),
        "public_order": (0.22, 0.44, 0.18, 0.16),
        "burglary": (0.20, 0.36, 0.34, 0.10),
        "criminal_damage": (0.08, 0.36, 0.34, 0.22),
        "robbery": (0.42, 0.38, 0.14, 0.06),
        "vehicle_crime": (0.06, 0.30, 0.36, 0.28),
        "weapons": (0.60, 0.30, 0.06, 0.04),
        "drugs": (0.10, 0.40, 0.26, 0.24),
    }
)
GRADES = ("I", "S", "E", "R")
#: At night I-grade is more likely (assumption): its weight ×1.15 before renormalising.
NIGHT_I_FACTOR = 1.15

#: Median minutes on scene by category (assumption); lognormal with sigma ON_SCENE_SIGMA.
ON_SCENE_MEDIAN_MIN: Mapping[str, float] = MappingProxyType(
    {
        "violence": 55,
        "domestic": 80,
        "concern_for_welfare": 65,
        "asb": 25,
        "theft": 35,
        "road_traffic": 45,
        "public_order": 30,
        "burglary": 50,
        "criminal_damage": 30,
        "robbery": 55,
        "vehicle_crime": 30,
        "weapons": 60,
        "drugs": 40,
    }
)
ON_SCENE_SIGMA = 0.55
#: On-scene time by grade, as a multiplier (assumption: an emergency keeps a unit longer).
GRADE_ON_SCENE_FACTOR: Mapping[str, float] = MappingProxyType(
    {"I": 1.2, "S": 1.0, "E": 0.8, "R": 0.0}
)

#: Seconds from the call to the incident reaching the dispatch desk (answering, the call
#: taker's questions, grading), lognormal (median, sigma) for I and S (assumption: most
#: calls take a few minutes, a few much longer — a caller who cannot say where they are, an
#: interpreter, a transfer; S longer, tuned: many S-grade calls come through 101, where
#: callers wait to be answered, while a 999 call is answered at once). E-grade is an
#: appointment hours later and R-grade is resolved by phone and closed after the time
#: given, both uniform in these bounds (assumption).
CALL_HANDLING_S: Mapping[str, tuple[float, float]] = MappingProxyType(
    {"I": (240.0, 0.4), "S": (660.0, 0.6)}
)
HANDLING_S: Mapping[str, tuple[float, float]] = MappingProxyType(
    {"E": (3_600.0, 6 * 3_600.0), "R": (1_200.0, 5_400.0)}
)
#: The chance an I-grade incident needs a second unit (assumption).
SECOND_UNIT_I = 0.25

#: Unit types that may attend each category first (IRV for the rest).
ATTENDING_TYPES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "weapons": ("ARV", "IRV"),
        "road_traffic": ("TRAFFIC", "IRV"),
        "public_order": ("IRV", "TSG"),
        "drugs": ("IRV", "DOG"),
    }
)


#: A unit's working day beyond incidents (assumptions; docs/simulation.md, "Unit states").
#: A shift starts at the station (parade, briefing) for this long, uniform in seconds; a
#: unit there can be sent, with this much longer a start (back to the car, out of the yard).
PARADE_S = (600.0, 1_200.0)
AT_STATION_START_S = 120.0
#: The travel model's time is a drive on a clear road. Real drives meet hold-ups (a closed
#: road, a jam with nowhere to pull over, an address hard to find, no way into the block):
#: this share of drives takes longer by an exponential share of the model's time (turnout
#: included) with this mean (assumption). Never shorter: the model's pace is the fastest.
HOLD_UP_SHARE = 0.25
HOLD_UP_MEAN = 0.6
#: An officer writing a report (``busy``) sent to an I-grade call first breaks off: leaves
#: the victim's house or the desk, back to the car (assumption: the recommender's own, so
#: the ETA it ranks by is the one the simulation drives).
BREAK_OFF_S = situation.BREAK_OFF_S
#: Only I-grade calls are driven to on blue lights: an S- or E-grade drive, or a move-up,
#: takes this much longer than the travel model's time (the recommender's own assumption,
#: so the ETAs it ranks S-grade calls by are the ones the simulation drives).
ROUTINE_PACE = situation.ROUTINE_PACE
#: One refreshment break a shift, due this many hours in (uniform), this long including the
#: drive to the station; put off by this much while its BCU cannot spare the unit.
REFRESHMENT_DUE_H = (3.5, 6.0)
REFRESHMENT_S = 45 * 60.0
REFRESHMENT_DEFER_S = 600.0
#: …and while fewer than this share of the BCU's on-duty units could be sent.
REFRESHMENT_SPARE = 0.25
#: The chance the first unit on scene arrests someone, by category (others: none).
#: Assumption, set so that response calls give ~300 arrests a day: of the order of the Met's
#: published arrests (Home Office, "Police powers and procedures": roughly 100,000 a year,
#: not all of them from response calls).
ARREST_SHARE: Mapping[str, float] = MappingProxyType(
    {
        "violence": 0.12,
        "domestic": 0.15,
        "robbery": 0.10,
        "weapons": 0.20,
        "drugs": 0.25,
        "public_order": 0.10,
        "burglary": 0.05,
        "theft": 0.05,
    }
)
#: After an arrest the arresting unit takes the prisoner to custody (the drive is prisoner
#: transport), waits to book them in, searches, hands over: lognormal hours with this median
#: and sigma (assumption: custody suites queue at busy times; forces and HMICFRS describe an
#: arrest as taking an officer off the street for hours, often the rest of a shift).
CUSTODY_MEDIAN_H = 3.0
CUSTODY_SIGMA = 0.4
#: Back at the station after custody (writing up, the car cleaned), uniform in seconds.
AFTER_CUSTODY_S = (600.0, 1_200.0)
#: Statements and the crime report after an incident, by the first unit on scene (unless it
#: arrested someone: then custody includes them), status ``busy``: (chance, seconds low,
#: seconds high), uniform. Assumption, and tuned (docs/simulation.md, "Calibration"): a
#: crime is recorded and a victim's statement taken for most crimes attended, with the
#: first steps of the investigation (body-worn video uploaded, CCTV and house-to-house
#: asked for, the risk assessment for a domestic: DASH) before it is handed on, so an
#: officer is off patrol for one to four hours after a domestic and about an hour or two
#: after a burglary or an assault. Such a unit stays within reach of an emergency (it
#: breaks off for an I-grade call), so the length ties up the units that S-grade calls
#: wait for more than those I-grade calls get.
REPORTS: Mapping[str, tuple[float, float, float]] = MappingProxyType(
    {
        "violence": (0.7, 3_600.0, 10_800.0),
        "domestic": (0.9, 5_400.0, 14_400.0),
        "robbery": (0.8, 3_600.0, 10_800.0),
        "burglary": (0.8, 3_600.0, 9_000.0),
        "theft": (0.6, 2_700.0, 7_200.0),
        "criminal_damage": (0.6, 2_700.0, 7_200.0),
        "vehicle_crime": (0.5, 2_700.0, 5_400.0),
        "weapons": (0.5, 3_600.0, 10_800.0),
        "public_order": (0.4, 2_700.0, 7_200.0),
        "road_traffic": (0.5, 3_600.0, 10_800.0),
        "concern_for_welfare": (0.3, 1_800.0, 5_400.0),
        "asb": (0.3, 1_800.0, 3_600.0),
        "drugs": (0.3, 1_800.0, 5_400.0),
    }
)
#: The dispatch desk: controllers per BCU at any time, and the seconds a controller spends
#: on an incident before sending (reading the log, finding a unit, the radio call), uniform
#: (assumption: two dispatchers per BCU desk in MetCC's room; the order is
#: dispatch.PRIORITY). With one, a BCU's desk was busy most of the evening and S-grade calls
#: queued for hours at the desk while units stood free: no dispatch could shorten that wait,
#: and a control room with free units and a queue would send them.
CONTROLLERS_PER_BCU = 2
CONTROLLER_S: Mapping[str, tuple[float, float]] = MappingProxyType(
    {"I": (30.0, 120.0), "S": (60.0, 300.0), "E": (60.0, 240.0)}
)


@dataclass(frozen=True)
class FleetAssumptions:
    """How many units London runs (no per-BCU figure is published: docs/simulation.md).

    ``irv_per_shift`` is London's IRVs on each of the three response shifts, shared among
    BCUs in proportion to their demand: the number tuned so that the baseline policy, with
    everything above tying units up, meets the published figures (docs/simulation.md,
    "Calibration"). The specialist counts are pan-London, per shift.
    """

    irv_per_shift: int = 440
    arv_per_shift: int = 14
    dog_per_shift: int = 8
    tsg_per_shift: int = 10
    traffic_per_shift: int = 12
    #: Shifts as (letter, start hour local, length hours): early, late, night, overlapping.
    shifts: tuple[tuple[str, int, int], ...] = (("E", 7, 10), ("L", 15, 10), ("N", 22, 10))


@cache
def borough_category_counts() -> Mapping[tuple[str, str], int]:
    """MOPAC recorded offences over 24 months by (borough, category): the derived table."""
    with (DATA / "borough_category_counts.csv").open(newline="") as handle:
        return MappingProxyType(
            {(r["borough"], r["category"]): int(r["offences_24m"]) for r in csv.DictReader(handle)}
        )


@cache
def hex_counts() -> Mapping[str, int]:
    """police.uk street-level Met burglaries over 12 months per H3 cell (resolution 8)."""
    with (DATA / "hex_counts.csv").open(newline="") as handle:
        return MappingProxyType(
            {r["h3_res8"]: int(r["burglaries_12m"]) for r in csv.DictReader(handle)}
        )
