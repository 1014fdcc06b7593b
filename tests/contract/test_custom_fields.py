"""The ``FieldDefinitions`` and ``SavedSegments`` contracts, over memory and Postgres."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from server.domain.contacts import Filter
from server.domain.fields import Entity, FieldDefinition, FieldType
from server.storage.custom_fields import PostgresFieldDefinitions
from server.storage.memory.custom_fields import MemoryFieldDefinitions, MemorySavedSegments
from server.storage.segments import PostgresSavedSegments
from tests.support.units import backend


def _adapters(conn) -> SimpleNamespace:
    return SimpleNamespace(fields=PostgresFieldDefinitions(conn), segments=PostgresSavedSegments(conn))


def _twins(db) -> SimpleNamespace:
    return SimpleNamespace(fields=MemoryFieldDefinitions(db), segments=MemorySavedSegments(db))


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url, _adapters, _twins) as (begin, world):
        yield begin, world


PLAN = FieldDefinition("plan", "Plan", FieldType.SELECT, ("free", "pro"))
SIZE = FieldDefinition("size", "Size", FieldType.NUMBER)


# --- FieldDefinitions --------------------------------------------------------------------------


async def test_an_added_definition_reads_back_with_its_workspace_and_entity(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as tx:
        added = await tx.fields.add(workspace, Entity.CONTACT, PLAN)
    async with begin() as tx:
        assert await tx.fields.get(added.id) == added
    assert (added.workspace_id, added.entity, added.definition) == (workspace, Entity.CONTACT, PLAN)


async def test_a_key_is_unique_per_workspace_and_entity(store):
    begin, world = store
    workspace, other = await world.workspace(), await world.workspace()
    async with begin() as tx:
        assert await tx.fields.add(workspace, Entity.CONTACT, PLAN) is not None
        assert await tx.fields.add(workspace, Entity.CONTACT, PLAN._replace(label="Again")) is None
        assert await tx.fields.add(workspace, Entity.ORGANISATION, PLAN) is not None
        assert await tx.fields.add(other, Entity.CONTACT, PLAN) is not None


async def test_definitions_list_by_entity_then_age_and_filter_by_entity(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as tx:
        await tx.fields.add(workspace, Entity.ORGANISATION, SIZE)
    async with begin() as tx:
        await tx.fields.add(workspace, Entity.CONTACT, SIZE)
    async with begin() as tx:
        await tx.fields.add(workspace, Entity.CONTACT, PLAN)
    async with begin() as tx:
        every = await tx.fields.of_workspace(workspace)
        contacts = await tx.fields.of_workspace(workspace, Entity.CONTACT)
    assert [(f.entity, f.key) for f in every] == [("contact", "size"), ("contact", "plan"), ("organisation", "size")]
    assert [f.key for f in contacts] == ["size", "plan"]


async def test_a_change_relabels_and_replaces_options_but_keeps_key_and_type(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as tx:
        added = await tx.fields.add(workspace, Entity.CONTACT, PLAN)
        changed = await tx.fields.change(added.id, "Tier", ["free", "pro", "team"])
    assert (changed.id, changed.key, changed.type) == (added.id, "plan", FieldType.SELECT)
    assert (changed.label, changed.options) == ("Tier", ("free", "pro", "team"))
    async with begin() as tx:
        assert await tx.fields.get(added.id) == changed


async def test_a_removed_definition_is_gone(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as tx:
        added = await tx.fields.add(workspace, Entity.DEAL, SIZE)
    async with begin() as tx:
        await tx.fields.remove(added)
    async with begin() as tx:
        assert await tx.fields.get(added.id) is None
        assert await tx.fields.of_workspace(workspace) == []


async def test_nothing_is_stored_when_the_unit_of_work_fails(store):
    begin, world = store
    workspace = await world.workspace()
    with pytest.raises(RuntimeError):
        async with begin() as tx:
            await tx.fields.add(workspace, Entity.CONTACT, PLAN)
            raise RuntimeError("rolled back")
    async with begin() as tx:
        assert await tx.fields.of_workspace(workspace) == []


# --- SavedSegments -----------------------------------------------------------------------------

SINCE = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


async def test_a_segment_reads_back_with_the_filter_it_was_saved_with(store):
    begin, world = store
    workspace, owner = await world.workspace(), await world.user()
    where = Filter(q="acme", owner=owner, labels=("vip", "eu"), created_since=SINCE, fields={"plan": "pro"})
    async with begin() as tx:
        saved = await tx.segments.add(workspace, Entity.CONTACT, "big ones", where, owner)
    async with begin() as tx:
        again = await tx.segments.get(saved.id)
    assert again == saved
    assert (again.name, again.entity, again.filter, again.created_by) == ("big ones", Entity.CONTACT, where, owner)


async def test_an_empty_filter_reads_back_empty(store):
    begin, world = store
    workspace, owner = await world.workspace(), await world.user()
    async with begin() as tx:
        saved = await tx.segments.add(workspace, Entity.ORGANISATION, "all", Filter(q=""), owner)
    assert saved.filter == Filter()


async def test_a_segment_name_is_unique_per_workspace_and_entity(store):
    begin, world = store
    workspace, owner = await world.workspace(), await world.user()
    async with begin() as tx:
        first = await tx.segments.add(workspace, Entity.CONTACT, "a", Filter(), owner)
        assert await tx.segments.add(workspace, Entity.CONTACT, "a", Filter(q="x"), owner) is None
        assert await tx.segments.add(workspace, Entity.ORGANISATION, "a", Filter(), owner) is not None
        second = await tx.segments.add(workspace, Entity.CONTACT, "b", Filter(), owner)
        assert await tx.segments.change(second.id, "a", Filter()) is None
        # the refused rename leaves the unit of work usable and the segment as it was
        assert await tx.segments.get(second.id) == second
        renamed = await tx.segments.change(first.id, "c", Filter(labels=("x",)))
    assert (renamed.name, renamed.filter, renamed.created_at) == ("c", Filter(labels=("x",)), first.created_at)
    assert renamed.updated_at >= first.updated_at


async def test_segments_list_by_entity_and_name_and_removed_ones_go(store):
    begin, world = store
    workspace, other, owner = await world.workspace(), await world.workspace(), await world.user()
    async with begin() as tx:
        await tx.segments.add(workspace, Entity.ORGANISATION, "a", Filter(), owner)
        b = await tx.segments.add(workspace, Entity.CONTACT, "b", Filter(), owner)
        await tx.segments.add(workspace, Entity.CONTACT, "a", Filter(), owner)
        await tx.segments.add(other, Entity.CONTACT, "z", Filter(), owner)
    async with begin() as tx:
        assert [(s.entity, s.name) for s in await tx.segments.of_workspace(workspace)] == [
            ("contact", "a"), ("contact", "b"), ("organisation", "a")]
        await tx.segments.remove(b.id)
    async with begin() as tx:
        assert await tx.segments.get(b.id) is None
        assert len(await tx.segments.of_workspace(workspace)) == 2


async def test_fields_come_in_the_order_they_were_put_in_and_new_ones_go_last(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as tx:
        plan = await tx.fields.add(workspace, Entity.CONTACT, PLAN)
        size = await tx.fields.add(workspace, Entity.CONTACT, SIZE)
        await tx.fields.reorder(workspace, Entity.CONTACT, [size.id, plan.id])
        later = await tx.fields.add(workspace, Entity.CONTACT, FieldDefinition("web", "Web", FieldType.URL))
    async with begin() as tx:
        assert [f.key for f in await tx.fields.of_workspace(workspace, Entity.CONTACT)] == ["size", "plan", "web"]
    assert later.position > max(plan.position, size.position)
