"""The spine of one Bluelamp process: bus + durable log + (maybe) the sequencer + live fan-out.

    async with Spine.open(settings, london) as spine:
        outcome = await spine.submit(event)           # Outcome: accepted (seq) / duplicate /
                                                      # rejected (reason)
        async with spine.subscribe(since=seq) as records:
            async for record in records: ...          # Recorded, in seq order, exactly once
        spine.picture                                 # the live picture, kept in this process
        await spine.read_picture(at=seq)              # the picture at any seq, from the log

Backends come from the settings' URLs: ``redis_url`` memory:// (in-process, one process) or
redis://; ``database_url`` a SQLite file or postgresql+psycopg://. Every process keeps its
own copy of the live picture, folded from the log and then from the live feed, so any worker
can answer queries; only the holder of the Redis lease sequences (stream.sequencer).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from stream.bus import Bus, Rejection, open_bus
from stream.events import Event, InvalidEvent, Locate, Place, Validated, to_json, validate
from stream.eventtime import TimeBounds
from stream.fanout import QUEUE_LIMIT, Hub, Subscription
from stream.keys import Keys
from stream.log import EventLog
from stream.outcome import Outcome, Verdict
from stream.picture import Picture
from stream.sequencer import BatchResult, Sequencer, key_of, read_entry, undecidable
from stream.settings import SpineSettings
from stream.trust import EVERYTHING, Scope, Trust, refuse_reserved, seal
from stream.watermark import Watermark

logger = logging.getLogger(__name__)
Submittable = str | bytes | Mapping[str, Any] | Event


# Collect the youngest generation every 20,000 allocations, not 700: at ingest rates the
# default ran a collection every few events, which cost as much as parsing them (measured in
# benchmarks/bench_spine.py; docs/performance.md).
GC_THRESHOLDS = (20_000, 20, 50)


def tune_gc() -> None:
    """Process-wide: fewer young collections, and the long-lived state (geodata, the picture
    just loaded) moved out of the collector's sight, so full collections stay cheap."""
    gc.set_threshold(*GC_THRESHOLDS)
    gc.freeze()


class OutcomeTimeout(TimeoutError):
    """No outcome in time: the event is queued and will be processed when a sequencer runs."""


@runtime_checkable
class HasLocate(Protocol):
    """Anything that can place a point in London (geodata's ``London``)."""

    def locate(self, lat: float, lon: float) -> Place | None: ...


