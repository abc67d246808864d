"""The recommender in the server: recomputed off the event loop every few seconds while the
picture moves, carried in the live feed's advice, and asked directly by the decision routes.

The recommender (stream.recommend) costs ~100 ms at London scale (docs/performance.md): run
on the event loop it would hold up every socket's frames, so the situation is read from the
picture on the loop (consistent: nothing else runs meanwhile) and the computation runs in a
worker thread on that frozen copy. A worker thread still holds the GIL for the Python part
of it, against the live feed; with ``BLUELAMP_RECOMMENDER_PROCESS`` the periodic computation
runs in a process of its own instead (the situation and the context pickled to it, the
answer back), and only the per-request questions stay in threads.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from geodata import London
from geodata.travel import TravelTimeModel
from stream.advice import Advisor
from stream.envelope import cloud_event
from stream.outcome import Verdict
from stream.picture import Incident, IncidentStatus, Picture
from stream.recommend.advise import Context, for_call, recommend, what_if
from stream.recommend.grid import CoverGrid
from stream.recommend.situation import Call, Situation, of_picture
from stream.sim.prior import calibrated_prior
from stream.spine import Spine
from stream.trust import RESERVED_PREFIX

logger = logging.getLogger(__name__)
EVERY_S = 2.0
#: The recommender rests at least this many times as long as its last computation took, so
#: a London too big for a 2-second cycle slows the advice down, not the live feed: its
#: Python holds the GIL, and at 3,000 units and 2,000 open calls a busy cycle halved every
#: request and cut the /ws feed to a tenth (docs/performance.md).
REST_FACTOR = 3.0
PARENT_CHECK_S = 1.0


def context_for(london: London, travel: TravelTimeModel) -> Context:
    """London's demand grid, the travel model and the simulator's calibrated prior, which
    api.forecasting replaces with a forecast fitted from the log once the log is long enough."""
    grid = CoverGrid.of(london)
    return Context(grid, travel, calibrated_prior(london, grid))


#: The source of the advice the server records: ``bluelamp-api/recommender``.
RECOMMENDER = RESERVED_PREFIX + "recommender"
OFFERS_REMEMBERED = 50_000  # ids this process has recorded, so each is sent once


def advice_id(kind: str, *parts: str) -> str:
    """A stable id for one piece of advice: every server process names it alike, so the
    sequencer's (source, id) de-duplication records it once however many offer it."""
    digest = hashlib.sha256("\n".join((kind, *parts)).encode()).hexdigest()[:24]
    return f"{kind[0].upper()}-{digest}"


