"""Open and click tracking (issue 17 item 5): signed tokens, rewritten links, the open pixel, and
telling a privacy proxy's open from a person's. Pure.

A token is ``base64url(payload).base64url(HMAC-SHA256(key, payload))`` (the first 16 bytes of the
MAC); the payload is the stored message's id, the kind (``o`` open, ``c`` click) and, for a click,
the link's target. The redirect goes only where a valid token says, so a forged or altered link is
refused (404) and the endpoint is no open redirect; and only to http(s).

Privacy proxies fetch images without a person reading: Apple Mail Privacy Protection loads every
image of every mail on delivery, from Apple's network (17.0.0.0/8); Gmail fetches images through
its proxy ("GoogleImageProxy" in the User-Agent, at first open — so a Gmail open is a real first
open, but where and how often is hidden). Both are recorded and marked ``proxy``, not counted as a
person's open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
import uuid
from collections.abc import Callable
from typing import NamedTuple

_MAC_BYTES = 16
_APPLE = ipaddress.ip_network("17.0.0.0/8")
_PROXY_AGENTS = ("GoogleImageProxy", "YahooMailProxy", "Outlook-iOS-Android/")
_LINK = re.compile(r'(<a\s[^>]*?href=")(https?://[^"]+)(")', re.IGNORECASE)
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")  # 1x1 transparent GIF


class Tracked(NamedTuple):
    """What a valid token says: the message, ``open`` or ``click``, and a click's target."""

    email: uuid.UUID
    kind: str
    url: str | None


def tracking_key(secret: str) -> bytes:
    """The HMAC key, derived from the server's secret key (never the Fernet key itself)."""
    return hashlib.sha256(b"tandem e-mail tracking\0" + secret.encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, email: uuid.UUID, kind: str, url: str | None = None) -> str:
    payload = email.bytes + (b"c" + url.encode() if kind == "click" and url else b"o")
    return f"{_b64(payload)}.{_b64(hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES])}"


def verify(key: bytes, token: str) -> Tracked | None:
    """What ``token`` says, or None when it was not made with ``key`` (forged, altered, truncated)."""
    try:
        body, mac = token.split(".", 1)
        payload, given = _unb64(body), _unb64(mac)
    except (ValueError, TypeError):
        return None
    expected = hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES]
    if len(payload) < 17 or not hmac.compare_digest(given, expected):
        return None
    email, kind = uuid.UUID(bytes=payload[:16]), payload[16:17]
    if kind == b"o" and len(payload) == 17:
        return Tracked(email, "open", None)
    url = payload[17:].decode("utf-8", "replace")
    if kind == b"c" and re.match(r"(?i)^https?://", url):
        return Tracked(email, "click", url)
    return None


def with_tracking(html: str, link: Callable[[str], str], pixel: str) -> str:
    """``html`` with each http(s) link sent through ``link(target)`` and the pixel at the end."""
    rewritten = _LINK.sub(lambda m: f"{m[1]}{link(m[2].replace('&amp;', '&'))}{m[3]}", html)
    return f'{rewritten}<img src="{pixel}" width="1" height="1" alt="" style="display:none">'


def from_privacy_proxy(address: str | None, user_agent: str) -> bool:
    """Whether an open came from a mail provider's proxy rather than a person's mail client."""
    if any(agent in user_agent for agent in _PROXY_AGENTS):
        return True
    try:
        return address is not None and ipaddress.ip_address(address) in _APPLE
    except ValueError:
        return False
