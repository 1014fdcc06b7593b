"""``/api/workspaces/{id}/custom-fields`` and ``/segments``: field definitions and saved segments."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from server.api import contact_types as types
from server.api.auth import CallerDep, client_address
from server.domain.contacts import Filter
from server.domain.fields import CustomField, Entity
from server.domain.segments import Segment
from server.services.custom_fields import CustomFields
from server.services.filters import Segments

CustomFieldsDep = NamedDependency[CustomFields]
SegmentsDep = NamedDependency[Segments]


def custom_field(field: CustomField) -> types.CustomField:
    return types.CustomField(field.id, field.entity, field.key, field.label, field.type, list(field.options),
                             field.created_at, field.position)


def segment(saved: Segment) -> types.Segment:
    where = saved.filter
    wire = types.SegmentFilter(where.q, where.owner, list(where.labels), where.organisation, where.created_since,
                               dict(where.fields))
    return types.Segment(saved.id, saved.entity, saved.name, wire, saved.created_by, saved.created_at,
                         saved.updated_at)


def to_filter(data: types.SegmentFilter) -> Filter:
    return Filter(data.q, data.owner, tuple(data.labels), data.organisation, data.created_since, dict(data.fields))


class CustomFieldController(Controller):
    path = "/api"
    tags = ["custom fields"]

    @get("/workspaces/{workspace:uuid}/custom-fields", summary="The workspace's custom field definitions")
    async def list_fields(self, workspace: FromPath[UUID], caller: CallerDep, custom_fields: CustomFieldsDep,
                          entity: FromQuery[Entity | None] = None) -> list[types.CustomField]:
        return [custom_field(field) for field in await custom_fields.list(caller, workspace, entity)]

    @post("/workspaces/{workspace:uuid}/custom-fields", summary="Define a custom field (admins)")
    async def create_field(self, request: Request, workspace: FromPath[UUID], data: JSONBody[types.NewCustomField],
                           caller: CallerDep, custom_fields: CustomFieldsDep) -> types.CustomField:
        return custom_field(await custom_fields.create(caller, workspace, data.entity, data.key, data.label,
                                                       data.type, data.options, client_address(request)))

    @put("/workspaces/{workspace:uuid}/custom-fields/order", summary="Reorder one entity's custom fields (admins)")
    async def reorder_fields(self, request: Request, workspace: FromPath[UUID], data: JSONBody[types.FieldOrder],
                             caller: CallerDep, custom_fields: CustomFieldsDep) -> list[types.CustomField]:
        ordered = await custom_fields.reorder(caller, workspace, data.entity, data.fields, client_address(request))
        return [custom_field(field) for field in ordered]

    @patch("/custom-fields/{field:uuid}", summary="Relabel a custom field or change its options (admins)")
    async def update_field(self, request: Request, field: FromPath[UUID], data: JSONBody[types.CustomFieldChange],
                           caller: CallerDep, custom_fields: CustomFieldsDep) -> types.CustomField:
        return custom_field(await custom_fields.update(caller, field, data.label, data.options,
                                                       client_address(request)))

    @delete("/custom-fields/{field:uuid}", summary="Delete a custom field and its values (admins)")
    async def delete_field(self, request: Request, field: FromPath[UUID], caller: CallerDep,
                           custom_fields: CustomFieldsDep) -> None:
        await custom_fields.delete(caller, field, client_address(request))


class SegmentController(Controller):
    path = "/api"
    tags = ["segments"]

    @get("/workspaces/{workspace:uuid}/segments", summary="The workspace's saved segments")
    async def list_segments(self, workspace: FromPath[UUID], caller: CallerDep,
                            segments: SegmentsDep) -> list[types.Segment]:
        return [segment(saved) for saved in await segments.list(caller, workspace)]

    @post("/workspaces/{workspace:uuid}/segments", summary="Save a filter as a named segment (members and above)")
    async def create_segment(self, workspace: FromPath[UUID], data: JSONBody[types.NewSegment], caller: CallerDep,
                             segments: SegmentsDep) -> types.Segment:
        return segment(await segments.create(caller, workspace, Entity(data.entity), data.name,
                                             to_filter(data.filter)))

    @get("/segments/{segment_id:uuid}", summary="One segment")
    async def get_segment(self, segment_id: FromPath[UUID], caller: CallerDep, segments: SegmentsDep) -> types.Segment:
        return segment(await segments.get(caller, segment_id))

    @patch("/segments/{segment_id:uuid}", summary="Rename a segment or replace its filter (members and above)")
    async def update_segment(self, segment_id: FromPath[UUID], data: JSONBody[types.SegmentChange],
                             caller: CallerDep, segments: SegmentsDep) -> types.Segment:
        where = to_filter(data.filter) if data.filter is not None else None
        return segment(await segments.update(caller, segment_id, data.name, where))

    @delete("/segments/{segment_id:uuid}", summary="Delete a segment (members and above)")
    async def delete_segment(self, segment_id: FromPath[UUID], caller: CallerDep, segments: SegmentsDep) -> None:
        await segments.delete(caller, segment_id)
