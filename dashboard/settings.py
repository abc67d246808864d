"""The screens' settings: the map's tiles and the time zone the screens show."""

from __future__ import annotations

from pydantic_settings import BaseSettings

from stream.settings import ENVIRONMENT


class ScreenSettings(BaseSettings):
    """What the dashboard reads (BLUELAMP_* variables)."""

    model_config = ENVIRONMENT

    # Map base layer. None = vector layers of London only (no tile server needed).
    tile_url: str | None = None
    tile_attribution: str = ""

    # What the screens show (data are always UTC).
    display_timezone: str = "Europe/London"
