"""JSON responses encoded with orjson: the picture of a busy night is megabytes, and the
standard library's encoder is several times slower at it (benchmarks/bench_api.py)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse


class FastJSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
