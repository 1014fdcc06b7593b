"""Reading a message from a mailbox (issue 17 item 3): RFC 5322 bytes into an ``Email``, threading
by References / In-Reply-To, and the addresses that decide where it is filed. Pure: the stdlib
``email`` package (``policy.default``) parses, nh3 sanitises the HTML part.

What a mailbox holds is untrusted: a header may be malformed, a part undecodable, a body huge, a
string may carry NUL (Postgres refuses it) or lone surrogates (``surrogateescape`` decoding); every
field is made storable here, never trusted downstream.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime

import nh3

from server.domain.mailboxes import Email

SNIPPET = 200
MAX_TEXT = 200_000  # characters of a body kept (a longer one is cut)
MAX_HEADER = 2_000
MAX_ADDRESSES = 100
MAX_REFERENCES = 50
_ID = re.compile(r"<([^<>\s]+)>")
_SPACE = re.compile(r"\s+")


def storable(text: str, limit: int = MAX_HEADER) -> str:
    """``text`` without NUL or lone surrogates, at most ``limit`` characters."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")[:limit]


def message_ids(value: str | None) -> list[str]:
    """The ``<id>``s of a Message-ID / In-Reply-To / References header, without brackets, in order."""
    if not value:
        return []
    found = _ID.findall(value)
    if not found and value.strip() and " " not in value.strip():
        found = [value.strip()]  # an id some clients write without brackets
    return [storable(i, 500) for i in dict.fromkeys(found)]


def _header(msg: EmailMessage, name: str) -> str | None:
    try:
        value = msg.get(name)
    except (ValueError, TypeError, IndexError):  # a header the parser cannot make sense of
        value = msg.get_all(name, failobj=[None])[0] if hasattr(msg, "get_all") else None
    return None if value is None else str(value)


def _addresses(msg: EmailMessage, name: str) -> list[tuple[str, str]]:
    raw = msg.get_all(name, failobj=[]) if hasattr(msg, "get_all") else []
    try:
        pairs = getaddresses([str(v) for v in raw])
    except (ValueError, TypeError, IndexError):
        return []
    return [(storable(n, 200), storable(a, 320).lower()) for n, a in pairs if "@" in a][:MAX_ADDRESSES]


def _sent_at(msg: EmailMessage, arrived: datetime | None) -> datetime:
    value = _header(msg, "Date")
    try:
        at = parsedate_to_datetime(value) if value else None
    except (ValueError, TypeError, IndexError):
        at = None
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at or arrived or datetime.fromtimestamp(0, UTC)


def _part_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError, TypeError):  # unknown charset, broken encoding
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
    return content if isinstance(content, str) else ""


def _bodies(msg: EmailMessage) -> tuple[str, str]:
    """The plain text and the HTML of the message's body (the first of each, not attachments)."""
    text = html = ""
    try:
        text_part = msg.get_body(preferencelist=("plain",))
        html_part = msg.get_body(preferencelist=("html",))
    except (KeyError, ValueError, TypeError, IndexError):
        text_part = html_part = None
    if text_part is not None:
        text = _part_text(text_part)
    if html_part is not None:
        html = _part_text(html_part)
    return storable(text, MAX_TEXT), storable(html, MAX_TEXT)


def sanitise_html(html: str) -> str:
    """HTML safe to show in the app: no script, style, event handlers or remote-loading ``src``."""
    return nh3.clean(html, tags=nh3.ALLOWED_TAGS - {"img"}, link_rel="noopener noreferrer nofollow") if html else ""


def snippet(text: str, html: str) -> str:
    source = text or nh3.clean(html, tags=set())
    return _SPACE.sub(" ", source).strip()[:SNIPPET]


def parse(raw: bytes, arrived: datetime | None = None) -> Email:
    """The message in ``raw`` as an ``Email``; ``thread_id`` is provisional (``thread_of`` decides).
    A message without a Message-ID gets one from a hash of its bytes, the same on every re-sync."""
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    own = message_ids(_header(msg, "Message-ID"))
    message_id = own[0] if own else f"{hashlib.sha256(raw).hexdigest()[:40]}@tandem.invalid"
    references = [r for r in message_ids(_header(msg, "References")) if r != message_id][-MAX_REFERENCES:]
    parents = message_ids(_header(msg, "In-Reply-To"))
    in_reply_to = parents[0] if parents else None
    senders = _addresses(msg, "From")
    text, html = _bodies(msg)
    return Email(
        message_id=message_id, thread_id=provisional_thread(message_id, in_reply_to, references),
        in_reply_to=in_reply_to, references=references,
        from_address=senders[0][1] if senders else "", from_name=senders[0][0] if senders else "",
        to=[a for _, a in _addresses(msg, "To")], cc=[a for _, a in _addresses(msg, "Cc")],
        subject=storable(_SPACE.sub(" ", _header(msg, "Subject") or "").strip(), 998),
        sent_at=_sent_at(msg, arrived), snippet=snippet(text, html), body_text=text, body_html=sanitise_html(html))


def provisional_thread(message_id: str, in_reply_to: str | None, references: list[str]) -> str:
    """The thread's root as the message itself names it: References' first id, else its parent, else itself."""
    return references[0] if references else in_reply_to or message_id


def ancestors(email: Email) -> list[str]:
    """The ids a message says it follows, nearest first (its parent, then References newest to oldest)."""
    ids = ([email.in_reply_to] if email.in_reply_to else []) + email.references[::-1]
    return list(dict.fromkeys(ids))


def thread_of(email: Email, known: dict[str, str]) -> str:
    """The thread a message joins: that of the nearest ancestor the workspace holds (``known``: id ->
    thread), else the provisional one. Replies whose clients dropped References still thread."""
    for parent in ancestors(email):
        if parent in known:
            return known[parent]
    return email.thread_id


def correspondents(email: Email, own: str) -> list[str]:
    """The addresses a message is filed under: everyone on it but the mailbox's own address."""
    everyone = [email.from_address, *email.to, *email.cc]
    return [a for a in dict.fromkeys(everyone) if a and a != own.lower()]
