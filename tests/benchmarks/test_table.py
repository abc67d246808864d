"""make bench's table (benchmarks.table): the committed figures it reads and what it flags."""

from benchmarks.table import FIGURES, PERFORMANCE, SECTION, committed, regressed, table

LATENCY = next(f for f in FIGURES if f.key == "fanout.200.log_p99")  # lower is better
RATE = next(f for f in FIGURES if f.key == "spine.redis+sqlite")  # higher is better


def test_the_committed_figures_are_read_from_their_section_only() -> None:
    text = (
        "## earlier\n| `spine.raw` | 1.0 |\n"
        f"{SECTION}\n\n| figure | committed |\n|---|---|\n"
        "| `spine.raw` | 71,234.50 |\n| `fanout.200.dropped` | 0 |\n"
        "## later\n| `reads.floor` | 9 |\n"
    )
    assert committed(text) == {"spine.raw": 71_234.5, "fanout.200.dropped": 0.0}
    assert committed("no section") == {}


def test_more_than_a_fifth_worse_is_a_regression_either_way_round() -> None:
    assert regressed(RATE, 7_900, 10_000) and not regressed(RATE, 8_100, 10_000)
    assert regressed(LATENCY, 1_210, 1_000) and not regressed(LATENCY, 1_190, 1_000)
    assert not regressed(RATE, 30_000, 10_000) and not regressed(LATENCY, 10, 1_000)
    assert not regressed(RATE, 1, None)


def test_a_count_committed_at_zero_must_stay_zero() -> None:
    dropped = next(f for f in FIGURES if f.key == "fanout.200.dropped")
    assert regressed(dropped, 1, 0) and not regressed(dropped, 0, 0)


def test_the_table_shows_baseline_target_and_flag() -> None:
    now = {"spine.raw": 50_000.0, "spine.redis+sqlite": 9_000.0}
    lines = table(now, {"spine.redis+sqlite": 12_000.0})
    row = next(line for line in lines if "Redis + SQLite" in line)
    assert "9,000" in row and "50,000" in row and "≥ 20,000" in row and "not met" in row
    assert row.endswith("REGRESSED")


def test_the_committed_section_names_only_figures_the_table_knows() -> None:
    known = {f.key for f in FIGURES}
    assert set(committed(PERFORMANCE.read_text())) <= known
