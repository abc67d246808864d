"""The live picture: the current operational state, a pure fold of recorded events.

This package exports its public names: the rest of Bluelamp imports them from
``stream.picture``, and only tests reach into its modules:

* ``model`` — the entities and their codecs: Incident, Unit, BcuCounts, IncidentStatus;
* ``state`` — what the picture holds and the per-BCU counts kept in step with it;
* ``rules`` — every event type's check (the business rules) and apply (its effect);
  ``aid_rules`` — mutual aid's;
* ``fold`` — :class:`Picture` (``check``/``apply`` dispatch, eviction) and :func:`fold`;
* ``kpis`` — the KPI strip's figures; ``snapshot`` — to and from snapshots.
"""

from stream.picture.aid_rules import open_aid
from stream.picture.fold import RETAIN_CLOSED, Picture, fold
from stream.picture.kpis import KPI_WINDOW
from stream.picture.model import (
    BCUS,
    COMMITTED,
    INCIDENT_FIELDS,
    LIVE_GRADES,
    UNIT_FIELDS,
    BcuCounts,
    Incident,
    IncidentStatus,
    Unit,
)
from stream.picture.rules import known_unit, open_incident
from stream.picture.state import SIDE_EFFECTS_KEPT

__all__ = [
    "BCUS",
    "COMMITTED",
    "INCIDENT_FIELDS",
    "KPI_WINDOW",
    "LIVE_GRADES",
    "RETAIN_CLOSED",
    "SIDE_EFFECTS_KEPT",
    "UNIT_FIELDS",
    "BcuCounts",
    "Incident",
    "IncidentStatus",
    "Picture",
    "Unit",
    "fold",
    "known_unit",
    "open_aid",
    "open_incident",
]
