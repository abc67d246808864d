"""Event time at the extremes: ``shift`` never overflows, and the picture's clock follows
the traffic, not one outlier (stream.clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stream.clock import CLOCK_STEP, EARLIEST, LATEST, EventClock, shift
from tests.stream.factories import START

FAR_FUTURE = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
FAR_PAST = datetime(1, 1, 1, tzinfo=UTC)


def minutes(*ms: float) -> list[datetime]:
    return [START + timedelta(minutes=m) for m in ms]


def clock_after(times: list[datetime]) -> EventClock:
    clock = EventClock()
    for time in times:
        clock.advance(time)
    return clock


def test_shift_holds_to_the_range_of_datetime() -> None:
    assert shift(FAR_FUTURE, timedelta(minutes=15)) == LATEST
    assert shift(FAR_PAST, -timedelta(hours=24)) == EARLIEST
    assert shift(START, timedelta(minutes=15)) == START + timedelta(minutes=15)


def test_the_clock_is_the_latest_event_time_in_ordinary_traffic() -> None:
    clock = clock_after(minutes(0, 1, 0.5, 3, 2, 17))  # late events move nothing back
    assert clock.now == START + timedelta(minutes=17)


def test_one_event_days_ahead_does_not_move_the_clock() -> None:
    for outlier in (START + timedelta(days=2), FAR_FUTURE):
        clock = clock_after([*minutes(0, 1, 2), outlier, *minutes(3, 4)])
        assert clock.now == START + timedelta(minutes=4)


def test_a_minority_feed_stamped_ahead_does_not_move_it_either() -> None:
    ahead = timedelta(days=2)
    times = []
    for m in range(0, 60, 2):  # one event in three from a feed two days ahead
        times += [*minutes(m, m + 1), START + timedelta(minutes=m) + ahead]
    assert clock_after(times).now == START + timedelta(minutes=59)


def test_traffic_after_a_real_gap_moves_it_once_most_recent_events_agree() -> None:
    gap = minutes(0, 1, 2, 3, 4, 5, 6, 600, 601, 602)
    assert clock_after(gap).now == START + timedelta(minutes=6)  # 3 of 7: not yet
    clock = clock_after([*gap, *minutes(603)])  # 4 of 7
    assert clock.now is not None and clock.now >= START + timedelta(minutes=600)
    clock.advance(START + timedelta(minutes=604))
    assert clock.now == START + timedelta(minutes=604)  # and on as usual


def test_a_clock_set_by_a_first_outlier_comes_back_to_the_traffic() -> None:
    clock = clock_after([FAR_FUTURE, *minutes(0, 1)])
    assert clock.now == START + timedelta(minutes=1)
    clock = clock_after([FAR_PAST, *minutes(0, 1, 2)])
    assert clock.now == START + timedelta(minutes=2)


def test_a_step_within_the_limit_is_taken_at_once() -> None:
    clock = clock_after([START, START + CLOCK_STEP])
    assert clock.now == START + CLOCK_STEP


def test_the_clock_survives_its_state() -> None:
    times = [*minutes(0, 1), START + timedelta(days=2), *minutes(2)]
    clock = clock_after(times)
    again = EventClock()
    again.restore(clock.now, clock.state())
    for time in minutes(3, 4) + [START + timedelta(days=2)] * 3:
        assert again.advance(time) == clock.advance(time)
