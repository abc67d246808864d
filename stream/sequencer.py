"""The one writer: validate, check the rules, number, log, acknowledge, fan out.

Exactly one sequencer runs at a time, whichever holds the Redis lease. On taking the lease
it rebuilds its picture from the log (latest snapshot + tail), claims whatever a previous
holder left unacknowledged, and continues from the log's last seq. Per batch, in order:

1. parse and validate each entry (contract, London; an event under the API's reserved
   source needs the API's signature, stream.trust) — failures are rejections;
2. drop duplicates by (source, id) — within the batch and against the log;
3. check the event's time against the sequencer's clock (stream.eventtime), then ask the
   picture: a signed command's scope (an inspector's BCU), then the rules; apply each
   accepted event to the picture at once, so a later event in the same batch sees it (two
   conflicting commands: the first wins);
4. append the batch to the log in one transaction (the seq primary key fences off a
   stale writer, which then steps down);
5. acknowledge the entries and keep their rejections in one atomic step (Bus.settle: each
   rejection exactly once), publish the accepted events on the live channel, and post
   every outcome.

A crash anywhere before 5 leaves the entries unacknowledged, so the next holder gets them
again; whatever of them reached the log is then a duplicate. Nothing is lost or doubled.

One entry never holds up the others. A per-entry step that raises unexpectedly rejects that
entry ("could not be decided: ..."). A batch that still fails is retried in halves, in
order, down to the single entries it fails on (``_isolate``); such an entry is rejected ("could
not be sequenced: ...") only if it fails alone twice while the log takes a write each time.
A failure that is not about an entry (the database or Redis down) fails that write too, so it
rejects nothing: the batch waits, unacknowledged, and is retried, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeGuard

from stream.bus import Bus, Entry, Rejection, new_token
from stream.events import InvalidEvent, Locate, Recorded, Validated, to_json, validate
from stream.eventtime import TimeBounds, wall_clock
from stream.log import EventLog, LogConflict
from stream.objection import Kind, Objection, conflict
from stream.outcome import Outcome, Verdict
from stream.picture import Picture
from stream.trust import Scope, Trust
from stream.wire import live_message

logger = logging.getLogger(__name__)
#: Times an entry must fail alone, the log taking a write after each, before it is rejected
#: as one that cannot be sequenced (twice: a database that flaps once rejects nothing).
POISON_ATTEMPTS = 2


@dataclass
class BatchResult:
    records: list[Recorded] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)  # each record's event JSON, made once
    snapshots: list[dict[str, Any]] = field(default_factory=list)  # the picture at seq k·N
    rejections: list[Rejection] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    entry_ids: list[str] = field(default_factory=list)  # the ingest entries ("<ms>-<n>")

    def reject(self, rejection: Rejection, kind: Kind | None = None) -> None:
        """Keep ``rejection``; ``kind``: a command's kind of refusal (stream.objection)."""
        self.rejections.append(rejection)
        r = rejection
        self.outcomes.append(
            Outcome(Verdict.REJECTED, r.source, r.event_id, None, r.reason, kind=kind)
        )

    def merge(self, other: BatchResult) -> None:
        self.records += other.records
        self.bodies += other.bodies
        self.snapshots += other.snapshots
        self.rejections += other.rejections
        self.outcomes += other.outcomes
        self.entry_ids += other.entry_ids


