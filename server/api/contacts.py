"""``/api/workspaces/{id}/contacts`` and ``/api/contacts/{id}``: contacts over HTTP.

Lists take ``q`` (search: name, e-mail, phone, company fragments), ``owner``, ``label``
(repeatable: all must be present), ``organisation``, ``created_since``, ``field.<key>=<value>``
(custom field equals value), ``segment`` (a saved segment's filter, combined with the rest),
``limit`` and ``offset``. Unknown and hidden contacts answer 404 alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from server.api import contact_types as types
from server.api.timeline_types import RecordTimeline, timeline_item
from server.api.auth import CallerDep, client_address
from server.domain.contacts import Contact, Filter
from server.services.contacts import Contacts
from server.services.links import Links

ContactsDep = NamedDependency[Contacts]
LinksDep = NamedDependency[Links]
Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Offset = Annotated[int, QueryParameter(ge=0, le=100_000)]
FIELD_PREFIX = "field."
T = TypeVar("T")


def changes_of(data: msgspec.Struct) -> dict[str, Any]:
    """The fields a write body sets (left-out fields are not changes)."""
    return {name: msgspec.to_builtins(value) if isinstance(value, msgspec.Struct) else value
            for name in data.__struct_fields__ if (value := getattr(data, name)) is not msgspec.UNSET}


def field_filters(request: Request) -> dict[str, str]:
    """``field.<key>=<value>`` query parameters: custom field values to match."""
    return {key[len(FIELD_PREFIX):]: value for key, value in request.query_params.items()
            if key.startswith(FIELD_PREFIX)}


def contact(record: Contact, notes: Mapping[UUID, int] | None = None) -> types.Contact:
    values = record.values
    organisation = None
    if values.organisation_id is not None and record.organisation_name is not None:
        organisation = types.OrganisationRef(values.organisation_id, record.organisation_name)
    return types.Contact(
        record.id, record.workspace_id, record.name, values.first_name, values.last_name, values.emails,
        values.phones, organisation, values.job_title, values.owner_id, values.labels, values.address,
        values.fields, (notes or {}).get(record.id, 0), record.created_at, record.updated_at)


def page(records: list[T], limit: int, offset: int) -> tuple[list[T], int | None]:
    """The page (records were fetched with one extra) and the next offset, if there is more."""
    return records[:limit], (offset + limit if len(records) > limit else None)


class ContactController(Controller):
    path = "/api"
    tags = ["contacts"]

    @post("/workspaces/{workspace:uuid}/contacts", summary="Create a contact (members and above)")
    async def create(self, workspace: FromPath[UUID], data: JSONBody[types.ContactChanges], caller: CallerDep,
                     contacts: ContactsDep) -> types.Contact:
        return contact(await contacts.create(caller, workspace, changes_of(data)))

    @get("/workspaces/{workspace:uuid}/contacts", summary="Search and filter the workspace's contacts")
    async def list_contacts(
        self, request: Request, workspace: FromPath[UUID], caller: CallerDep, contacts: ContactsDep,
        links: LinksDep, q: FromQuery[str | None] = None, owner: FromQuery[UUID | None] = None,
        label: FromQuery[list[str] | None] = None, organisation: FromQuery[UUID | None] = None,
        created_since: FromQuery[datetime | None] = None, segment: FromQuery[UUID | None] = None,
        limit: Limit = 50, offset: Offset = 0,
    ) -> types.ContactPage:
        where = Filter(q, owner, tuple(label or ()), organisation, created_since, field_filters(request))
        rows, next_offset = page(await contacts.list(caller, workspace, where, segment, limit + 1, offset),
                                 limit, offset)
        notes = await links.notes_count([record.id for record in rows])
        return types.ContactPage([contact(record, notes) for record in rows], next_offset)

    @get("/workspaces/{workspace:uuid}/contacts/duplicates", summary="Likely duplicate pairs in the workspace")
    async def duplicates(self, workspace: FromPath[UUID], caller: CallerDep,
                         contacts: ContactsDep) -> list[types.DuplicatePair]:
        return [types.DuplicatePair(a, b, reason) for a, b, reason in await contacts.duplicates(caller, workspace)]

    @get("/contacts/{contact_id:uuid}", summary="One contact")
    async def get_contact(self, contact_id: FromPath[UUID], caller: CallerDep, contacts: ContactsDep,
                          links: LinksDep) -> types.Contact:
        record = await contacts.get(caller, contact_id)
        return contact(record, await links.notes_count([contact_id]))

    @patch("/contacts/{contact_id:uuid}", summary="Change a contact (members and above)")
    async def update(self, contact_id: FromPath[UUID], data: JSONBody[types.ContactChanges], caller: CallerDep,
                     contacts: ContactsDep) -> types.Contact:
        return contact(await contacts.update(caller, contact_id, changes_of(data)))

    @delete("/contacts/{contact_id:uuid}", summary="Delete a contact (soft: references to it still resolve)")
    async def remove(self, request: Request, contact_id: FromPath[UUID], caller: CallerDep,
                     contacts: ContactsDep) -> None:
        await contacts.delete(caller, contact_id, client_address(request))

    @get("/contacts/{contact_id:uuid}/duplicates", summary="Contacts that look like the same person")
    async def duplicates_of(self, contact_id: FromPath[UUID], caller: CallerDep,
                            contacts: ContactsDep) -> list[types.Duplicate]:
        found = await contacts.duplicates_of(caller, contact_id)
        return [types.Duplicate(contact(record), reason) for record, reason in found]

    @post("/contacts/{contact_id:uuid}/merge", status_code=200, summary="Merge other contacts into this one")
    async def merge(self, request: Request, contact_id: FromPath[UUID], data: JSONBody[types.Merge],
                    caller: CallerDep, contacts: ContactsDep) -> types.Contact:
        return contact(await contacts.merge(caller, contact_id, data.merge, client_address(request)))

    @get("/contacts/{contact_id:uuid}/links", summary="The contact's deals, activities and notes")
    async def links(self, contact_id: FromPath[UUID], caller: CallerDep, links: LinksDep) -> types.ContactLinks:
        found = await links.of_contact(caller, contact_id)
        return types.ContactLinks(
            found.contact, found.aliases, [types.LinkedDeal(*deal) for deal in found.deals],
            [types.LinkedActivity(*activity) for activity in found.activities],
            [types.LinkedNote(*note) for note in found.notes])

    @get("/contacts/{contact_id:uuid}/timeline", summary="What touched the contact, newest first (paged)")
    async def timeline(self, contact_id: FromPath[UUID], caller: CallerDep, links: LinksDep,
                       limit: Limit = 25, offset: Offset = 0) -> RecordTimeline:
        entries, next_offset = page(await links.contact_timeline(caller, contact_id, limit + 1, offset),
                                    limit, offset)
        return RecordTimeline([timeline_item(e) for e in entries], next_offset)

