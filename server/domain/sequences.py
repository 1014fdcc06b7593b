"""E-mail sequences (issue 17 item 6): a series of templated mails with delays, per contact. Pure:
the values, their checks, the send window, the unsubscribe token, and reading what an inbound
message means for a sequence (a reply, an auto-reply, a bounce) from its headers.

An enrolment runs step by step; it stops for good on a reply, a bounce, a booked meeting or an
unsubscribe, and *pauses* (a person can resume it) when a step cannot be sent as written: a merge
field without a value, a deleted template, no mailbox to send from. An out-of-office answer is
no reply: RFC 3834's ``Auto-Submitted`` (anything but ``no``), the ``X-Autoreply`` /
``X-Autorespond`` headers, ``Precedence: auto_reply|bulk|junk``, Microsoft's
``X-Auto-Response-Suppress`` on an OOF, and the subject prefixes mail clients put on them.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import re
import uuid
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import Message
from email.parser import BytesHeaderParser
from typing import NamedTuple
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from server.domain.accounts import InvalidInput
from server.domain.inbound_mail import message_ids

MAX_STEPS = 20
MAX_NAME = 200
MAX_DELAY_DAYS = 365
ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)


class State(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # a step could not be sent as written; resumable
    STOPPED = "stopped"  # for good: see the reason
    FINISHED = "finished"  # every step sent


class Reason(enum.StrEnum):
    """Why an enrolment stopped or paused (the screen says it in words)."""

    REPLIED = "replied"
    BOUNCED = "bounced"
    MEETING_BOOKED = "meeting_booked"
    UNSUBSCRIBED = "unsubscribed"
    STOPPED_BY_MEMBER = "stopped_by_member"
    NO_ACCESS = "no_access"  # the enrolling member can no longer see the contact
    CONTACT_GONE = "contact_gone"  # the contact was deleted (or erased), or no longer has the address
    MISSING_FIELDS = "missing_fields"  # paused; detail names them
    NO_TEMPLATE = "no_template"  # paused: the step's template was deleted
    NO_MAILBOX = "no_mailbox"  # paused: the enrolling member has no mailbox connected


class Step(msgspec.Struct, frozen=True):
    """One mail: a template, sent ``delay`` after the previous step (the first: after enrolling)."""

    template_id: UUID
    delay_days: int = 0
    delay_hours: int = 0

    @property
    def delay(self) -> timedelta:
        return timedelta(days=self.delay_days, hours=self.delay_hours)


class Window(msgspec.Struct, frozen=True):
    """When mail may go out: hours ``[start_hour, end_hour)`` on ``weekdays`` (0 = Monday) in ``time_zone``."""

    start_hour: int = 0
    end_hour: int = 24
    weekdays: tuple[int, ...] = ALL_DAYS
    time_zone: str = "UTC"


class SequenceDraft(msgspec.Struct, frozen=True):
    name: str
    steps: tuple[Step, ...]
    window: Window = Window()


class Sequence(msgspec.Struct, frozen=True):
    id: UUID
    workspace_id: UUID
    name: str
    steps: tuple[Step, ...]
    window: Window
    created_at: datetime
    updated_at: datetime


class NewEnrolment(msgspec.Struct, frozen=True):
    sequence_id: UUID
    workspace_id: UUID
    contact_id: UUID
    enrolled_by: UUID
    address: str  # the contact's address at enrolment: where every step goes
    next_at: datetime
    deal: tuple[UUID, UUID] | None = None  # (board, card)


class Enrolment(msgspec.Struct, frozen=True):
    id: UUID
    sequence_id: UUID
    workspace_id: UUID
    contact_id: UUID
    enrolled_by: UUID
    address: str
    state: State
    step: int  # the index of the next step to send (= steps sent)
    next_at: datetime | None
    reason: Reason | None
    detail: str
    thread: tuple[str, ...]  # Message-IDs sent, bare, oldest first
    first_subject: str
    created_at: datetime
    updated_at: datetime
    deal: tuple[UUID, UUID] | None = None


def check_draft(name: str, steps: list[Step], window: Window) -> SequenceDraft:
    """A sequence's values checked; raises ``InvalidInput`` naming the field."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"name: expected 1 to {MAX_NAME} characters")
    if not 1 <= len(steps) <= MAX_STEPS:
        raise InvalidInput(f"steps: expected 1 to {MAX_STEPS} steps, got {len(steps)}")
    for n, step in enumerate(steps, 1):
        if not 0 <= step.delay_days <= MAX_DELAY_DAYS or not 0 <= step.delay_hours <= 23:
            raise InvalidInput(f"steps[{n}]: expected delay_days 0-{MAX_DELAY_DAYS} and delay_hours 0-23")
    return SequenceDraft(name, tuple(steps), check_window(window))


def check_window(window: Window) -> Window:
    if not 0 <= window.start_hour < window.end_hour <= 24:
        raise InvalidInput(f"window: expected 0 <= start_hour < end_hour <= 24, got {window.start_hour}-"
                           f"{window.end_hour}")
    days = tuple(sorted(set(window.weekdays)))
    if not days or any(d not in ALL_DAYS for d in days):
        raise InvalidInput("window.weekdays: expected one or more of 0 (Monday) to 6 (Sunday)")
    try:
        ZoneInfo(window.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"window.time_zone: expected an IANA time zone like Europe/Berlin, "
                           f"got {window.time_zone!r}") from None
    return msgspec.structs.replace(window, weekdays=days)


