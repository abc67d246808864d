"""The one writer: validate, check the rules, number, log, acknowledge, fan out.

Exactly one sequencer runs at a time, whichever holds the Redis lease. On taking the lease
it rebuilds its picture from the log (latest snapshot + tail), claims whatever a previous
holder left unacknowledged, and continues from the log's last seq. Per batch, in order:

1. parse and validate each entry (contract, London; an event under the API's reserved
   source needs the API's signature, stream.trust) — failures are rejections;
2. drop duplicates by (source, id) — within the batch and against the log;
3. hold a signed command to its scope (an inspector's BCU), then ask the picture's rules;
   apply each accepted event to the picture at once, so a later
   event in the same batch sees it (two conflicting commands: the first wins);
4. append the batch to the log in one transaction (the seq primary key fences off a
   stale writer, which then steps down);
5. keep rejections on the rejected stream, acknowledge the entries, publish the accepted
   events on the live channel, and post every outcome.

A crash anywhere before 5 leaves the entries unacknowledged, so the next holder gets them
again; whatever of them reached the log is then a duplicate. Nothing is lost or doubled.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stream.bus import Bus, Entry, Rejection, new_token
from stream.events import InvalidEvent, Locate, Recorded, Validated, to_json, validate
from stream.log import EventLog, LogConflict
from stream.outcome import Outcome, Verdict
from stream.picture import Picture
from stream.trust import Scope, Trust, out_of_scope

log = logging.getLogger(__name__)


def live_message(record: Recorded, body: str | None = None) -> str:
    """The JSON published on the live channel for one accepted event:
    ``{"seq":N,"event":{...CloudEvents...},"borough":...,"bcu":...}``, ``seq`` first so a
    process can tell an echo of what it already has without parsing the rest
    (stream.fanout.peek_seq). ``body`` is the event's JSON if already made (for the log)."""
    event = to_json(record.event) if body is None else body
    return (
        f'{{"seq":{record.seq},"event":{event},'
        f'"borough":{json.dumps(record.borough)},"bcu":{json.dumps(record.bcu)}}}'
    )


@dataclass
class BatchResult:
    records: list[Recorded] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)  # each record's event JSON, made once
    snapshots: list[dict[str, Any]] = field(default_factory=list)  # the picture at seq k·N
    rejections: list[Rejection] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    entry_ids: list[str] = field(default_factory=list)  # the ingest entries ("<ms>-<n>")


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
                    log.exception("sequencer lease check failed; retrying")
                # A fifth of the lease: a dead holder is replaced within ~1.2 lease periods.
                await asyncio.sleep(self.lease_ttl_ms / 5000)
        finally:
            self.leading.clear()
            with contextlib.suppress(Exception):
                await asyncio.shield(self.bus.release_lease(self.token))

    async def _lead(self) -> None:
        self.picture = await asyncio.to_thread(self.log.picture)
        log.info("sequencing from seq %d", self.picture.seq)
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
            log.warning("stepping down: %s", exc)
        except Exception:
            # Redis or the database failed mid-batch. The batch's entries are unacknowledged
            # and the picture may hold unlogged events: start over from the log.
            log.exception("sequencer batch failed; rebuilding from the log")
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
                log.warning("lost the sequencer lease")
                return

    async def process(self, entries: list[Entry]) -> BatchResult:
        """Decide, log and announce one batch of ingest entries."""
        assert self.picture is not None
        # Off the event loop: parsing and the duplicate lookup are the bulk of the work, and
        # only this task touches this picture.
        result = await asyncio.to_thread(self.decide, entries)
        try:
            await asyncio.to_thread(
                self.log.append, result.records, result.snapshots, result.bodies
            )
        except BaseException:
            self.picture = None  # whatever it holds now was never logged
            raise
        if self.on_logged and result.records:
            # Logged, so safe to show in this process first; before the publish, so the
            # hub knows to skip the echo.
            self.on_logged(result.records)
        await self.bus.reject(result.rejections)
        await self.bus.ack([entry.id for entry in entries])
        await self.bus.publish(
            [live_message(r, b) for r, b in zip(result.records, result.bodies, strict=True)]
        )
        await self.bus.post_outcomes(result.outcomes)
        if self.on_batch:
            result.entry_ids = [entry.id for entry in entries]
            self.on_batch(result)
        return result

    def decide(self, entries: list[Entry]) -> BatchResult:
        """Steps 1–3: pure decisions against the picture, which accepted events change."""
        picture = self.picture
        assert picture is not None
        result = BatchResult()
        valid: list[tuple[bytes | str, Validated, Scope]] = []
        for _entry_id, text, sealed in entries:
            if text is None:
                reason = "ingest entry has no 'event' field"
                result.rejections.append(Rejection(b"", reason))
                result.outcomes.append(Outcome(Verdict.REJECTED, None, None, reason=reason))
                continue
            try:
                v = validate(text, self.locate)
                valid.append((text, v, self.trust.scope_of(text, sealed, v.event)))
            except InvalidEvent as exc:
                source, event_id = key_of(text)
                result.rejections.append(Rejection(text, exc.reason, source, event_id))
                result.outcomes.append(
                    Outcome(Verdict.REJECTED, source, event_id, None, exc.reason)
                )
        logged = self.log.seqs_of(v.event.key for _, v, _ in valid)
        seen: dict[tuple[str, str], int] = {}
        for original, v, scope in valid:
            key = v.event.key
            earlier = logged.get(key) or seen.get(key)
            if earlier is not None:
                result.outcomes.append(Outcome(Verdict.DUPLICATE, *key, earlier))
                continue
            forbidden = out_of_scope(picture, v, scope)
            broken = forbidden or picture.check(v)
            if broken is not None:
                result.rejections.append(Rejection(original, broken, *key))
                result.outcomes.append(
                    Outcome(Verdict.REJECTED, *key, None, broken, forbidden=bool(forbidden))
                )
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


def key_of(text: bytes | str) -> tuple[str | None, str | None]:
    """(source, id) of an event that failed validation, if they can still be read."""
    try:
        data = json.loads(text)
    except ValueError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    source, event_id = data.get("source"), data.get("id")
    if isinstance(source, str) and isinstance(event_id, str):
        return source, event_id
    return None, None
