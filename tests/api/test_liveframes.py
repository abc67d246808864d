"""LiveFrames: one bound per frame tick, and a bounded store of frame bodies."""

from api.liveframes import LiveFrames


def test_the_first_socket_in_a_tick_fixes_its_last_seq() -> None:
    frames = LiveFrames(frame_ms=100)
    assert frames.upto(10.01, handed_over=40) == 40
    # Records handed over later in the same tick wait for the next one.
    assert frames.upto(10.09, handed_over=55) == 40
    assert frames.upto(10.10, handed_over=55) == 55


def test_a_body_is_kept_by_its_range_of_seqs() -> None:
    frames = LiveFrames(frame_ms=100)
    frames.keep(1, 5, "one")
    assert frames.body(1, 5) == "one"
    assert frames.body(1, 4) is None


def test_past_the_limit_the_oldest_half_goes() -> None:
    frames = LiveFrames(frame_ms=100, kept=8)
    for seq in range(1, 10):
        frames.keep(seq, seq, str(seq))
    assert len(frames) == 5
    assert frames.body(1, 1) is None and frames.body(4, 4) is None
    assert frames.body(5, 5) == "5" and frames.body(9, 9) == "9"


def test_a_socket_behind_keeps_to_the_ranges_the_ticks_made() -> None:
    frames = LiveFrames(frame_ms=100)
    assert frames.upto(1.0, handed_over=10) == 10
    assert frames.upto(1.1, handed_over=25) == 25
    assert frames.upto(1.2, handed_over=40) == 40
    # In step: the next record is 41, past every tick's end: the current tick's bound.
    assert frames.chunk_end(41, upto=40) == 40
    # Behind at 11 or 26: the end of the tick each fell in, not the current tick's.
    assert frames.chunk_end(11, upto=40) == 25
    assert frames.chunk_end(26, upto=40) == 40
    # Behind mid-tick (it resumed at 15): to that tick's end, then in step with the rest.
    assert frames.chunk_end(15, upto=40) == 25
    # Older than any tick kept: from there to the first tick's end.
    assert frames.chunk_end(3, upto=40) == 10


def test_tick_ends_are_kept_within_bounds() -> None:
    frames = LiveFrames(frame_ms=100, kept=4)
    for n in range(1, 40):
        frames.upto(n / 10, handed_over=n * 10)
    assert frames.chunk_end(385, upto=390) == 390
    assert frames.chunk_end(1, upto=390) <= 390 and len(frames._ends) <= 8
