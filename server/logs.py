"""Structured logs: every line names the node, and the document and user where there is one.

``TANDEM_LOG_FORMAT=logfmt`` (default; ``key=value`` pairs, readable in a terminal) or ``json``
(one object per line, for a log pipeline). Engine code passes ``extra={"document": ..., "user":
...}``; the node id, and the request id while an HTTP request is served, are stamped on every
record by a filter.

Nothing secret reaches a line: the formatter redacts what looks like a credential (``redact``) in
every message and traceback — uvicorn logs each WebSocket's URL, ``?token=<session token>``
included, and an invitation link carries its token in the path.
"""

from __future__ import annotations

import json
import logging
import re
import time
from contextvars import ContextVar

FIELDS = ("node", "request", "document", "user")
# The id of the HTTP request being served (``server.api.request_ids`` sets it), stamped on every
# line logged while serving it.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


REDACTED = "[redacted]"
_SECRETS = (
    # ?token=…, &password=…, tandem_session=… (a query string, a form, a Cookie header)
    (re.compile(r"(?i)\b((?:access_|reset_|session_|csrf_)?token|password|secret|tandem_session|tandem_csrf)="
                r"[^&\s\"';,]+"), rf"\1={REDACTED}"),
    # "token": "…" (JSON, a repr of a dict)
    (re.compile(r"(?i)([\"'](?:\w*token|\w*password|secret|authorization|cookie)[\"']\s*:\s*[\"'])[^\"']*"),
     rf"\1{REDACTED}"),
    # Authorization: Bearer …, Basic …
    (re.compile(r"(?i)\b(bearer|basic)\s+[\w.~+/=-]+"), rf"\1 {REDACTED}"),
    # /invite/<token>, /guest/<token>, /reset/<token> (the web app's invitation and password reset links)
    (re.compile(r"(/(?:invite|guest|reset)/)[^/?\s\"']+"), rf"\1{REDACTED}"),
)


def redact(text: str) -> str:
    """``text`` with anything that looks like a token, password, cookie or bearer credential replaced."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class _NodeFilter(logging.Filter):
    def __init__(self, node: str) -> None:
        super().__init__()
        self.node = node

    def filter(self, record: logging.LogRecord) -> bool:
        record.node = self.node
        if getattr(record, "request", None) is None:
            record.request = request_id.get()
        return True


class StructuredFormatter(logging.Formatter):
    def __init__(self, style: str) -> None:
        super().__init__()
        self.json = style == "json"

    def format(self, record: logging.LogRecord) -> str:
        fields = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            **{name: getattr(record, name) for name in FIELDS if getattr(record, name, None) is not None},
            "msg": redact(record.getMessage()),
        }
        if record.exc_info:
            fields["error"] = redact(self.formatException(record.exc_info))
        if self.json:
            return json.dumps(fields, default=str)
        return " ".join(f"{key}={_logfmt(value)}" for key, value in fields.items())


def _logfmt(value: object) -> str:
    text = str(value)
    return json.dumps(text) if not text or any(c in text for c in ' ="\n') else text


def configure_logging(style: str, node: str, level: int = logging.INFO) -> None:
    """Route the root logger (and uvicorn's) through the structured formatter."""
    handler = logging.StreamHandler()
    handler.setFormatter(StructuredFormatter(style))
    handler.addFilter(_NodeFilter(node))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
