"""Bluelamp's settings as a server reads them: every room's, and where the server listens.

Each room declares its own settings and reads only those; ``Settings`` is all of them at
once, one environment (``BLUELAMP_*``, ``.env``), and what the composition root itself needs
(host, port, the demo's passwords). ``.env.example`` lists every variable.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr

from api.settings import ApiSettings
from dashboard.settings import ScreenSettings


class Settings(ApiSettings, ScreenSettings):
    """Every setting: the spine's, the API's, the screens', and the server's own."""

    # Where it listens.
    host: str = "127.0.0.1"
    port: int = Field(8050, ge=1, le=65535)
    # Upgrade the database's schema at start (bluelamp.migrations). Off: migrating is a
    # separate step (`bluelamp db upgrade`), and a server refuses to start on an older schema.
    auto_migrate: bool = True
    # The demo users' password (None: generated at each start and printed).
    demo_password: SecretStr | None = None


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment (and ``.env``), with explicit overrides on top."""
    return Settings(**overrides)