def offers(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``advice.offered`` data for what ``result`` (stream.recommend.advise.recommend)
    advises: each waiting call's best unit, each back-up and each move-up; each gets its
    ``advice_id`` in ``result`` too, which the screens name it by. A move-up is a new offer
    each hour."""
    found = []
    hour = result["as_of"][:13]
    for call in result["calls"]:
        if call["suggestions"]:
            best = call["suggestions"][0]
            found.append(_call_offer("assignment", call, best, best["reasons"], best))
    for backup in result["backups"]:
        unit = backup["suggestion"]
        found.append(_call_offer("backup", backup, unit, backup["reasons"], backup))
    for move in result["moves"]:
        move["advice_id"] = advice_id("move", move["unit_id"], move["cell"], hour)
        found.append(
            {
                "advice_id": move["advice_id"],
                "kind": "move",
                "unit_id": move["unit_id"],
                "bcu": move["to_bcu"],
                "lat": move["lat"],
                "lon": move["lon"],
                "gain": move["gain"],
                "reason": move["reason"][:200],
            }
        )
    return found


def _call_offer(
    kind: str,
    call: dict[str, Any],
    unit: dict[str, Any],
    reasons: list[str],
    named: dict[str, Any],
) -> dict[str, Any]:
    """The offer of ``unit`` for ``call`` (a waiting call, or a back-up's); ``named`` (what
    the screens show it on: the suggestion, or the back-up) gets its ``advice_id``."""
    named["advice_id"] = advice_id(kind, call["incident_id"], unit["unit_id"])
    return {
        "advice_id": named["advice_id"],
        "kind": kind,
        "unit_id": unit["unit_id"],
        "incident_id": call["incident_id"],
        "bcu": call["bcu"],
        "eta_s": unit["eta_s"],
        "reason": "; ".join(reasons)[:200],
    }


@dataclass
class Recommending:
    context: Context
    advisor: Advisor
    spine: Spine | None = None  # records the advice offered (None: shown, not recorded)
    every_s: float = EVERY_S
    apart: bool = False  # the periodic computation in a process of its own
    latest: dict[str, Any] | None = None
    _seq: int = -1
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _offered: set[str] = field(default_factory=set)
    _sending: set[asyncio.Task[None]] = field(default_factory=set)
    _process: ProcessPoolExecutor | None = None

    async def run(self, picture_of: Any) -> None:
        """Recompute while the picture moves (``picture_of()`` gives the current one)."""
        took = 0.0
        while True:
            await asyncio.sleep(max(self.every_s, REST_FACTOR * took))
            started = time.perf_counter()
            try:
                await self.refresh(picture_of())
            except Exception:  # one bad moment must not end advice for the process
                logger.exception("the recommender failed; trying again in %s s", self.every_s)
            took = time.perf_counter() - started

    async def refresh(self, picture: Picture) -> dict[str, Any] | None:
        """The recommendations for ``picture`` (recomputed if it moved on since the last)."""
        async with self._lock:
            if picture.seq != self._seq:
                situation = of_picture(picture)
                if situation is None:
                    return None
                seq = picture.seq
                result = await self._recommend(situation)
                self._record(offers(result), result["as_of"])
                self.latest, self._seq = result | {"seq": seq}, seq
                self.advisor.attach(self.latest)
            return self.latest

    async def _recommend(self, situation: Situation) -> dict[str, Any]:
        if not self.apart:
            return await asyncio.to_thread(recommend, self.context, situation)
        if self._process is None:
            # Spawned, not forked: a fork would copy the server's threads' locks mid-use.
            spawn = multiprocessing.get_context("spawn")
            self._process = ProcessPoolExecutor(
                1, mp_context=spawn, initializer=follow_parent, initargs=(os.getpid(),)
            )
        loop = asyncio.get_running_loop()
        try:
            result: dict[str, Any] = await loop.run_in_executor(
                self._process, recommend, self.context, situation
            )
        except BrokenProcessPool:
            self._process = None  # the worker died (killed, out of memory): a new one next time
            raise
        return result

    async def close(self) -> None:
        """Stop the recommender's process, if it has one (at the server's shutdown), and wait
        for it to end (at most the computation in hand): uvicorn ends by raising SIGTERM
        again, which exits at once, and a process not yet told to stop was left running
        (seen under load)."""
        if self._process is not None:
            process, self._process = self._process, None
            await asyncio.to_thread(process.shutdown, wait=True, cancel_futures=True)

    def _record(self, found: list[dict[str, Any]], as_of: str) -> None:
        """Send the offers this process has not sent yet, in the background: advice is
        shown at once; recording it must not hold the screens up."""
        new = [data for data in found if data["advice_id"] not in self._offered]
        if self.spine is None or not new:
            return
        if len(self._offered) > OFFERS_REMEMBERED:
            self._offered.clear()  # the log de-duplicates what is sent again
        self._offered.update(data["advice_id"] for data in new)
        task = asyncio.create_task(self._send(self.spine, new, as_of))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, spine: Spine, found: list[dict[str, Any]], as_of: str) -> None:
        # Stamped with the picture's time the advice is of, not the server's clock: the
        # log's timeline is the events', and a replay must show the advice where it was.
        time = datetime.fromisoformat(as_of)
        for data in found:
            given = {k: v for k, v in data.items() if v is not None}
            event = cloud_event(data["advice_id"], RECOMMENDER, "advice.offered", time, given)
            try:
                outcome = await spine.command(event, timeout=10.0)
            except Exception:  # no bus, no sequencer: the advice still shows; not recorded
                logger.warning("advice %s not recorded", data["advice_id"], exc_info=True)
                return
            if outcome.verdict is Verdict.REJECTED:
                # The picture moved on (the call was answered, the unit left): nothing to keep.
                logger.debug("advice %s not recorded: %s", data["advice_id"], outcome.reason)

    async def for_incident(self, picture: Picture, incident: Incident) -> dict[str, Any]:
        situation = of_picture(picture)
        assert situation is not None and incident.target_at is not None
        call = Call(
            incident.incident_id,
            incident.reference,
            incident.grade.value,
            incident.category,
            incident.lat,
            incident.lon,
            incident.bcu,
            incident.created_at,
            incident.target_at,
        )
        answer = await asyncio.to_thread(for_call, self.context, situation, call)
        return answer | {"seq": picture.seq, "as_of": situation.now.isoformat()}

    async def what_if(self, situation: Situation, unit_id: str, **change: Any) -> dict[str, Any]:
        return await asyncio.to_thread(what_if, self.context, situation, unit_id, **change)


def follow_parent(parent: int) -> None:
    """In the recommender's process: end once the server that started it is gone. A server
    killed (kill -9, out of memory) tells its pool nothing, and the worker, waiting for
    work, would outlive it for good (found by tests/api/test_recommender_process.py)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


def open_call(picture: Picture, incident_id: str) -> Incident | str:
    """The incident if the recommender can rank units for it, else why not."""
    incident = picture.incidents.get(incident_id)
    if incident is None:
        return f"no incident {incident_id!r} in the live picture"
    if incident.status is IncidentStatus.CLOSED:
        return f"incident {incident.reference or incident_id} is closed"
    if incident.target_at is None:
        return f"a grade {incident.grade.value} incident has no attendance target to rank units by"
    return incident
