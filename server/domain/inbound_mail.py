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
from email.errors import HeaderParseError
from email.header import decode_header, make_header
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
_UNFOLD = re.compile(r"\r?\n[ \t]*")


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


class _Headers:
    """The message's header values as written (unfolded), read without ``policy.default``'s header
    registry: it parses every header it is asked for into objects, which took about two thirds of
    a message's parse (bench/imap_import.py); the few values kept are decoded here instead."""

    def __init__(self, msg: EmailMessage) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in msg.raw_items():
            self._values.setdefault(name.lower(), []).append(_UNFOLD.sub(" ", str(value)).strip())

    def first(self, name: str) -> str | None:
        values = self._values.get(name)
        return values[0] if values else None

    def text(self, name: str) -> str:
        """A header meant for people (Subject), its RFC 2047 encoded words decoded."""
        return _decoded(self.first(name) or "")

    def addresses(self, name: str) -> list[tuple[str, str]]:
        try:
            pairs = getaddresses(self._values.get(name, []))
        except (ValueError, TypeError, IndexError):
            return []
        return [(storable(_decoded(n), 200), storable(a, 320).lower()) for n, a in pairs if "@" in a][:MAX_ADDRESSES]


def _decoded(value: str) -> str:
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError, HeaderParseError):
        return value


def _sent_at(headers: _Headers, arrived: datetime | None) -> datetime:
    value = headers.first("date")
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
        kind = msg.get_content_type()
        if not msg.is_multipart() and kind in ("text/plain", "text/html"):  # most mail: no MIME walk
            text_part, html_part = (msg, None) if kind == "text/plain" else (None, msg)
        else:
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
    headers = _Headers(msg)
    own = message_ids(headers.first("message-id"))
    message_id = own[0] if own else f"{hashlib.sha256(raw).hexdigest()[:40]}@tandem.invalid"
    references = [r for r in message_ids(headers.first("references")) if r != message_id][-MAX_REFERENCES:]
    parents = message_ids(headers.first("in-reply-to"))
    in_reply_to = parents[0] if parents else None
    senders = headers.addresses("from")
    text, html = _bodies(msg)
    return Email(
        message_id=message_id, thread_id=provisional_thread(message_id, in_reply_to, references),
        in_reply_to=in_reply_to, references=references,
        from_address=senders[0][1] if senders else "", from_name=senders[0][0] if senders else "",
        to=[a for _, a in headers.addresses("to")], cc=[a for _, a in headers.addresses("cc")],
        subject=storable(_SPACE.sub(" ", headers.text("subject")).strip(), 998),
        sent_at=_sent_at(headers, arrived), snippet=snippet(text, html), body_text=text,
        body_html=sanitise_html(html))


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
