"""Contacts and organisations: what a valid one is, and how it is found by search.

Pure functions, no I/O. Search works without any Postgres extension (the embedded Postgres has
no ``pg_trgm``): every record carries a ``tsvector`` of *lexemes* made here — each normalised
word, and each suffix of three characters or more of it — and a query is the AND of
``'<fragment>':*`` prefix matches. A prefix of a suffix is a substring, so ``"vela"`` finds
"Lovelace" and ``"7946"`` finds ``+44 20 7946 0958``, on a plain GIN index, on every Postgres.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from server.domain.accounts import InvalidInput, normalise_email

MAX_TEXT = 200
MAX_ITEMS = 20  # e-mails, phones, labels per record
MIN_SUFFIX = 3
MAX_TOKEN = 40  # longer words are indexed whole and by the suffixes of their first 40 characters
MAX_QUERY_TERMS = 8
ADDRESS_PARTS = ("street", "city", "postcode", "region", "country")
_WORD = re.compile(r"[^\W_]+")
_PHONE_CHARS = re.compile(r"[\d\s()+.\-/]+")
_DIGITS = re.compile(r"\d")


class Address(NamedTuple):
    street: str = ""
    city: str = ""
    postcode: str = ""
    region: str = ""
    country: str = ""


# --- validation ------------------------------------------------------------------------------

def check_text(raw: str | None, what: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    text = (raw or "").strip()
    if required and not text:
        raise InvalidInput(f"expected a {what}, got nothing")
    if len(text) > limit:
        raise InvalidInput(f"expected a {what} of at most {limit} characters, got {len(text)}")
    return text


def check_person_name(first: str | None, last: str | None) -> tuple[str, str]:
    first, last = check_text(first, "first name"), check_text(last, "last name")
    if not first and not last:
        raise InvalidInput("expected a first or a last name, got neither")
    return first, last


def check_emails(raw: Sequence[str]) -> list[str]:
    """Normalised (lower-cased), duplicates dropped, order kept: the first is the primary."""
    return unique(normalise_email(email) for email in _bounded(raw, "e-mail addresses"))


def normalise_phone(raw: str) -> str:
    """The digits of a phone number (``+44 (20) 7946-0958`` → ``442079460958``); a leading ``00``
    (the international prefix dialled instead of ``+``) is dropped. National numbers (``020 …``)
    stay as written: without a country to assume, ``020`` and ``+44 20`` are not known to agree."""
    text = raw.strip()
    digits = _phone_digits(text)
    if not _PHONE_CHARS.fullmatch(text) or not 3 <= len(digits) <= 20:
        raise InvalidInput(f"expected a phone number of 3 to 20 digits (spaces, + ( ) - . / allowed), "
                           f"got {raw[:40]!r}")
    return digits


def _phone_digits(text: str) -> str:
    digits = "".join(_DIGITS.findall(text))
    return digits[2:] if digits.startswith("00") and len(digits) > 4 else digits


def check_phones(raw: Sequence[str]) -> tuple[list[str], list[str]]:
    """``(phones as written, their digits)``; numbers with the same digits are kept once."""
    phones, digits = [], []
    for phone in _bounded(raw, "phone numbers"):
        normal = normalise_phone(phone)
        if normal not in digits:
            phones.append(phone.strip())
            digits.append(normal)
    return phones, digits


def check_labels(raw: Sequence[str]) -> list[str]:
    return unique(check_text(label, "label", required=True, limit=50) for label in _bounded(raw, "labels"))


def check_address(raw: dict[str, str] | None) -> dict[str, str]:
    raw = raw or {}
    unknown = sorted(set(raw) - set(ADDRESS_PARTS))
    if unknown:
        raise InvalidInput(f"expected address parts among {', '.join(ADDRESS_PARTS)}; got {', '.join(unknown)}")
    return {part: text for part in ADDRESS_PARTS if (text := check_text(raw.get(part), f"address {part}"))}


def _bounded(items: Sequence[str], what: str) -> Sequence[str]:
    if len(items) > MAX_ITEMS:
        raise InvalidInput(f"expected at most {MAX_ITEMS} {what}, got {len(items)}")
    return items


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def sort_name(*parts: str) -> str:
    """The key lists are ordered by: last name, then first name, case- and accent-blind."""
    return " ".join(_fold(part) for part in parts if part).strip()


# --- search ----------------------------------------------------------------------------------

def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """Lower-cased, accent-free words: ``"Zoë O'Brien-Smith"`` → ``zoe o brien smith``."""
    return _WORD.findall(_fold(text))


def _suffixes(word: str) -> Iterable[str]:
    head = word[:MAX_TOKEN]
    return (head[i:] for i in range(1, len(head) - MIN_SUFFIX + 1))


def lexemes(texts: Iterable[str], emails: Iterable[str] = (), phone_digits: Iterable[str] = ()) -> list[str]:
    """Everything a record is found by: each word and its suffixes; an e-mail's words and its
    local part run together (``ada.lovelace`` → ``adalovelace``); a phone's digits."""
    found: dict[str, None] = {}
    pieces = [w for text in texts for w in words(text)]
    for email in emails:
        local = email.partition("@")[0]
        pieces += words(email) + ["".join(words(local))]
    pieces += list(phone_digits)
    for piece in pieces:
        if piece:
            found[piece] = None
            found.update(dict.fromkeys(_suffixes(piece)))
    return list(found)


