"""Decision support's response models are held to the recommender's records: as they stand
they hold, and a record that gains a field or changes a type stops the server at start
(the check runs when api.schemas.decisions is imported, as the app does)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import fields, make_dataclass
from typing import get_type_hints

import pytest

from api.schemas import decisions as schemas
from api.schemas.mirror import mirror
from stream.recommend import assign, moves

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _drifted(record: type, **change: type) -> type:
    """``record`` with the fields' types changed or new fields added at the end."""
    hints = get_type_hints(record)
    names = [f.name for f in fields(record)]
    kept = [(n, change.pop(n, hints[n])) for n in names]
    return make_dataclass(record.__name__, kept + list(change.items()))


def test_the_suggestion_and_the_move_models_list_the_recommender_s_fields() -> None:
    mirror(schemas.Suggestion, assign.Suggestion, _names(assign.Suggestion), ("advice_id",))
    mirror(schemas.Move, moves.Move, _names(moves.Move), ("advice_id",))
    gained = _drifted(assign.Suggestion, busy_with=str)
    with pytest.raises(TypeError, match="busy_with"):
        mirror(schemas.Suggestion, gained, _names(gained), ("advice_id",))
    retyped = _drifted(moves.Move, drive_s=float)
    with pytest.raises(TypeError, match=r"Move\.drive_s is"):
        mirror(schemas.Move, retyped, _names(retyped), ("advice_id",))


def test_a_drift_stops_the_server_from_starting() -> None:
    """The app imports api.schemas.decisions: with a drifted record that import fails."""
    drift = (
        "from dataclasses import fields, make_dataclass\n"
        "from typing import get_type_hints\n"
        "from stream.recommend import assign\n"
        "hints = get_type_hints(assign.Suggestion)\n"
        "kept = [(f.name, hints[f.name]) for f in fields(assign.Suggestion)]\n"
        "assign.Suggestion = make_dataclass('Suggestion', [*kept, ('busy_with', str)])\n"
        "import api.app\n"
    )
    env = os.environ | {"PYTHONPATH": ROOT}
    ran = subprocess.run(
        [sys.executable, "-c", drift], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert ran.returncode != 0
    assert "TypeError: Suggestion lists" in ran.stderr and "busy_with" in ran.stderr
    fine = subprocess.run(
        [sys.executable, "-c", "import api.app"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert fine.returncode == 0, fine.stderr


def _names(record: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(record))
