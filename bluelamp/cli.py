"""The ``bluelamp`` command: ``serve`` and ``demo``, and each room's own sub-commands.

A room contributes by defining ``app = typer.Typer()`` in its ``cli.py``; this module imports
it by name (so the import contracts see it) and merges its commands and groups into the top
level (``bluelamp users add ...``).
"""

from __future__ import annotations

from types import FrameType
from typing import Annotated

import typer

from api import cli as api_cli
from api.cli import settings_or_exit
from api.security import InsecureSettings
from bluelamp import db as db_cli
from bluelamp.settings import Settings
from stream import cli as stream_cli
from stream.sim import cli as sim_cli

#: Each room's sub-commands, merged into the top level in this order.
SUB_APPS: tuple[typer.Typer, ...] = (stream_cli.app, sim_cli.app, api_cli.app, db_cli.app)
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
    cli.command()(sequence)
    for sub_app in SUB_APPS:
        cli.add_typer(sub_app)
    return cli


def serve(host: HostOption = None, port: PortOption = None) -> None:
    """Run the product with the configuration in the environment (BLUELAMP_*, .env)."""
    _run(demo=False, host=host, port=port)


def demo(host: HostOption = None, port: PortOption = None) -> None:
    """Run it in demo mode on the embedded bus and database."""
    _run(demo=True, host=host, port=port)


def sequence() -> None:
    """Sequence the ingest stream in this process, beside servers run with
    BLUELAMP_SEQUENCE=false (docs/operations.md)."""
    from bluelamp.migrations import SchemaUnknown, ready
    from bluelamp.sequencing import NoSharedBus, run
    from stream.engines import SchemaBehind

    settings = settings_or_exit(Settings)
    try:
        ready(settings.database_url, settings.database_schema, migrate=settings.auto_migrate)
        typer.echo("Bluelamp's sequencer: taking the lease when it is free")
        run(settings)
    except (InsecureSettings, NoSharedBus, SchemaBehind, SchemaUnknown) as exc:
        typer.echo(f"The sequencer will not start: {exc}", err=True)
        raise typer.Exit(2) from None


def _run(demo: bool, host: str | None, port: int | None) -> None:
    import uvicorn  # here, so `bluelamp --help` stays quick

    from api.redaction import uvicorn_log_config
    from bluelamp.demo import DemoRefused, prepare
    from bluelamp.migrations import SchemaUnknown, ready
    from bluelamp.server import create_server
    from stream.engines import SchemaBehind

    overrides: dict[str, object] = {"demo": True} if demo else {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    settings = settings_or_exit(Settings, **overrides)
    try:
        if demo:
            settings = prepare(settings)
        ready(settings.database_url, settings.database_schema, migrate=settings.auto_migrate)
        server = create_server(settings)
    except (InsecureSettings, DemoRefused, SchemaBehind, SchemaUnknown) as exc:
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
        ws_per_message_deflate=settings.ws_compress,
        access_log=settings.access_log,
    )
    Serving(config).run()


def main() -> None:
    create_cli()()
