"""Leads (docs/leads.md): people who may become deals, kept apart from deals until someone qualifies
them. Values, the status machine, input checks and the signed ids of web forms. No I/O.

A lead is ``new`` when it arrives, ``qualified`` once someone vouches for it, ``converted`` when it
became a contact and a deal (final), or ``archived`` (from new or qualified; restoring gives back
the status it had). ``LeadStatus.after`` is the one place that says which moves are allowed.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from server.domain.accounts import Conflict, InvalidInput
from server.domain.money import InvalidCurrency, check_currency

MAX_TITLE = 200
MAX_NAME = 200
MAX_PHONE = 50
MAX_NOTE = 5000
MAX_LABELS = 20
MAX_VALUE = 1e12
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$")


class InvalidLead(InvalidInput):
    """A lead's or a lead form's field that is not what was expected (HTTP 422, naming ``field``)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field


class LeadStatus(enum.StrEnum):
    NEW = "new"
    QUALIFIED = "qualified"
    CONVERTED = "converted"
    ARCHIVED = "archived"

    def after(self, wanted: LeadStatus) -> LeadStatus:
        """``wanted`` if a lead in this status may move there; ``Conflict`` saying why not."""
        if self is LeadStatus.CONVERTED:
            raise Conflict("this lead was converted already: it is a contact and a deal now")
        if wanted is LeadStatus.CONVERTED and self is LeadStatus.ARCHIVED:
            raise Conflict("this lead is archived: restore it before converting it")
        return wanted


class LeadSource(enum.StrEnum):
    WEB_FORM = "web_form"
    MANUAL = "manual"
    IMPORT = "import"
    EMAIL = "email"


class Lead(NamedTuple):
    id: UUID
    workspace_id: UUID
    title: str
    person_name: str
    email: str
    phone: str
    organisation_name: str
    value: float | None
    currency: str | None
    source: LeadSource
    owner_id: UUID | None
    labels: list[str]
    note: str
    status: LeadStatus
    created_at: datetime
    form_id: UUID | None = None
    restore_to: LeadStatus | None = None  # the status an archived lead had
    contact_id: UUID | None = None  # what it became (converted)
    organisation_id: UUID | None = None
    board_id: UUID | None = None
    deal_id: UUID | None = None
    converted_at: datetime | None = None


class LeadFilter(NamedTuple):
    """Which leads a list shows; ``None`` leaves a criterion out. Without a status: the inbox (new and qualified)."""

    status: LeadStatus | None = None
    owner: UUID | None = None
    source: LeadSource | None = None
    text: str | None = None  # a fragment of the title, name, e-mail or organisation
    contact: UUID | None = None  # leads converted into this contact
    deal: UUID | None = None  # the lead this deal came from
    min_score: int | None = None  # leads scored at least this (docs/lead-scoring.md; unscored count as 0)
    by_score: bool = False  # the highest score first (else the newest first)


# What a lead's values are called on the wire, and what a form may ask for.
EDITABLE = ("title", "person_name", "email", "phone", "organisation_name", "value", "currency", "owner",
            "labels", "note")
FORM_FIELDS = ("person_name", "email", "phone", "organisation_name", "title", "value", "note")


def _text(raw: Mapping[str, Any], field: str, limit: int) -> str:
    value = raw.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidLead(field, f"expected text, got {type(value).__name__}")
    value = value.strip()
    if len(value) > limit:
        raise InvalidLead(field, f"expected at most {limit} characters, got {len(value)}")
    return value


def _email(raw: Mapping[str, Any]) -> str:
    email = _text(raw, "email", 254).lower()
    if email and not _EMAIL.match(email):
        raise InvalidLead("email", f"expected an e-mail address like name@example.com, got {email[:60]!r}")
    return email


def _value(raw: Mapping[str, Any]) -> float | None:
    value = raw.get("value")
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidLead("value", f"expected a number, got {str(value)[:30]!r}") from None
    if not 0 <= number <= MAX_VALUE:
        raise InvalidLead("value", f"expected a number from 0 to {MAX_VALUE:.0f}, got {number}")
    return number


def _currency(raw: Mapping[str, Any]) -> str | None:
    code = raw.get("currency")
    if code is None or code == "":
        return None
    try:
        return check_currency(code.upper() if isinstance(code, str) else code)
    except InvalidCurrency as exc:
        raise InvalidLead("currency", str(exc).split(": ", 1)[-1]) from None


def _labels(raw: Mapping[str, Any]) -> list[str]:
    labels = raw.get("labels") or []
    if not isinstance(labels, list) or len(labels) > MAX_LABELS:
        raise InvalidLead("labels", f"expected a list of at most {MAX_LABELS} labels")
    out: list[str] = []
    for label in labels:
        if not isinstance(label, str) or not label.strip() or len(label) > 50:
            raise InvalidLead("labels", "expected labels of 1 to 50 characters")
        if label.strip() not in out:
            out.append(label.strip())
    return out


