"""Security headers on every HTTP response: the web app, the API, errors, ``/health`` alike.

One ASGI wrapper around the whole app (``create_app`` installs it), so responses that never reach
a route handler — 404 for an unknown path, a 500 from outside the error mapping — carry them too.
WebSocket scopes pass through untouched (the fast send path needs the server's own ``send``).

The policy fits what ``client/web`` loads: its Vite build's scripts and stylesheet from this
origin, no inline script; inline *styles* (Preact's ``style`` props, Tiptap's caret labels);
sockets to this host (``ws:``/``wss:`` spelled out: older browsers do not count them as
``'self'``). The OpenAPI viewer under ``/schema`` loads its scripts from a CDN and gets a looser
script policy; nothing frames any page.
"""

from __future__ import annotations

import re

from litestar.types import ASGIApp, Message, Receive, Scope, Send

_BASE = ("default-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; object-src 'none'; "
         "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
APP_POLICY = f"{_BASE}; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'{{sockets}}"
DOCS_POLICY = (f"{_BASE.replace('img-src', 'img-src https:').replace('font-src', 'font-src https:')}; "
               "script-src 'self' 'unsafe-inline' https:; style-src 'self' 'unsafe-inline' https:; "
               "connect-src 'self'; worker-src 'self' blob:")
HSTS = "max-age=31536000; includeSubDomains"
_HOST = re.compile(rb"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")
STANDARD = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def with_security_headers(app: ASGIApp, *, hsts: bool) -> ASGIApp:
    """``app`` whose HTTP responses carry the standard headers (HSTS only when ``hsts``)."""
    fixed = STANDARD + (((b"strict-transport-security", HSTS.encode()),) if hsts else ())

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        added = (*fixed, (b"content-security-policy", content_security_policy(scope).encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or ())
                present = {name.lower() for name, _ in headers}
                headers.extend(header for header in added if header[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware


def content_security_policy(scope: Scope) -> str:
    """The policy for this request: the docs' for ``/schema``, else the app's, with sockets to its host."""
    if scope["path"] == "/schema" or scope["path"].startswith("/schema/"):
        return DOCS_POLICY
    host = next((value for name, value in scope["headers"] if name == b"host"), b"")
    if not _HOST.fullmatch(host):
        return APP_POLICY.format(sockets="")  # no usable Host: this origin's sockets only by 'self'
    return APP_POLICY.format(sockets=f" ws://{host.decode()} wss://{host.decode()}")
