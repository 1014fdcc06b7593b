"""Filters and saved segments: a segment is a named ``Filter`` shared by the workspace.

A list request may name a segment and add its own filter on top: both must hold (the search
words of both, the labels of both, the custom field values of both; an owner, organisation or
date given in the request replaces the segment's, the later "created since" wins).
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from server.domain.access import Action, NotFound
from server.domain.accounts import Conflict, InvalidInput, check_name
from server.domain.contacts import Filter
from server.domain.fields import Entity, check_value, parse
from server.domain.references import RecordKind, references_in
from server.domain.segments import Segment
from server.services.accounts import Caller
from server.services.ports.unit import Begin, Unit
from server.services.records import definitions, require_records, workspace_role

SEGMENT_ENTITIES = (Entity.CONTACT, Entity.ORGANISATION)
# A segment is stored and shared: the ids it filters on must be the workspace's own.
SEGMENT_REFERENCES = {"owner": RecordKind.MEMBER, "organisation": RecordKind.ORGANISATION}


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


async def checked_fields(tx: Unit, workspace: UUID, entity: Entity, values: Mapping[str, object],
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


async def resolve_filter(tx: Unit, workspace: UUID, entity: Entity, where: Filter, segment: UUID | None) -> Filter:
    """``where`` (custom field values as query-string text) combined with ``segment``'s filter."""
    where = where._replace(fields=await checked_fields(tx, workspace, entity, where.fields, as_text=True))
    if segment is None:
        return where
    saved = await tx.segments.get(segment)
    if saved is None or saved.workspace_id != workspace or saved.entity != entity:
        raise NotFound("no such segment")
    return combine(where, saved.filter)


class Segments:
    """Saved segments: members create, rename and delete them; everyone in the workspace uses them."""

    def __init__(self, begin: Begin) -> None:
        self._begin = begin

    async def list(self, caller: Caller, workspace: UUID) -> list[Segment]:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            return await tx.segments.of_workspace(workspace)

    async def create(self, caller: Caller, workspace: UUID, entity: Entity, name: str, where: Filter) -> Segment:
        if entity not in SEGMENT_ENTITIES:
            raise InvalidInput(f"expected a segment of contacts or organisations, got {entity}")
        name = check_name(name, "segment name")
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            await require_records(tx, workspace, references_in(where._asdict(), SEGMENT_REFERENCES))
            where = where._replace(fields=await checked_fields(tx, workspace, entity, where.fields, as_text=False))
            segment = await tx.segments.add(workspace, entity, name, where, caller.id)
            if segment is None:
                raise Conflict(f"this workspace already has a {entity} segment named {name!r}")
            return segment

    async def update(self, caller: Caller, segment: UUID, name: str | None, where: Filter | None) -> Segment:
        async with self._begin() as tx:
            current = await self._reach(tx, caller, segment, Action.EDIT_CONTACTS)
            name = check_name(name, "segment name") if name is not None else current.name
            if where is not None:
                await require_records(tx, current.workspace_id, references_in(where._asdict(), SEGMENT_REFERENCES))
                fields = await checked_fields(tx, current.workspace_id, current.entity, where.fields, as_text=False)
                where = where._replace(fields=fields)
            changed = await tx.segments.change(segment, name, where if where is not None else current.filter)
            if changed is None:
                raise Conflict(f"this workspace already has a {current.entity} segment named {name!r}")
            return changed

    async def delete(self, caller: Caller, segment: UUID) -> None:
        async with self._begin() as tx:
            await self._reach(tx, caller, segment, Action.EDIT_CONTACTS)
            await tx.segments.remove(segment)

    async def get(self, caller: Caller, segment: UUID) -> Segment:
        async with self._begin() as tx:
            return await self._reach(tx, caller, segment, Action.READ_CONTACTS)

    async def _reach(self, tx: Unit, caller: Caller, segment: UUID, action: Action) -> Segment:
        found = await tx.segments.get(segment)
        if found is None:
            raise NotFound("no such segment")
        try:
            await workspace_role(tx, caller, found.workspace_id, action)
        except NotFound:
            raise NotFound("no such segment") from None
        return found
