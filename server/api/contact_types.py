"""Request and response bodies of the contacts, organisations, custom fields and segments API.

Writes take one struct for create and update: a field left out is unchanged (on create: empty;
the owner defaults to the caller), ``null`` clears it. In ``fields`` (custom field values by
key) a ``null`` value removes that value.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from server.domain.fields import Entity, FieldType


class Address(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    street: str = ""
    city: str = ""
    postcode: str = ""
    region: str = ""
    country: str = ""


class ContactChanges(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    first_name: str | UnsetType = UNSET
    last_name: str | UnsetType = UNSET
    emails: list[str] | UnsetType = UNSET
    phones: list[str] | UnsetType = UNSET
    organisation_id: UUID | None | UnsetType = UNSET
    job_title: str | None | UnsetType = UNSET
    owner_id: UUID | None | UnsetType = UNSET
    labels: list[str] | UnsetType = UNSET
    address: Address | UnsetType = UNSET
    fields: dict[str, Any] | UnsetType = UNSET


class OrganisationChanges(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: str | UnsetType = UNSET
    website: str | None | UnsetType = UNSET
    emails: list[str] | UnsetType = UNSET
    phones: list[str] | UnsetType = UNSET
    owner_id: UUID | None | UnsetType = UNSET
    labels: list[str] | UnsetType = UNSET
    address: Address | UnsetType = UNSET
    fields: dict[str, Any] | UnsetType = UNSET


class OrganisationRef(msgspec.Struct):
    id: UUID
    name: str


class Contact(msgspec.Struct):
    id: UUID
    workspace_id: UUID
    name: str
    first_name: str
    last_name: str
    emails: list[str]
    phones: list[str]
    organisation: OrganisationRef | None
    job_title: str
    owner_id: UUID | None
    labels: list[str]
    address: dict[str, str]
    fields: dict[str, Any]
    notes_count: int
    created_at: datetime
    updated_at: datetime


class ContactPage(msgspec.Struct):
    """One page of a list; ``next_offset`` is where the next page starts (None: this is the last)."""

    items: list[Contact]
    next_offset: int | None


class Organisation(msgspec.Struct):
    id: UUID
    workspace_id: UUID
    name: str
    website: str
    emails: list[str]
    phones: list[str]
    owner_id: UUID | None
    labels: list[str]
    address: dict[str, str]
    fields: dict[str, Any]
    contacts_count: int
    notes_count: int
    created_at: datetime
    updated_at: datetime


class OrganisationPage(msgspec.Struct):
    items: list[Organisation]
    next_offset: int | None


class NewCustomField(msgspec.Struct, forbid_unknown_fields=True):
    key: str
    label: str
    type: FieldType
    entity: Entity = Entity.CONTACT
    options: list[str] = []


class CustomFieldChange(msgspec.Struct, forbid_unknown_fields=True):
    label: str | None = None
    options: list[str] | None = None


class CustomField(msgspec.Struct):
    """A field definition; a workspace shows its fields by ``position`` (lowest first)."""

    id: UUID
    entity: Entity
    key: str
    label: str
    type: FieldType
    options: list[str]
    created_at: datetime
    position: int


class FieldOrder(msgspec.Struct, forbid_unknown_fields=True):
    """Every field of ``entity``, by id, in the order they are to be shown."""

    entity: Entity
    fields: list[UUID]


class SegmentFilter(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """What a list request's query parameters say, as JSON: ``fields`` holds typed values."""

    q: str | None = None
    owner: UUID | None = None
    labels: list[str] = []
    organisation: UUID | None = None
    created_since: datetime | None = None
    fields: dict[str, Any] = {}


class NewSegment(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    filter: SegmentFilter
    entity: Literal["contact", "organisation"] = "contact"


class SegmentChange(msgspec.Struct, forbid_unknown_fields=True):
    name: str | None = None
    filter: SegmentFilter | None = None


class Segment(msgspec.Struct):
    id: UUID
    entity: Literal["contact", "organisation"]
    name: str
    filter: SegmentFilter
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime


class Duplicate(msgspec.Struct):
    contact: Contact
    reason: str


class DuplicatePair(msgspec.Struct):
    """Two contacts that look like one person: merge with ``POST /api/contacts/{a}/merge``."""

    a: UUID
    b: UUID
    reason: str


class Merge(msgspec.Struct, forbid_unknown_fields=True):
    """Fold these contacts into the one in the path."""

    merge: list[UUID]


class LinkedDeal(msgspec.Struct):
    """A deal on a pipeline board (open ``board:<board_id>``; the card is ``card_id``)."""

    board_id: UUID
    card_id: UUID
    title: str
    status: str
    value: float | None
    currency: str | None
    stage_id: UUID
    contact_id: UUID | None  # an organisation's own deal may name no contact
    owner_id: UUID | None
    expected_close: date | None
    updated_at: datetime | None


class LinkedActivity(msgspec.Struct):
    board_id: UUID
    activity_id: UUID
    type: str
    title: str
    done: bool
    due_date: date | None
    due_at: datetime | None
    assignee_id: UUID | None
    card_id: UUID | None
    contact_id: UUID


class LinkedNote(msgspec.Struct):
    """A note about the contact: open its ``document``."""

    id: UUID
    document: str
    board_id: UUID
    title: str
    subject_id: UUID
    created_by: UUID | None
    created_at: datetime


class ContactLinks(msgspec.Struct):
    """What hangs off a contact (and off every contact merged into it): ``aliases`` lists those ids."""

    contact: UUID
    aliases: list[UUID]
    deals: list[LinkedDeal]
    activities: list[LinkedActivity]
    notes: list[LinkedNote]
