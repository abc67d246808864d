"""The Met's 12 Basic Command Units and the London boroughs they are made of.

Names and codes are the ones events and the API use. The GSS codes are the ONS identifiers
of the 33 London local authorities; ``inner`` is the ONS Inner London flag (``ons_inner`` in
the London Datastore boundary file), which the travel-time model uses for its speed zones.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY_OF_LONDON = "City of London"


@dataclass(frozen=True, slots=True)
class BoroughInfo:
    name: str
    gss_code: str
    bcu: str | None  # None: the City of London, which has its own police force
    inner: bool

    @property
    def met(self) -> bool:
        return self.bcu is not None


@dataclass(frozen=True, slots=True)
class BcuInfo:
    code: str
    name: str
    boroughs: tuple[str, ...]


BCUS: tuple[BcuInfo, ...] = (
    BcuInfo(
        "AW", "Central West", ("Westminster", "Kensington and Chelsea", "Hammersmith and Fulham")
    ),
    BcuInfo("CN", "Central North", ("Camden", "Islington")),
    BcuInfo("CE", "Central East", ("Hackney", "Tower Hamlets")),
    BcuInfo("AS", "Central South", ("Lambeth", "Southwark")),
    BcuInfo("EA", "East", ("Barking and Dagenham", "Havering", "Redbridge")),
    BcuInfo("NA", "North", ("Enfield", "Haringey")),
    BcuInfo("NE", "North East", ("Newham", "Waltham Forest")),
    BcuInfo("NW", "North West", ("Barnet", "Brent", "Harrow")),
    BcuInfo("SN", "South", ("Bromley", "Croydon", "Sutton")),
    BcuInfo("SE", "South East", ("Bexley", "Greenwich", "Lewisham")),
    BcuInfo(
        "SW", "South West", ("Kingston upon Thames", "Merton", "Richmond upon Thames", "Wandsworth")
    ),
    BcuInfo("WA", "West", ("Ealing", "Hillingdon", "Hounslow")),
)

BCU_BY_CODE: dict[str, BcuInfo] = {b.code: b for b in BCUS}

_GSS: dict[str, str] = {
    "City of London": "E09000001",
    "Barking and Dagenham": "E09000002",
    "Barnet": "E09000003",
    "Bexley": "E09000004",
    "Brent": "E09000005",
    "Bromley": "E09000006",
    "Camden": "E09000007",
    "Croydon": "E09000008",
    "Ealing": "E09000009",
    "Enfield": "E09000010",
    "Greenwich": "E09000011",
    "Hackney": "E09000012",
    "Hammersmith and Fulham": "E09000013",
    "Haringey": "E09000014",
    "Harrow": "E09000015",
    "Havering": "E09000016",
    "Hillingdon": "E09000017",
    "Hounslow": "E09000018",
    "Islington": "E09000019",
    "Kensington and Chelsea": "E09000020",
    "Kingston upon Thames": "E09000021",
    "Lambeth": "E09000022",
    "Lewisham": "E09000023",
    "Merton": "E09000024",
    "Newham": "E09000025",
    "Redbridge": "E09000026",
    "Richmond upon Thames": "E09000027",
    "Southwark": "E09000028",
    "Sutton": "E09000029",
    "Tower Hamlets": "E09000030",
    "Waltham Forest": "E09000031",
    "Wandsworth": "E09000032",
    "Westminster": "E09000033",
}

_INNER: frozenset[str] = frozenset(
    {
        "City of London",
        "Camden",
        "Hackney",
        "Hammersmith and Fulham",
        "Haringey",
        "Islington",
        "Kensington and Chelsea",
        "Lambeth",
        "Lewisham",
        "Newham",
        "Southwark",
        "Tower Hamlets",
        "Wandsworth",
        "Westminster",
    }
)

_BCU_OF: dict[str, str] = {borough: b.code for b in BCUS for borough in b.boroughs}

BOROUGHS: tuple[BoroughInfo, ...] = tuple(
    BoroughInfo(name, gss, _BCU_OF.get(name), name in _INNER) for name, gss in _GSS.items()
)
BOROUGH_BY_NAME: dict[str, BoroughInfo] = {b.name: b for b in BOROUGHS}
BOROUGH_BY_GSS: dict[str, BoroughInfo] = {b.gss_code: b for b in BOROUGHS}


def _key(name: str) -> str:
    """A spelling-insensitive key: "Kingston-upon-Thames", "Barking & Dagenham" match."""
    key = " ".join(name.lower().replace("&", " and ").replace("-", " ").replace(".", "").split())
    for prefix in ("london borough of ", "royal borough of ", "the "):
        key = key.removeprefix(prefix)
    return "westminster" if key == "city of westminster" else key


_BY_KEY: dict[str, BoroughInfo] = {_key(b.name): b for b in BOROUGHS}


def borough_named(name: str) -> BoroughInfo | None:
    """The borough a name means, tolerant of the spellings seen in published files."""
    return _BY_KEY.get(_key(name))
