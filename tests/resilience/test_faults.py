"""The drills' tools do what they say: a private Redis keeps its data across a restart only
with AOF, the proxy refuses, drops and passes again, the tmpfs fills up and frees."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import redis

from tests.resilience.faults import RedisServer, TcpProxy, Tmpfs

pytestmark = pytest.mark.redis


@pytest.mark.parametrize("appendonly", [False, True])
def test_a_private_redis_keeps_data_over_a_kill_only_with_aof(
    tmp_path: Path, appendonly: bool
) -> None:
    with RedisServer(tmp_path, appendonly=appendonly, appendfsync="always") as server:
        assert server.port != 6379
        client = redis.Redis.from_url(server.url)
        client.xadd("drill", {"k": "v"})
        server.restart(kill=True)
        assert client.xlen("drill") == (1 if appendonly else 0)
        client.close()


def _talks(port: int) -> bool:
    """A connection through the proxy to Redis answers PING."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_the_proxy_refuses_drops_and_passes_again(tmp_path: Path) -> None:
    with RedisServer(tmp_path) as server, TcpProxy("127.0.0.1", server.port) as proxy:
        assert _talks(proxy.port)
        proxy.refuse()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", proxy.port), timeout=2)
        proxy.drop()
        assert not _talks(proxy.port)
        proxy.resume()
        assert _talks(proxy.port)


def test_the_tmpfs_fills_and_frees(tmp_path: Path) -> None:
    with Tmpfs(tmp_path / "disk", size_mb=4) as disk:
        assert disk.available > 3_000_000
        assert disk.fill() > 3_000_000
        assert disk.available == 0
        with pytest.raises(OSError), (disk.path / "more").open("wb") as handle:
            handle.write(b"x" * 65536)
            handle.flush()
        disk.free()
        assert disk.available > 3_000_000
    assert not disk.path.is_mount()
