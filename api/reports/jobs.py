"""Reports made in the background: a job row records what was asked, how far it has got
and, when done, the file; any worker can answer for it because it lives in the database.
The worker that accepted the job makes it (if that worker stops, the job stays "running"
and the client asks again)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from api.database import report_jobs
from stream.log import as_utc

STEPS = 6.0  # reading the log, the report, and the sections written (for the progress)


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
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, owner: str, name: str, request: dict[str, Any]) -> Job:
        job_id = uuid.uuid4().hex
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
                )
            )
        return self.get(job_id)

    def get(self, job_id: str) -> Job:
        columns = [c for c in report_jobs.c if c.name not in ("body", "media_type")]
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
        self._set(job_id, state="running", step=step[:200], progress=min(0.99, done_steps / STEPS))

    def finish(self, job_id: str, body: bytes, media: str, filename: str) -> None:
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
        self._set(job_id, state="failed", error=error[:2000], finished_at=datetime.now(UTC))

    def _set(self, job_id: str, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(report_jobs).where(report_jobs.c.id == job_id).values(**values))
