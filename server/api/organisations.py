"""``/api/workspaces/{id}/organisations`` and ``/api/organisations/{id}``: organisations over HTTP.

Lists take the same parameters as contact lists (``q``, ``owner``, ``label``, ``created_since``,
``field.<key>``, ``segment``, ``limit``, ``offset``), less ``organisation``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from server.api import contact_types as types
from server.api.auth import CallerDep, client_address
from server.api.contacts import Limit, LinksDep, Offset, changes_of, field_filters, page
from server.api.timeline_types import OrganisationLinks, RecordTimeline, timeline_item
from server.domain.contacts import Filter, Organisation
from server.services.organisations import Organisations

OrganisationsDep = NamedDependency[Organisations]


def organisation(record: Organisation, notes: Mapping[UUID, int] | None = None) -> types.Organisation:
    values = record.values
    return types.Organisation(
        record.id, record.workspace_id, values.name, values.website, values.emails, values.phones, values.owner_id,
        values.labels, values.address, values.fields, record.contacts_count, (notes or {}).get(record.id, 0),
        record.created_at, record.updated_at)


class OrganisationController(Controller):
    path = "/api"
    tags = ["organisations"]

    @post("/workspaces/{workspace:uuid}/organisations", summary="Create an organisation (members and above)")
    async def create(self, workspace: FromPath[UUID], data: JSONBody[types.OrganisationChanges], caller: CallerDep,
                     organisations: OrganisationsDep) -> types.Organisation:
        return organisation(await organisations.create(caller, workspace, changes_of(data)))

    @get("/workspaces/{workspace:uuid}/organisations", summary="Search and filter the workspace's organisations")
    async def list_organisations(
        self, request: Request, workspace: FromPath[UUID], caller: CallerDep, organisations: OrganisationsDep,
        links: LinksDep, q: FromQuery[str | None] = None, owner: FromQuery[UUID | None] = None,
        label: FromQuery[list[str] | None] = None, created_since: FromQuery[datetime | None] = None,
        segment: FromQuery[UUID | None] = None, limit: Limit = 50, offset: Offset = 0,
    ) -> types.OrganisationPage:
        where = Filter(q, owner, tuple(label or ()), None, created_since, field_filters(request))
        rows, next_offset = page(await organisations.list(caller, workspace, where, segment, limit + 1, offset),
                                 limit, offset)
        notes = await links.notes_count([record.id for record in rows], "organisation")
        return types.OrganisationPage([organisation(record, notes) for record in rows], next_offset)

    @get("/organisations/{organisation_id:uuid}", summary="One organisation")
    async def get_organisation(self, organisation_id: FromPath[UUID], caller: CallerDep,
                               organisations: OrganisationsDep, links: LinksDep) -> types.Organisation:
        record = await organisations.get(caller, organisation_id)
        return organisation(record, await links.notes_count([organisation_id], "organisation"))

    @patch("/organisations/{organisation_id:uuid}", summary="Change an organisation (members and above)")
    async def update(self, organisation_id: FromPath[UUID], data: JSONBody[types.OrganisationChanges],
                     caller: CallerDep, organisations: OrganisationsDep) -> types.Organisation:
        return organisation(await organisations.update(caller, organisation_id, changes_of(data)))

    @delete("/organisations/{organisation_id:uuid}", summary="Delete an organisation; its contacts are unlinked")
    async def remove(self, request: Request, organisation_id: FromPath[UUID], caller: CallerDep,
                     organisations: OrganisationsDep) -> None:
        await organisations.delete(caller, organisation_id, client_address(request))

    @get("/organisations/{organisation_id:uuid}/links", summary="The organisation's deals and notes")
    async def links(self, organisation_id: FromPath[UUID], caller: CallerDep,
                    links: LinksDep) -> OrganisationLinks:
        found = await links.of_organisation(caller, organisation_id)
        return OrganisationLinks(found.organisation, [types.LinkedDeal(*deal) for deal in found.deals],
                                 [types.LinkedNote(*note) for note in found.notes])

    @get("/organisations/{organisation_id:uuid}/timeline",
         summary="What touched the organisation or its people, newest first (paged)")
    async def timeline(self, organisation_id: FromPath[UUID], caller: CallerDep, links: LinksDep,
                       limit: Limit = 25, offset: Offset = 0) -> RecordTimeline:
        entries, next_offset = page(await links.organisation_timeline(caller, organisation_id, limit + 1, offset),
                                    limit, offset)
        return RecordTimeline([timeline_item(e) for e in entries], next_offset)
