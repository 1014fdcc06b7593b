"""The contract of ``EntryLinks`` (deals' and activities' links to contacts and organisations,
issue 13) over memory and Postgres: set, read, remove; the projected rows follow; a merge
re-points; an erasure unlinks; moving old documents never overwrites a newer link."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest

from server.domain.projection import Table
from server.services.ports.entry_links import ACTIVITY, CARD, EntryLink
from server.storage.entry_links import PostgresEntryLinks
from server.storage.memory.entry_links import MemoryEntryLinks
from tests.contract import test_crm
from tests.contract.test_contacts import company, person
from tests.contract.test_crm import activity, crm, deal
from tests.support.units import backend


def adapters(conn) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_crm.adapters(conn)), entry_links=PostgresEntryLinks(conn))


def twins(db) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_crm.twins(db)), entry_links=MemoryEntryLinks(db))


@pytest.fixture(params=["memory", "postgres"])
async def begin(request, database_url) -> AsyncIterator:
    async with backend(request.param, database_url, adapters, twins) as (begin, _world):
        yield begin


async def _records(begin, c):
    async with begin() as unit:
        ada = await unit.contacts.insert(c.workspace, person("Ada", "Lovelace"), c.owner)
        bob = await unit.contacts.insert(c.workspace, person("Bob", "Babbage"), c.owner)
        org = await unit.organisations.insert(c.workspace, company("Engines Ltd"), c.owner)
    return ada, bob, org


async def test_links_are_set_read_changed_and_removed_and_the_projected_rows_follow(begin):
    c = await crm(begin)
    ada, bob, org = await _records(begin, c)
    d, a = deal(c.stages[0].id), activity("Call", c.owner)
    async with begin() as unit:
        await unit.projection.upsert(Table.DEALS, c.board.id, c.workspace, [d])
        await unit.projection.upsert(Table.ACTIVITIES, c.board.id, c.workspace, [a])
        await unit.entry_links.set(c.workspace, c.board.id, CARD, d.id, contact=ada, organisation=org)
        await unit.entry_links.set(c.workspace, c.board.id, ACTIVITY, a.id, contact=ada, organisation=org)
    async with begin() as unit:
        assert await unit.entry_links.of_board(c.board.id) == {
            (CARD, d.id): EntryLink(c.board.id, CARD, d.id, ada, org),
            (ACTIVITY, a.id): EntryLink(c.board.id, ACTIVITY, a.id, ada, org)}, "an activity on an organisation too (issue 18)"
        rows = await unit.projection.records(Table.DEALS, c.board.id)
        assert (rows[d.id].contact, rows[d.id].organisation) == (ada, org)
        assert (await unit.projection.records(Table.ACTIVITIES, c.board.id))[a.id].contact == ada
        await unit.entry_links.set(c.workspace, c.board.id, CARD, d.id, contact=bob, organisation=None)
        assert await unit.entry_links.get(c.board.id, CARD, d.id) == EntryLink(c.board.id, CARD, d.id, bob, None)
        await unit.entry_links.set(c.workspace, c.board.id, ACTIVITY, a.id, contact=None, organisation=None)
        assert await unit.entry_links.get(c.board.id, ACTIVITY, a.id) is None
        assert (await unit.projection.records(Table.ACTIVITIES, c.board.id))[a.id].contact is None


async def test_a_merge_repoints_an_erasure_unlinks_and_a_move_keeps_newer_links(begin):
    c = await crm(begin)
    ada, bob, org = await _records(begin, c)
    d, e = deal(c.stages[0].id, "One"), deal(c.stages[0].id, "Two")
    async with begin() as unit:
        await unit.projection.upsert(Table.DEALS, c.board.id, c.workspace, [d, e])
        await unit.entry_links.set(c.workspace, c.board.id, CARD, d.id, contact=bob, organisation=org)
        assert await unit.entry_links.add_missing(c.workspace, c.board.id, [
            EntryLink(c.board.id, CARD, d.id, ada, None), EntryLink(c.board.id, CARD, e.id, bob, None)]) == 1
        assert (await unit.entry_links.get(c.board.id, CARD, d.id)).contact_id == bob, "the newer link stays"
        assert await unit.entry_links.repoint([bob], ada) == 2
        assert {link.contact_id for link in (await unit.entry_links.of_board(c.board.id)).values()} == {ada}
        assert (await unit.projection.records(Table.DEALS, c.board.id))[e.id].contact == ada
        old = await unit.entry_links.unlink_contacts([ada])
        assert sorted(link.entry_id for link in old) == sorted([d.id, e.id])
        assert await unit.entry_links.of_board(c.board.id) == {
            (CARD, d.id): EntryLink(c.board.id, CARD, d.id, None, org)}, "the organisation stays; e had only ada"
        assert (await unit.projection.records(Table.DEALS, c.board.id))[d.id].contact is None
        assert not await unit.entry_links.moved("step")
        await unit.entry_links.mark_moved("step")
        assert await unit.entry_links.moved("step")
