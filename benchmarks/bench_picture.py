"""Benchmark: the live picture's check + apply per event, beside baselines in the same run.

    .venv/bin/python -m benchmarks.bench_picture

A London-sized picture (1,000 units on duty, a day of incidents), then:

* ``unit.location`` (~90% of traffic): check + apply, beside the floor of a bare dict update
  of the same four fields, and beside ``validate`` (parsing the JSON text), which the
  sequencer pays for every event anyway;
* the incident lifecycle (created, assigned, arrived, closed): check + apply per event;
* ``bcu_counts`` (kept incrementally) beside a naive full scan of incidents and units;
* ``kpis``, and a snapshot to and from JSON text;
* a week of event time at 20,000 incidents a day: the picture stays the size of a day.

Events are validated before timing (with the grid stub of benchmarks.events, so no
geodata is needed); ``Recorded`` construction is inside the timed loop, as in the sequencer.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable
from datetime import timedelta

from benchmarks import events as f
from stream.events import Grade, Recorded, UnitStatus, Validated, validate
from stream.picture import IncidentStatus, Picture

UNITS = 1_000
LOCATIONS = 100_000
INCIDENTS = 5_000


def timed(label: str, fn: Callable[[], int]) -> float:
    gc.collect()
    start = time.perf_counter()
    count = fn()
    seconds = time.perf_counter() - start
    per = seconds / count * 1e6
    print(f"  {label:<52} {per:9.2f} µs/event  ({count:,} in {seconds:.3f} s)")
    return per


def feed(picture: Picture, events: list[Validated]) -> int:
    for v in events:
        if picture.check(v) is None:
            picture.apply(Recorded(picture.seq + 1, v.event, v.borough, v.bcu))
    return len(events)


def naive_counts(picture: Picture) -> dict[str, dict[str, int]]:
    """What bcu_counts would cost as a scan: every incident and unit, every call."""
    out: dict[str, dict[str, int]] = {}
    for i in picture.incidents.values():
        if i.status is not IncidentStatus.CLOSED and i.bcu:
            row = out.setdefault(i.bcu, {})
            row[i.grade] = row.get(i.grade, 0) + 1
    for u in picture.units.values():
        row = out.setdefault(u.bcu, {})
        row[u.status] = row.get(u.status, 0) + 1
    return out


def main() -> None:
    picture = Picture()
    feed(picture, [f.stub_validated(f.unit_on_duty(f"U{n}")) for n in range(UNITS)])
    step = timedelta(milliseconds=50)
    start = f.START + timedelta(hours=1)
    raws = [
        f.unit_location(
            f"U{n % UNITS}",
            51.46 + (n % 97) * 0.001,
            -0.24 + (n % 89) * 0.003,
            time=start + n * step,
        )
        for n in range(LOCATIONS)
    ]
    texts = [json.dumps(r) for r in raws[:20_000]]
    locations = [f.stub_validated(r) for r in raws]
    lifecycle = []
    later = start + LOCATIONS * step
    for n in range(INCIDENTS):
        at = later + n * 4 * step
        unit = f"U{n % UNITS}"
        lifecycle += [
            f.incident_created(f"I{n}", "IS"[n % 2], time=at),
            f.incident_assigned(f"I{n}", unit, time=at + step),
            f.incident_arrived(f"I{n}", unit, time=at + 2 * step),
            f.incident_closed(f"I{n}", time=at + 3 * step),
        ]
    lifecycle_v = [f.stub_validated(r) for r in lifecycle]

    print(f"picture: {UNITS:,} units on duty")
    floor: dict[str, tuple[float, float, object, str | None]] = {}

    def bare() -> int:
        for v in locations:
            d = v.event.data
            floor[d.unit_id] = (d.lat, d.lon, v.event.time, v.borough)  # type: ignore[union-attr]
        return len(locations)

    base = timed("baseline: bare dict update of the same fields", bare)
    loc = timed("unit.location: check + apply", lambda: feed(picture, locations))
    parse = timed(
        "for scale: validate(JSON text) per event",
        lambda: sum(1 for t in texts if validate(t, f.stub_locate)),
    )
    life = timed("incident lifecycle: check + apply", lambda: feed(picture, lifecycle_v))
    print(f"  unit.location costs {loc / base:.1f}× the bare update, {loc / parse:.2f}× parsing")
    mix = 0.9 * loc + 0.1 * life
    print(f"  90/10 mix: {mix:.2f} µs/event = {1e6 / mix:,.0f} events/s for the fold alone")

    # A day of open and closed incidents for the read side.
    day = []
    at = later + timedelta(hours=1)
    for n in range(15_000):
        t = at + timedelta(seconds=5 * n)
        day.append(f.incident_created(f"D{n}", "ISER"[n % 4], time=t))
        if n % 3:
            day.append(f.incident_closed(f"D{n}", time=t + timedelta(seconds=1)))
    feed(picture, [f.stub_validated(r) for r in day])
    print(f"\nread side: {len(picture.incidents):,} incidents, {len(picture.units):,} units")
    reps = 200
    start_t = time.perf_counter()
    for _ in range(reps):
        picture.bcu_counts()
    inc = (time.perf_counter() - start_t) / reps * 1e6
    start_t = time.perf_counter()
    for _ in range(reps // 10):
        naive_counts(picture)
    naive = (time.perf_counter() - start_t) / (reps // 10) * 1e6
    print(f"  bcu_counts (incremental) {inc:9.1f} µs   baseline naive scan {naive:9.1f} µs")
    start_t = time.perf_counter()
    for _ in range(20):
        picture.kpis()
    print(f"  kpis                     {(time.perf_counter() - start_t) / 20 * 1e6:9.1f} µs")
    for label in ("first", "next"):  # the next one reuses closed incidents' rows
        gc.collect()
        start_t = time.perf_counter()
        shot = picture.to_snapshot()
        built = time.perf_counter() - start_t
        text = json.dumps(shot, separators=(",", ":"))
        dumped = time.perf_counter() - start_t
        start_t = time.perf_counter()
        again = Picture.from_json(text)
        loaded = time.perf_counter() - start_t
        assert again == picture
        print(
            f"  snapshot ({label}): to_snapshot {built * 1e3:.0f} ms, to JSON text "
            f"{dumped * 1e3:.0f} ms, from_json {loaded * 1e3:.0f} ms, {len(text) / 1e6:.1f} MB"
        )

    # A week of event time: closed incidents leave after a day, so the picture stays bounded.
    week = Picture()
    feed(week, [f.stub_validated(f.unit_on_duty("U0"))])
    sizes = []
    gap = timedelta(seconds=86_400 / 20_000)
    for n in range(7 * 20_000):
        t = f.START + n * gap
        raws_n = [f.incident_created(f"W{n}", time=t), f.incident_closed(f"W{n}", time=t + gap / 2)]
        feed(week, [f.stub_validated(r) for r in raws_n])
        if n % 20_000 == 19_999:
            sizes.append(len(week.incidents))
    print(f"\na week at 20,000 incidents/day: incidents held at the end of each day {sizes}")
    assert max(sizes) <= 20_001
    open_i = sum(c.open_by_grade[Grade.IMMEDIATE] for c in week.bcu_counts().values())
    assert open_i == 0 and week.units["U0"].status is UnitStatus.AVAILABLE


if __name__ == "__main__":
    main()