@dataclass
class Sequencer:
    """The one writer (see the module docstring). ``run()`` is the whole of its life; the
    Spine starts it. ``leading`` is set while this instance holds the lease and sequences."""

    bus: Bus
    log: EventLog
    locate: Locate
    batch: int = 500
    snapshot_every: int = 10_000
    lease_ttl_ms: int = 5_000
    token: str = field(default_factory=new_token)
    picture: Picture | None = None
    # Which entries speak for the API (signed with the key derived from the server's
    # secret), and the scope each command is held to (stream.trust).
    trust: Trust = field(default_factory=Trust)
    on_batch: Callable[[BatchResult], None] | None = None  # for metrics and tests
    # Hands this batch's records to this process's fan-out once logged, so the process need
    # not parse its own events back from the live channel (stream.fanout.Hub.deliver).
    on_logged: Callable[[list[Recorded]], None] | None = None
    leading: asyncio.Event = field(default_factory=asyncio.Event)
    bounds: TimeBounds = field(default_factory=TimeBounds)
    clock: Callable[[], datetime] = wall_clock  # the sequencer's wall clock

    async def run(self) -> None:
        """Sequence whenever this instance holds the lease; poll for it otherwise. Runs until
        cancelled; a failing Redis or database is retried, never fatal."""
        try:
            while True:
                try:
                    if await self.bus.acquire_lease(self.token, self.lease_ttl_ms):
                        await self._lead()
                        continue
                except Exception:
                    logger.exception("sequencer lease check failed; retrying")
                # A fifth of the lease: a dead holder is replaced within ~1.2 lease periods.
                await asyncio.sleep(self.lease_ttl_ms / 5000)
        finally:
            self.leading.clear()
            with contextlib.suppress(Exception):
                await asyncio.shield(self.bus.release_lease(self.token))

    async def _lead(self) -> None:
        self.picture = await asyncio.to_thread(self.log.picture)
        logger.info("sequencing from seq %d", self.picture.seq)
        renewer = asyncio.create_task(self._keep_lease())
        self.leading.set()
        try:
            backlog = await self.bus.claim(self.token)
            while not renewer.done():
                entries = backlog or await self.bus.read(self.token, self.batch, 500)
                backlog = backlog[self.batch :] if backlog else []
                entries = entries[: self.batch]
                if entries:
                    await self.process(entries)
        except LogConflict as exc:
            logger.warning("stepping down: %s", exc)
        except Exception:
            # Redis or the database failed mid-batch. The batch's entries are unacknowledged
            # and the picture may hold unlogged events: start over from the log.
            logger.exception("sequencer batch failed; rebuilding from the log")
            self.picture = None
            await asyncio.sleep(1)
        finally:
            self.leading.clear()
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer

    async def _keep_lease(self) -> None:
        task = asyncio.current_task()
        while True:
            await asyncio.sleep(self.lease_ttl_ms / 3000)
            held = await self.bus.acquire_lease(self.token, self.lease_ttl_ms)
            if task is not None and task.cancelling():
                # redis-py can swallow a cancel that lands mid-command (and retry the
                # command): renewing on would hold the lease for ever while _lead waits
                # for this task to stop, and nothing would be sequenced again.
                raise asyncio.CancelledError
            if not held:
                logger.warning("lost the sequencer lease")
                return

    async def process(self, entries: list[Entry]) -> BatchResult:
        """Decide, log and announce one batch of ingest entries; if that fails, find the
        entries it failed on (_isolate). Raises when the log or Redis is failing."""
        await self._rebuild()
        try:
            result = await self._decide_and_log(entries)
        except LogConflict:
            raise
        except Exception:
            logger.exception("a batch of %d entries failed; isolating them", len(entries))
            return await self._isolate(entries)
        await self._announce(entries, result)
        return result

    async def _rebuild(self) -> None:
        # Raises while the database is down: the caller retries later, rejecting nothing.
        if self.picture is None:
            self.picture = await asyncio.to_thread(self.log.picture)

    async def _decide_and_log(self, entries: list[Entry]) -> BatchResult:
        """Steps 1–4. A failure here may be an entry's (the fold or the log refusing it)."""
        try:
            # Off the event loop: parsing and the duplicate lookup are the bulk of the work,
            # and only this task touches this picture.
            result = await asyncio.to_thread(self.decide, entries)
            await asyncio.to_thread(
                self.log.append, result.records, result.snapshots, result.bodies
            )
        except BaseException:
            self.picture = None  # whatever it holds now was never logged
            raise
        return result

    async def _announce(self, entries: list[Entry], result: BatchResult) -> None:
        """Step 5. A failure here is Redis's, never an entry's: it propagates."""
        if self.on_logged and result.records:
            # Logged, so safe to show in this process first; before the publish, so the
            # hub knows to skip the echo.
            self.on_logged(result.records)
        result.entry_ids = [entry.id for entry in entries]
        await self.bus.settle(result.entry_ids, result.rejections)
        await self.bus.publish(
            [live_message(r, b) for r, b in zip(result.records, result.bodies, strict=True)]
        )
        await self.bus.post_outcomes(result.outcomes)
        if self.on_batch:
            self.on_batch(result)

    async def _isolate(self, entries: list[Entry]) -> BatchResult:
        """Sequence a failed batch in halves, in order, down to the single entries it fails
        on. Such an entry is rejected only if it fails alone twice while the log takes a
        write each time (Eventlog.check_writable); if the log takes nothing, the error is
        raised and the entries wait, unacknowledged, for a retry: nothing is rejected."""
        result = BatchResult()
        pending = [entries]
        while pending:
            chunk = pending.pop()
            await self._rebuild()
            try:
                part = await self._decide_and_log(chunk)
            except LogConflict:
                raise
            except Exception as exc:
                if len(chunk) > 1:
                    half = len(chunk) // 2
                    pending += [chunk[half:], chunk[:half]]  # the first half next
                    continue
                part = await self._poison(chunk[0], exc)
            else:
                await self._announce(chunk, part)
            result.merge(part)
        return result

    async def _poison(self, entry: Entry, error: Exception) -> BatchResult:
        """One entry failed alone. Reject it (keeping its text) if the log takes a write now
        and the entry fails alone once more; raise if the log is failing."""
        for attempt in range(POISON_ATTEMPTS):
            if attempt:
                await self._rebuild()
                try:
                    part = await self._decide_and_log([entry])
                except LogConflict:
                    raise
                except Exception as exc:
                    error = exc
                else:  # it was the database after all, back now
                    await self._announce([entry], part)
                    return part
            try:
                await asyncio.to_thread(self.log.check_writable)
            except Exception:
                logger.warning("the log takes no writes; the batch waits for a retry")
                raise error from None
        entry_id, text = entry.id, entry.text
        logger.error("rejecting ingest entry %s: it cannot be sequenced", entry_id, exc_info=error)
        reason = f"could not be sequenced: {_error_words(error)}"
        result = BatchResult()
        result.reject(Rejection(text or b"", reason, *key_of(text or b""), entry_id))
        await self._announce([entry], result)
        return result

    def decide(self, entries: list[Entry]) -> BatchResult:
        """Steps 1–3: pure decisions against the picture, which accepted events change."""
        picture = self.picture
        assert picture is not None
        now = self.clock()
        result = BatchResult()
        valid: list[tuple[Entry, Validated, Scope]] = []
        for entry in entries:
            read = read_entry(entry.text, self.locate, entry.id)
            checked = read if isinstance(read, Rejection) else self._scope(entry, read)
            if isinstance(checked, Rejection):
                result.reject(checked)
            else:
                valid.append((entry, *checked))
        # A failure here is the database's, not an entry's: it fails the batch.
        logged = self.log.seqs_of(v.event.key for _, v, _ in valid)
        seen: dict[tuple[str, str], int] = {}
        for entry, v, scope in valid:
            key = v.event.key
            earlier = logged.get(key) or seen.get(key)
            if earlier is not None:
                result.outcomes.append(Outcome(Verdict.DUPLICATE, *key, earlier))
                continue
            broken = self._admit(v, scope, picture, now)
            if broken is not None:
                rejected = Rejection(entry.text or b"", broken.reason, *key, entry.id)
                # Only a command's outcome says its kind: a feed's answers keep their shape.
                result.reject(rejected, broken.kind if entry.seal is not None else None)
                continue
            record = Recorded(picture.seq + 1, v.event, v.borough, v.bcu)
            picture.apply(record)
            seen[key] = record.seq
            if record.seq % self.snapshot_every == 0:
                result.snapshots.append(picture.to_snapshot())
            result.records.append(record)
            result.bodies.append(to_json(v.event))
            result.outcomes.append(Outcome(Verdict.ACCEPTED, *key, record.seq))
        return result

    def _scope(self, entry: Entry, v: Validated) -> tuple[Validated, Scope] | Rejection:
        """The scope a validated entry speaks with (stream.trust), or its rejection: a
        reserved source without a valid signature. Never raises."""
        text = entry.text or b""
        try:
            return v, self.trust.scope_of(text, entry.seal, v.event)
        except InvalidEvent as exc:
            reason = exc.reason
        except Exception as exc:
            reason = undecidable(exc, entry.id)
        return Rejection(text, reason, *v.event.key, entry.id)

    def _admit(
        self, v: Validated, scope: Scope, picture: Picture, now: datetime
    ) -> Objection | None:
        """Why this event cannot be sequenced now (its time, then its scope and the
        picture's rules), or None. Never raises: an unexpected error rejects this event only."""
        try:
            if late := self.bounds.check(v.event.time, picture.now, now):
                return conflict(late)
            return picture.check(v, scope)
        except Exception as exc:
            return conflict(undecidable(exc, v.event.key))


