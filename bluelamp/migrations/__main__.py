"""``python -m bluelamp.migrations "what changes"``: a new revision in ``versions/``, written
by Alembic's autogenerate from the rooms' tables against a scratch SQLite database at head.
Read it and adjust it (data to move, both backends), then run tests/bluelamp/test_migrations.py.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from bluelamp.migrations import alembic_config, head, upgrade
from stream.engines import make_engine


def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'head.sqlite3'}"
        upgrade(url)
        engine = make_engine(url)
        with engine.connect() as conn:
            next_id = f"{int(head()) + 1:04d}"
            command.revision(alembic_config(conn), message, autogenerate=True, rev_id=next_id)
        engine.dispose()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit('usage: python -m bluelamp.migrations "what the revision changes"')
    main(sys.argv[1])
