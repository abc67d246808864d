"""A service killed with SIGKILL mid-stream loses nothing and doubles nothing: the next one
claims what the dead one left unacknowledged and finds in the log what it already wrote."""

from __future__ import annotations

from tests.stream.conftest import Backend
from tests.stream.factories import Events
from tests.stream.procs import Producer, ServiceProcess, assert_exactly_once, open_log, wait_until


def _feed(n: int) -> list[dict[str, object]]:
    ev = Events()
    return [ev.on_duty("U1")] + [ev.location("U1", jitter=i * 1e-6) for i in range(n - 1)]


def test_killed_between_commit_and_ack_then_restarted(durable_backend: Backend) -> None:
    raws = _feed(450)  # batches of 100: the service dies after committing seq 101..200
    producer, log = Producer(durable_backend), open_log(durable_backend)
    producer.add(raws)
    doomed = ServiceProcess(durable_backend, "--die-after-seq", "150")
    try:
        assert doomed.proc.wait(30) < 0, "the service should have killed itself"
        assert log.last_seq() == 200  # committed, never acknowledged
        pending = producer.redis.xpending(producer.keys.ingest, producer.keys.group)
        assert pending["pending"] == 100
        survivor = ServiceProcess(durable_backend)
        try:
            wait_until(lambda: log.last_seq() >= len(raws), what="the restarted service")
            assert_exactly_once(log, [str(r["id"]) for r in raws])
            wait_until(
                lambda: (
                    producer.redis.xpending(producer.keys.ingest, producer.keys.group)["pending"]
                    == 0
                ),
                what="every entry acknowledged",
            )
        finally:
            survivor.kill()
    finally:
        doomed.kill()
        producer.close()
        log.close()


def test_killed_at_an_arbitrary_moment_under_load_then_restarted(
    durable_backend: Backend,
) -> None:
    raws = _feed(1_500)
    producer, log = Producer(durable_backend), open_log(durable_backend)
    first = ServiceProcess(durable_backend)
    try:
        first.wait_for("leading")
        for start in range(0, 600, 50):
            producer.add(raws[start : start + 50])
        wait_until(lambda: log.last_seq() >= 300, what="the first service logging")
        first.kill()  # wherever it is: reading, deciding, committing, acknowledging
        producer.add(raws[600:])  # the service is down: these wait in the stream
        second = ServiceProcess(durable_backend)
        try:
            wait_until(lambda: log.last_seq() >= len(raws), what="the restarted service")
            assert_exactly_once(log, [str(r["id"]) for r in raws])
        finally:
            second.kill()
    finally:
        first.kill()
        producer.close()
        log.close()
