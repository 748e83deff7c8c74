"""gunicorn's logger with invitation tokens taken out of every access-log line.

An invitation link `/i/<token>` in the log, next to the address and the time, would name
whoever answered an anonymous edition on a quiet day. Every access-log atom (request
line, path, query, referrer, headers) is logged with the token replaced by `<redacted>`,
whether the path was sent plainly or percent-encoded.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from gunicorn.glogging import Logger

_TOKEN = re.compile(r"(/i/)[^/?#\s\"]+")
REDACTED = "<redacted>"


def redact(text: str) -> str:
    """`text` with every `/i/<token>` path replaced by `/i/<redacted>`."""
    if "/i/" not in text and "%" not in text:
        return text
    decoded = unquote(text)
    if not _TOKEN.search(decoded):
        return text
    return _TOKEN.sub(rf"\g<1>{REDACTED}", decoded)


class RedactingLogger(Logger):
    """Referenced by `logger_class` in gunicorn_conf.py."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict[str, Any]:
        found = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in found.items()}
