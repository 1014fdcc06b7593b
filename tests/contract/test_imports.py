"""The import ports (``server.services.ports.imports``), one contract over the memory twins and
Postgres: a batch keeps what it created and updated in order, with the values an update replaced;
the newest batches come first; a batch is undone once; a mapping is found by its header row."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from uuid import uuid4

import asyncpg
import pytest

from server.domain.imports import Action, ImportChange
from server.storage.imports import PostgresImportBatches, PostgresImportMappings
from server.storage.memory.imports import MemoryImportBatches, MemoryImportMappings
from server.storage.memory.unit import MemoryDatabase
from tests.support.units import backend


def adapters(conn: asyncpg.Connection) -> SimpleNamespace:
    return SimpleNamespace(import_batches=PostgresImportBatches(conn), import_mappings=PostgresImportMappings(conn))


def twins(db: MemoryDatabase) -> SimpleNamespace:
    return SimpleNamespace(import_batches=MemoryImportBatches(db), import_mappings=MemoryImportMappings(db))


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url, adapters, twins) as (begin, world):
        yield begin, world


async def test_a_batch_keeps_what_it_created_and_updated_in_order_with_the_values_replaced(store):
    begin, world = store
    workspace, user = await world.workspace(), await world.user()
    made, changed = uuid4(), uuid4()
    before = {"first_name": "Ada", "emails": ["ada@x.example"], "fields": {"tier": "gold"}, "owner_id": None}
    async with begin() as tx:
        batch = await tx.import_batches.start(workspace, "contacts", None, user)
        await tx.import_batches.record(batch, [ImportChange("contact", made, Action.CREATED),
                                               ImportChange("contact", changed, Action.UPDATED, before)], skipped=3)
    async with begin() as tx:
        assert await tx.import_batches.changes(batch) == [
            ImportChange("contact", made, Action.CREATED, None), ImportChange("contact", changed, Action.UPDATED, before)]
        [found] = await tx.import_batches.recent(workspace, 5)
    assert (found.id, found.kind, found.created_by, found.created, found.updated, found.skipped, found.undone_at) == (
        batch, "contacts", user, 1, 1, 3, None)


async def test_the_newest_batch_comes_first_and_is_undone_once(store):
    begin, world = store
    workspace, other = await world.workspace(), await world.workspace()
    async with begin() as tx:
        first = await tx.import_batches.start(workspace, "organisations", None, None)
    async with begin() as tx:
        second = await tx.import_batches.start(workspace, "contacts", None, None)
        await tx.import_batches.start(other, "contacts", None, None)
    async with begin() as tx:
        assert [b.id for b in await tx.import_batches.recent(workspace, 5)] == [second, first]
        assert await tx.import_batches.mark_undone(second) is True
        assert await tx.import_batches.mark_undone(second) is False, "undone once"
        latest = (await tx.import_batches.recent(workspace, 1))[0]
    assert latest.id == second and latest.undone_at is not None


async def test_a_mapping_is_found_by_workspace_kind_and_header_row_and_replaced_when_remembered_again(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as tx:
        assert await tx.import_mappings.find(workspace, "contacts", "vorname\tname") is None
        await tx.import_mappings.remember(workspace, "contacts", "vorname\tname",
                                          {"Vorname": "first_name", "Name": None})
        await tx.import_mappings.remember(workspace, "contacts", "vorname\tname",
                                          {"Vorname": "first_name", "Name": "last_name"})
    async with begin() as tx:
        assert await tx.import_mappings.find(workspace, "contacts", "vorname\tname") == {
            "Vorname": "first_name", "Name": "last_name"}
        assert await tx.import_mappings.find(workspace, "leads", "vorname\tname") is None