def next_opening(window: Window, at: datetime) -> datetime:
    """The first moment at or after ``at`` inside the window (``at`` itself when it is inside)."""
    zone = ZoneInfo(window.time_zone)
    local = at.astimezone(zone)
    for _ in range(8 * 24 + 1):  # a week and a day of hours finds any window
        if local.weekday() in window.weekdays and window.start_hour <= local.hour < window.end_hour:
            return max(local, at).astimezone(at.tzinfo)
        local = (local + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        local = local.astimezone(zone)
    return at  # unreachable with a checked window


# --- unsubscribe links -------------------------------------------------------------------------

_MAC = 16


def unsubscribe_key(secret: str) -> bytes:
    """The HMAC key of unsubscribe links, derived from the server's secret key."""
    return hashlib.sha256(b"tandem sequence unsubscribe\0" + secret.encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsubscribe_token(key: bytes, enrolment: UUID) -> str:
    return f"{_b64(enrolment.bytes)}.{_b64(hmac.new(key, enrolment.bytes, hashlib.sha256).digest()[:_MAC])}"


def verify_unsubscribe(key: bytes, token: str) -> UUID | None:
    """The enrolment a token names, or None when it was not made with ``key``."""
    try:
        body, mac = token.split(".", 1)
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        given = base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4))
    except (ValueError, TypeError):
        return None
    expected = hmac.new(key, payload, hashlib.sha256).digest()[:_MAC]
    if len(payload) != 16 or not hmac.compare_digest(given, expected):
        return None
    return uuid.UUID(bytes=payload)


# --- what an inbound message means --------------------------------------------------------------

class Kind(enum.StrEnum):
    REPLY = "reply"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"


class Inbound(NamedTuple):
    kind: Kind
    sender: str  # lower-cased From address
    refers_to: list[str]  # In-Reply-To and References (a bounce: the failed message's Message-ID)
    sent_at: datetime | None
    recipients: list[str]  # a bounce's failed recipients


_AUTO_SUBJECT = re.compile(
    r"(?i)^\s*(automatic reply|auto(matic)?[- ]?(reply|response)|out of (the )?office|autoreply|"
    r"abwesenheitsnotiz|automatische antwort|abwesend|r[ée]ponse automatique|absence)\b")
_ADDRESS = re.compile(r"[^\s<>\"',;]+@[^\s<>\"',;]+")


def is_auto_reply(headers: Message) -> bool:
    """Whether a message was sent by a machine on someone's behalf (out of office, autoresponder)."""
    auto = str(headers.get("Auto-Submitted", "")).strip().lower()
    if auto and not auto.startswith("no"):
        return True
    if headers.get("X-Autoreply") is not None or headers.get("X-Autorespond") is not None:
        return True
    if str(headers.get("Precedence", "")).strip().lower() in {"auto_reply", "bulk", "junk", "list"}:
        return True
    if str(headers.get("X-Auto-Response-Suppress", "")).strip():  # Exchange sets it on an OOF
        return True
    return bool(_AUTO_SUBJECT.match(str(headers.get("Subject", ""))))


def _header(headers: Message, name: str) -> str | None:
    value = headers.get(name)
    return None if value is None else str(value)


def _from(headers: Message) -> str:
    found = _ADDRESS.findall(str(headers.get("From", "")))
    return found[-1].lower() if found else ""


def _date(headers: Message) -> datetime | None:
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(str(headers.get("Date", "")))
    except (TypeError, ValueError):
        return None


def read_inbound(raw: bytes) -> Inbound:
    """What ``raw`` means to a sequence: a delivery failure report (RFC 3464, ``Action: failed``), an
    automatic answer, or a person's reply (or any message from them)."""
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    sender, sent_at = _from(headers), _date(headers)
    if headers.get_content_type() == "multipart/report" and \
            str(headers.get_param("report-type", "")).lower() == "delivery-status":
        failed, recipients, originals = _dsn(raw)
        if failed:
            return Inbound(Kind.BOUNCE, sender, originals, sent_at, recipients)
        return Inbound(Kind.AUTO_REPLY, sender, [], sent_at, [])  # delayed / relayed: no verdict yet
    refers = [*message_ids(_header(headers, "In-Reply-To")), *message_ids(_header(headers, "References"))]
    kind = Kind.AUTO_REPLY if is_auto_reply(headers) else Kind.REPLY
    return Inbound(kind, sender, refers, sent_at, [])


def _dsn(raw: bytes) -> tuple[bool, list[str], list[str]]:
    """A delivery report's verdict: whether a recipient failed, which, and the original's Message-ID."""
    report = message_from_bytes(raw, policy=policy.compat32)
    failed, recipients, originals = False, [], []
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for block in _status_blocks(part):
                if str(block.get("Action", "")).strip().lower() == "failed":
                    failed = True
                    recipients += [a.lower() for a in _ADDRESS.findall(str(block.get("Final-Recipient", "")))]
        elif kind in {"text/rfc822-headers", "message/rfc822"}:
            original = _original_headers(part)
            if original is not None:
                originals += message_ids(_header(original, "Message-ID"))
    return failed, recipients, originals


def _status_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):  # the stdlib parses message/delivery-status into header blocks
        return [p for p in payload if isinstance(p, Message)]
    text = payload if isinstance(payload, str) else ""
    return [BytesHeaderParser(policy=policy.compat32).parsebytes(b.encode() + b"\n") for b in text.split("\n\n")]


def _original_headers(part: Message) -> Message | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return payload[0]
    if isinstance(payload, str):
        return BytesHeaderParser(policy=policy.compat32).parsebytes(payload.encode("utf-8", "replace"))
    return None
