"""CSV import and export of contacts and organisations: columns, cells, and the validation report.

One row becomes one record. List cells (e-mails, phones, labels) hold several values separated
by ``;``. Custom fields are columns named by their key (or label). A problem is reported with the
file's line number (a quoted cell spanning lines counts them all, as an editor shows them), the
column and the reason; a file with any problem imports nothing.

Cells an export writes that a spreadsheet would run as a formula are prefixed with ``'``, which
spreadsheets show as text (OWASP's CSV injection advice): a cell starting with tab or carriage
return, or whose first character after any leading whitespace, quotes and separator-like
characters (``; , |`` — a spreadsheet reading the file with another separator starts a new cell
there, as in ``;=1+1``) is ``= + - @``. Import removes the prefix again from exactly such cells,
so ``'+44 20 7946 0958`` comes back as the phone it was, and every cell survives the round trip
(``'`` itself is one of the skipped characters, so a cell that already began with ``'`` gets one more).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from server.domain.accounts import InvalidInput
from server.domain.contacts import ADDRESS_PARTS, Contact, Organisation
from server.domain.fields import FieldDefinition, format, parse
from server.domain.text import unstorable

MAX_ROWS = 50_000
MAX_COLUMNS = 500  # the widest CRM exports have a few hundred; more is not a table of records
LIST_SEPARATOR = ";"
CONTACT_COLUMNS = ("first_name", "last_name", "emails", "phones", "organisation", "job_title", "owner", "labels",
                   *ADDRESS_PARTS)
ORGANISATION_COLUMNS = ("name", "website", "emails", "phones", "owner", "labels", *ADDRESS_PARTS)
EXPORT_ONLY = ("id", "created_at", "updated_at")
DEAL_COLUMNS = ("title", "stage", "value", "currency", "owner", "contact", "organisation", "expected_close", "labels")
DEAL_EXPORT_ONLY = (*EXPORT_ONLY, "status")
ALIASES = {"email": "emails", "e_mail": "emails", "e_mails": "emails", "phone": "phones", "company": "organisation",
           "organization": "organisation", "title": "job_title", "label": "labels", "first": "first_name",
           "last": "last_name", "zip": "postcode", "postal_code": "postcode", "state": "region",
           "deal": "title", "amount": "value", "close_date": "expected_close", "mobile": "phones",
           # what German spreadsheets call them
           "vorname": "first_name", "nachname": "last_name", "name": "last_name", "telefon": "phones",
           "mobil": "phones", "handy": "phones", "firma": "organisation", "unternehmen": "organisation",
           "position": "job_title", "funktion": "job_title", "straße": "street", "strasse": "street",
           "plz": "postcode", "ort": "city", "stadt": "city", "bundesland": "region", "land": "country",
           "besitzer": "owner", "verantwortlich": "owner", "inhaber": "owner", "etiketten": "labels",
           "webseite": "website", "homepage": "website", "titel": "title", "phase": "stage", "wert": "value",
           "betrag": "value", "währung": "currency", "waehrung": "currency", "kontakt": "contact",
           "abschlussdatum": "expected_close", "erwarteter_abschluss": "expected_close"}
_FORMULA_LEADS = ("=", "+", "-", "@")
_BEFORE_FORMULA = " \t\r\n\v\f\u00a0;,|'\""  # what a spreadsheet may skip or split at before a formula


class SheetError(InvalidInput):
    """The file cannot be read as a table at all (bad header, broken quoting, too many rows)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line, self.reason = line, message


class Problem(NamedTuple):
    line: int
    column: str | None
    reason: str


