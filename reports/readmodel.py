"""The reports' read models kept up to date from the event log, with a cursor: their
tables are in ``reports.tables``, how each record changes them in ``reports.fold``.

:meth:`ReadModel.catch_up` folds the log from the cursor in pages, writing each page and
moving the cursor in one transaction, so it is safe to stop anywhere and to run in several
workers (the cursor update is conditional: a worker that lost the race rolls back).
:meth:`ReadModel.rebuild` empties the tables and replays the whole log. Everything here is
derived: the log stays the truth.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine, delete, select, update

from reports.fold import MAX_UNIT_INTERVAL, Batch, SkippedInterval, UnitState
from reports.ledger import AdviceLedger
from reports.tables import PROJECTED, open_tables, report_cursor, report_unit_state
from stream.events import Recorded
from stream.log import EventLog, as_utc

PAGE = 20_000
PAGE_ROWS = 20_000  # hour rows written in one transaction, at most (a day of them more)
#: How often (in records) a projection checks whether it has been asked to stop.
STOP_EVERY = 1_000
logger = logging.getLogger(__name__)


class ProjectionStopped(RuntimeError):
    """The projection was asked to stop (the server is shutting down): nothing was written
    for the page in hand, and the cursor is where it was."""


class ReadModel:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Set by stop(): every projection in progress ends at its next check (a shutdown
        # must not wait for a long catch-up in a worker thread).
        self.stopping = threading.Event()
        self.skipped_intervals = 0  # unit intervals left out of unit time, this process
        open_tables(engine)

    @classmethod
    def of(cls, log: EventLog) -> ReadModel:
        """The read model in the same database as ``log``."""
        return cls(log.engine)

    def cursor(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(report_cursor.c.seq)).scalar_one())

    def stop(self) -> None:
        """Make every projection in progress (and any later one) stop at its next check."""
        self.stopping.set()

    def catch_up(self, log: EventLog, upto: int | None = None, page: int = PAGE) -> int:
        """Project the log's records after the cursor (up to ``upto``); the new cursor.
        Raises :class:`ProjectionStopped` once :meth:`stop` has been called."""
        cursor = self.cursor()
        while True:
            self._check_stop()
            records = log.read(cursor, page, upto)
            if not records:
                return cursor
            projected = self._project(records, cursor)
            if projected is None:
                return self.cursor()  # another worker moved it first
            cursor = projected

    def rebuild(self, log: EventLog) -> int:
        """Empty the read model and replay the whole log."""
        with self.engine.begin() as conn:
            for table in PROJECTED:
                conn.execute(delete(table))
            conn.execute(update(report_cursor).values(seq=0))
        return self.catch_up(log)

    def _check_stop(self) -> None:
        if self.stopping.is_set():
            raise ProjectionStopped("the reports' read model was asked to stop")

    # -- the fold ------------------------------------------------------------------------

    def _project(self, records: list[Recorded], cursor: int) -> int | None:
        """Fold records in one transaction, ending early once ``PAGE_ROWS`` hour rows are
        in hand (a short transaction: SQLite has one writer, and sign-ins write the audit);
        the seq projected up to, or None if another worker moved the cursor first."""
        with self.engine.begin() as conn:
            units = {}
            for row in conn.execute(select(report_unit_state)):
                values = dict(row._mapping)
                values["since"] = as_utc(values["since"])
                units[row.unit_id] = UnitState(**values)
            batch = Batch(units)
            ledger = AdviceLedger.load(conn)
            for n, record in enumerate(records):
                if n % STOP_EVERY == 0:
                    self._check_stop()
                batch.apply(record)
                ledger.apply(record)
                last = record.seq
                if len(batch.hours) >= PAGE_ROWS:
                    break
            self._report_skipped(batch.skipped)
            moved = conn.execute(
                update(report_cursor)
                .where(report_cursor.c.id == 1, report_cursor.c.seq == cursor)
                .values(seq=last)
            ).rowcount
            if not moved:
                conn.rollback()
                return None
            batch.write(conn, self.engine.dialect.name, self._check_stop)
            ledger.write(conn)
            return last

    def _report_skipped(self, skipped: list[SkippedInterval]) -> None:
        if not skipped:
            return
        self.skipped_intervals += len(skipped)
        first = skipped[0]
        logger.warning(
            "unit time: %d interval(s) longer than %s not counted, e.g. unit %s %s from %s "
            "to %s (an event time no feed should have sent; see docs/reports.md)",
            len(skipped),
            MAX_UNIT_INTERVAL,
            first.unit_id,
            first.status,
            first.start.isoformat(),
            first.end.isoformat(),
        )
