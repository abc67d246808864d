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
