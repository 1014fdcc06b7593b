"""Leads from e-mail (docs/leads.md, "By e-mail"): what a message to a workspace's
``leads+<token>@TANDEM_BCC_DOMAIN`` address becomes. Pure: the values of a new lead (the sender as
the person, the subject as the title, the body as the note, the organisation from the sender's
domain unless it is a freemail provider's) and the lines a reply adds to a lead's note. No I/O.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from server.domain.leads import MAX_NAME, MAX_NOTE, MAX_TITLE
from server.domain.mailboxes import Email

PREFIX = "leads+"
# Providers whose addresses say nothing about an organisation (a lead from ann@gmail.com has none).
FREEMAIL = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.de", "yahoo.co.uk", "ymail.com", "hotmail.com",
    "hotmail.de", "hotmail.co.uk", "outlook.com", "outlook.de", "live.com", "live.de", "msn.com", "icloud.com",
    "me.com", "mac.com", "aol.com", "aol.de", "gmx.de", "gmx.net", "gmx.com", "gmx.at", "gmx.ch", "web.de",
    "t-online.de", "freenet.de", "posteo.de", "posteo.net", "mailbox.org", "arcor.de", "online.de", "1und1.de",
    "protonmail.com", "proton.me", "pm.me", "tutanota.com", "tuta.io", "yandex.com", "yandex.ru", "mail.ru",
    "zoho.com", "fastmail.com", "hey.com", "qq.com", "163.com", "bluewin.ch", "orange.fr", "free.fr",
})
# Second-level labels under which a country's companies register (acme.co.uk is Acme).
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "or", "ne", "gv"})


def token_of(address: str, domain: str) -> str | None:
    """The token of ``leads+<token>@<domain>`` (any case), else None."""
    local, _, host = address.strip().strip("<>").lower().rpartition("@")
    if not local.startswith(PREFIX) or (domain and host != domain.lower()) or len(local) > 100:
        return None
    return local[len(PREFIX):] or None


def organisation_of(address: str) -> str:
    """The organisation a sender's domain names ("ann@mail.acme-tools.co.uk" → "Acme Tools"), or ""
    for a freemail provider or an address without a domain."""
    host = address.rpartition("@")[2].strip().lower().rstrip(".")
    if not host or host in FREEMAIL or "." not in host:
        return ""
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        name = labels[-3]
    else:
        name = labels[-2]
    return " ".join(part.capitalize() for part in name.replace("_", "-").split("-") if part)[:MAX_NAME]


def lead_from(email: Email) -> dict[str, Any]:
    """A new lead's values (as ``lead_values`` takes them) from the first message of a thread."""
    return {"person_name": email.from_name.strip()[:MAX_NAME], "email": email.from_address,
            "organisation_name": organisation_of(email.from_address), "title": email.subject.strip()[:MAX_TITLE],
            "note": _body(email)[:MAX_NOTE]}


def note_with_reply(note: str, email: Email) -> str:
    """A lead's note with a later message of its thread added below (the oldest text is kept; the
    newest is cut to fit ``MAX_NOTE``)."""
    added = f"{_heading(email.sent_at, email.from_name or email.from_address, email.subject)}\n{_body(email)}"
    joined = f"{note}\n\n{added}" if note else added
    return joined[:MAX_NOTE]


def _heading(at: datetime, sender: str, subject: str) -> str:
    return f"— {at.astimezone(UTC):%Y-%m-%d %H:%M} UTC, {sender}: {subject}".strip().rstrip(":")


def _body(email: Email) -> str:
    return (email.body_text or email.snippet).strip()
