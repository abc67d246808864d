"""The `bluelamp` command: serve and demo, and the rooms' sub-commands merged in."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from bluelamp import cli
from tests.bluelamp import cli_contribution


def test_serve_and_demo_are_there_with_host_and_port() -> None:
    runner = CliRunner()
    top = runner.invoke(cli.create_cli(), ["--help"])
    assert top.exit_code == 0 and "serve" in top.output and "demo" in top.output
    for command in ("serve", "demo"):
        help_text = runner.invoke(cli.create_cli(), [command, "--help"]).output
        assert "--host" in help_text and "--port" in help_text


def test_a_rooms_commands_join_the_top_level(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "SUB_APPS", (cli_contribution.app,))
    result = CliRunner().invoke(cli.create_cli(), ["hello", "Met"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "hello Met"


def test_demo_runs_the_composed_server_in_demo_mode(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import uvicorn

    ran: dict[str, Any] = {}
    monkeypatch.setenv("BLUELAMP_DATABASE_URL", f"sqlite:///{tmp_path}/bluelamp.sqlite3")

    def run(server: uvicorn.Server, *args: Any) -> None:
        config = server.config
        ran.update(app=config.app, host=config.host, port=config.port, server=server)

    monkeypatch.setattr(uvicorn.Server, "run", run)
    result = CliRunner().invoke(cli.create_cli(), ["demo", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert ran["host"] == "127.0.0.1" and ran["port"] == 8123
    assert ran["app"].state.settings.demo is True
    assert ran["server"].config.timeout_graceful_shutdown == cli.SHUTDOWN_GRACE_S
