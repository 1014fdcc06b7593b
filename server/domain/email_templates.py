"""E-mail templates (issue 17 item 4): their values and checks, and rendering their merge fields.

Subject and body are Jinja2 templates rendered in Jinja2's ``SandboxedEnvironment`` — a template is
written by any member, so it may read the values it is given and nothing else (no attribute walk to
``__class__``, no calls into Python). The body is HTML and autoescaped: a contact named
``<script>`` is text in the mail. The context holds four records — ``contact``, ``organisation``,
``deal``, ``sender`` — with only the fields that have a value: a merge field that is absent *or
empty* renders as nothing and is listed in ``Rendered.missing`` (``contact.first_name``), so the
sending service can refuse it rather than send "Dear ,".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

import msgspec
import jinja2
from jinja2 import ChainableUndefined, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from server.domain.accounts import InvalidInput

LOCALES = ("en", "de")
RECORDS = ("contact", "organisation", "deal", "sender")
MAX_NAME = 200
MAX_SUBJECT = 998
MAX_BODY = 100_000


class TemplateDraft(msgspec.Struct, frozen=True):
    """A template's editable values, checked by ``check_draft``."""

    name: str
    locale: str
    subject: str
    body: str  # HTML with merge fields


class Template(msgspec.Struct, frozen=True):
    id: UUID
    workspace_id: UUID
    name: str
    locale: str
    subject: str
    body: str
    created_at: datetime
    updated_at: datetime


class Rendered(msgspec.Struct, frozen=True):
    subject: str
    body: str  # HTML
    missing: list[str]  # merge fields without a value, e.g. "contact.first_name", in the order met


class MissingMergeFields(ValueError):
    """A mail whose merge fields have no value for its records (HTTP 422): it is not sent blank."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(f"expected a value for every merge field; without one: {', '.join(fields)} "
                         f"(fill them in on the record, or take them out of the mail)")
        self.fields = fields


class TemplateError(InvalidInput):
    """A template that does not parse, or reaches for something the sandbox refuses (HTTP 400)."""


def check_draft(name: str, locale: str, subject: str, body: str) -> TemplateDraft:
    """Checked values: a name, a known locale, a one-line subject, a body; both templates parse."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"name: expected 1-{MAX_NAME} characters, got {len(name)}")
    if locale not in LOCALES:
        raise InvalidInput(f"locale: expected one of {', '.join(LOCALES)}, got {locale!r}")
    if "\n" in subject or "\r" in subject or len(subject) > MAX_SUBJECT:
        raise InvalidInput(f"subject: expected one line of at most {MAX_SUBJECT} characters")
    if len(body) > MAX_BODY:
        raise InvalidInput(f"body: expected at most {MAX_BODY} characters, got {len(body)}")
    for field, source in (("subject", subject), ("body", body)):
        _parse(field, source)
    return TemplateDraft(name, locale, subject.strip(), body)


def merge_fields(source: str) -> list[str]:
    """The ``record.field`` names a template uses, in order (what the editor lists)."""
    found: list[str] = []
    for node in _ENV.parse(source).find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name):
            found.append(f"{node.node.name}.{node.attr}")
    return list(dict.fromkeys(found))


def render(subject: str, body: str, context: Mapping[str, Mapping[str, Any]]) -> Rendered:
    """Render both parts against ``context`` (record -> field -> value); see the module docstring."""
    missing: list[str] = []
    values = {record: _record(record, context.get(record, {}), missing) for record in RECORDS}
    rendered_subject = _render("subject", subject, values, missing, autoescape=False)
    rendered_body = _render("body", body, values, missing, autoescape=True)
    return Rendered(rendered_subject.strip(), rendered_body, list(dict.fromkeys(missing)))


class _Record:
    """One record's present fields, read as ``record.field`` (or ``record["field"]``) — and nothing
    else: no dict methods to call or to shadow a field named ``items``. A field it lacks is noted as
    missing under its full name (``_Missing``)."""

    __slots__ = ("_name", "_values", "_missing")  # "_": the sandbox never lets a template read them

    def __init__(self, name: str, values: Mapping[str, Any], missing: list[str]) -> None:
        self._name, self._values, self._missing = name, dict(values), missing

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(key) from None

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __str__(self) -> str:
        return ""


class _Missing(ChainableUndefined):
    """Renders as nothing, and notes the ``record.field`` asked for on its record."""

    def __init__(self, hint: str | None = None, obj: Any = None, name: str | None = None, exc: Any = None) -> None:
        super().__init__(hint, obj, name)
        if isinstance(obj, _Record) and name is not None:
            obj._missing.append(f"{obj._name}.{name}")


def _record(name: str, values: Mapping[str, Any], missing: list[str]) -> _Record:
    """The fields of ``values`` that have a value (nested mappings as records of their own)."""
    present: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Mapping):
            present[key] = _record(f"{name}.{key}", value, missing)
        elif value is not None and value != "" and value != []:
            present[key] = value
    return _Record(name, present, missing)


_ENV = SandboxedEnvironment(undefined=_Missing, autoescape=False)
_HTML = SandboxedEnvironment(undefined=_Missing, autoescape=True)


def _parse(field: str, source: str) -> None:
    try:
        _ENV.parse(source)
    except TemplateSyntaxError as error:
        raise TemplateError(f"{field}: the template does not parse at line {error.lineno}: {error.message}") from None


@lru_cache(maxsize=128)
def _compiled(source: str, autoescape: bool) -> tuple[jinja2.Template, tuple[str, ...]]:
    """A template compiled once (Jinja2's compile is ~4 ms; a render of it ~50 µs), and the bare
    names it reads that are not records (each one is missing)."""
    env = _HTML if autoescape else _ENV
    parsed = env.parse(source)
    unknown = tuple(sorted(name for name in meta.find_undeclared_variables(parsed) if name not in RECORDS))
    return env.from_string(parsed), unknown


def _render(field: str, source: str, values: dict[str, _Record], missing: list[str], *, autoescape: bool) -> str:
    try:
        template, unknown = _compiled(source, autoescape)
        missing.extend(unknown)
        return template.render(values)
    except TemplateSyntaxError as error:
        raise TemplateError(f"{field}: the template does not parse at line {error.lineno}: {error.message}") from None
    except (SecurityError, UndefinedError) as error:
        raise TemplateError(f"{field}: the template reaches for something templates may not use ({error})") from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as error:
        raise TemplateError(f"{field}: the template failed to render: {error}") from None
