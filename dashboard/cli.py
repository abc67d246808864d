"""The ``bluelamp`` command: each room contributes its own sub-commands; this assembles them.

A room contributes by defining ``app = typer.Typer()`` in ``<room>/cli.py``; its commands and
groups are merged into the top level (``bluelamp users add ...``). A missing module is
skipped (the room has no commands yet); one that fails to import fails loudly.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import FrameType
from typing import Annotated

import typer

from api.cli import settings_or_exit
from api.security import InsecureSettings

SUB_APPS = ("stream.cli", "stream.sim.cli", "api.cli")
#: On SIGTERM, requests still running after this long are cancelled (uvicorn waits for them
#: otherwise, however long a report takes).
SHUTDOWN_GRACE_S = 10

HostOption = Annotated[str | None, typer.Option(help="Address to listen on [default: 127.0.0.1].")]
PortOption = Annotated[int | None, typer.Option(help="Port to listen on [default: 8050].")]


def create_cli() -> typer.Typer:
    cli = typer.Typer(
        name="bluelamp",
        help="Bluelamp: a live operational picture of London for police control rooms.",
        no_args_is_help=True,
        add_completion=False,
    )
    cli.command()(serve)
    cli.command()(demo)
    for module_name in SUB_APPS:
        if importlib.util.find_spec(module_name) is None:
            continue
        sub_app = getattr(importlib.import_module(module_name), "app", None)
        if not isinstance(sub_app, typer.Typer):
            raise TypeError(f"{module_name} must define `app = typer.Typer()` for bluelamp")
        cli.add_typer(sub_app)
    return cli


def serve(host: HostOption = None, port: PortOption = None) -> None:
    """Run the product with the configuration in the environment (BLUELAMP_*, .env)."""
    _run(demo=False, host=host, port=port)


def demo(host: HostOption = None, port: PortOption = None) -> None:
    """Run it in demo mode on the embedded bus and database."""
    _run(demo=True, host=host, port=port)


def _run(demo: bool, host: str | None, port: int | None) -> None:
    import uvicorn  # here, so `bluelamp --help` stays quick

    from api.redaction import uvicorn_log_config
    from dashboard.server import create_server

    overrides: dict[str, object] = {"demo": True} if demo else {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    settings = settings_or_exit(**overrides)
    from api.demo import DemoRefused, prepare

    try:
        if demo:
            settings = prepare(settings)
        server = create_server(settings)
    except (InsecureSettings, DemoRefused) as exc:
        typer.echo(f"Bluelamp will not start: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Bluelamp on http://{settings.host}:{settings.port}/")

    class Serving(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            super().handle_exit(sig, frame)
            # Long work in worker threads (a report's catch-up of the read model) would hold
            # the shutdown until it ended: tell it to stop now, not after the requests.
            services = getattr(server.state, "services", None)
            if services is not None:
                services.read_model.stop()

    # Request lines (and our own log lines) pass through a filter that hides tokens.
    config = uvicorn.Config(
        server,
        host=settings.host,
        port=settings.port,
        log_level="info",
        log_config=uvicorn_log_config(),
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
    )
    Serving(config).run()


def main() -> None:
    create_cli()()
