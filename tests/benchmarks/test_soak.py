"""The soak's short form (benchmarks.soak, issue 18): a server at London scale fed a simulated
hour as fast as it takes it, over real Redis and SQLite with two /ws clients following."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.soak import LIMIT_MB, Sample, growth_per_hour, soak


@pytest.mark.redis
@pytest.mark.slow
def test_an_hour_of_london_keeps_the_server_under_its_memory_bound(
    redis_url: str, tmp_path: Path
) -> None:
    run = soak(1.0, tmp_path, clients=2, redis_url=redis_url)
    assert len(run.samples) >= 60 and run.samples[-1].events > 10_000
    assert run.rejected == {} and run.dropped == []
    assert max(s.rss_mb for s in run.samples) < LIMIT_MB


def test_growth_is_the_slope_of_the_second_half() -> None:
    flat_then_rising = [Sample(m, m, 100.0) for m in range(60)] + [
        Sample(m, m, 100.0 + (m - 60) * 0.5) for m in range(60, 180)
    ]
    assert abs(growth_per_hour(flat_then_rising) - 30.0) < 1e-9  # 0.5 MB a minute
    assert growth_per_hour([Sample(m, m, 250.0) for m in range(10)]) == 0.0