class Spine:
    """One process's handle on the event spine; build it with :meth:`Spine.open`.

    Attributes: ``bus`` (stream.bus), ``log`` (stream.log.EventLog), ``hub``
    (stream.fanout.Hub), ``sequencer`` (None when opened with ``sequence=False``), ``picture``
    (this process's live picture, in step with the log), ``applied`` (stream.watermark:
    the seq the picture holds, and waiting for a later one), ``keys`` (stream.keys.Keys).
    """

    def __init__(
        self,
        bus: Bus,
        log: EventLog,
        locate: Locate,
        sequencer: Sequencer | None,
        hub: Hub,
        signing_key: bytes | None = None,
    ) -> None:
        self.bus = bus
        self.signing_key = signing_key  # signs the API's commands (stream.trust)
        self.log = log
        self.locate = locate
        self.sequencer = sequencer
        self.hub = hub
        self.picture = Picture()
        self.applied = Watermark()
        self._waiters: dict[tuple[str, str], asyncio.Future[Outcome]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self.ready = asyncio.Event()

    @classmethod
    @contextlib.asynccontextmanager
    async def open(
        cls,
        settings: SpineSettings,
        london: HasLocate | Locate,
        *,
        sequence: bool = True,
        database_schema: str | None = None,
        gc_tuning: bool = True,
        signing_key: bytes | None = None,
        queue_limit: int = QUEUE_LIMIT,
        on_batch: Callable[[BatchResult], None] | None = None,
    ) -> AsyncIterator[Spine]:
        """Start the spine for this process and stop it on exit.

        ``london`` places points (a geodata ``London``, or its ``locate``). With ``sequence``
        the process competes for the sequencer lease (one process sequences at a time; the
        others take over if it dies); ``sequence=False`` only submits, follows and reads.
        ``database_schema`` puts the log's tables in a PostgreSQL schema (tests use one each).
        ``gc_tuning`` applies :func:`tune_gc` once the picture is loaded (process-wide).
        ``signing_key`` signs :meth:`command` entries and checks them when sequencing
        (stream.trust.entry_key of the server's secret, which the API passes); None: nothing
        may use the API's sources.
        ``queue_limit``: how many live events a subscriber may fall behind before it is
        dropped (the API's live feed sets it). ``on_batch`` is told of each batch this
        process sequences (the API's metrics).
        Returns once this process is subscribed to the live channel and to outcomes, and its
        picture is loaded from the log.
        """
        locate = london.locate if isinstance(london, HasLocate) else london
        bus = open_bus(settings.redis_url, Keys(settings.key_prefix))
        event_log = EventLog(settings.database_url, schema=database_schema)
        sequencer = (
            Sequencer(
                bus,
                event_log,
                locate,
                batch=settings.ingest_batch,
                snapshot_every=settings.snapshot_every,
                lease_ttl_ms=settings.lease_ttl_ms,
                bounds=TimeBounds.of(settings),
                trust=Trust(signing_key),
                on_batch=on_batch,
            )
            if sequence
            else None
        )
        hub = Hub(bus, event_log, queue_limit=queue_limit)
        if sequencer is not None:
            sequencer.on_logged = hub.deliver
        spine = cls(bus, event_log, locate, sequencer, hub, signing_key)
        try:
            await spine._start()
            if gc_tuning:
                tune_gc()
            yield spine
        finally:
            await spine._stop()

    async def _start(self) -> None:
        listening = asyncio.Event()
        self._tasks.append(asyncio.create_task(self._collect_outcomes(listening)))
        await self.hub.start()
        await listening.wait()
        self._keep(await asyncio.to_thread(self.log.picture))
        self._tasks.append(asyncio.create_task(self._follow()))
        if self.sequencer is not None:
            self._tasks.append(asyncio.create_task(self.sequencer.run()))
        self.ready.set()

    async def _stop(self) -> None:
        self.applied.close()
        for task in reversed(self._tasks):
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.hub.stop()
        await self.bus.close()
        await asyncio.to_thread(self.log.close)

    # -- in ---------------------------------------------------------------------------------

    async def submit(self, event: Submittable, timeout: float = 10.0) -> Outcome:
        """Put one event through the ingest contract and wait for what became of it.

        ``event``: CloudEvents JSON text/bytes, a dict, or a parsed Event. An event that fails
        the contract (or lies outside London) is answered ``rejected`` at once and kept on the
        rejected stream; the rest are XADDed to the ingest stream and answered by the
        sequencer: ``accepted`` with its seq, ``duplicate`` with the first one's seq, or
        ``rejected`` by a business rule. Raises :class:`OutcomeTimeout` after ``timeout``
        seconds without an answer (no sequencer running): the event stays queued.
        """
        (outcome,) = await self.submit_many([event], timeout)
        return outcome

    async def submit_many(
        self, items: Sequence[Submittable], timeout: float = 10.0
    ) -> list[Outcome]:
        """Submit events in order (one XADD pipeline) and wait for every outcome, returned
        in the same order. See :meth:`submit`."""
        outcomes: list[Outcome | None] = []
        texts: list[str] = []
        futures: list[tuple[tuple[str, str], asyncio.Future[Outcome]]] = []
        rejections: list[Rejection] = []
        loop = asyncio.get_running_loop()
        for item in items:
            checked = _read_item(item, self.locate)  # the sequencer's own first step
            if not isinstance(checked, Rejection):
                checked = _unreserved(checked)  # only :meth:`command` may speak as the API
            if isinstance(checked, Rejection):
                rejections.append(checked)
                outcomes.append(
                    Outcome(
                        Verdict.REJECTED, checked.source, checked.event_id, None, checked.reason
                    )
                )
                continue
            event = checked.event
            future = self._waiters.get(event.key) or loop.create_future()
            self._waiters[event.key] = future
            futures.append((event.key, future))
            texts.append(to_json(event))
            outcomes.append(None)
        await self.bus.reject(rejections)
        await self.bus.add(texts)
        pending = iter(futures)
        results: list[Outcome] = []
        first: dict[tuple[str, str], Outcome] = {}
        for outcome in outcomes:
            if outcome is None:
                key, future = next(pending)
                if key in first:  # the same event twice in one call: the repeat is a duplicate
                    seq = first[key].seq
                    outcome = Outcome(Verdict.DUPLICATE, *key, seq) if seq else first[key]
                else:
                    outcome = first[key] = await self._await(key, future, timeout)
            results.append(outcome)
        return results

    async def command(
        self, event: Submittable, scope: Scope = EVERYTHING, timeout: float = 10.0
    ) -> Outcome:
        """Submit one of the API's own commands and wait for what became of it.

        The trusted path, distinct from :meth:`submit` (which is what feeds use): the entry
        is signed with this spine's ``signing_key`` over the event text and ``scope``, so the
        sequencer accepts its reserved ``bluelamp-api/`` source and holds it to ``scope`` (an
        inspector's BCU) against the picture at the moment it is sequenced; a rejection says
        its kind (stream.objection: ``out_of_scope`` for a command outside its scope). An
        event that breaks the contract is answered ``invalid`` with the reason at once, never
        sent: this is where a command is validated. Raises RuntimeError without a key, and
        :class:`OutcomeTimeout` as :meth:`submit` does.
        """
        if self.signing_key is None:
            raise RuntimeError("this spine has no signing key: it cannot submit commands")
        raw = event if isinstance(event, str | bytes | Mapping) else to_json(event)
        try:
            parsed = validate(raw, self.locate).event
        except InvalidEvent as exc:
            return Outcome(Verdict.INVALID, *key_of(_text(event)), reason=exc.reason)
        text = to_json(parsed)
        future = self._waiters.get(parsed.key) or asyncio.get_running_loop().create_future()
        self._waiters[parsed.key] = future
        await self.bus.add_signed([(text, seal(self.signing_key, text, scope))])
        return await self._await(parsed.key, future, timeout)

    async def _await(
        self, key: tuple[str, str], future: asyncio.Future[Outcome], timeout: float
    ) -> Outcome:
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            # The answer may have gone by while this process was not listening (a reconnect).
            if late := await self.outcome(*key):
                return late
            raise OutcomeTimeout("no sequencer answered in time; the event is queued") from None
        finally:
            if self._waiters.get(key) is future and future.done():
                del self._waiters[key]

    async def outcome(self, source: str, event_id: str) -> Outcome | None:
        """What became of an event submitted earlier, or None if it is not decided yet.

        An event in the log answers ``accepted`` with its seq (whether that was its first
        arrival or a repeat); a rejection is remembered for a couple of minutes.
        """
        if rejected := await self.bus.recent_outcome(source, event_id):
            return rejected
        key = (source, event_id)
        if seq := (await asyncio.to_thread(self.log.seqs_of, [key])).get(key):
            return Outcome(Verdict.ACCEPTED, source, event_id, seq)
        return None

    async def _collect_outcomes(self, listening: asyncio.Event) -> None:
        while True:
            try:
                async with self.bus.outcomes(lambda: bool(self._waiters)) as outcomes:
                    listening.set()
                    async for outcome in outcomes:
                        future = self._waiters.get(outcome.key) if outcome.key else None
                        if future is not None and not future.done():
                            future.set_result(outcome)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("outcome subscription lost; reconnecting")
                await asyncio.sleep(0.5)

    # -- out --------------------------------------------------------------------------------

    def subscribe(
        self, since: int | None = None
    ) -> contextlib.AbstractAsyncContextManager[Subscription]:
        """Recorded events after ``since`` in seq order, exactly once (see stream.fanout)."""
        return self.hub.subscribe(since)

    async def _follow(self) -> None:
        """Keep this process's picture in step with the log."""
        while True:
            try:
                async with self.hub.subscribe(since=self.picture.seq) as events:
                    async for record in events:
                        self.picture.apply(record)
                        self.applied.advance(record.seq)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("picture fell behind; rebuilding it from the log")
                self._keep(await asyncio.to_thread(self.log.picture))

    def _keep(self, picture: Picture) -> None:
        """Make ``picture`` (read from the log) this process's, and tell waiters its seq."""
        self.picture = picture
        self.applied.advance(picture.seq)

    async def read_picture(self, at: int | None = None) -> Picture:
        """The picture at seq ``at`` (default: the log's end), rebuilt from the log's nearest
        snapshot plus a replay: what any process can answer, sequencer or not."""
        return await asyncio.to_thread(self.log.picture, at)

    @property
    def keys(self) -> Keys:
        return self.bus.keys

    async def wait_for_seq(self, seq: int, timeout: float = 10.0) -> None:
        """Until this process's picture has applied ``seq`` (read-your-writes). Raises
        TimeoutError after ``timeout`` seconds, or sooner if the spine closes meanwhile
        (stream.watermark.WaitInterrupted)."""
        await self.applied.wait(seq, timeout)


def _read_item(item: Submittable, locate: Locate) -> Validated | Rejection:
    try:
        text = _text(item)
    except Exception as exc:  # a mapping json cannot write (too deep, not JSON)
        return Rejection(repr(item)[:10_000], undecidable(exc, "a submitted mapping"))
    return read_entry(text, locate)


def _unreserved(v: Validated) -> Validated | Rejection:
    try:
        refuse_reserved(v.event)
    except InvalidEvent as exc:
        return Rejection(to_json(v.event), exc.reason, *v.event.key)
    return v


def _text(item: Submittable) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, bytes):
        return item.decode("utf-8", "replace")
    if isinstance(item, Mapping):
        return json.dumps(item)
    return to_json(item)
