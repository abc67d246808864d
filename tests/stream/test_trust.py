"""Sources under ``bluelamp-api/`` are the API's alone, and an inspector's command is held
to their BCU by the sequencer itself (stream.trust), on every backend."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from stream.bus import RedisBus
from stream.objection import Kind
from stream.outcome import Verdict
from stream.spine import Spine
from stream.trust import Scope, Seal, entry_key, seal
from tests.stream.conftest import Backend
from tests.stream.factories import Events

KEY = entry_key("a secret of this test run, not of any deployment")
DEADLINE_S = 30.0


async def _until(what: str, predicate: Any) -> None:
    deadline = asyncio.get_running_loop().time() + DEADLINE_S
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {DEADLINE_S} s: {what}")
        await asyncio.sleep(0.02)


async def _rejected(spine: Spine, event_id: str) -> dict[str, str]:
    """The rejected stream's row for ``event_id`` (waiting for it)."""
    found: list[dict[str, str]] = []

    async def there() -> bool:
        found[:] = [r for r in await spine.bus.rejected(1000) if r.get("id") == event_id]
        return bool(found)

    await _until(f"{event_id} on the rejected stream", there)
    assert len(found) == 1, found
    return found[0]


async def _logged_ids(spine: Spine) -> list[str]:
    return [r.event.id for r in await asyncio.to_thread(spine.log.read)]


async def test_a_forged_api_source_on_the_ingest_stream_is_rejected_with_the_reason(
    backend: Backend,
) -> None:
    ev, chief = Events(), Events(source="bluelamp-api/chief")
    forged = chief.status("U1", "busy")
    async with backend.spine(signing_key=KEY) as spine:
        assert (await spine.submit(ev.on_duty("U1"))).verdict is Verdict.ACCEPTED
        # What a feed's XADD does: the event with the reserved source, no signature.
        await spine.bus.add([json.dumps(forged)])
        row = await _rejected(spine, forged["id"])
        assert "reserved" in row["reason"] and "bluelamp-api/" in row["reason"]
        assert row["source"] == "bluelamp-api/chief"
        # A later event still goes through: the forgery held nothing up.
        assert (await spine.submit(ev.status("U1", "busy"))).verdict is Verdict.ACCEPTED
        assert forged["id"] not in await _logged_ids(spine)


async def test_the_feed_path_refuses_a_reserved_source_up_front(backend: Backend) -> None:
    forged = Events(source="bluelamp-api/chief").on_duty("U1")
    async with backend.spine(signing_key=KEY) as spine:
        (outcome,) = await spine.submit_many([forged])
        assert outcome.verdict is Verdict.REJECTED
        assert outcome.reason is not None and "reserved" in outcome.reason
        await _rejected(spine, forged["id"])
        assert await _logged_ids(spine) == []


async def test_a_genuine_command_is_accepted_and_the_log_names_the_user(backend: Backend) -> None:
    ev, chief = Events(), Events(source="bluelamp-api/chief")
    async with backend.spine(signing_key=KEY) as spine:
        await spine.submit(ev.on_duty("U1"))
        outcome = await spine.command(chief.status("U1", "busy"))
        assert outcome.verdict is Verdict.ACCEPTED, outcome
        (_, record) = await asyncio.to_thread(spine.log.read)
        assert record.event.source == "bluelamp-api/chief"


async def test_a_command_that_breaks_the_contract_is_answered_invalid_and_never_sent(
    backend: Backend,
) -> None:
    chief = Events(source="bluelamp-api/chief")
    bad = chief.status("U1", "busy")
    bad["data"]["status"] = "asleep"
    async with backend.spine(signing_key=KEY) as spine:
        outcome = await spine.command(bad)
        assert outcome.verdict is Verdict.INVALID, outcome
        assert outcome.reason is not None and "status" in outcome.reason
        assert (outcome.source, outcome.id) == ("bluelamp-api/chief", bad["id"])
        assert not await spine.bus.rejected(1000)
        assert await _logged_ids(spine) == []


