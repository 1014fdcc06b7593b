"""The contract of ``CalendarSyncs`` (issue 18 item 5) over memory and Postgres: one link per user
(a new one starts over), a lease one holder at a time, a run's end recorded only by its holder,
items by href and one per activity, and the user's activities with a day."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from uuid import uuid4

import pytest

from server.domain.caldav import Counts, Item, Link
from server.domain.projection import Table
from server.storage.caldav import PostgresCalendarSyncs
from server.storage.memory.caldav import MemoryCalendarSyncs
from tests.contract import test_crm
from tests.contract.test_crm import activity, crm, user
from tests.support.units import backend

AT = datetime(2031, 3, 3, 9, 0, tzinfo=timezone.utc)


def adapters(conn) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_crm.adapters(conn)), calendar_syncs=PostgresCalendarSyncs(conn))


def twins(db) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_crm.twins(db)), calendar_syncs=MemoryCalendarSyncs(db))


@pytest.fixture(params=["memory", "postgres"])
async def begin(request, database_url) -> AsyncIterator:
    async with backend(request.param, database_url, adapters, twins) as (begin, _world):
        yield begin


def link(c, url: str = "https://dav.example.test/me/work/") -> Link:
    return Link(c.owner, c.workspace, c.board.id, url, "me", b"sealed")


def item(c, href: str, activity_id=None, etag: str = '"1"') -> Item:
    return Item(href, activity_id or uuid4(), c.board.id, etag, "digest", AT, "BEGIN:VCALENDAR")


async def test_a_link_reads_back_and_a_new_one_starts_over(begin):
    c = await crm(begin)
    async with begin() as unit:
        assert await unit.calendar_syncs.get(c.owner) is None
        await unit.calendar_syncs.put(link(c))
        await unit.calendar_syncs.set_token(c.owner, "token-1")
        await unit.calendar_syncs.put_item(c.owner, item(c, "/me/work/a.ics"))
    async with begin() as unit:
        found = await unit.calendar_syncs.get(c.owner)
        assert found[:6] == link(c)[:6] and found.sync_token == "token-1" and found.created_at is not None
        assert [i.href for i in await unit.calendar_syncs.items(c.owner)] == ["/me/work/a.ics"]
        assert c.owner in await unit.calendar_syncs.all_users()
        await unit.calendar_syncs.put(link(c, "https://dav.example.test/me/other/"))
    async with begin() as unit:
        again = await unit.calendar_syncs.get(c.owner)
        assert again.url.endswith("/other/") and again.sync_token is None
        assert await unit.calendar_syncs.items(c.owner) == []
        assert await unit.calendar_syncs.drop(c.owner)
        assert not await unit.calendar_syncs.drop(c.owner)
        assert await unit.calendar_syncs.get(c.owner) is None


async def test_one_holder_at_a_time_and_only_the_holder_records_the_end(begin):
    c = await crm(begin)
    first, second = uuid4(), uuid4()
    async with begin() as unit:
        await unit.calendar_syncs.put(link(c))
        assert await unit.calendar_syncs.lease(c.owner, first, timedelta(minutes=5))
        assert not await unit.calendar_syncs.lease(c.owner, second, timedelta(minutes=5))
        await unit.calendar_syncs.finished(c.owner, second, "t-second", Counts(9, 9, 9), AT)
        assert (await unit.calendar_syncs.get(c.owner)).sync_token is None, "not the holder: nothing recorded"
        await unit.calendar_syncs.finished(c.owner, first, "t-1", Counts(1, 2, 3), AT, "1 event could not be synced")
    async with begin() as unit:
        done = await unit.calendar_syncs.get(c.owner)
        assert (done.sync_token, done.pushed, done.pulled, done.removed) == ("t-1", 1, 2, 3)
        assert done.last_success == AT and done.last_error == "1 event could not be synced"
        assert await unit.calendar_syncs.lease(c.owner, second, timedelta(minutes=5)), "released at the end"
        await unit.calendar_syncs.failed(c.owner, second, "the server did not answer", AT + timedelta(minutes=1))
    async with begin() as unit:
        failed = await unit.calendar_syncs.get(c.owner)
        assert failed.last_error == "the server did not answer" and failed.last_success == AT
        assert failed.sync_token == "t-1", "a failed run keeps the token"
        assert await unit.calendar_syncs.lease(c.owner, first, timedelta(seconds=0))
    async with begin() as unit:
        assert await unit.calendar_syncs.lease(c.owner, second, timedelta(minutes=5)), "a lapsed lease is free"


async def test_items_are_one_per_href_and_one_per_activity(begin):
    c = await crm(begin)
    same = uuid4()
    async with begin() as unit:
        assert not await unit.calendar_syncs.items(c.owner)
        await unit.calendar_syncs.put_item(c.owner, item(c, "/x.ics"))  # no link: not kept
        assert await unit.calendar_syncs.items(c.owner) == []
        await unit.calendar_syncs.put(link(c))
        await unit.calendar_syncs.put_item(c.owner, item(c, "/a.ics", same))
        await unit.calendar_syncs.put_item(c.owner, item(c, "/a.ics", same, etag='"2"'))
        await unit.calendar_syncs.put_item(c.owner, item(c, "/b.ics"))
    async with begin() as unit:
        found = await unit.calendar_syncs.items(c.owner)
        assert [(i.href, i.etag) for i in found] == [("/a.ics", '"2"'), ("/b.ics", '"1"')]
        await unit.calendar_syncs.put_item(c.owner, item(c, "/c.ics", same))  # the activity moved href
        await unit.calendar_syncs.drop_item(c.owner, "/b.ics")
    async with begin() as unit:
        assert [(i.href, i.activity) for i in await unit.calendar_syncs.items(c.owner)] == [("/c.ics", same)]


async def test_the_users_activities_with_a_day_on_the_boards_given(begin):
    c = await crm(begin)
    colleague = await user(begin, "Mia")
    timed = activity("Demo", c.owner, due_date=date(2031, 3, 3), due_at=AT, starts_at=AT,
                     ends_at=AT + timedelta(hours=1), all_day=False, time_zone="Europe/Berlin")
    all_day = activity("Offer due", c.owner, due_date=date(2031, 3, 4))
    undated = activity("Some day", c.owner)
    theirs = activity("Theirs", colleague, due_date=date(2031, 3, 3))
    async with begin() as unit:
        await unit.projection.upsert(Table.ACTIVITIES, c.board.id, c.workspace, [timed, all_day, undated, theirs])
    async with begin() as unit:
        found = {a.title: a for a in await unit.calendar_syncs.activities(c.owner, [c.board.id])}
        assert await unit.calendar_syncs.activities(c.owner, [uuid4()]) == []
    assert set(found) == {"Demo", "Offer due"}
    demo = found["Demo"]
    assert (demo.id, demo.board, demo.starts_at, demo.ends_at, demo.all_day, demo.time_zone) == (
        timed.id, c.board.id, AT, AT + timedelta(hours=1), False, "Europe/Berlin")
    assert found["Offer due"].due_date == date(2031, 3, 4) and found["Offer due"].all_day
