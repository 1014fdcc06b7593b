"""Accounts: who someone is, what counts as a valid e-mail, password and name. Pure functions,
and the values the account repositories (``server/services/ports/accounts.py``) take and return."""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

import msgspec

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MIN_PASSWORD = 10
MAX_PASSWORD = 256  # argon2 takes any length; bound what one request can make us hash
MAX_NAME = 100


class InvalidInput(ValueError):
    """A field that is not what was expected (HTTP 400); the message names both."""


class UnknownLocale(ValueError):
    """A language the app does not speak (HTTP 422)."""


LOCALES = ("en", "de")  # the languages of the app's catalogue (client/web/src/i18n)


class Identity(NamedTuple):
    """A signed-in user as sockets and presence see it."""

    id: UUID
    name: str


class User(msgspec.Struct, frozen=True):
    """A user as others see them: in member lists, shares and sessions."""

    id: UUID
    email: str
    name: str


class Account(msgspec.Struct, frozen=True):
    """A stored account: ``password_hash`` is argon2id; ``disabled_at`` is None while it may sign in."""

    id: UUID
    email: str
    name: str
    password_hash: str
    disabled_at: datetime | None = None
    locale: str | None = None  # one of LOCALES, or None while the user never chose a language

    @property
    def user(self) -> User:
        return User(self.id, self.email, self.name)


class LiveSession(msgspec.Struct, frozen=True):
    """A session that has not expired, of an enabled account."""

    user: User
    expires_at: datetime
    locale: str | None = None  # the account's chosen language (LOCALES), None if never chosen


class AuditEvent(msgspec.Struct, frozen=True):
    """One line of the audit log: who did what to whom, from where; ``details`` says the rest."""

    id: int
    at: datetime
    event: str
    actor_id: UUID | None
    subject_id: UUID | None
    address: str | None
    details: dict[str, object]


class AccessChanged(NamedTuple):
    """Whose access changed: one user, one session, or (both None) possibly anyone's."""

    user: UUID | None
    session: bytes | None


def check_locale(raw: object) -> str:
    """``raw`` if it is one of ``LOCALES``; raises ``UnknownLocale``."""
    if raw not in LOCALES:
        raise UnknownLocale(f"expected locale 'en' or 'de', got {raw!r}"[:200])
    return str(raw)


def spoken_locale(chosen: str | None, accept_language: str | None = None) -> str:
    """The language to write to a user in: the one they chose, else the first of their browser's
    ``Accept-Language`` the app speaks (as the app reads ``navigator.languages``), else English."""
    if chosen in LOCALES:
        return str(chosen)
    for part in (accept_language or "")[:500].split(","):
        base = part.split(";")[0].strip().lower().split("-")[0]
        if base in LOCALES:
            return base
    return "en"


def normalise_email(raw: str) -> str:
    email = raw.strip().lower()
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise InvalidInput(f"expected an e-mail address like name@example.com, got {raw[:80]!r}")
    return email


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(
            f"expected a password of {MIN_PASSWORD} to {MAX_PASSWORD} characters, got {len(password)}"
        )
    return password


def check_name(raw: str, what: str = "name") -> str:
    name = raw.strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise InvalidInput(f"expected a {what} of 1 to {MAX_NAME} characters, got {len(name)}")
    return name


def sign_in_throttled(failures_for_email: int, failures_from_address: int, limit: int) -> bool:
    """Too many recent failures for this e-mail, or from this address (10x: shared NATs)."""
    return failures_for_email >= limit or failures_from_address >= 10 * limit


class Unauthenticated(Exception):
    """No valid session: missing, unknown, expired or signed out (HTTP 401, close 4401)."""


class Throttled(Exception):
    """Too many failed sign-ins; try again after ``retry_after`` seconds (HTTP 429)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Conflict(Exception):
    """The request clashes with what exists, e.g. an e-mail already registered (HTTP 409)."""
