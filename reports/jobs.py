"""Reports made in the background: a job row records what was asked, how far it has got
and, when done, the file; any worker can answer for it because it lives in the database.

The worker that accepted the job makes it and beats for it (``heartbeat_at``) until it is
done; every worker's ``look_after`` fails a job no worker has beaten for in ``stale`` (its
process died: no one is left waiting for ever) and deletes a finished job's file ``keep``
after it was made (the job stays, ``expired``, saying so).

The ``report_jobs`` table is the reports' own, in the database beside the API's tables
(the migrations make it: bluelamp.migrations).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    Float,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)

from stream.log import as_utc

STEPS = 6.0  # reading the log, the report, and the sections written (for the progress)
ACTIVE = ("queued", "running")

logger = logging.getLogger(__name__)

metadata = MetaData()

report_jobs = Table(
    "report_jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(64), nullable=False),
    Column("name", String(32), nullable=False),
    Column("request", JSON, nullable=False),  # period, filters, format as asked
    Column("state", String(16), nullable=False),  # queued | running | done | failed | expired
    Column("progress", Float, nullable=False, default=0.0),
    Column("step", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("media_type", String(100)),
    Column("filename", String(200)),
    Column("body", LargeBinary),
    Column("error", Text),
    # The last sign of life of the worker making it (a stale one is failed: ``Jobs.tend``).
    Column("heartbeat_at", DateTime(timezone=True)),
)


@dataclass(frozen=True)
class Job:
    id: str
    owner: str
    name: str
    request: dict[str, Any]
    state: str
    progress: float
    step: str | None
    created_at: datetime
    finished_at: datetime | None
    filename: str | None
    error: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "request": self.request,
            "state": self.state,
            "progress": round(self.progress, 3),
            "step": self.step,
            "created_at": self.created_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "filename": self.filename,
            "error": self.error,
            "file": f"/api/reports/jobs/{self.id}/file" if self.state == "done" else None,
        }


class Jobs:
    def __init__(
        self,
        engine: Engine,
        keep: timedelta = timedelta(hours=24),
        stale: timedelta = timedelta(seconds=60),
    ) -> None:
        self.engine = engine
        self.keep = keep
        self.stale = stale
        self._here: set[str] = set()  # the jobs this process is making, and beats for
        self._lock = threading.Lock()

    def create(self, owner: str, name: str, request: dict[str, Any]) -> Job:
        """A new job, queued; this process makes it (and beats for it) until it ends."""
        job_id = uuid.uuid4().hex
        with self._lock:
            self._here.add(job_id)
        with self.engine.begin() as conn:
            conn.execute(
                insert(report_jobs).values(
                    id=job_id,
                    owner=owner,
                    name=name,
                    request=request,
                    state="queued",
                    progress=0.0,
                    created_at=datetime.now(UTC),
                    heartbeat_at=datetime.now(UTC),
                )
            )
        return self.get(job_id)

    def get(self, job_id: str) -> Job:
        columns = [c for c in report_jobs.c if c.name not in ("body", "media_type", "heartbeat_at")]
        with self.engine.connect() as conn:
            row = conn.execute(select(*columns).where(report_jobs.c.id == job_id)).first()
        if row is None:
            raise KeyError(job_id)
        values = dict(row._mapping)
        for key in ("created_at", "finished_at"):
            if values[key] is not None:
                values[key] = as_utc(values[key])
        return Job(**values)

    def file(self, job_id: str) -> tuple[bytes, str, str] | None:
        t = report_jobs.c
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.body, t.media_type, t.filename).where(t.id == job_id, t.state == "done")
            ).first()
        return None if row is None else (bytes(row.body), row.media_type, row.filename)

    def advance(self, job_id: str, step: str, done_steps: float) -> None:
        progress = min(0.99, done_steps / STEPS)
        now = datetime.now(UTC)
        self._set(job_id, state="running", step=step[:200], progress=progress, heartbeat_at=now)

    def finish(self, job_id: str, body: bytes, media: str, filename: str) -> None:
        self._ended(job_id)
        self._set(
            job_id,
            state="done",
            step="done",
            progress=1.0,
            body=body,
            media_type=media,
            filename=filename,
            finished_at=datetime.now(UTC),
        )

    def fail(self, job_id: str, error: str) -> None:
        self._ended(job_id)
        self._set(job_id, state="failed", error=error[:2000], finished_at=datetime.now(UTC))

    def tend(self, now: datetime | None = None) -> None:
        """Beat for this process's jobs, fail the jobs no process has beaten for in
        ``stale``, and delete the files of jobs finished more than ``keep`` ago."""
        now = now or datetime.now(UTC)
        t = report_jobs.c
        with self._lock:
            here = sorted(self._here)
        last_sign = func.coalesce(t.heartbeat_at, t.created_at)  # rows from before beats
        with self.engine.begin() as conn:
            if here:
                beat = t.id.in_(here) & t.state.in_(ACTIVE)
                conn.execute(update(report_jobs).where(beat).values(heartbeat_at=now))
            dead = t.state.in_(ACTIVE) & (last_sign < now - self.stale)
            conn.execute(
                update(report_jobs)
                .where(dead)
                .values(state="failed", error=self._died(), finished_at=now)
            )
            old = (t.state == "done") & (t.finished_at < now - self.keep)
            conn.execute(
                update(report_jobs)
                .where(old)
                .values(state="expired", body=None, media_type=None, error=self._expired())
            )

    async def look_after(self) -> None:
        """``tend`` every quarter of ``stale``, for as long as the server runs, on a thread
        of its own: reports filling the default thread pool never hold up a beat."""
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(1, thread_name_prefix="bluelamp-report-jobs") as pool:
            while True:
                try:
                    await loop.run_in_executor(pool, self.tend)
                except Exception:  # the database away: the next round tries again
                    logger.exception("could not look after the report jobs")
                await asyncio.sleep(self.stale.total_seconds() / 4)

    def _died(self) -> str:
        seconds = self.stale.total_seconds()
        return (
            f"the server making it stopped (no sign of life for {seconds:g} s); "
            "ask for the report again"
        )

    def _expired(self) -> str:
        hours = self.keep.total_seconds() / 3600
        return f"the file was deleted {hours:g} hours after it was made; ask for the report again"

    def _ended(self, job_id: str) -> None:
        with self._lock:
            self._here.discard(job_id)

    def _set(self, job_id: str, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(report_jobs).where(report_jobs.c.id == job_id).values(**values))