@pytest.mark.parametrize(
    "how",
    ["another event's signature", "scope stripped", "another deployment's key", "no key here"],
)
async def test_a_signature_that_does_not_hold_is_rejected(backend: Backend, how: str) -> None:
    ev, insp = Events(), Events(source="bluelamp-api/insp_aw")
    wanted, other = insp.status("U1", "busy"), insp.status("U1", "available")
    text = json.dumps(wanted)
    signed = {
        "another event's signature": seal(KEY, json.dumps(other)),
        "scope stripped": Seal("", seal(KEY, text, Scope("AW")).signature),
        "another deployment's key": seal(entry_key("someone else's secret"), text),
        "no key here": seal(KEY, text),
    }[how]
    key = None if how == "no key here" else KEY
    async with backend.spine(signing_key=key) as spine:
        await spine.submit(ev.on_duty("U1", bcu="NE"))
        await spine.bus.add_signed([(text, signed)])
        row = await _rejected(spine, wanted["id"])
        assert "signature" in row["reason"] or "reserved" in row["reason"], row
        assert wanted["id"] not in await _logged_ids(spine)


async def test_the_sequencer_holds_an_inspector_to_their_bcu(backend: Backend) -> None:
    ev, insp = Events(), Events(source="bluelamp-api/insp_aw")
    async with backend.spine(signing_key=KEY) as spine:
        await spine.submit_many([ev.on_duty("U1", bcu="AW"), ev.on_duty("U2", bcu="NE")])
        mine = await spine.command(insp.status("U1", "busy"), Scope("AW"))
        assert mine.verdict is Verdict.ACCEPTED, mine
        theirs = await spine.command(insp.status("U2", "busy"), Scope("AW"))
        assert theirs.verdict is Verdict.REJECTED and theirs.kind is Kind.OUT_OF_SCOPE
        assert theirs.reason is not None and "deployed to NE" in theirs.reason
        # A commander's command (no scope) may touch any BCU's unit.
        chief = await spine.command(Events(source="bluelamp-api/chief").status("U2", "busy"))
        assert chief.verdict is Verdict.ACCEPTED and chief.kind is None
        # A rule's refusal is not a scope refusal: it says its own kind.
        again = await spine.command(insp.assigned("nowhere", "U1"), Scope("AW"))
        assert again.verdict is Verdict.REJECTED and again.kind is Kind.UNKNOWN


async def test_a_redeploy_the_submitting_process_has_not_seen_is_decided_by_the_sequencer(
    durable_backend: Backend,
) -> None:
    """Two processes on one Redis and one log. The inspector's command goes through one whose
    picture still shows the unit in their BCU (a pre-check there would pass), while a
    redeployment to another BCU is queued ahead of it: the sequencer refuses the command."""
    ev, insp = Events(), Events(source="bluelamp-api/insp_aw")
    async with durable_backend.spine(signing_key=KEY) as leader:
        await leader.submit(ev.on_duty("U1", bcu="AW"))
    # Nobody sequences now; the serving process's picture shows U1 in AW.
    async with durable_backend.spine(sequence=False, signing_key=KEY) as serving:
        assert serving.picture.units["U1"].bcu == "AW"
        await serving.bus.add([json.dumps(ev.redeployed("U1", "NE"))])  # from the feed
        command = asyncio.create_task(
            serving.command(insp.status("U1", "busy"), Scope("AW"), timeout=DEADLINE_S)
        )
        bus = serving.bus
        assert isinstance(bus, RedisBus)

        async def both_queued() -> bool:
            return int(await bus.redis.xlen(bus.keys.ingest)) == 2

        await _until("the command queued behind the redeploy", both_queued)
        assert serving.picture.units["U1"].bcu == "AW"  # stale when the command was sent
        async with durable_backend.spine(signing_key=KEY):  # a sequencer comes (back)
            outcome = await command
        assert outcome.verdict is Verdict.REJECTED and outcome.kind is Kind.OUT_OF_SCOPE, outcome
        assert outcome.reason is not None and "deployed to NE" in outcome.reason
        assert insp.source not in {r.event.source for r in serving.log.read()}
