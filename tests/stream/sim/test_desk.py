"""The dispatch desk: controllers work I-grade first, then booked E-grade appointments,
then S-grade, oldest first, one incident per controller at a time."""

from __future__ import annotations

from stream.sim.desk import Desk
from stream.sim.dispatch import Job


def job(incident_id: str, grade: str, ready: float) -> Job:
    return Job(incident_id, grade, "theft", 51.5, -0.1, "CE", 0.0, ready, 600.0)


def test_a_controller_takes_the_most_urgent_grade_then_the_oldest() -> None:
    desk = Desk(controllers=1)
    for waiting in (job("s-old", "S", 1.0), job("e", "E", 5.0), job("i-new", "I", 9.0),
                    job("i-old", "I", 3.0), job("s-new", "S", 2.0)):  # fmt: skip
        desk.join(waiting)
    order = []
    while (taken := desk.take()) is not None:
        order.append(taken.incident_id)
        desk.release()
    assert order == ["i-old", "i-new", "e", "s-old", "s-new"]


def test_with_every_controller_busy_the_queue_waits_and_closed_incidents_drop_out() -> None:
    desk = Desk(controllers=2)
    first, second, third, fourth = (job(str(n), "S", float(n)) for n in range(4))
    for waiting in (first, second, third, fourth):
        desk.join(waiting)
    assert desk.take() is first and desk.take() is second
    assert desk.take() is None and len(desk) == 2  # both controllers busy
    third.closed = True  # e.g. the caller rang back: no longer needed
    desk.release()
    assert desk.take() is fourth and len(desk) == 0
