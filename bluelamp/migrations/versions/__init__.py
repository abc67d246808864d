"""The schema's revisions, oldest first: each file one step (Alembic finds them here)."""