def search_terms(q: str | None) -> list[str]:
    """The fragments of ``q`` a record must all contain (each a prefix of one of its lexemes).

    A query that looks like a phone number (digits and ``+ ( ) - . /``, three digits or more) is
    one fragment of its digits, so ``+44 20 7946`` finds ``0044 (20) 79460958``.
    """
    if q is None or not q.strip():
        return []
    q = q.strip()
    digits = _phone_digits(q)
    if _PHONE_CHARS.fullmatch(q) and len(digits) >= 3:
        return [digits]
    terms = unique(w[:MAX_TOKEN] for w in words(q))
    longer = [term for term in terms if len(term) > 1]
    return (longer or terms)[:MAX_QUERY_TERMS]  # "ada l": a lone letter matches almost everything


def search_query(q: str | None) -> str | None:
    """A ``tsquery`` matching records that contain every fragment of ``q``; None if ``q`` has none."""
    terms = search_terms(q)
    if not terms:
        return None
    return " & ".join(f"'{term}':*" for term in terms)  # words are alphanumeric: no quoting needed


def matches(terms: Sequence[str], record_lexemes: Iterable[str]) -> bool:
    """Whether a record with ``record_lexemes`` is found by ``terms`` (what ``search_query`` asks
    of Postgres: every term a prefix of some lexeme)."""
    held = list(record_lexemes)
    return all(any(lexeme.startswith(term) for lexeme in held) for term in terms)


def tsvector_text(items: Iterable[str]) -> str:
    """Lexemes in ``tsvector`` input syntax (for COPY): alphanumeric words need no escaping."""
    return " ".join(f"'{item}'" for item in items)


# --- records -----------------------------------------------------------------------------------

class ContactValues(NamedTuple):
    """A contact's editable values, checked."""

    first_name: str
    last_name: str
    emails: list[str]
    phones: list[str]
    phone_digits: list[str]
    organisation_id: object | None
    job_title: str
    owner_id: object | None
    labels: list[str]
    address: dict[str, str]
    fields: dict[str, object]

    def sort_name(self) -> str:
        return sort_name(self.last_name, self.first_name)

    def lexemes(self, company: str | None) -> list[str]:
        return contact_lexemes(self.first_name, self.last_name, self.job_title, company, self.emails,
                               self.phone_digits)


def contact_lexemes(first_name: str, last_name: str, job_title: str, company: str | None,
                    emails: Sequence[str], phone_digits: Sequence[str]) -> list[str]:
    """What a contact is found by: its names, job title, company, e-mails and phones."""
    return lexemes([first_name, last_name, job_title, company or ""], emails, phone_digits)


class OrganisationValues(NamedTuple):
    """An organisation's editable values, checked."""

    name: str
    website: str
    emails: list[str]
    phones: list[str]
    phone_digits: list[str]
    owner_id: object | None
    labels: list[str]
    address: dict[str, str]
    fields: dict[str, object]

    def sort_name(self) -> str:
        return sort_name(self.name)

    def lexemes(self) -> list[str]:
        return lexemes([self.name, self.website], self.emails, self.phone_digits)


class Filter(NamedTuple):
    """Which records a list shows (every part optional; all given parts must hold)."""

    q: str | None = None
    owner: object | None = None
    labels: tuple[str, ...] = ()
    organisation: object | None = None
    created_since: object | None = None
    fields: dict[str, object] = {}



class Contact(NamedTuple):
    """A stored contact: its values and what the database keeps about it (deleted ones too)."""

    id: UUID
    workspace_id: UUID
    values: ContactValues
    organisation_name: str | None  # its live organisation's name, if any
    sort_name: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    merged_into: UUID | None = None

    @property
    def name(self) -> str:
        return f"{self.values.first_name} {self.values.last_name}".strip()


class Organisation(NamedTuple):
    """A stored organisation and the number of live contacts it has."""

    id: UUID
    workspace_id: UUID
    values: OrganisationValues
    contacts_count: int
    sort_name: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


class RecordState(NamedTuple):
    """Where a record is and whether it still lives: what access checks need, deleted or not."""

    workspace_id: UUID
    deleted: bool
    merged_into: UUID | None = None


class Indexed(NamedTuple):
    """Contact values with what lists and search need: the sort key and the lexemes."""

    values: ContactValues
    sort_name: str
    lexemes: list[str]
