"""Custom fields: a workspace defines them (key, label, type, options); records carry values.

Values are checked against the definitions on every write and stored as JSON: text and date
(``YYYY-MM-DD``) as strings, number as a number, bool as true/false, select as one of the
options, multi-select as a list of them (in the options' order), url (http or https), email and
phone as strings. ``parse`` reads the same values from text (CSV cells, query parameters;
a multi-select's choices separated by ``;``); ``format`` writes them back, so an export imports
again unchanged. A workspace shows its fields in ``position`` order (admins reorder them).
"""

from __future__ import annotations

import datetime
import enum
import math
import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple
from uuid import UUID

import msgspec

from server.domain.accounts import InvalidInput

_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_OPTIONS = 100
MAX_VALUE = 1000
_TRUE, _FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n"}


class FieldType(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    SELECT = "select"
    BOOL = "bool"
    MULTI_SELECT = "multi_select"
    URL = "url"
    EMAIL = "email"
    PHONE = "phone"


CHOICES = (FieldType.SELECT, FieldType.MULTI_SELECT)  # the types with options
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9 ()./-]{3,40}")


class Entity(enum.StrEnum):
    """What a custom field or a segment applies to."""

    CONTACT = "contact"
    ORGANISATION = "organisation"
    DEAL = "deal"


class FieldDefinition(NamedTuple):
    key: str
    label: str
    type: FieldType
    options: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"custom field {self.key!r} ({self.type})"


class CustomField(msgspec.Struct, frozen=True):
    """A stored definition: which workspace and entity it belongs to, and when it was made."""

    id: UUID
    workspace_id: UUID
    entity: Entity
    key: str
    label: str
    type: FieldType
    options: tuple[str, ...]
    created_at: datetime.datetime
    position: int = 0

    @property
    def definition(self) -> FieldDefinition:
        return FieldDefinition(self.key, self.label, self.type, self.options)


def check_definition(key: str, label: str, type_: FieldType, options: Sequence[str]) -> FieldDefinition:
    if not _KEY.fullmatch(key):
        raise InvalidInput(f"expected a field key of a-z, 0-9 and _ starting with a letter (at most 40), got {key!r}")
    label = label.strip()
    if not 1 <= len(label) <= 100:
        raise InvalidInput(f"expected a field label of 1 to 100 characters, got {len(label)}")
    cleaned = tuple(dict.fromkeys(option.strip() for option in options))
    if type_ in CHOICES:
        if not cleaned or "" in cleaned or len(cleaned) > MAX_OPTIONS:
            raise InvalidInput(f"expected 1 to {MAX_OPTIONS} non-empty options for a {type_} field, "
                               f"got {list(options)!r}")
    elif cleaned:
        raise InvalidInput(f"only select and multi_select fields have options; a {type_} field got {list(options)!r}")
    return FieldDefinition(key, label, type_, cleaned)


def check_values(definitions: Mapping[str, FieldDefinition], values: Mapping[str, object]) -> dict[str, object]:
    """``values`` checked against ``definitions``; a None value stays None (it clears the field)."""
    checked: dict[str, object] = {}
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            known = ", ".join(sorted(definitions)) or "none are defined"
            raise InvalidInput(f"unknown custom field {key!r}: expected one of {known}")
        checked[key] = None if value is None else check_value(definition, value)
    return checked


def check_value(definition: FieldDefinition, value: object) -> object:
    """A JSON value for ``definition``, or ``InvalidInput`` saying what was expected."""
    kind = definition.type
    if kind is FieldType.BOOL and isinstance(value, bool):
        return value
    if kind is FieldType.NUMBER and isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isfinite(value):
            return value
    if kind is FieldType.TEXT and isinstance(value, str) and len(value) <= MAX_VALUE:
        return value
    if kind is FieldType.DATE and isinstance(value, str) and _is_date(value):
        return value
    if kind is FieldType.SELECT and value in definition.options:
        return value
    if kind is FieldType.MULTI_SELECT and isinstance(value, list) and all(v in definition.options for v in value):
        return [option for option in definition.options if option in value]  # each once, in the options' order
    if kind in _PATTERNS and isinstance(value, str) and len(value) <= MAX_VALUE and _PATTERNS[kind].fullmatch(value):
        return value
    raise InvalidInput(f"{definition.describe()}: expected {_expected(definition)}, got {_shown(value)}")


def parse(definition: FieldDefinition, raw: str) -> object:
    """Read a value written as text; an empty string is None (no value)."""
    text = raw.strip()
    if not text:
        return None
    kind = definition.type
    if kind is FieldType.NUMBER:
        try:
            number = float(text.replace(",", "")) if not re.fullmatch(r"-?\d+", text) else int(text)
        except ValueError:
            number = None
        return check_value(definition, number if number is not None else text)
    if kind is FieldType.BOOL:
        lowered = text.lower()
        return check_value(definition, True if lowered in _TRUE else False if lowered in _FALSE else text)
    if kind is FieldType.SELECT:
        match = next((o for o in definition.options if o.lower() == text.lower()), text)
        return check_value(definition, match)
    if kind is FieldType.MULTI_SELECT:
        chosen = [next((o for o in definition.options if o.lower() == part.strip().lower()), part.strip())
                  for part in text.split(";") if part.strip()]
        return check_value(definition, chosen)
    if kind is FieldType.URL and "://" not in text:
        text = f"https://{text}"  # "example.com" as people type it
    return check_value(definition, text)


def format(definition: FieldDefinition, value: object) -> str:  # noqa: A001 - the inverse of parse
    if value is None:
        return ""
    if definition.type is FieldType.BOOL:
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_PATTERNS = {FieldType.URL: _URL, FieldType.EMAIL: _EMAIL, FieldType.PHONE: _PHONE}


def _is_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _expected(definition: FieldDefinition) -> str:
    return {
        FieldType.TEXT: f"text of at most {MAX_VALUE} characters",
        FieldType.NUMBER: "a number",
        FieldType.DATE: "a date as YYYY-MM-DD",
        FieldType.BOOL: "true or false",
        FieldType.SELECT: "one of " + ", ".join(repr(o) for o in definition.options),
        FieldType.MULTI_SELECT: "a list of " + ", ".join(repr(o) for o in definition.options),
        FieldType.URL: "a web address starting with http:// or https://",
        FieldType.EMAIL: "an e-mail address like name@example.com",
        FieldType.PHONE: "a phone number of digits, spaces, +, (, ), -, . or /",
    }[definition.type]


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
