"""The Redis names producers and other systems rely on (bluelamp:ingest, :rejected, :live)
come from the default prefix."""

from stream.keys import Keys
from stream.settings import SpineSettings


def test_the_spec_names_are_the_defaults() -> None:
    keys = Keys(SpineSettings.model_fields["key_prefix"].default)
    assert (keys.ingest, keys.rejected, keys.live) == (
        "bluelamp:ingest",
        "bluelamp:rejected",
        "bluelamp:live",
    )


def test_every_name_moves_with_the_prefix() -> None:
    keys = Keys("other")
    names = [keys.ingest, keys.rejected, keys.live, keys.group, keys.lease, keys.outcomes]
    names.append(keys.outcome("cad", "42"))
    assert all(name.startswith("other") for name in names)
    assert len(set(names)) == len(names)
