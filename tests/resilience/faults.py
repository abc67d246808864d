"""Faults a drill can inject and take back, each cleaned up by the test that made it.

Nothing here touches the shared Redis or PostgreSQL: a drill that restarts Redis starts its
own ``redis-server``; a drill that makes PostgreSQL refuse puts a :class:`TcpProxy` it
controls between the server under test and PostgreSQL, and refuses there.

    with RedisServer(tmp_path / "redis") as redis_server:     # a private redis-server
        redis_server.url                                     # redis://127.0.0.1:<port>/0
        redis_server.restart(down_s=2)                       # stop (SIGTERM), wait, start
        redis_server.stop(kill=True); redis_server.start()   # or by hand, kill -9

    with TcpProxy("127.0.0.1", 5432) as proxy:               # to the shared PostgreSQL
        url = f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/test"
        proxy.refuse()   # open connections reset, new ones refused (nothing listens)
        proxy.drop()     # new connections accepted, then closed at once; open ones reset
        proxy.resume()   # pass traffic again

    with Tmpfs(tmp_path / "disk", size_mb=32) as disk:       # a small file system (root)
        disk.fill()                                          # until ENOSPC
        disk.free()                                          # give the space back

A :class:`RedisServer` keeps nothing on disk unless ``appendonly=True`` (AOF with the given
``appendfsync``): a restart without it loses every key, as a production Redis without
persistence would.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Literal, Self, TypeVar

from tests.live import free_port

__all__ = ["RedisServer", "TcpProxy", "Tmpfs", "free_port", "wait_until"]

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T | None],
    timeout: float,
    what: str,
    every: float = 0.1,
    *,
    retry_on: tuple[type[Exception], ...] = (Exception,),
) -> T:
    """Poll ``condition()`` until it answers something true, and return that answer;
    AssertionError naming ``what`` after ``timeout`` seconds. An exception of ``retry_on``
    counts as not met yet (any, by default: a condition that cannot be read yet); any other
    fails at once. Drills wait on conditions with generous deadlines, never sleep."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            answer = condition()
        except retry_on as exc:
            last = exc
        else:
            if answer:
                return answer
            last = answer
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout:g} s (last: {last!r:.500})")


class _Managed:
    """Context-manager plumbing: ``start()`` on entry, ``close()`` on exit, always."""

    def start(self) -> Self:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


# -- Redis ----------------------------------------------------------------------------------


class RedisServer(_Managed):
    """A private ``redis-server`` on a free port, with its data in ``directory``."""

    def __init__(
        self,
        directory: Path,
        *,
        appendonly: bool = False,
        appendfsync: Literal["always", "everysec", "no"] = "everysec",
        port: int | None = None,
    ) -> None:
        self.directory = directory
        self.appendonly = appendonly
        self.appendfsync = appendfsync
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = directory / "redis.log"
        self._process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        persistence = ["--appendonly", "yes", "--appendfsync", self.appendfsync]
        return [
            binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            *(persistence if self.appendonly else ["--appendonly", "no"]),
            "--dir", str(self.directory),
            "--logfile", str(self.log),
        ]  # fmt: skip

    def start(self, timeout: float = 20) -> Self:
        """Start it and wait until it answers PING."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL)
        wait_until(self.answers, timeout, f"redis-server on port {self.port} answering")
        return self

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self, kill: bool = False) -> None:
        """SIGTERM (Redis writes nothing without persistence) or SIGKILL; waits for exit."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def restart(self, down_s: float = 0.0, kill: bool = False) -> None:
        """Stop, stay down ``down_s`` seconds, start again on the same port."""
        self.stop(kill=kill)
        time.sleep(down_s)  # the outage itself is what is being timed here
        self.start()

    def close(self) -> None:
        self.stop(kill=True)


# -- a TCP proxy ----------------------------------------------------------------------------

Mode = Literal["pass", "refuse", "drop"]


