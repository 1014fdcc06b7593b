"""Every HTTP request gets an id: echoed in ``X-Request-Id``, stamped on its log lines, and on
every 5xx both logged and put in the body, so an error a user reports can be found in the log.

An incoming ``X-Request-Id`` (a proxy's or a client's) is kept if it is a sane token
(``[A-Za-z0-9._:-]``, at most 64 characters), else a fresh one is made. The wrapper sits
outside Litestar, so it also sees what Litestar's own exception handling cannot: an exception
that escapes it is logged and answered with a 500 carrying the id — no anonymous 500 — and
every 5xx response is logged once, whoever produced it (``server.api.errors`` logs the ones it
maps, with the exception, and marks them logged).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from server.logs import request_id

log = logging.getLogger(__name__)
HEADER = b"x-request-id"
_SANE = re.compile(rb"[A-Za-z0-9._:-]{1,64}")
LOGGED = "tandem.error_logged"  # scope key: the error mapping has logged this request's 5xx


def current_request_id() -> str | None:
    """The id of the request being served, if any."""
    return request_id.get()


def _incoming(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == HEADER and _SANE.fullmatch(value):
            return value.decode("ascii")
    return uuid.uuid4().hex


def with_request_ids(app: ASGIApp) -> ASGIApp:
    """Wrap ``app`` so that every HTTP request has an id (WebSockets pass through untouched)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        ident = _incoming(scope)
        token = request_id.set(ident)
        status: list[int] = []

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                message["headers"] = [*message.get("headers", ()), (HEADER, ident.encode())]
                if message["status"] >= 500 and not scope.get(LOGGED):  # type: ignore[typeddict-item]
                    log.error("%s %s answered %d", scope["method"], scope["path"], message["status"])
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        except Exception:
            log.exception("%s %s failed outside the error mapping", scope["method"], scope["path"])
            if not status:
                scope[LOGGED] = True  # type: ignore[literal-required]
                await _internal_error(send_with_id, ident)
        finally:
            request_id.reset(token)

    return middleware


def internal_error_body(ident: str | None) -> dict[str, Any]:
    """The body of a 500: nothing about the failure, only the id to quote."""
    return {"status_code": 500, "detail": f"internal server error; quote request id {ident} when reporting it",
            "request_id": ident}


async def _internal_error(send: Send, ident: str) -> None:
    body = json.dumps(internal_error_body(ident)).encode()
    await send({"type": "http.response.start", "status": 500,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
