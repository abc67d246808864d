"""A room's cli module as bluelamp.cli expects one (used by test_cli)."""

import typer

app = typer.Typer()


@app.command()
def hello(name: str) -> None:
    typer.echo(f"hello {name}")
