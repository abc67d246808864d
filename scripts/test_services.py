"""Make sure the services the test suite talks to are answering; start them when not.

``up`` checks Redis at BLUELAMP_REDIS_URL (default redis://127.0.0.1:6379/0) and PostgreSQL at
BLUELAMP_TEST_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test). A
service that does not answer on a local address is started as a throwaway process (installing
Debian's package with apt-get when it is missing) and recorded, so ``down`` stops exactly what
``up`` started and nothing else. Anything that cannot be made to answer is a loud failure
saying what to start: the suite never skips a test because a service is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

STATE = Path("var/test-services.json")
REDIS_URL = os.environ.get("BLUELAMP_REDIS_URL", "redis://127.0.0.1:6379/0")
PG_URL = os.environ.get(
    "BLUELAMP_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
LOCAL = {"127.0.0.1", "localhost", "::1", ""}


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "up"
    if command == "up":
        started = [s for s in (_redis_up(), _postgres_up()) if s]
        STATE.parent.mkdir(exist_ok=True)
        STATE.write_text(json.dumps(started))
        return 0
    if command == "down":
        _down()
        return 0
    print(f"usage: {sys.argv[0]} up|down", file=sys.stderr)
    return 2


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host or "127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _wait(host: str, port: int, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _answers(host, port):
            return
        time.sleep(0.2)
    _fail(f"{what} was started but does not answer on {host}:{port}")


def _fail(message: str) -> None:
    print(f"test services: {message}", file=sys.stderr)
    raise SystemExit(1)


def _apt_install(package: str) -> None:
    if os.geteuid() != 0:
        _fail(f"{package} is not installed and this is not root: install it, or start the service")
    print(f"test services: installing Debian's {package}", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", package], check=True, env=env, stdout=subprocess.DEVNULL
    )


def _redis_up() -> dict[str, str] | None:
    url = urlsplit(REDIS_URL)
    host, port = url.hostname or "127.0.0.1", url.port or 6379
    if _answers(host, port):
        print(f"test services: Redis answers at {host}:{port}")
        return None
    if host not in LOCAL:
        _fail(f"no Redis answers at {REDIS_URL}: start it, or point BLUELAMP_REDIS_URL at one")
    if not shutil.which("redis-server"):
        _apt_install("redis-server")
    workdir = tempfile.mkdtemp(prefix="bluelamp-redis-")
    pidfile = f"{workdir}/redis.pid"
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
            "--pidfile",
            pidfile,
            "--logfile",
            f"{workdir}/redis.log",
        ],
        check=True,
    )
    _wait(host, port, "Redis")
    print(f"test services: started a throwaway Redis on port {port}")
    return {"kind": "redis", "pidfile": pidfile, "dir": workdir}


def _pg_bin() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return versions[-1].parent if versions else None


def _postgres_up() -> dict[str, str] | None:
    url = urlsplit(PG_URL.replace("postgresql+psycopg", "postgresql"))
    host, port = url.hostname or "127.0.0.1", url.port or 5432
    database = url.path.lstrip("/") or "test"
    if _answers(host, port):
        print(f"test services: PostgreSQL answers at {host}:{port}")
        return None
    if host not in LOCAL:
        _fail(f"no PostgreSQL answers at {PG_URL}: start it, or set BLUELAMP_TEST_DATABASE_URL")
    if _pg_bin() is None:
        _apt_install("postgresql")
    bin_dir = _pg_bin()
    if bin_dir is None:
        _fail("PostgreSQL is installed but initdb was not found under /usr/lib/postgresql")
        return None
    # A throwaway cluster of our own (trust auth, no system config touched); initdb refuses
    # to run as root, so it runs as the postgres user Debian's package creates.
    data = tempfile.mkdtemp(prefix="bluelamp-pg-")
    shutil.chown(data, user="postgres")
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(
        [
            *as_pg,
            str(bin_dir / "initdb"),
            "-D",
            data,
            "-A",
            "trust",
            "-U",
            url.username or "postgres",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [
            *as_pg,
            str(bin_dir / "pg_ctl"),
            "-D",
            data,
            "-l",
            f"{data}/log",
            "-w",
            "-o",
            f"-p {port} -k {data} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    _wait(host, port, "PostgreSQL")
    subprocess.run(
        [
            *as_pg,
            str(bin_dir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            url.username or "postgres",
            database,
        ],
        check=True,
    )
    print(f"test services: started a throwaway PostgreSQL on port {port}")
    return {"kind": "postgres", "dir": data, "bin": str(bin_dir)}


def _down() -> None:
    if not STATE.exists():
        return
    for service in json.loads(STATE.read_text()):
        if service["kind"] == "redis":
            pid = Path(service["pidfile"])
            if pid.exists():
                subprocess.run(["kill", pid.read_text().strip()], check=False)
        elif service["kind"] == "postgres":
            as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
            subprocess.run(
                [*as_pg, f"{service['bin']}/pg_ctl", "-D", service["dir"], "-m", "fast", "stop"],
                check=False,
                stdout=subprocess.DEVNULL,
            )
        print(f"test services: stopped the {service['kind']} this run started")
    STATE.unlink()


if __name__ == "__main__":
    raise SystemExit(main())
