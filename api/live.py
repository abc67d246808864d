"""The live feed: ``GET /ws?since=<seq>`` (a WebSocket).

Frames, all JSON text:

    {"type": "snapshot", "seq": N, "picture": {...}}          first, unless resuming
    {"type": "events", "seq": M, "events": [{"seq", "event", "borough", "bcu"}, ...]}
    {"type": "advice", "seq": M, "advice": {...}}             advice that fell due after
                                                               the last events frame
    {"type": "heartbeat", "seq": M, "time": "...Z"}            after a quiet spell
    {"type": "status", "ok": false, "reason": "..."}          the feed is held up (or
                                                               current again: ok true)
    {"type": "error", "code": "...", "reason": "..."}          then the server closes

A client resuming with ``since`` gets exactly the events after it, from the log, when it is
no further behind than ``ws_replay_limit``; otherwise (or with no ``since``) a snapshot
first. Events are coalesced: a frame goes out at once when the feed is quiet and at most
every ``ws_frame_ms`` under load (measured: one message per event loses or backlogs in
the browser). A client that cannot keep up is told and dropped without slowing anyone else.

Close codes: 4400 bad request, 4401 no valid credential (also sent, after an error frame
saying why, when the token expires, the user is disabled or the session is signed out while
the socket is open), 4403 role, 4408 too slow,
1013 server not ready, 1008 origin refused (before the handshake completes).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from asyncio import FIRST_COMPLETED
from datetime import UTC, datetime
from urllib.parse import urlsplit

import orjson
from fastapi import APIRouter, HTTPException, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from api.audit import AuditOutcome
from api.deps import audit_request, refuse, resolve, session_ended
from api.feedstatus import FeedStatus
from api.picturecache import Variant
from api.security import VIEWERS, Principal, Role
from api.services import EVERY_CALL, NO_CALL, Services
from api.views import touched_json
from stream.events import Recorded
from stream.fanout import SubscriberTooSlow, Subscription
from stream.picture import Picture

router = APIRouter()
MAX_FRAME_EVENTS = 5_000
PICTURE_WAIT_S = 1.0  # for this process's picture to catch up with a frame's events
SINCE = re.compile(r"[0-9]{1,19}")
# How often an open socket asks whether its session still holds (user enabled, not signed
# out); with the services' few-second cache a disabled user's socket closes within ~7 s.
SESSION_CHECK_S = 2.0


@router.websocket("/ws", name="live")
async def live(websocket: WebSocket) -> None:
    services: Services | None = getattr(websocket.app.state, "services", None)
    if services is None:
        await websocket.close(1013, "starting")
        return
    if not _origin_allowed(websocket, services.settings.allowed_origins):
        origin = websocket.headers.get("origin", "")[:200]
        reason = f"a page from {origin} may not open the live feed"
        await refuse(websocket, services, None, reason, action="live", target="/ws")
        await websocket.close(1008, "origin not allowed")  # refused in the handshake: 403
        return
    await websocket.accept()
    who = await _admit(websocket, services)
    if who is None:
        return
    since = websocket.query_params.get("since")
    # ASCII digits only: str.isdigit() accepts "²" and "١٢", which int() then refuses or
    # reads differently; 19 digits is beyond any seq (and int() refuses 4,300 and more).
    if since is not None and not SINCE.fullmatch(since):
        await _fail(
            websocket, 4400, "bad_request", "since must be a seq: 1 to 19 digits 0-9, e.g. since=42"
        )
        return
    services.metrics.ws_clients.inc()
    try:
        await _serve(websocket, services, who, None if since is None else int(since))
    finally:
        services.metrics.ws_clients.dec()


async def _admit(websocket: WebSocket, services: Services) -> Principal | None:
    header = websocket.headers.get("authorization", "")
    bearer = header[7:].strip() if header.lower().startswith("bearer ") else None
    try:
        who = await resolve(websocket, services, bearer)
    except HTTPException as exc:
        await _fail(websocket, 4401, "unauthorized", str(exc.detail))
        return None
    if who.role not in VIEWERS:
        reason = (
            f"the live feed needs a commander, inspector, planner or wall; {who.name} is a feed"
        )
        await refuse(websocket, services, who, reason, action="live", target="/ws")
        await _fail(websocket, 4403, "forbidden", reason)
        return None
    return who


def _origin_allowed(websocket: WebSocket, allowed: list[str]) -> bool:
    """Browsers send Origin; a page from another site must not ride a user's cookie here.
    Non-browser clients send none and authenticate with a token."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    if origin in allowed:
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host")


