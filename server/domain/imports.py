"""Importing as people do it: reading the bytes a spreadsheet wrote, mapping its columns, finding
the records a row duplicates, and what an import changed (so it can be undone).

Pure functions and values, no I/O.

**Encoding.** A file with a UTF-8 byte order mark is UTF-8; one with a UTF-16 mark is UTF-16
(Excel's "Unicode text"); a file that decodes as strict UTF-8 is UTF-8; anything else is
Windows-1252, what German (and every Western European) Excel writes for "CSV (Trennzeichen-
getrennt)". Only these are ever written by the spreadsheets our users have, and strict UTF-8
rejects practically every cp1252 text with an umlaut, so this beats a statistical guess
(charset-normalizer may name cp1250 or mac_roman for a short German file).

**Delimiter.** The one of ``;``, ``,`` and tab found most often in the header line outside
quotes (a tie or none: ``,``). Python's ``csv.Sniffer`` is not used: it prefers ``,`` whenever
every row has as many commas as semicolons — exactly a German file of amounts like ``1200,50``.

**Duplicates.** A row is the record named by its ``id`` cell (an export imported again), else the
contact sharing one of its e-mails, else the contact with the same name in the same organisation
(organisations: the same name, else a shared e-mail). The importer chooses per import what a
duplicate does: ``skip`` it, ``update`` the record (the file's non-empty cells win), or ``merge``
(the record keeps its values; the file only fills what is empty and adds to its lists).
"""

from __future__ import annotations

import codecs
import hashlib
import csv
import io
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple
from uuid import UUID

from server.domain.accounts import InvalidInput

DELIMITERS = (";", ",", "\t")
PREVIEW_ROWS = 20
_SYMBOLS = re.compile(r"[\s\u00a0\u202f€$£]|EUR|USD|CHF|GBP", re.IGNORECASE)
_GROUPED_DOTS = re.compile(r"-?\d{1,3}(\.\d{3})+")
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


class OnDuplicate(StrEnum):
    SKIP = "skip"
    UPDATE = "update"
    MERGE = "merge"


class Decoded(NamedTuple):
    text: str
    encoding: str  # utf-8, utf-8-sig, utf-16 or cp1252
    delimiter: str


def decode(raw: bytes) -> Decoded:
    """The text of an uploaded CSV file, the encoding it was read as, and its delimiter."""
    if raw.startswith(codecs.BOM_UTF8):
        text, encoding = raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = raw.decode("utf-16", errors="replace"), "utf-16"
    else:
        try:
            text, encoding = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            # cp1252 leaves five bytes undefined; Latin-1 reads them as the control characters they are
            text, encoding = raw.decode("cp1252", errors="ignore") if _cp1252(raw) else raw.decode("latin-1"), "cp1252"
    return Decoded(text, encoding, delimiter(text))


def _cp1252(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def delimiter(text: str) -> str:
    """``;``, ``,`` or tab: the most frequent outside quotes in the first line."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def header_key(headers: Sequence[str]) -> str:
    """What a remembered mapping is found by: the header row, trimmed and case-blind, as a SHA-256
    digest (the row itself can outgrow what a Postgres index entry holds: a 5 KB header was a 500)."""
    joined = "\t".join(h.strip().casefold() for h in headers)
    return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()


# --- cells written the German way ---------------------------------------------------------------

def parse_amount(raw: str, *, decimal_comma: bool) -> float:
    """``1.200,50`` (a ``;`` file) or ``1,200.50`` → 1200.5; ``€`` and spaces ignored; raises ``ValueError``.

    With both separators the last is the decimal one; a lone ``,`` is decimal in a file that
    uses ``;`` (German Excel) and a thousands separator otherwise."""
    text = _SYMBOLS.sub("", raw)
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
    elif "," in text:
        decimal = "," if decimal_comma else "."
    else:
        decimal = "," if decimal_comma and _GROUPED_DOTS.fullmatch(text) else "."
    thousands = "." if decimal == "," else ","
    number = float(text.replace(thousands, "").replace(decimal, "."))
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(raw)
    return number


def parse_date(raw: str) -> date:
    """``2027-03-01`` or ``01.03.2027`` (German); raises ``ValueError``."""
    text = raw.strip()
    if match := _GERMAN_DATE.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    return date.fromisoformat(text[:10] if "T" in text else text)


# --- duplicates ---------------------------------------------------------------------------------

def merged_list(current: Sequence[str], incoming: Sequence[str], mode: OnDuplicate) -> list[str]:
    if mode is OnDuplicate.UPDATE:
        return list(incoming) if incoming else list(current)
    return list(dict.fromkeys([*current, *incoming]))


def combine(current: Mapping[str, Any], incoming: Mapping[str, Any], mode: OnDuplicate,
            lists: Sequence[str] = ("emails", "phones", "labels")) -> dict[str, Any]:
    """The changes ``incoming`` (a row's values; empty ones mean "not in the file") makes to a
    record whose values are ``current``: ``update`` overwrites, ``merge`` only fills blanks and
    adds to lists. Nested maps (address, custom fields) combine key by key."""
    changes: dict[str, Any] = {}
    for key, value in incoming.items():
        old = current.get(key)
        if key in lists:
            new: Any = merged_list(old or [], value or [], mode)
        elif isinstance(value, dict):
            new = {**(old or {}), **value} if mode is OnDuplicate.UPDATE else {**value, **(old or {})}
        elif value in (None, "", [], {}):
            continue
        else:
            new = value if mode is OnDuplicate.UPDATE or old in (None, "", [], {}) else old
        if new != old:
            changes[key] = new
    return changes


# --- what an import did ---------------------------------------------------------------------------

class Action(StrEnum):
    CREATED = "created"
    UPDATED = "updated"


class ImportChange(NamedTuple):
    """One record an import created or updated; ``before``: its values before (updates), as JSON."""

    record_kind: str  # contact, organisation or deal
    record_id: UUID
    action: Action
    before: dict[str, Any] | None = None


class ImportBatch(NamedTuple):
    """One import: what it was, who ran it, what it did, and whether it was undone."""

    id: UUID
    workspace_id: UUID
    kind: str
    board_id: UUID | None
    created_by: UUID | None
    created_at: datetime
    created: int
    updated: int
    skipped: int
    undone_at: datetime | None = None


def as_json(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values with ids and dates as strings: what ``ImportChange.before`` keeps."""
    def plain(value: Any) -> Any:
        if isinstance(value, (UUID, date)):
            return str(value) if isinstance(value, UUID) else value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return list(value) if isinstance(value, (list, tuple)) else value
    return {key: plain(value) for key, value in values.items()}


def check_on_duplicate(raw: str | None) -> OnDuplicate:
    try:
        return OnDuplicate(raw or "skip")
    except ValueError:
        raise InvalidInput(f"expected duplicates=skip, update or merge, got {raw!r}") from None


def first_row(text: str, delimiter: str) -> list[str]:
    """The header row of a CSV text ([] if it has none or it is not valid CSV)."""
    try:
        return next(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter), [])
    except csv.Error:
        return []
