"""Bodies and answers of the leads API (docs/leads.md). snake_case on the wire; in a PATCH body an
absent field is left alone and ``null`` empties it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

Status = Literal["new", "qualified", "converted", "archived"]
Source = Literal["web_form", "manual", "import", "email"]
Labels = Annotated[list[Annotated[str, Meta(max_length=50)]], Meta(max_length=20)]
FormField = Literal["person_name", "email", "phone", "organisation_name", "title", "value", "note"]
FormLanguage = Literal["en", "de"]


class Lead(msgspec.Struct, kw_only=True):
    id: UUID
    workspace_id: UUID
    title: str
    person_name: str
    email: str
    phone: str
    organisation_name: str
    value: float | None
    currency: str | None
    source: Source
    owner: UUID | None
    labels: list[str]
    note: str
    status: Status
    created_at: datetime
    form: UUID | None = None  # the web form it came from
    contact: UUID | None = None  # what it became, once converted
    organisation: UUID | None = None
    board: UUID | None = None
    deal: UUID | None = None
    converted_at: datetime | None = None


class LeadInbox(msgspec.Struct, kw_only=True):
    """One page of leads, and how many there are per status under the same filters (status aside)."""

    leads: list[Lead]
    counts: dict[str, int]


class _Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class NewLead(_Body):
    """A lead typed in by hand: at least a title, a person's name or an e-mail."""

    title: str | None = None
    person_name: str | None = None
    email: str | None = None
    phone: str | None = None
    organisation_name: str | None = None
    value: Annotated[float, Meta(ge=0)] | None = None
    currency: str | None = None
    owner: UUID | None = None
    labels: Labels | None = None
    note: str | None = None


class LeadChanges(_Body):
    """Fields to change; ``status`` moves a lead between new and qualified."""

    title: str | UnsetType = UNSET
    person_name: str | None | UnsetType = UNSET
    email: str | None | UnsetType = UNSET
    phone: str | None | UnsetType = UNSET
    organisation_name: str | None | UnsetType = UNSET
    value: Annotated[float, Meta(ge=0)] | None | UnsetType = UNSET
    currency: str | None | UnsetType = UNSET
    owner: UUID | None | UnsetType = UNSET
    labels: Labels | None | UnsetType = UNSET
    note: str | None | UnsetType = UNSET
    status: Literal["new", "qualified"] | UnsetType = UNSET


class Archive(_Body):
    """Archive (``archived`` true) or restore these leads."""

    leads: Annotated[list[UUID], Meta(min_length=1, max_length=500)]
    archived: bool = True


class Archived(msgspec.Struct, kw_only=True):
    changed: list[UUID]


class Convert(_Body):
    """Make the lead a deal on ``board`` (a pipeline) in ``stage`` (default: its first open stage)."""

    board: UUID
    stage: UUID | None = None


class LeadForm(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    fields: list[FormField]
    owner: UUID | None
    redirect_url: str | None
    created_at: datetime
    public_id: str  # POST /f/<public_id>
    snippet: str  # HTML to paste into a site, in the form's language
    language: FormLanguage


class NewLeadForm(_Body):
    name: Annotated[str, Meta(max_length=100)]
    fields: list[FormField] | None = None
    owner: UUID | None = None  # told of each lead (default: you)
    redirect_url: str | None = None  # https only: where a browser goes after posting
    language: FormLanguage | None = None  # the snippet's language (default: en)


class LeadFormChanges(_Body):
    name: Annotated[str, Meta(max_length=100)] | UnsetType = UNSET
    fields: list[FormField] | UnsetType = UNSET
    owner: UUID | None | UnsetType = UNSET
    redirect_url: str | None | UnsetType = UNSET
    language: FormLanguage | UnsetType = UNSET


def given(body: msgspec.Struct) -> dict:
    """The fields a body sets (explicit nulls included)."""
    return {f: v for f in body.__struct_fields__ if (v := getattr(body, f)) is not UNSET}
