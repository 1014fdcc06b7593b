"""Erasing a contact's personal data (GDPR art. 17): what counts as it, and redacting free text.

The contact's row is blanked in SQL; what else names the person is free text in board documents
(a deal titled "Renewal — Zelda Quixote", an activity's note). ``personal_strings`` lists what to
look for — names, e-mails, phone numbers as written and as digits — and ``redact`` replaces each
whole-word occurrence (any case) with ``ERASED``. Pure: no I/O, no pycrdt.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple
from uuid import UUID

import msgspec

ERASED = "[erased]"
MIN_NAME = 2  # a one-letter initial would redact every "a" in a title
MIN_DIGITS = 6  # shorter digit runs are amounts and dates, not phone numbers


class ErasureReport(NamedTuple):
    """What an erasure removed, counted per kind (never the data itself)."""

    contact: UUID
    contacts_blanked: int  # the contact and every contact merged into it
    notes_blanked: int
    deal_references_removed: int
    activity_references_removed: int
    text_fields_redacted: int
    documents_compacted: int
    log_rows_squashed: int
    documents_still_holding: int  # stored bytes that still contain a personal string (should be 0)


class PersonalData(msgspec.Struct, frozen=True):
    """What identifies a contact's person: the strings ``personal_strings`` looks for."""

    id: UUID
    workspace_id: UUID
    first_name: str = ""
    last_name: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    phone_digits: tuple[str, ...] = ()


def personal_strings(people: Iterable[PersonalData]) -> list[str]:
    """Every string that identifies the person in ``people`` (their contact records), longest first."""
    found: set[str] = set()
    for person in people:
        first, last = person.first_name, person.last_name
        found.update(s.strip() for s in (f"{first} {last}", f"{last} {first}", first, last)
                     if len(s.strip()) >= MIN_NAME)
        found.update(e for e in person.emails if e)
        found.update(p.strip() for p in person.phones if len(re.sub(r"\D", "", p)) >= MIN_DIGITS)
        found.update(d for d in person.phone_digits if len(d) >= MIN_DIGITS)
    return sorted(found, key=lambda s: (-len(s), s))


def redact(text: str, strings: Iterable[str]) -> str:
    """``text`` with each whole-word occurrence of ``strings`` (any case) replaced by ``ERASED``."""
    pattern = _pattern(tuple(strings))
    return pattern.sub(ERASED, text) if pattern is not None else text


def _pattern(strings: tuple[str, ...]) -> re.Pattern[str] | None:
    if not strings:
        return None
    words = "|".join(re.escape(s) for s in sorted(strings, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)


def holds_any(blob: bytes, strings: Iterable[str]) -> bool:
    """Whether stored bytes still contain one of ``strings`` (UTF-8, as Yjs stores strings)."""
    lowered = blob.lower()  # ASCII only: bytes.lower leaves other letters alone
    return any(s.encode() in blob or s.lower().encode() in lowered for s in strings)