class TcpProxy(_Managed):
    """Forwards 127.0.0.1:``port`` to ``target``; a drill switches what it does.

    ``pass``: forward both ways. ``refuse``: reset the open connections and stop listening,
    so a new connection is refused (ECONNREFUSED), as from a server that is down.
    ``drop``: reset the open connections; new ones are accepted and closed at once, as from
    a server that accepts and then fails. Threads, not asyncio: a drill's test code is
    synchronous and the proxy must keep running while the test waits.
    """

    def __init__(self, target_host: str, target_port: int, port: int | None = None) -> None:
        self.target = (target_host, target_port)
        self.port = port or free_port()
        self.mode: Mode = "pass"
        self.connections = 0  # accepted since start, for a drill to see it was used
        self._listener: socket.socket | None = None
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        self._stopped.clear()
        self._listen()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True, name="tcp-proxy")
        self._thread.start()
        return self

    def refuse(self) -> None:
        self.mode = "refuse"
        self._reset_all()
        self._unlisten()

    def drop(self) -> None:
        if self._listener is None:
            self._listen()
        self.mode = "drop"
        self._reset_all()

    def resume(self) -> None:
        if self._listener is None:
            self._listen()
        self.mode = "pass"

    def close(self) -> None:
        self._stopped.set()
        self._reset_all()
        self._unlisten()
        if self._thread is not None:
            self._thread.join(5)

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.settimeout(0.1)
        self._listener = listener

    def _unlisten(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown first: a close alone leaves the port listening until the accept
            # thread's blocked call returns, and a connection made meanwhile would succeed.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            listener = self._listener
            if listener is None:
                time.sleep(0.05)
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            if self.mode != "pass":
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                continue
            pair = (client, upstream)
            with self._lock:
                self._pairs.add(pair)
            threading.Thread(target=self._pump, args=(pair,), daemon=True).start()

    def _pump(self, pair: tuple[socket.socket, socket.socket]) -> None:
        client, upstream = pair
        peers = {client: upstream, upstream: client}
        try:
            for sock in pair:
                sock.settimeout(None)
            while not self._stopped.is_set():
                readable, _, _ = select.select(list(peers), [], [], 0.2)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except (OSError, ValueError):  # reset by refuse()/drop() from another thread
            return
        finally:
            with self._lock:
                self._pairs.discard(pair)
            for sock in pair:
                _reset(sock)

    def _reset_all(self) -> None:
        with self._lock:
            pairs, self._pairs = list(self._pairs), set()
        for pair in pairs:
            for sock in pair:
                _reset(sock)


def _reset(sock: socket.socket) -> None:
    """Close with a RST (SO_LINGER 0): the peer sees the connection reset, not a clean end."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    with contextlib.suppress(OSError):
        sock.close()


# -- a small file system --------------------------------------------------------------------


class Tmpfs(_Managed):
    """A tmpfs of ``size_mb`` mounted at ``path`` (needs root); unmounted on close."""

    def __init__(self, path: Path, size_mb: int = 32) -> None:
        self.path = path
        self.size_mb = size_mb
        self.filler = path / "filler"
        self._mounted = False

    def start(self) -> Self:
        if os.geteuid() != 0:
            raise PermissionError("mounting a tmpfs needs root (the CI container runs as root)")
        self.path.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "mount",
                "-t",
                "tmpfs",
                "-o",
                f"size={self.size_mb}m,mode=0755",
                "tmpfs",
                str(self.path),
            ],
            check=True,
        )
        self._mounted = True
        return self

    def fill(self) -> int:
        """Write a file until the file system is full; the bytes written."""
        written = 0
        chunk = b"\0" * 65536
        with self.filler.open("ab", buffering=0) as handle:
            while True:
                try:
                    written += handle.write(chunk)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
        # The last partial block too: nothing is left for anyone.
        with contextlib.suppress(OSError), self.filler.open("ab", buffering=0) as handle:
            while handle.write(b"\0" * 512):
                written += 512
        return written

    @property
    def available(self) -> int:
        stats = os.statvfs(self.path)
        return stats.f_bavail * stats.f_frsize

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def close(self) -> None:
        if self._mounted:
            for _ in range(50):
                if subprocess.run(["umount", str(self.path)], check=False).returncode == 0:
                    break
                time.sleep(0.1)  # a process still has a file open there: it is stopping
            else:
                subprocess.run(["umount", "-l", str(self.path)], check=False)
            self._mounted = False
