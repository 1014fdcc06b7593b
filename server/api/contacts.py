"""``/api/workspaces/{id}/contacts`` and ``/api/contacts/{id}``: contacts over HTTP.

Lists take ``q`` (search: name, e-mail, phone, company fragments), ``owner``, ``label``
(repeatable: all must be present), ``organisation``, ``created_since``, ``field.<key>=<value>``
(custom field equals value), ``segment`` (a saved segment's filter, combined with the rest),
``limit`` and ``offset``. Unknown and hidden contacts answer 404 alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from server.api import contact_types as types
from server.api.auth import CallerDep, client_address
from server.domain.contacts import Filter
from server.services.contacts import Contacts
from server.services.links import Links

ContactsDep = NamedDependency[Contacts]
LinksDep = NamedDependency[Links]
Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Offset = Annotated[int, QueryParameter(ge=0, le=100_000)]
FIELD_PREFIX = "field."


def changes_of(data: msgspec.Struct) -> dict[str, Any]:
    """The fields a write body sets (left-out fields are not changes)."""
    return {name: msgspec.to_builtins(value) if isinstance(value, msgspec.Struct) else value
            for name in data.__struct_fields__ if (value := getattr(data, name)) is not msgspec.UNSET}


def field_filters(request: Request) -> dict[str, str]:
    """``field.<key>=<value>`` query parameters: custom field values to match."""
    return {key[len(FIELD_PREFIX):]: value for key, value in request.query_params.items()
            if key.startswith(FIELD_PREFIX)}


def contact(row: Mapping[str, Any], notes: Mapping[UUID, int] | None = None) -> types.Contact:
    organisation = None
    if row["organisation_id"] is not None and row["organisation_name"] is not None:
        organisation = types.OrganisationRef(row["organisation_id"], row["organisation_name"])
    return types.Contact(
        row["id"], row["workspace_id"], f"{row['first_name']} {row['last_name']}".strip(), row["first_name"],
        row["last_name"], row["emails"], row["phones"], organisation, row["job_title"], row["owner_id"],
        row["labels"], row["address"], row["fields"], (notes or {}).get(row["id"], 0), row["created_at"],
        row["updated_at"])


def page(rows: list[dict[str, Any]], limit: int, offset: int) -> tuple[list[dict[str, Any]], int | None]:
    """The page (rows were fetched with one extra) and the next offset, if there is more."""
    return rows[:limit], (offset + limit if len(rows) > limit else None)


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
        notes = await links.notes_count([row["id"] for row in rows])
        return types.ContactPage([contact(row, notes) for row in rows], next_offset)

    @get("/workspaces/{workspace:uuid}/contacts/duplicates", summary="Likely duplicate pairs in the workspace")
    async def duplicates(self, workspace: FromPath[UUID], caller: CallerDep,
                         contacts: ContactsDep) -> list[types.DuplicatePair]:
        return [types.DuplicatePair(a, b, reason) for a, b, reason in await contacts.duplicates(caller, workspace)]

    @get("/contacts/{contact_id:uuid}", summary="One contact")
    async def get_contact(self, contact_id: FromPath[UUID], caller: CallerDep, contacts: ContactsDep,
                          links: LinksDep) -> types.Contact:
        row = await contacts.get(caller, contact_id)
        return contact(row, await links.notes_count([contact_id]))

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
        return [types.Duplicate(contact(row), reason) for row, reason in found]

    @post("/contacts/{contact_id:uuid}/merge", status_code=200, summary="Merge other contacts into this one")
    async def merge(self, request: Request, contact_id: FromPath[UUID], data: JSONBody[types.Merge],
                    caller: CallerDep, contacts: ContactsDep) -> types.Contact:
        return contact(await contacts.merge(caller, contact_id, data.merge, client_address(request)))

    @get("/contacts/{contact_id:uuid}/links", summary="The contact's deals, activities and notes")
    async def links(self, contact_id: FromPath[UUID], caller: CallerDep, links: LinksDep) -> types.ContactLinks:
        found = await links.of_contact(caller, contact_id)
        return types.ContactLinks(
            found.contact, found.aliases, [msgspec.convert(d, types.LinkedDeal) for d in found.deals],
            [msgspec.convert(a, types.LinkedActivity) for a in found.activities],
            [msgspec.convert(n, types.LinkedNote) for n in found.notes])