def lead_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The checked values of the fields ``raw`` names (of ``EDITABLE``); unknown fields are refused."""
    unknown = sorted(set(raw) - set(EDITABLE))
    if unknown:
        raise InvalidLead(unknown[0], f"expected one of {', '.join(EDITABLE)}")
    checks = {"title": lambda: _text(raw, "title", MAX_TITLE), "person_name": lambda: _text(raw, "person_name", MAX_NAME),
              "email": lambda: _email(raw), "phone": lambda: _text(raw, "phone", MAX_PHONE),
              "organisation_name": lambda: _text(raw, "organisation_name", MAX_NAME), "value": lambda: _value(raw),
              "currency": lambda: _currency(raw), "owner": lambda: raw["owner"], "labels": lambda: _labels(raw),
              "note": lambda: _text(raw, "note", MAX_NOTE)}
    return {field: checks[field]() for field in raw}


def default_title(values: Mapping[str, Any]) -> str:
    """A lead without a title is called after its organisation and person ("Acme · Ann Lee")."""
    parts = [values.get("organisation_name") or "", values.get("person_name") or ""]
    return " · ".join(p for p in parts if p) or values.get("email") or ""


def require_reachable(values: Mapping[str, Any]) -> None:
    """A lead needs something to call it and someone to reach: a title, a name or an e-mail."""
    if not (values.get("title") or values.get("person_name") or values.get("email")):
        raise InvalidLead("person_name", "expected a name, an e-mail or a title")


def split_name(name: str) -> tuple[str, str]:
    """First and last name of a person's whole name ("Ann van Lee" → "Ann", "van Lee")."""
    first, _, last = name.strip().partition(" ")
    return first[:100], last.strip()[:100]


# --- web forms ----------------------------------------------------------------------------------

MAX_FORM_BYTES = 16_384  # a form post's body; more is refused before it is read
MAX_FORM_NAME = 100
FORM_LANGUAGES = ("en", "de")  # a form's snippet is written in one of these


class LeadForm(NamedTuple):
    id: UUID
    workspace_id: UUID
    name: str
    fields: list[str]
    owner_id: UUID | None
    redirect_url: str | None  # https only: the thank-you page a browser post is sent to
    key: bytes  # signs the form's public id
    created_at: datetime
    language: str = "en"  # of FORM_LANGUAGES: its snippet's labels and button


def check_form(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A form's name, fields (of ``FORM_FIELDS``, at least a name or an e-mail), thank-you URL and language."""
    out: dict[str, Any] = {}
    if "name" in raw:
        name = _text(raw, "name", MAX_FORM_NAME)
        if not name:
            raise InvalidLead("name", "expected a name for the form")
        out["name"] = name
    if "fields" in raw:
        out["fields"] = check_form_fields(raw["fields"])
    if "redirect_url" in raw:
        out["redirect_url"] = check_redirect(raw["redirect_url"])
    if "owner" in raw:
        out["owner"] = raw["owner"]
    if "language" in raw:
        out["language"] = check_form_language(raw["language"])
    return out


def check_form_language(language: Any) -> str:
    if language not in FORM_LANGUAGES:
        raise InvalidLead("language", f"expected one of {', '.join(FORM_LANGUAGES)}, got {str(language)[:20]!r}")
    return str(language)


def check_form_fields(fields: Any) -> list[str]:
    if not isinstance(fields, list) or not fields:
        raise InvalidLead("fields", f"expected a list of fields among {', '.join(FORM_FIELDS)}")
    bad = [f for f in fields if f not in FORM_FIELDS]
    if bad:
        raise InvalidLead("fields", f"expected fields among {', '.join(FORM_FIELDS)}, got {str(bad[0])[:40]!r}")
    if "person_name" not in fields and "email" not in fields:
        raise InvalidLead("fields", "expected person_name or email among the fields: a lead needs someone to reach")
    return [f for f in FORM_FIELDS if f in fields]


def check_redirect(url: Any) -> str | None:
    """``None``, or an absolute https URL (no credentials in it): the only place a form redirects to."""
    if url is None or url == "":
        return None
    if not isinstance(url, str) or len(url) > 2000 or not re.fullmatch(r"https://[^\s/@?#]+(?:[/?#]\S*)?", url):
        raise InvalidLead("redirect_url", f"expected an https:// URL, got {str(url)[:60]!r}")
    return url


def form_token(form: UUID, key: bytes) -> str:
    """The public id of a form: its id and an HMAC of it under the form's key."""
    mac = hmac.new(key, form.bytes, hashlib.sha256).digest()[:12]
    return f"{_b64(form.bytes)}.{_b64(mac)}"


def token_form(token: str) -> UUID | None:
    """The form id a public id claims (checked against its key with ``token_valid``), or None."""
    head, _, _ = token.partition(".")
    try:
        raw = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))
        return UUID(bytes=raw) if len(raw) == 16 else None
    except ValueError:
        return None


def token_valid(token: str, form: UUID, key: bytes) -> bool:
    return hmac.compare_digest(token.encode(), form_token(form, key).encode())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def form_submission(form: LeadForm, posted: Mapping[str, Any]) -> dict[str, Any]:
    """A post's values for the form's fields (others ignored), checked like any lead's."""
    values = lead_values({f: posted.get(f) for f in form.fields if posted.get(f) not in (None, "")})
    require_reachable(values)
    return values


class FormTooLarge(ValueError):
    """A form post over ``MAX_FORM_BYTES`` (HTTP 413)."""
