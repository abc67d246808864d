"""The recommender's advice in the live picture (stream.offers): advice offered, and a
move-up accepted or dismissed, each registered with the picture's rules as every other
event type's are (``stream.picture.rules``, mutual aid's in ``aid_rules``).
"""

from __future__ import annotations

from datetime import timedelta

from stream.clock import shift
from stream.events import (
    FOR_A_CALL,
    AdviceAccepted,
    AdviceDismissed,
    AdviceKind,
    AdviceOffered,
    Recorded,
    Validated,
)
from stream.objection import Objection, conflict, invalid, unknown
from stream.offers import Offer
from stream.picture.aid_rules import APPLIES, CHECKS
from stream.picture.model import Unit
from stream.picture.rules import by_person, known_unit, open_incident
from stream.picture.state import PictureState
from stream.trust import RESERVED_PREFIX

#: How long a move-up waits for a decision, in event time.
OFFER_OPEN = timedelta(hours=1)

#: The rules' registries, advice's added: what the fold dispatches to.
__all__ = ["APPLIES", "CHECKS", "open_offer"]


@CHECKS.register(AdviceOffered)
def _check_offered(picture: PictureState, v: Validated, data: AdviceOffered) -> Objection | None:
    if not v.event.source.startswith(RESERVED_PREFIX):
        return invalid("advice is recorded by Bluelamp's recommender, through the API")
    if not isinstance(unit := known_unit(picture, data.unit_id), Unit):
        return unit
    if data.kind in FOR_A_CALL and data.incident_id is not None:
        found = open_incident(picture, data.incident_id)
        if isinstance(found, Objection):
            return found
    return None


@APPLIES.register(AdviceOffered)
def _apply_offered(picture: PictureState, r: Recorded, data: AdviceOffered) -> None:
    if data.kind is not AdviceKind.MOVE or data.lat is None or data.lon is None:
        return
    # A unit may have several moves offered (the recommender changes its mind and back):
    # each stays open for an hour of event time, and taking one settles its unit's others.
    picture.expire_offers(shift(r.event.time, -OFFER_OPEN))
    picture.offers[data.advice_id] = Offer(
        data.advice_id, data.unit_id, data.bcu, data.lat, data.lon, data.reason, r.event.time, r.seq
    )


def open_offer(picture: PictureState, advice_id: str) -> Offer | Objection:
    """The move-up, if it is still waiting for a decision; else why not."""
    offer = picture.offers.get(advice_id)
    if offer is None:
        return unknown(
            f"no move-up {advice_id} waiting for a decision (decided already, its unit's "
            "move decided, over an hour old, or unknown)"
        )
    return offer


def _check_decision(
    picture: PictureState, v: Validated, data: AdviceAccepted | AdviceDismissed
) -> Objection | None:
    if not isinstance(offer := open_offer(picture, data.advice_id), Offer):
        return offer
    if offer.unit_id != data.unit_id:
        return conflict(f"move-up {data.advice_id} is for unit {offer.unit_id}, not {data.unit_id}")
    return by_person(v, data.by, "a decision")


@CHECKS.register(AdviceAccepted)
def _check_accepted(picture: PictureState, v: Validated, data: AdviceAccepted) -> Objection | None:
    return _check_decision(picture, v, data)


@CHECKS.register(AdviceDismissed)
def _check_dismissed(
    picture: PictureState, v: Validated, data: AdviceDismissed
) -> Objection | None:
    return _check_decision(picture, v, data)


@APPLIES.register(AdviceAccepted)
def _apply_accepted(picture: PictureState, r: Recorded, data: AdviceAccepted) -> None:
    picture.withdraw_offers(data.unit_id)


@APPLIES.register(AdviceDismissed)
def _apply_dismissed(picture: PictureState, r: Recorded, data: AdviceDismissed) -> None:
    picture.offers.pop(data.advice_id, None)
