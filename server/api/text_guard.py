"""Refuse text Postgres cannot store at the edge: one check for every route, before the handler.

A NUL character (U+0000) or a lone surrogate (``server.domain.text``) in a path parameter, a
query parameter or a JSON body (a string or a key, at any depth) answers 422 naming the field,
and the handler never runs, so nothing is written. Without it each such value was a silent 500
wherever it reached a query (issue 13, item 5) — or, in a board document, a projection that
failed on every run (item 4).

JSON can only carry these as ``\\u0000`` / ``\\udXXX`` escapes (a raw NUL is malformed JSON, a
raw surrogate malformed UTF-8), so a body without ``\\u`` — nearly all of them — is not decoded
twice. Litestar keeps the body read here for the handler. CSV uploads are checked per cell by
``server.domain.transfer``, which names the line and column.
"""

from __future__ import annotations

import json
import re

from litestar import Request
from litestar.types import ASGIApp, Receive, Scope, Send

from server.domain.text import UnstorableText, find_unstorable, unstorable

_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_WITH_BODY = {"POST", "PUT", "PATCH", "DELETE"}


def refuse_unstorable_text(app: ASGIApp) -> ASGIApp:
    """Litestar middleware: raise ``UnstorableText`` (422) for such text anywhere in a request."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await _check(Request(scope, receive))
        await app(scope, receive, send)

    return middleware


async def _check(request: Request) -> None:
    for name, value in request.path_params.items():
        if isinstance(value, str) and (reason := unstorable(value)):
            raise UnstorableText(name, reason)
    for name, value in request.query_params.multi_items():
        if reason := unstorable(name) or unstorable(value):
            raise UnstorableText(name, reason)
    if request.method in _WITH_BODY and "json" in request.headers.get("content-type", ""):
        body = await request.body()
        if _ESCAPE.search(body) and (found := _decoded(body)) is not None:
            raise found


def _decoded(body: bytes) -> UnstorableText | None:
    """The first unstorable string in ``body``; None if there is none, or the body is not JSON
    (the handler's decoder then says what is wrong with it)."""
    try:
        return find_unstorable(json.loads(body))
    except (ValueError, RecursionError):
        return None