def read_entry(
    text: bytes | str | None, locate: Locate, entry_id: str | None = None
) -> Validated | Rejection:
    """Step 1 for one event (``entry_id``: its ingest entry, if it came from the stream):
    the validated event, or its rejection with the reason. Never raises."""
    if text is None:
        return Rejection(b"", "ingest entry has no 'event' field", entry_id=entry_id)
    try:
        return validate(text, locate)
    except InvalidEvent as exc:
        reason = exc.reason
    except Exception as exc:
        reason = undecidable(exc, entry_id)
    return Rejection(text, reason, *key_of(text), entry_id)


def undecidable(error: Exception, what: object) -> str:
    """The reason for an event a per-entry step raised on (a bug, or input no check
    foresaw); the traceback goes to the log."""
    logger.error("could not decide %s", what, exc_info=error)
    return f"could not be decided: {_error_words(error)}"


def _error_words(error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= 300 else text[:299] + "…"


def key_of(text: bytes | str) -> tuple[str | None, str | None]:
    """(source, id) of an event that failed validation, if they can still be read. Never
    raises: nesting too deep for the parser (RecursionError) reads as nothing."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None, None
    if not isinstance(data, dict):
        return None, None
    source, event_id = data.get("source"), data.get("id")
    if _storable(source) and _storable(event_id):
        return source, event_id
    return None, None


def _storable(value: object) -> TypeGuard[str]:
    """A string Redis and the log can hold: Python's json reads a lone surrogate escape
    ("\\ud800") into a str that cannot be encoded, and a rejection naming it could never be
    written (the batch would fail on every retry)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True
