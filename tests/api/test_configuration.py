"""Starting ``bluelamp serve``: the example configuration works as shipped, and a bad or
weak setting stops the server with a sentence saying what is needed (exit 2), never a
traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from api.security import secret_problem
from tests.live import TEST_SECRET, LiveServer

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_configuration_copied_verbatim_starts(tmp_path: Path) -> None:
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    server = LiveServer({}, tmp_path)
    # Only what LiveServer must set (port, its own database, a secret) comes from outside;
    # every other BLUELAMP_* setting, empty ones included, comes from the copied file.
    for name in ("BLUELAMP_REDIS_URL", "BLUELAMP_COOKIE_SECURE", "BLUELAMP_HOST"):
        del server.env[name]
    try:
        server.start()
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    finally:
        server.stop()
    assert "Traceback" not in server.log.read_text()


def _serve(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    bluelamp = Path(sys.executable).with_name("bluelamp")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BLUELAMP_")}
    return subprocess.run(
        [str(bluelamp), "serve"],
        cwd=tmp_path,
        env=clean
        | {"BLUELAMP_DATABASE_URL": f"sqlite:///{tmp_path}/b.sqlite3", "BLUELAMP_PORT": "1"}
        | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


WEAK = {
    "32 spaces": " " * 32,
    "changeme x4": "changeme" * 4,
    "a known default, padded": "changeme-changeme-changeme-changeme",
    "one repeated character": "a" * 48,
    "a short pattern repeated": "abc123" * 8,
    "too short": "Xk3#pQ9z",
    "low variety": "abababababababababababababababbbaaab",
    "inner whitespace": TEST_SECRET[:20] + " " + TEST_SECRET[20:],
}


@pytest.mark.parametrize("name", sorted(WEAK))
def test_a_weak_secret_is_refused_with_what_is_needed(name: str) -> None:
    problem = secret_problem(WEAK[name])
    assert problem is not None and "BLUELAMP_SECRET_KEY" in problem


def test_good_secrets_pass() -> None:
    import secrets

    for _ in range(50):
        assert secret_problem(secrets.token_urlsafe(48)) is None
        assert secret_problem(secrets.token_hex(32)) is None


@pytest.mark.parametrize("secret", [" " * 32, "changeme" * 4])
def test_serve_with_a_weak_secret_exits_2_saying_why(tmp_path: Path, secret: str) -> None:
    done = _serve(tmp_path, BLUELAMP_SECRET_KEY=secret)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "BLUELAMP_SECRET_KEY" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"BLUELAMP_PORT": "eighty"}, "BLUELAMP_PORT"),
        ({"BLUELAMP_REDIS_URL": "kafka://nowhere"}, "BLUELAMP_REDIS_URL"),
        ({"BLUELAMP_DATABASE_SCHEMA": "no spaces please"}, "BLUELAMP_DATABASE_SCHEMA"),
        ({"BLUELAMP_ALLOWED_ORIGINS": "not json"}, "BLUELAMP_ALLOWED_ORIGINS"),
    ],
)
def test_serve_with_a_bad_setting_exits_2_naming_it(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    done = _serve(tmp_path, BLUELAMP_SECRET_KEY=TEST_SECRET, **env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert named in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
