"""Webhooks' rules (issue 16 item 5): the events, the receiver address guard and the signature.

The guard refuses receivers a server should not be made to call (SSRF): loopback, private,
link-local, multicast, reserved and unspecified addresses, IPv4 and IPv6, with IPv4-mapped and
6to4/Teredo-style embeddings read as the IPv4 address they carry. It is applied to every address
a host resolves to, when a subscription is made and again at each delivery, and the delivery
connects to the address checked (so a DNS answer that changes in between cannot slip through).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from urllib.parse import urlsplit

from server.domain.accounts import InvalidInput

EVENTS = (
    "deal.created", "deal.updated", "deal.deleted", "deal.stage_changed", "deal.won", "deal.lost",
    "contact.created", "contact.updated", "contact.deleted",
    "organisation.created", "organisation.updated", "organisation.deleted",
    "activity.created", "activity.updated", "note.created",
)
MAX_URL = 2000


class Receiver:
    """A checked receiver URL: scheme, host and port to connect to."""

    __slots__ = ("url", "scheme", "host", "port")

    def __init__(self, url: str, scheme: str, host: str, port: int) -> None:
        self.url, self.scheme, self.host, self.port = url, scheme, host, port


def check_url(raw: str) -> Receiver:
    """``raw`` as a receiver: http(s), a host, no credentials; ``InvalidInput`` otherwise."""
    url = raw.strip()
    if not 1 <= len(url) <= MAX_URL:
        raise InvalidInput(f"expected a URL of 1 to {MAX_URL} characters, got {len(url)}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"expected a URL, got {url!r}: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidInput(f"expected an http or https URL, got {parts.scheme or 'no'} scheme")
    if not parts.hostname:
        raise InvalidInput("expected a URL with a host")
    if parts.username or parts.password:
        raise InvalidInput("expected a URL without user name or password")
    return Receiver(url, parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80))


def check_events(events: list[str]) -> list[str]:
    unknown = [e for e in events if e not in EVENTS]
    if unknown or not events:
        raise InvalidInput(f"expected events among {', '.join(EVENTS)}; got {', '.join(unknown) or 'none'}")
    return sorted(set(events), key=EVENTS.index)


def address_allowed(address: str) -> bool:
    """Whether a public receiver may be at ``address`` (an IPv4 or IPv6 literal)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d reaches a.b.c.d: judged as that address
            return address_allowed(str(ip.ipv4_mapped))
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not address_allowed(str(embedded)):
            return False
        if ip in ipaddress.ip_network("64:ff9b::/96") and not address_allowed(str(ipaddress.IPv4Address(
                int(ip) & 0xFFFFFFFF))):
            return False
    return not (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved
                or ip.is_unspecified or not ip.is_global)


class Refused(InvalidInput):
    """A receiver address the guard refuses."""


def check_addresses(host: str, addresses: list[str]) -> list[str]:
    """``addresses`` (what ``host`` resolved to) if every one is allowed; ``Refused`` otherwise."""
    if not addresses:
        raise Refused(f"the receiver's host {host!r} does not resolve")
    bad = [a for a in addresses if not address_allowed(a)]
    if bad:
        raise Refused(f"the receiver's host {host!r} is at a loopback, private, link-local, multicast or "
                      f"reserved address ({bad[0]}); TANDEM_WEBHOOKS_ALLOW_PRIVATE=1 allows those")
    return addresses


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """``X-Tandem-Signature``: ``t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">``."""
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"
