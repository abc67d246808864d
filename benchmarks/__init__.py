"""The performance harness: each bench_*.py prints figures beside a same-run baseline."""
