"""Credentials kept out of log files.

A WebSocket client may pass its bearer token as ``/ws?token=...`` (browsers cannot set an
Authorization header on a WebSocket), and uvicorn logs every request line with its query.
:class:`RedactCredentials` rewrites any ``token=``/``access_token=`` query value and any
``Bearer`` value in a log record before a handler writes it; :func:`uvicorn_log_config`
puts it on uvicorn's handlers and on a root handler for our own loggers.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

import uvicorn.config

REDACTED = "[redacted]"
_QUERY = re.compile(r"(?i)((?:^|[?&;\s])(?:access_)?token=)[^&;#\s\"']*")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")


def redact(text: str) -> str:
    """``text`` with token query values and bearer credentials replaced."""
    return _BEARER.sub(rf"\1{REDACTED}", _QUERY.sub(rf"\1{REDACTED}", text))


class RedactCredentials(logging.Filter):
    """Rewrites a record's message and its string arguments (uvicorn's access formatter
    reads the request path from the arguments, so they are redacted in place)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


def uvicorn_log_config(level: str = "WARNING") -> dict[str, Any]:
    """uvicorn's own logging configuration with the redacting filter on every handler, and
    a root handler (at ``level``) so our loggers' lines pass through it too."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["filters"] = {"redact": {"()": RedactCredentials}}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact"]
    config["root"] = {"handlers": ["default"], "level": level}
    return config
