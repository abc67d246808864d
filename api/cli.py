"""The API room's ``bluelamp`` sub-commands (users, tokens, reports arrive with their issues).

``dashboard.cli`` merges this ``app`` into the top-level command, so a command defined here
(or a group added with ``app.add_typer(users, name="users")``) appears as ``bluelamp <name>``.
"""

from __future__ import annotations

import typer

app = typer.Typer(help="API administration.")
