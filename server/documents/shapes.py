"""The document shapes of ``schema/documents/*.json``, loaded once, and the field codec.

``decode(field, raw)`` turns a value read out of a Yjs document into a domain value or raises
``DoesNotFit`` saying what was expected and what came in; ``encode(field, value)`` is its
inverse for writers. The field types are listed in ``schema/documents/SHAPES.md``.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple
from uuid import UUID

from pycrdt import Array, Map

from server.domain.calendar import is_time_zone, rule
from server.domain.ranks import is_rank
from server.domain.text import find_unstorable, unstorable

SHAPES = Path(__file__).resolve().parents[2] / "schema" / "documents"
_CURRENCY = re.compile(r"[A-Z]{3}")
_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


class DoesNotFit(ValueError):
    """A value in a document that its shape does not allow."""


class Field(NamedTuple):
    name: str
    type: str
    spec: dict[str, Any]

    @property
    def attribute(self) -> str:
        """The domain attribute name: ``expectedClose`` -> ``expected_close``."""
        return _SNAKE.sub("_", self.name).lower()


class Record(NamedTuple):
    name: str
    required: tuple[str, ...]
    fields: dict[str, Field]

    def defaults(self) -> dict[str, Any]:
        return {f.name: f.spec["default"] for f in self.fields.values() if "default" in f.spec}


class Shape(NamedTuple):
    document: str
    roots: dict[str, dict[str, Any]]
    records: dict[str, Record]
    seed: dict[str, Any]


@cache
def shape(document: str) -> Shape:
    """The shape of ``board`` or ``note`` documents, from ``schema/documents/<document>.json``."""
    raw = json.loads((SHAPES / f"{document}.json").read_text())
    records = {
        name: Record(name, tuple(spec.get("required", ())),
                     {f: Field(f, s["type"], s) for f, s in spec["fields"].items()})
        for name, spec in raw["records"].items()
    }
    return Shape(raw["document"], raw["roots"], records, raw.get("seed", {}))


def record(document: str, name: str) -> Record:
    return shape(document).records[name]


# --- reading ---------------------------------------------------------------------------------

def decode(field: Field, raw: object) -> Any:
    """The domain value of ``raw`` for ``field``; ``DoesNotFit`` if it does not fit."""
    decoder = _DECODERS.get(field.type)
    if decoder is None:
        raise DoesNotFit(f"unknown field type {field.type!r}")
    return decoder(field.spec, raw)


def _expect(ok: bool, what: str, raw: object) -> None:
    if not ok:
        shown = repr(raw) if not isinstance(raw, (Map, Array)) else type(raw).__name__
        raise DoesNotFit(f"expected {what}, got {shown[:60]}")


def _string(spec: dict, raw: object) -> str:
    _expect(isinstance(raw, str), "a string", raw)
    limit = spec.get("maxLength")
    _expect(limit is None or len(raw) <= limit, f"at most {limit} characters", f"{len(raw)} characters")
    _storable(raw)
    return raw


def _storable(value: object) -> None:
    """Text Postgres cannot store (NUL, lone surrogates) does not fit: the projection would fail on it."""
    problem = unstorable(value) if isinstance(value, str) else find_unstorable(value)
    if problem is not None:
        raise DoesNotFit(str(problem))


def _number(spec: dict, raw: object) -> float:
    _expect(isinstance(raw, (int, float)) and not isinstance(raw, bool) and math.isfinite(raw), "a number", raw)
    low, high = spec.get("minimum"), spec.get("maximum")
    _expect(low is None or raw >= low, f"a number >= {low}", raw)
    _expect(high is None or raw <= high, f"a number <= {high}", raw)
    return float(raw)


def _integer(spec: dict, raw: object) -> int:
    value = _number(spec, raw)
    _expect(value.is_integer(), "a whole number", raw)
    return int(value)


def _boolean(spec: dict, raw: object) -> bool:
    _expect(isinstance(raw, bool), "true or false", raw)
    return raw


def _enum(spec: dict, raw: object) -> str:
    _expect(raw in spec["values"], f"one of {', '.join(spec['values'])}", raw)
    return raw  # type: ignore[return-value]


def _uuid(spec: dict, raw: object) -> UUID:
    _expect(isinstance(raw, str), "a UUID string", raw)
    try:
        value = UUID(raw)
    except ValueError:
        raise DoesNotFit(f"expected a UUID string, got {raw[:60]!r}") from None
    _expect(str(value) == raw, "a lower-case hyphenated UUID", raw)
    return value


def _date(spec: dict, raw: object) -> date:
    _expect(isinstance(raw, str) and len(raw) == 10, "a date YYYY-MM-DD", raw)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DoesNotFit(f"expected a date YYYY-MM-DD, got {raw[:60]!r}") from None


def _datetime(spec: dict, raw: object) -> datetime:
    _expect(isinstance(raw, str) and len(raw) > 10, "an ISO-8601 UTC time", raw)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise DoesNotFit(f"expected an ISO-8601 UTC time, got {raw[:60]!r}") from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _date_or_datetime(spec: dict, raw: object) -> date | datetime:
    return _date(spec, raw) if isinstance(raw, str) and len(raw) == 10 else _datetime(spec, raw)


def _currency(spec: dict, raw: object) -> str:
    _expect(isinstance(raw, str) and bool(_CURRENCY.fullmatch(raw)), "an ISO 4217 currency code", raw)
    return raw  # type: ignore[return-value]


def _rank(spec: dict, raw: object) -> str:
    _expect(is_rank(raw), "a fractional index key", raw)
    return raw  # type: ignore[return-value]


def _strings(spec: dict, raw: object) -> tuple[str, ...]:
    items = raw.to_py() if isinstance(raw, Array) else raw
    _expect(isinstance(items, list) and all(isinstance(i, str) for i in items), "a list of strings", raw)
    _storable(items)
    return tuple(items)  # type: ignore[arg-type]


def _map(spec: dict, raw: object) -> dict[str, Any]:
    value = raw.to_py() if isinstance(raw, Map) else raw
    _expect(isinstance(value, dict), "a map", raw)
    _storable(value)
    return value  # type: ignore[return-value]


def _timezone(spec: dict, raw: object) -> str:
    _expect(isinstance(raw, str) and is_time_zone(raw), "an IANA time zone (Europe/Berlin)", raw)
    return raw  # type: ignore[return-value]


def _rrule(spec: dict, raw: object) -> str:
    _expect(isinstance(raw, str) and rule(raw) is not None, "an RRULE such as FREQ=WEEKLY;BYDAY=MO", raw)
    return raw.upper()  # type: ignore[union-attr]


def _minutes(spec: dict, raw: object) -> tuple[int, ...]:
    items = raw.to_py() if isinstance(raw, Array) else raw
    high, most = spec.get("maximum", 40320), spec.get("maxItems", 5)
    _expect(isinstance(items, list) and len(items) <= most
            and all(isinstance(i, (int, float)) and not isinstance(i, bool) and math.isfinite(i)
                    and float(i).is_integer() and 0 <= i <= high for i in items),
            f"at most {most} whole numbers of minutes from 0 to {high}", raw)
    return tuple(sorted({int(i) for i in items}, reverse=True))  # type: ignore[union-attr]


_DECODERS = {
    "string": _string, "number": _number, "integer": _integer, "boolean": _boolean, "enum": _enum,
    "uuid": _uuid, "user": _uuid, "stage": _uuid, "date": _date, "datetime": _datetime,
    "date-or-datetime": _date_or_datetime, "currency": _currency, "rank": _rank,
    "Y.Array<string>": _strings, "Y.Map": _map, "timezone": _timezone, "minutes": _minutes,
    "rrule": _rrule,
}


# --- writing ---------------------------------------------------------------------------------

def encode(field: Field, value: Any) -> Any:
    """What a writer stores for ``value``: strings for ids and times, Y types for collections."""
    if field.type == "Y.Array<string>":
        return Array(list(value))
    if field.type == "Y.Map":
        return Map(dict(value))
    if field.type == "minutes":
        return [int(minutes) for minutes in value]  # a plain JSON array, as the app writes it
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return iso_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return int(value) if field.type == "integer" else float(value)
    return str(value)  # str and StrEnum


def iso_time(moment: datetime) -> str:
    """``2026-11-26T19:55:00.000Z``: UTC with milliseconds, as JavaScript's ``toISOString``."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
