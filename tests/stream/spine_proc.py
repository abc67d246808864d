"""A whole service process for the crash and lease tests: ``python -m tests.stream.spine_proc``.

Settings come from the environment (BLUELAMP_*), exactly as in production. It prints
``ready`` once its spine is open and ``leading`` whenever it takes the sequencer lease, then
runs until it is killed. ``--die-after-seq N`` makes it SIGKILL itself right after the batch
that logs seq N is committed and before that batch is acknowledged (Bus.settle): the worst moment.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

from geodata import London
from stream.settings import load_settings
from stream.spine import Spine


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def main(schema: str | None, die_after_seq: int | None) -> None:
    settings = load_settings()
    async with Spine.open(settings, London.load().locate, database_schema=schema) as spine:
        assert spine.sequencer is not None
        if die_after_seq is not None:
            settle = spine.bus.settle

            async def settle_or_die(entry_ids: Sequence[str], rejections: Sequence[Any]) -> None:
                if spine.log.last_seq() >= die_after_seq:
                    os.kill(os.getpid(), signal.SIGKILL)
                await settle(entry_ids, rejections)

            spine.bus.settle = settle_or_die  # type: ignore[method-assign]
        _say("ready")
        while True:
            await spine.sequencer.leading.wait()
            _say("leading")
            while spine.sequencer.leading.is_set():
                await asyncio.sleep(0.05)
            _say("following")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema")
    parser.add_argument("--die-after-seq", type=int)
    args = parser.parse_args()
    asyncio.run(main(args.schema, args.die_after_seq))
