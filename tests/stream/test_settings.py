"""Settings: every variable documented in .env.example, defaults that work, bad values refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bluelamp.settings import Settings, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def _example_variables() -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    )
    return {name: value for name, value in pairs}


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    documented = set(_example_variables())
    fields = {f"BLUELAMP_{name.upper()}" for name in Settings.model_fields}
    assert documented == fields


def test_env_example_defaults_are_the_real_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLE.parent.parent)  # no stray .env from the working tree
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    for name, value in _example_variables().items():
        field = name.removeprefix("BLUELAMP_").lower()
        actual = getattr(defaults, field)
        shown = "" if actual is None else str(actual).lower()
        assert shown == value.lower(), f"{name}: .env.example says {value!r}, default {actual!r}"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLUELAMP_PORT", "9000")
    monkeypatch.setenv("BLUELAMP_REDIS_URL", "redis://127.0.0.1:6379/3")
    settings = load_settings()
    assert settings.port == 9000
    assert settings.redis_url == "redis://127.0.0.1:6379/3"


def test_bad_values_are_refused_with_the_field_named() -> None:
    with pytest.raises(ValidationError, match="redis_url"):
        load_settings(redis_url="kafka://nowhere")
    with pytest.raises(ValidationError, match="port"):
        load_settings(port=0)
