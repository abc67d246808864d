"""Prometheus metrics of one server process, on a registry of its own (one per app, so two
apps in one process, as in tests, never collide).

    bluelamp_events_total{verdict}           events decided by this process's sequencer
    bluelamp_http_events_total{verdict}      events pushed over HTTP, by their answer
    bluelamp_sequencing_lag_seconds           ingest entry added -> its batch logged
    bluelamp_picture_seq                      the seq this process's picture reflects
    bluelamp_websocket_clients                live-feed sockets open now
    bluelamp_websocket_dropped_total{reason}  sockets closed by the server (too slow, ...)
    bluelamp_commands_total{command,outcome}
    bluelamp_http_request_duration_seconds{method,route,status}
    bluelamp_report_projection_failures_total  failed attempts to update the reports' read model
    bluelamp_report_projection_failing         1 while the latest attempt failed
    bluelamp_report_intervals_skipped_total    unit intervals too long to count (docs/reports.md)
"""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stream.sequencer import BatchResult

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    def __init__(self) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # the *_created series only double the scrape here
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.events = Counter(
            "bluelamp_events", "Events decided, by verdict", ["verdict"], registry=r
        )
        self.http_events = Counter(
            "bluelamp_http_events",
            "Events pushed over POST /api/events, by verdict",
            ["verdict"],
            registry=r,
        )
        self.lag = Histogram(
            "bluelamp_sequencing_lag_seconds",
            "From an event's arrival on the ingest stream to its batch being logged",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.picture_seq = Gauge(
            "bluelamp_picture_seq", "The seq this process's live picture reflects", registry=r
        )
        self.ws_clients = Gauge(
            "bluelamp_websocket_clients", "Live-feed WebSockets open", registry=r
        )
        self.projection_failures = Counter(
            "bluelamp_report_projection_failures",
            "Failed attempts to bring the reports' read model up to date",
            registry=r,
        )
        self.projection_failing = Gauge(
            "bluelamp_report_projection_failing",
            "1 while the latest attempt to update the reports' read model failed",
            registry=r,
        )
        self.intervals_skipped = Counter(
            "bluelamp_report_intervals_skipped",
            "Unit intervals longer than a day left out of unit time (an outlier event time)",
            registry=r,
        )
        self.ws_dropped = Counter(
            "bluelamp_websocket_dropped",
            "Live-feed sockets the server closed",
            ["reason"],
            registry=r,
        )
        self.commands = Counter(
            "bluelamp_commands", "Commands by outcome", ["command", "outcome"], registry=r
        )
        self.requests = Histogram(
            "bluelamp_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )

    def on_batch(self, result: BatchResult) -> None:
        """The sequencer's per-batch hook (given to the spine by the API's lifespan)."""
        for outcome in result.outcomes:
            self.events.labels(outcome.verdict.value).inc()
        now_ms = time.time() * 1000
        for entry_id in result.entry_ids:
            arrived_ms = _entry_ms(entry_id)
            if arrived_ms is not None:
                self.lag.observe(max(0.0, now_ms - arrived_ms) / 1000)

    def render(self, picture_seq: Callable[[], int]) -> bytes:
        self.picture_seq.set(picture_seq())
        return generate_latest(self.registry)


def _entry_ms(entry_id: str) -> int | None:
    head = entry_id.partition("-")[0]
    return int(head) if head.isdigit() and len(head) >= 12 else None


class RequestTimer:
    """ASGI middleware: each HTTP request's latency under its route template (never the raw
    path, so ids do not explode the label set)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or _dash_or_other(scope["path"])
            self.metrics.requests.labels(scope["method"], template, str(status)).observe(
                time.perf_counter() - start
            )


def _dash_or_other(path: str) -> str:
    if path.startswith("/_dash-"):
        return path.split("/")[1]
    return "other"
