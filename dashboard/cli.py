"""The ``bluelamp`` command: each room contributes its own sub-commands; this assembles them."""

from __future__ import annotations

from typing import Annotated

import typer

from stream.settings import load_settings

app = typer.Typer(
    name="bluelamp",
    help="Bluelamp: a live operational picture of London for control rooms.",
    no_args_is_help=True,
    add_completion=False,
)

HostOption = Annotated[str | None, typer.Option(help="Address to listen on.")]
PortOption = Annotated[int | None, typer.Option(help="Port to listen on.")]


def _run(demo: bool, host: str | None, port: int | None) -> None:
    import uvicorn

    from dashboard.server import create_server

    overrides: dict[str, object] = {"demo": True} if demo else {}
    if host:
        overrides["host"] = host
    if port:
        overrides["port"] = port
    settings = load_settings(**overrides)
    server = create_server(settings)
    typer.echo(f"Bluelamp on http://{settings.host}:{settings.port}/")
    uvicorn.run(server, host=settings.host, port=settings.port, log_level="info")


@app.command()
def serve(host: HostOption = None, port: PortOption = None) -> None:
    """Run the product with the configuration in the environment (BLUELAMP_*, .env)."""
    _run(demo=False, host=host, port=port)


@app.command()
def demo(host: HostOption = None, port: PortOption = None) -> None:
    """Run it with demo settings on the embedded bus and database."""
    _run(demo=True, host=host, port=port)


def main() -> None:
    app()