class Sheet(NamedTuple):
    """A parsed file: its columns (canonical names) and rows as ``(line, column -> cell)``;
    ``headers`` as written and ``mapping`` (each header's column, None: ignored) as applied."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    ignored: list[str]
    headers: list[str] = []
    mapping: dict[str, str | None] = {}


def _canonical(header: str, known: Sequence[str] = ()) -> str:
    """``"E-mail"`` → ``emails`` (for a kind that has that column): lower-case, ``_`` for spaces."""
    key = re.sub(r"[\s\-]+", "_", header.strip().lower())
    if key in known:
        return key
    target = ALIASES.get(key, key)
    if target == "organisation" and "name" in known and "organisation" not in known:
        return "name"  # "Firma", "Company" in a file of organisations: their own name
    return target if target in known else key


def suggest(header: str, known: Sequence[str], fields: Mapping[str, FieldDefinition],
            export_only: Sequence[str] = EXPORT_ONLY) -> str | None:
    """The column ``header`` names, by name, alias or custom field label; None if it names none."""
    name = _canonical(header, known)
    if name in known or name in fields or name in export_only:
        return name
    return {_canonical(d.label): key for key, d in fields.items()}.get(name)


def read_sheet(text: str, known: Sequence[str], fields: Mapping[str, FieldDefinition],
               export_only: Sequence[str] = EXPORT_ONLY, *, delimiter: str = ",",
               mapping: Mapping[str, str | None] | None = None) -> Sheet:
    """Parse ``text``; raise ``SheetError`` if it cannot be read as a table. Columns an export
    writes for information (``export_only``) are read and not reported as unknown. ``mapping``
    (header as written → column, or None to ignore it) overrides what the headers suggest."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise SheetError(1, "expected a CSV file with a header line, got an empty file") from None
    except csv.Error as exc:
        raise SheetError(1, f"the header is not valid CSV: {exc}") from None
    if len(header) > MAX_COLUMNS:
        raise SheetError(1, f"expected at most {MAX_COLUMNS} columns, got {len(header)}")
    for index, raw in enumerate(header):
        if reason := unstorable(raw):
            raise SheetError(1, f"the header's column {index + 1}: {reason}")
    columns: list[str] = []
    ignored: list[str] = []
    applied: dict[str, str | None] = {}
    for index, raw in enumerate(header):
        name = mapping[raw] if mapping is not None and raw in mapping else suggest(raw, known, fields, export_only)
        if name and name not in known and name not in fields and name not in export_only:
            raise SheetError(1, f"the column {raw!r} is mapped to {name!r}, expected one of {', '.join(known)}"
                                f"{', ' if fields else ''}{', '.join(fields)} or nothing")
        if name and name in columns:
            first = header[columns.index(name)]
            raise SheetError(1, f"the column {raw!r} appears twice" if mapping is None or raw not in mapping
                             else f"the columns {first!r} and {raw!r} both go to {name!r}; map one of them elsewhere")
        if not name:
            ignored.append(raw)
        applied[raw] = name or None
        columns.append(name or f"#{index}")
    return Sheet(columns, list(_rows(reader, columns)), ignored, list(header), applied)


def _rows(reader: Iterator[list[str]], columns: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    line = reader.line_num
    count = 0
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SheetError(start, f"not valid CSV: {exc}") from None
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise SheetError(start, f"expected at most {MAX_ROWS} rows in one import; split the file")
        if len(cells) != len(columns):
            yield start, {"": f"expected {len(columns)} cells as in the header, got {len(cells)}"}
            continue
        if bad := _unstorable_cell(columns, cells):
            yield start, {"": bad}
            continue
        yield start, {column: _unquote(cell) for column, cell in zip(columns, cells)}


def _unstorable_cell(columns: list[str], cells: list[str]) -> str | None:
    """The reason a row cannot be imported if a cell holds text Postgres cannot store (a NUL)."""
    for column, cell in zip(columns, cells):
        if reason := unstorable(cell):
            return f"column {column}: {reason}"
    return None


def split_list(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip()]


def address_of(cells: Mapping[str, str]) -> dict[str, str]:
    return {part: cells[part] for part in ADDRESS_PARTS if cells.get(part, "").strip()}


def field_values(cells: Mapping[str, str], fields: Mapping[str, FieldDefinition], line: int,
                 problems: list[Problem]) -> dict[str, object]:
    """The custom field cells of a row, parsed; a bad cell becomes a ``Problem``."""
    values: dict[str, object] = {}
    for key, definition in fields.items():
        if key in cells:
            try:
                value = parse(definition, cells[key])
            except InvalidInput as exc:
                problems.append(Problem(line, key, str(exc)))
                continue
            if value is not None:
                values[key] = value
    return values


# --- export ------------------------------------------------------------------------------------

def runs_as_formula(cell: str) -> bool:
    """Whether a spreadsheet might run ``cell`` as a formula (then export prefixes it with ``'``)."""
    return cell.lstrip("'")[:1] in ("\t", "\r") or cell.lstrip(_BEFORE_FORMULA)[:1] in _FORMULA_LEADS


def _quote_formula(cell: str) -> str:
    return "'" + cell if runs_as_formula(cell) else cell


def _unquote(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and runs_as_formula(cell[1:]) else cell


def export_columns(base: Sequence[str], fields: Mapping[str, FieldDefinition]) -> list[str]:
    return ["id", *base, *fields, "created_at", "updated_at"]


def csv_lines(rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_quote_formula(cell) if isinstance(cell, str) else cell for cell in row])
    return out.getvalue()


def export_cells(record: Contact | Organisation, base: Sequence[str], fields: Mapping[str, FieldDefinition],
                 owners: Mapping[Any, str]) -> list[str]:
    """One record as the cells of ``export_columns`` (owners by e-mail, lists ``;``-joined)."""
    values = record.values
    special = {
        "emails": "; ".join(values.emails), "phones": "; ".join(values.phones), "labels": "; ".join(values.labels),
        "owner": owners.get(values.owner_id, ""),
        "organisation": getattr(record, "organisation_name", None) or "",
    }
    cells = [str(record.id)]
    for column in base:
        cells.append(special[column] if column in special else values.address.get(column, "")
                     if column in ADDRESS_PARTS else getattr(values, column))
    cells += [format(definition, values.fields.get(key)) for key, definition in fields.items()]
    cells += [record.created_at.isoformat(), record.updated_at.isoformat()]
    return cells