def audience_of(who: Principal) -> str:
    """Which waiting calls' rankings the live advice carries to ``who``: a commander's
    screens every call's, an inspector's desk its own BCU's, the wall and planners none
    (their screens show the recommender's move-ups, breaches and cover, not rankings; any
    call's are at GET /api/incidents/{id}/recommendations)."""
    if who.role is Role.COMMANDER:
        return EVERY_CALL
    if who.role is Role.INSPECTOR and who.bcu:
        return who.bcu
    return NO_CALL


async def _serve(
    websocket: WebSocket, services: Services, who: Principal, since: int | None
) -> None:
    spine, settings = services.spine, services.settings
    picture = spine.picture
    snapshot: bytes | None = None
    if since is None or since > picture.seq or picture.seq - since > settings.ws_replay_limit:
        # Made and subscribed with no await between: nothing can slip past the snapshot.
        since = picture.seq
        snapshot = _snapshot(services, picture, audience_of(who))
    async with spine.subscribe(since=since) as subscription:
        reader = asyncio.create_task(_drain(websocket))
        sender = asyncio.create_task(
            _send(websocket, services, subscription, since, snapshot, audience_of(who))
        )
        watcher = asyncio.create_task(_watch_session(services, who))
        tasks: tuple[asyncio.Task[object], ...] = (reader, sender, watcher)
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        for task in done:
            if (exc := task.exception()) is not None and not isinstance(exc, WebSocketDisconnect):
                await _dropped(websocket, services, exc)
            elif task is watcher:
                await _session_ended(websocket, services, who, watcher.result())


def _snapshot(services: Services, picture: Picture, audience: str) -> bytes:
    """The snapshot frame: the picture's document, shared with every socket and request at
    this seq (api.picturecache), and the advice as this socket's audience has it."""
    document = services.pictures.of(picture, Variant(hexes=True))
    advice = services.advice_json(services.advisor.current(picture), audience)
    head = b'{"type":"snapshot","seq":%d,"picture":' % picture.seq
    return head + document.body + b',"advice":' + advice.encode() + b"}"


