"""Filters and saved segments: a segment is a named ``Filter`` shared by the workspace.

A list request may name a segment and add its own filter on top: both must hold (the search
words of both, the labels of both, the custom field values of both; an owner, organisation or
date given in the request replaces the segment's, the later "created since" wins).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from server.domain.access import Action, NotFound
from server.domain.accounts import Conflict, InvalidInput, check_name
from server.domain.contacts import Filter
from server.domain.fields import Entity, check_value, parse
from server.domain.references import RecordKind, references_in
from server.services.accounts import Caller
from server.services.records import definitions, require_records, workspace_role

if TYPE_CHECKING:
    from server.storage.unit import Begin, Tx

SEGMENT_ENTITIES = (Entity.CONTACT, Entity.ORGANISATION)
# A segment is stored and shared: the ids it filters on must be the workspace's own.
SEGMENT_REFERENCES = {"owner": RecordKind.MEMBER, "organisation": RecordKind.ORGANISATION}


def filter_to_json(where: Filter) -> dict[str, Any]:
    data = {"q": where.q, "owner": where.owner and str(where.owner), "labels": list(where.labels),
            "organisation": where.organisation and str(where.organisation),
            "created_since": where.created_since and where.created_since.isoformat(), "fields": where.fields}
    return {key: value for key, value in data.items() if value}


def filter_from_json(data: Mapping[str, Any]) -> Filter:
    since = data.get("created_since")
    return Filter(q=data.get("q"), owner=_uuid(data.get("owner")), labels=tuple(data.get("labels", ())),
                  organisation=_uuid(data.get("organisation")),
                  created_since=datetime.fromisoformat(since) if since else None, fields=dict(data.get("fields", {})))


def _uuid(value: str | None) -> UUID | None:
    return UUID(value) if value else None


def combine(request: Filter, segment: Filter) -> Filter:
    since = [d for d in (request.created_since, segment.created_since) if d is not None]
    return Filter(
        q=" ".join(q for q in (segment.q, request.q) if q) or None,
        owner=request.owner or segment.owner,
        labels=tuple(dict.fromkeys((*segment.labels, *request.labels))),
        organisation=request.organisation or segment.organisation,
        created_since=max(since) if since else None,
        fields={**segment.fields, **request.fields},
    )


async def checked_fields(tx: Tx, workspace: UUID, entity: Entity, values: Mapping[str, object],
                         *, as_text: bool) -> dict[str, object]:
    """Custom field values of a filter, checked (``as_text``: parsed from query-string text)."""
    if not values:
        return {}
    known = await definitions(tx, workspace, entity)
    checked = {}
    for key, value in values.items():
        if key not in known:
            raise InvalidInput(f"cannot filter on unknown custom field {key!r}: expected one of "
                               f"{', '.join(sorted(known)) or 'none are defined'}")
        checked[key] = parse(known[key], value) if as_text else check_value(known[key], value)
    return checked


async def resolve_filter(tx: Tx, workspace: UUID, entity: Entity, where: Filter, segment: UUID | None) -> Filter:
    """``where`` (custom field values as query-string text) combined with ``segment``'s filter."""
    where = where._replace(fields=await checked_fields(tx, workspace, entity, where.fields, as_text=True))
    if segment is None:
        return where
    row = await tx.contacts.segment_by_id(segment)
    if row is None or row["workspace_id"] != workspace or row["entity"] != entity:
        raise NotFound("no such segment")
    return combine(where, filter_from_json(row["filter"]))


class Segments:
    """Saved segments: members create, rename and delete them; everyone in the workspace uses them."""

    def __init__(self, begin: Begin) -> None:
        self._begin = begin

    async def list(self, caller: Caller, workspace: UUID) -> list[dict[str, Any]]:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            return await tx.contacts.segments(workspace)

    async def create(self, caller: Caller, workspace: UUID, entity: Entity, name: str, where: Filter) -> dict[str, Any]:
        if entity not in SEGMENT_ENTITIES:
            raise InvalidInput(f"expected a segment of contacts or organisations, got {entity}")
        name = check_name(name, "segment name")
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            await require_records(tx, workspace, references_in(where._asdict(), SEGMENT_REFERENCES))
            where = where._replace(fields=await checked_fields(tx, workspace, entity, where.fields, as_text=False))
            segment = await tx.contacts.insert_segment(workspace, entity, name, filter_to_json(where), caller.id)
            if segment is None:
                raise Conflict(f"this workspace already has a {entity} segment named {name!r}")
            return await tx.contacts.segment_by_id(segment)

    async def update(self, caller: Caller, segment: UUID, name: str | None, where: Filter | None) -> dict[str, Any]:
        async with self._begin() as tx:
            row = await self._reach(tx, caller, segment, Action.EDIT_CONTACTS)
            name = check_name(name, "segment name") if name is not None else row["name"]
            if where is not None:
                await require_records(tx, row["workspace_id"], references_in(where._asdict(), SEGMENT_REFERENCES))
                fields = await checked_fields(tx, row["workspace_id"], row["entity"], where.fields, as_text=False)
                data = filter_to_json(where._replace(fields=fields))
            else:
                data = row["filter"]
            if not await tx.contacts.update_segment(segment, name, data):
                raise Conflict(f"this workspace already has a {row['entity']} segment named {name!r}")
            return await tx.contacts.segment_by_id(segment)

    async def delete(self, caller: Caller, segment: UUID) -> None:
        async with self._begin() as tx:
            await self._reach(tx, caller, segment, Action.EDIT_CONTACTS)
            await tx.contacts.delete_segment(segment)

    async def get(self, caller: Caller, segment: UUID) -> dict[str, Any]:
        async with self._begin() as tx:
            return await self._reach(tx, caller, segment, Action.READ_CONTACTS)

    async def _reach(self, tx: Tx, caller: Caller, segment: UUID, action: Action) -> dict[str, Any]:
        row = await tx.contacts.segment_by_id(segment)
        if row is None:
            raise NotFound("no such segment")
        try:
            await workspace_role(tx, caller, row["workspace_id"], action)
        except NotFound:
            raise NotFound("no such segment") from None
        return row
