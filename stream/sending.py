"""Which units may be sent to which calls: one rule for the picture's event checks, the
recommender's advice and the simulator, so what the screens advise the rules accept.

``may_send``: ``available`` and ``at_station`` units to any call, a ``busy`` unit to an
I- or S-grade call (docs/decision-support.md, "Busy units": the recommender offers one for
an S-grade call only when no free unit reaches it in time). ``may_divert``: a unit on its
way to a call that is not I-grade, or on scene at an E- or R-grade one, to an I-grade call
(the call it leaves waits again).
"""

from __future__ import annotations

from stream.payloads import DISPATCHABLE, Grade, UnitStatus

_DISPATCHABLE = frozenset(s.value for s in DISPATCHABLE)
#: Statuses a unit may also be sent from, to a call of ``BREAKS_OFF_FOR``: an officer
#: writing a report or making an enquiry drops it for an emergency, or for a call that
#: would otherwise wait past its hour, and finishes it after. The live picture's ``busy``
#: does not say which work it is, so every busy unit counts as one that can break off; a
#: meal break or custody does not: a commander stands those down first.
BREAKS_OFF = frozenset({UnitStatus.BUSY.value})
#: The grades a ``busy`` unit may break off for. An E-grade appointment or an R-grade
#: call can wait for a free unit.
BREAKS_OFF_FOR = frozenset({Grade.IMMEDIATE.value, Grade.SIGNIFICANT.value})
#: The grades of call a unit on scene may leave for an I-grade call: an E-grade appointment
#: (a crime report taken at a booked time) can be finished by the next unit; an S-grade
#: scene (a victim, a suspect near) is not left.
LEAVES_SCENE_OF = frozenset({Grade.EXTENDED.value, Grade.REFERRED.value})


def may_send(status: str, grade: str) -> bool:
    """Whether a unit in ``status`` (a UnitStatus value) may be sent to a call of ``grade``
    (a Grade value), a diversion aside."""
    return status in _DISPATCHABLE or (grade in BREAKS_OFF_FOR and status in BREAKS_OFF)


def may_divert(status: str, from_grade: str | None, grade: str) -> bool:
    """Whether a unit in ``status``, committed to a call of ``from_grade`` (None: none), may
    leave it for a call of ``grade``: only for an I-grade call, and only one on its way to a
    call that is not I-grade or on scene at one of ``LEAVES_SCENE_OF``."""
    if grade != Grade.IMMEDIATE or from_grade is None or from_grade == Grade.IMMEDIATE:
        return False
    return status == UnitStatus.EN_ROUTE or (
        status == UnitStatus.ON_SCENE and from_grade in LEAVES_SCENE_OF
    )