async def _send(
    websocket: WebSocket,
    services: Services,
    subscription: Subscription,
    seq: int,
    snapshot: bytes | None,
    audience: str,
) -> None:
    """Each turn: a change of the feed status goes out at once; then whatever falls due
    first: a waiting record's frame (coalesced: ``ws_frame_ms`` after the last frame), else
    advice that fell due, else a heartbeat (``ws_heartbeat_s`` after the last frame of any
    kind). Until then, a record or a change of status starts a new turn."""
    settings = services.settings
    loop = asyncio.get_running_loop()
    frame_s, quiet_s = settings.ws_frame_ms / 1000, settings.ws_heartbeat_s
    send_s = settings.ws_send_timeout_s
    if snapshot is not None:
        await _send_bytes(websocket, snapshot, send_s)
    last_sent = -frame_s  # the last frame of events, advice or heartbeat: the first goes at once
    spoke = loop.time()  # the last frame of any kind
    advised = services.advisor.version
    status, told = services.feed, 0  # the feed status version this socket has had
    upcoming: asyncio.Task[Recorded] | None = None
    try:
        while True:
            if status.version != told:
                told = status.version
                await _send_bytes(websocket, status.frame(), send_s)
                spoke = loop.time()
            # Frames fall due on one clock for every socket (multiples of frame_s), so the
            # sockets in step take the same records at the same tick and share their frame.
            tick_after = (last_sent // frame_s + 1) * frame_s
            if upcoming is None and subscription.has_ready():
                # Under load a record always waits: sleep to the next tick and send, with
                # no task or asyncio.wait per socket per frame (200 sockets, 20 frames/s).
                if (pause := tick_after - loop.time()) > 0:
                    await asyncio.sleep(pause)
                if status.version == told and (ready := subscription.ready(1)):
                    seq, advised = await _send_events(
                        websocket, services, subscription, ready[0], (advised, audience)
                    )
                    last_sent = spoke = loop.time()
                    continue
            upcoming = upcoming or asyncio.ensure_future(anext(subscription))
            now = loop.time()
            heartbeat_at, advice_at = spoke + quiet_s, now + _advice_due_in(services, advised, seq)
            # A record's frame carries the advice: while one waits, only its flush is due.
            due = tick_after if upcoming.done() else min(heartbeat_at, advice_at)
            if due > now:
                await _record_or_news(upcoming, status, due - now)
                continue
            if upcoming.done():
                first, upcoming = upcoming.result(), None
                seq, advised = await _send_events(
                    websocket, services, subscription, first, (advised, audience)
                )
            elif advice_at <= heartbeat_at:
                advised = await _send_advice(websocket, services, seq, (advised, audience))
            else:
                await _heartbeat(websocket, seq, send_s)
            last_sent = spoke = loop.time()
    finally:
        if upcoming is not None:
            upcoming.cancel()


async def _record_or_news(
    upcoming: asyncio.Task[Recorded], status: FeedStatus, timeout: float
) -> None:
    """Wait up to ``timeout`` for the next record (unless it is here already) or a change of
    the feed status. The record's task is left running, so nothing is lost by waiting."""
    changed = asyncio.ensure_future(status.changed())
    waiting = {changed} if upcoming.done() else {upcoming, changed}
    try:
        await asyncio.wait(waiting, timeout=timeout, return_when=FIRST_COMPLETED)
    finally:
        changed.cancel()


def _advice_due_in(services: Services, advised: int, seq: int) -> float:
    """Seconds until a socket that has had events up to ``seq`` and advice version
    ``advised`` is owed newer advice (inf: not owed, or the next events frame brings it).
    Advice is recomputed at most once a second, so the events frame that changed the picture
    may have carried the advice from before it; once due, it goes on its own."""
    advisor = services.advisor
    if advisor.seq > seq:
        return float("inf")  # of events this socket has yet to get: their frame carries it
    if advisor.version != advised:
        return 0.0
    due = advisor.due_in(services.spine.picture)
    return float("inf") if due is None else due


async def _send_advice(
    websocket: WebSocket, services: Services, seq: int, advised: tuple[int, str]
) -> int:
    """An advice frame if the advice changed since the version this socket has (its
    audience's cut: ``advised``); the version sent."""
    version_had, audience = advised
    advice = services.advisor.current(services.spine.picture)
    version = int(advice.get("version", version_had))
    if version != version_had:
        text = services.advice_json(advice, audience)
        frame = f'{{"type":"advice","seq":{seq},"advice":{text}}}'
        await _send_bytes(websocket, frame, services.settings.ws_send_timeout_s)
    return version


async def _heartbeat(websocket: WebSocket, seq: int, send_s: float) -> None:
    time = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    frame = orjson.dumps({"type": "heartbeat", "seq": seq, "time": time})
    await _send_bytes(websocket, frame, send_s)


async def _send_events(
    websocket: WebSocket,
    services: Services,
    subscription: Subscription,
    first: Recorded,
    advised: tuple[int, str],
) -> tuple[int, int]:
    """One events frame from ``first`` and what else is ready; (its seq, the advice version
    sent). ``advised``: the advice version the socket has, and its audience."""
    now = asyncio.get_running_loop().time()
    upto = max(first.seq, services.frames.upto(now, services.spine.hub.last_seq))
    end = services.frames.chunk_end(first.seq, upto)
    batch = [first, *subscription.ready(MAX_FRAME_EVENTS - 1, end)]
    frame, version = await _events_frame(services, batch, advised)
    await _send_bytes(websocket, frame, services.settings.ws_send_timeout_s)
    return batch[-1].seq, version


async def _events_frame(
    services: Services, batch: list[Recorded], advised: tuple[int, str]
) -> tuple[str, int]:
    """An events frame: the events, the current state of everything they touched (so a
    screen upserts rather than re-folds), the KPIs, and the advice when it has changed since
    this socket last had it. Sockets in step get the same records: the frame's body is made
    once per range of seqs and shared."""
    first, last = batch[0].seq, batch[-1].seq
    body = services.frames.body(first, last)
    if body is None:
        # This process's picture applies the batch any moment; past the wait, the frame
        # goes out with the picture as it is.
        with contextlib.suppress(TimeoutError):
            await services.spine.wait_for_seq(last, PICTURE_WAIT_S)
        picture = services.spine.picture
        events = ",".join(services.live_messages.text(r) for r in batch)
        state = touched_json(picture, batch, services.unit_texts, services.london.hex_of)
        kpis = services.kpis_json(picture).decode()
        body = f'{{"type":"events","seq":{last},"events":[{events}],"state":{state},"kpis":{kpis}'
        services.frames.keep(first, last, body)
    version_had, audience = advised
    advice = services.advisor.current(services.spine.picture)
    if advice.get("version", version_had) != version_had:
        text = services.advice_json(advice, audience)
        return body + ',"advice":' + text + "}", advice["version"]
    return body + "}", version_had


async def _send_bytes(websocket: WebSocket, frame: bytes | str, timeout: float) -> None:
    text = frame.decode() if isinstance(frame, bytes) else frame
    try:
        async with asyncio.timeout(timeout):  # no task per send, as wait_for makes
            await websocket.send_text(text)
    except TimeoutError:
        raise SubscriberTooSlow(f"a frame was not taken within {timeout:g} s") from None


async def _watch_session(services: Services, who: Principal) -> str:
    """Returns, with the reason, when the socket's credential stops being valid: at the
    token's expiry, or within seconds of its user being disabled or its session signed out."""
    while (ended := await session_ended(services, who)) is None:
        wait = SESSION_CHECK_S
        if who.expires is not None:
            wait = min(wait, max(0.0, who.expires - time.time()))
        await asyncio.sleep(wait)
    return ended


async def _session_ended(
    websocket: WebSocket, services: Services, who: Principal, reason: str
) -> None:
    services.metrics.ws_dropped.labels("session_ended").inc()
    await audit_request(
        websocket,
        services,
        "live",
        AuditOutcome.DENIED,
        401,
        who,
        target="/ws",
        detail={"reason": reason},
    )
    await _fail(websocket, 4401, "unauthorized", reason)


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, so a close is noticed at once."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


async def _dropped(websocket: WebSocket, services: Services, exc: BaseException) -> None:
    if isinstance(exc, SubscriberTooSlow):
        services.metrics.ws_dropped.labels("too_slow").inc()
        await _fail(websocket, 4408, "too_slow", f"{exc}; reconnect with since=<last seq>")
    else:
        services.metrics.ws_dropped.labels("error").inc()
        await _fail(websocket, 1011, "server_error", f"{type(exc).__name__}: {exc}")


async def _fail(websocket: WebSocket, code: int, name: str, reason: str) -> None:
    if websocket.client_state is not WebSocketState.CONNECTED:
        return
    with contextlib.suppress(Exception):
        await asyncio.wait_for(
            websocket.send_text(
                orjson.dumps({"type": "error", "code": name, "reason": reason}).decode()
            ),
            2,
        )
        await asyncio.wait_for(websocket.close(code, reason[:120]), 2)
