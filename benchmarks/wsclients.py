"""Many lightweight ``/ws`` clients in one process, for the control-room benchmark.

    python -m benchmarks.wsclients WS_URL CLIENTS OUT

Each client connects, reads its snapshot and then every frame. It parses nothing but the
``"seq":`` at a frame's start, and notes (seq, epoch ms) for each events frame, so the
process costs little beside the server. "ready" on stdout once every client has its
snapshot; on SIGTERM the notes go to OUT as JSON: per client, its frames,
and how it ended (``open``, or the close code and reason when the server dropped it).
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
import time
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

EVENTS_FRAME = re.compile(rb'^\{"type":"events","seq":(\d+)')


async def follow(ws: ClientConnection, frames: list[tuple[int, float]], ending: list[str]) -> None:
    try:
        async for message in ws:
            at = time.time() * 1000
            match = EVENTS_FRAME.match(message if isinstance(message, bytes) else message.encode())
            if match:
                frames.append((int(match.group(1)), at))
    except ConnectionClosed as exc:
        code, reason = (exc.rcvd.code, exc.rcvd.reason) if exc.rcvd else ("?", "")
        ending[0] = f"closed {code}: {reason}"


async def main(url: str, clients: int, out: str) -> None:
    sockets = []
    for _ in range(clients):
        ws = await connect(url, max_size=None, max_queue=None)
        await ws.recv(decode=False)  # the snapshot
        sockets.append(ws)
    notes: list[tuple[list[tuple[int, float]], list[str]]] = [([], ["open"]) for _ in sockets]
    tasks = [asyncio.create_task(follow(ws, *n)) for ws, n in zip(sockets, notes, strict=True)]
    print("ready", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    result: list[dict[str, Any]] = [{"frames": f, "ending": e[0]} for f, e in notes]
    with open(out, "w") as file:
        json.dump(result, file)
    for ws in sockets:
        await ws.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
