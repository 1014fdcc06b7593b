"""Outgoing e-mail (issue 17 items 1 and 3): the ``Envelope`` a relay sends, its Message-ID and
threading headers, and the MIME message built from it. Pure: no sockets, no clock but the ids.

Every envelope gets its Message-ID when it is queued, not when it is sent: a job run twice (a
worker killed between the SMTP ``DATA`` and recording it) sends the same Message-ID twice, which
receiving servers and clients fold into one message, and the sent copy on the timeline is keyed
by it too.
"""

from __future__ import annotations

import html as entities
import re
import uuid
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

import msgspec
import nh3

from server.domain.accounts import InvalidInput

MAX_RECIPIENTS = 50
MAX_SUBJECT = 998  # RFC 5322's line limit
_ADDRESS = re.compile(r"^[^\s@<>(),;:\"\[\]\\]+@[^\s@<>(),;:\"\[\]\\]+\.[^\s@<>(),;:\"\[\]\\]+$")


class Attachment(msgspec.Struct, frozen=True, kw_only=True):
    """A record's file a mail attaches: queued with its file-store ``key``, sent with its ``data``."""

    name: str
    content_type: str
    key: str
    size: int
    data: bytes | None = None


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    """One message ready to send. ``sender`` is the From address, ``sender_name`` its display name."""

    sender: str
    sender_name: str = ""
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()
    subject: str
    text: str
    html: str | None = None
    reply_to: str | None = None
    message_id: str
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    calendar: str | None = None  # an iCalendar text, attached as invite.ics (a booking's confirmation)
    attachments: tuple[Attachment, ...] = ()  # record files (docs/files.md); their bytes are read when sent
    list_unsubscribe: str | None = None  # an https URL: List-Unsubscribe with one-click POST (RFC 8058)


def clean_html(html: str) -> str:
    """HTML safe to send, store and show: ammonia's allow-list (no scripts, event handlers, styles
    that run, or ``javascript:`` links); links keep http, https and mailto only."""
    return nh3.clean(html, url_schemes={"http", "https", "mailto"})


_BREAKS = re.compile(r"(?i)<br\s*/?>|</(li|tr)>")
_PARAGRAPHS = re.compile(r"(?i)</(p|div|h[1-6]|blockquote|ul|ol|table)>")
_BLANK_LINES = re.compile(r"\n{3,}")
_LINKS = re.compile(r'(?is)<a\s[^>]*?href="([^"]*)"[^>]*>(.*?)</a>')


def _link_text(match: re.Match[str]) -> str:
    url, words = entities.unescape(match[1]), match[2]
    return words if not url or url == entities.unescape(words) else f"{words} ({url})"


def text_of(html: str) -> str:
    """The text/plain part of an HTML body: paragraphs apart, ``<br>`` and list items on lines, a
    link's address after its words, no tags."""
    text = nh3.clean(_BREAKS.sub("\n", _PARAGRAPHS.sub("\n\n", _LINKS.sub(_link_text, clean_html(html)))), tags=set())
    return _BLANK_LINES.sub("\n\n", entities.unescape(text)).strip() + "\n"


def new_message_id(sender: str) -> str:
    """A fresh ``<random@domain>`` Message-ID in the sender's domain (RFC 5322 3.6.4)."""
    domain = sender.rpartition("@")[2] or "tandem.invalid"
    return f"<{uuid.uuid4().hex}@{domain}>"


def check_address(value: object, field: str) -> str:
    """One plain e-mail address (no display name), lower-cased domain; raises ``InvalidInput``."""
    if not isinstance(value, str) or len(value) > 320 or not _ADDRESS.match(value.strip()):
        raise InvalidInput(f"{field}: expected an e-mail address like name@example.com, got {value!r}")
    local, _, domain = value.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def check_recipients(to: list[str], cc: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``to`` (at least one) and ``cc`` checked, duplicates dropped; raises ``InvalidInput``."""
    if not to:
        raise InvalidInput("to: expected at least one recipient")
    if len(to) + len(cc) > MAX_RECIPIENTS:
        raise InvalidInput(f"to, cc: expected at most {MAX_RECIPIENTS} recipients in all, got {len(to) + len(cc)}")
    checked_to = tuple(dict.fromkeys(check_address(a, "to") for a in to))
    checked_cc = tuple(a for a in dict.fromkeys(check_address(a, "cc") for a in cc) if a not in checked_to)
    return checked_to, checked_cc


def check_subject(subject: str) -> str:
    """A one-line subject; raises ``InvalidInput``."""
    if "\n" in subject or "\r" in subject or len(subject) > MAX_SUBJECT:
        raise InvalidInput(f"subject: expected one line of at most {MAX_SUBJECT} characters")
    return subject.strip()


def thread_references(parent_id: str | None, parent_references: tuple[str, ...]) -> tuple[str, ...]:
    """The References of a reply (RFC 5322 3.6.4): the parent's References, then its Message-ID."""
    if parent_id is None:
        return ()
    return (*parent_references, parent_id)[-20:]  # a long thread keeps its latest 20


def mime(envelope: Envelope) -> EmailMessage:
    """The MIME message: text/plain, with a text/html alternative when there is HTML."""
    message = EmailMessage()
    message["From"] = Address(envelope.sender_name, addr_spec=envelope.sender) if envelope.sender_name \
        else envelope.sender
    message["To"] = ", ".join(envelope.to)
    if envelope.cc:
        message["Cc"] = ", ".join(envelope.cc)
    if envelope.reply_to:
        message["Reply-To"] = envelope.reply_to
    message["Subject"] = envelope.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = envelope.message_id
    if envelope.in_reply_to:
        message["In-Reply-To"] = envelope.in_reply_to
    if envelope.references:
        message["References"] = " ".join(envelope.references)
    if envelope.list_unsubscribe:
        message["List-Unsubscribe"] = f"<{envelope.list_unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(envelope.text)
    if envelope.html is not None:
        message.add_alternative(envelope.html, subtype="html")
    for attached in envelope.attachments:
        if attached.data is None:
            raise ValueError(f"attachment {attached.name!r}: its bytes were not read from the file store")
        maintype, _, subtype = attached.content_type.partition("/")
        message.add_attachment(attached.data, maintype=maintype, subtype=subtype or "octet-stream",
                               filename=attached.name)
    if envelope.calendar is not None:
        message.add_attachment(envelope.calendar.encode(), maintype="text", subtype="calendar",
                               filename="invite.ics")
    return message
