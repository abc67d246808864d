"""The live feed's clock for the benchmarks: until every WebSocket client has the last message.

It times Bluelamp's ``/ws`` and, as the baseline, a bare ``websockets`` broadcast of the same
frames.
"""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

from benchmarks.harness import free_port

SEQ = re.compile(rb'"seq":(\d+)')


async def fan_out(
    ws_url: str,
    clients: int,
    last_seq: Callable[[], Awaitable[int]],
    send: Callable[[list[Any]], Awaitable[None]],
) -> tuple[float, float]:
    """Seconds from ``send(sockets)`` until every client has received up to the seq it ends
    at, and how much of that came after ``send`` returned (every event accepted and logged):
    the fan-out's own trail behind the sequencer."""
    sockets = [await connect(ws_url, max_size=None) for _ in range(clients)]
    for ws in sockets:
        await ws.recv(decode=False)  # the snapshot (or the baseline's hello)
    done = asyncio.Event()
    target: list[int] = []

    seen = [0] * clients  # the highest seq each client has received

    def check() -> None:
        if target and all(s >= target[0] for s in seen):
            done.set()

    async def receive(i: int, ws: Any) -> None:
        while True:
            match = SEQ.search(await ws.recv(decode=False), 0, 64)
            if match:
                seen[i] = max(seen[i], int(match.group(1)))
                check()

    readers = [asyncio.create_task(receive(i, ws)) for i, ws in enumerate(sockets)]
    t0 = time.perf_counter()
    await send(sockets)
    target.append(await last_seq())
    check()  # the last frames may have arrived before the target was known
    sent = time.perf_counter()
    await asyncio.wait_for(done.wait(), 300)
    elapsed = time.perf_counter() - t0
    for task in readers:
        task.cancel()
    for ws in sockets:
        await ws.close()
    return elapsed, time.perf_counter() - sent


BARE_SERVER = textwrap.dedent(
    """
    import asyncio, sys
    from websockets.asyncio.server import broadcast, serve
    port, clients, frames_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    frames = open(frames_path).read().split("\\n")
    connected = set()
    async def handler(ws):
        connected.add(ws)
        await ws.send('{"type":"hello"}')
        if len(connected) == clients:
            await ws.recv()  # the go signal, from the last client
            for frame in frames:
                broadcast(connected, frame)
                await asyncio.sleep(0)
        await ws.wait_closed()
    async def main():
        async with serve(handler, "127.0.0.1", port, max_size=None):
            await asyncio.Future()
    asyncio.run(main())
    """
)


async def bare_fan_out(frames: list[str], clients: int, workdir: Path) -> float:
    """The same frames broadcast by a bare websockets server to the same number of clients."""
    port = free_port()
    path = workdir / "frames.txt"
    path.write_text("\n".join(frames))
    server = subprocess.Popen(
        [sys.executable, "-c", BARE_SERVER, str(port), str(clients), str(path)]
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                await asyncio.sleep(0.1)
        last = int(SEQ.search(frames[-1].encode(), 0, 64).group(1))  # type: ignore[union-attr]

        async def last_seq() -> int:
            return last

        async def go(sockets: list[Any]) -> None:
            await sockets[-1].send("go")  # the server waits for it from the last client

        elapsed, _ = await fan_out(f"ws://127.0.0.1:{port}", clients, last_seq, go)
        return elapsed
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
