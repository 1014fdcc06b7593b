"""The contracts of the calendar's ports (issue 18): ``CalendarEntries`` over the projection and
``CalendarFeeds``, over memory and Postgres — one suite, the same answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from uuid import uuid4

import pytest

from server.domain.projection import Table, WorkItemRecord
from server.storage.calendar import PostgresCalendarEntries, PostgresCalendarFeeds
from server.storage.memory.calendar import MemoryCalendarEntries, MemoryCalendarFeeds
from tests.contract import test_crm
from tests.contract.test_crm import T0, activity, crm, deal, user
from tests.support.units import backend


def adapters(conn) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_crm.adapters(conn)), calendar_entries=PostgresCalendarEntries(conn),
                           calendar_feeds=PostgresCalendarFeeds(conn))


def twins(db) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_crm.twins(db)), calendar_entries=MemoryCalendarEntries(db),
                           calendar_feeds=MemoryCalendarFeeds(db))


@pytest.fixture(params=["memory", "postgres"])
async def begin(request, database_url) -> AsyncIterator:
    async with backend(request.param, database_url, adapters, twins) as (begin, _world):
        yield begin


async def test_entries_are_the_chosen_peoples_on_the_given_boards_and_days_all_day_first(begin):
    c = await crm(begin)
    colleague = await user(begin, "Mia")
    the_deal = deal(c.stages[0].id, title="Acme renewal")
    start = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)
    timed = activity("Demo", c.owner, card=the_deal.id, due_date=date(2030, 1, 7), due_at=start, starts_at=start,
                     ends_at=start + timedelta(hours=1), all_day=False, time_zone="Europe/Berlin",
                     location="Room 1", outcome="Went well", note="Bring slides")
    early = activity("Early call", c.owner, due_date=date(2030, 1, 7), due_at=start - timedelta(hours=2),
                     starts_at=start - timedelta(hours=2), all_day=False)
    all_day = activity("Offer due", c.owner, due_date=date(2030, 1, 7))
    theirs = activity("Their call", colleague, due_date=date(2030, 1, 8))
    later = activity("Next month", c.owner, due_date=date(2030, 2, 7))
    undated = activity("Someday", c.owner)
    async with begin() as unit:
        await unit.projection.upsert(Table.DEALS, c.board.id, c.workspace, [the_deal])
        await unit.projection.upsert(Table.ACTIVITIES, c.board.id, c.workspace,
                                     [timed, early, all_day, theirs, later, undated])
    async with begin() as unit:
        mine = await unit.calendar_entries.between([c.board.id], [c.owner], date(2030, 1, 6), date(2030, 1, 12))
        both = await unit.calendar_entries.between([c.board.id], [c.owner, colleague], date(2030, 1, 8),
                                                   date(2030, 1, 8))
        elsewhere = await unit.calendar_entries.between([uuid4()], [c.owner], date(2030, 1, 1), date(2030, 1, 31))
    assert [e.title for e in mine] == ["Offer due", "Early call", "Demo"]
    demo = mine[2]
    assert (demo.board, demo.board_name, demo.workspace, demo.card, demo.card_title) == (
        c.board.id, "Deals", c.workspace, the_deal.id, "Acme renewal")
    assert (demo.day, demo.start, demo.end, demo.all_day, demo.time_zone, demo.location, demo.outcome,
            demo.note) == (date(2030, 1, 7), start, start + timedelta(hours=1), False, "Europe/Berlin", "Room 1",
                           "Went well", "Bring slides")
    assert mine[0].all_day and mine[0].start is None
    assert [e.title for e in both] == ["Their call"] and elsewhere == []


async def test_a_work_items_title_names_its_activities_card(begin):
    c = await crm(begin)
    item = WorkItemRecord(uuid4(), "Ship v2", None, None, None, "todo", c.stages[0].id, "a", T0, None, T0)
    async with begin() as unit:
        await unit.projection.upsert(Table.WORK_ITEMS, c.board.id, c.workspace, [item])
        await unit.projection.upsert(Table.ACTIVITIES, c.board.id, c.workspace,
                                     [activity("Review", c.owner, card=item.id, due_date=date(2030, 3, 1))])
    async with begin() as unit:
        [entry] = await unit.calendar_entries.between([c.board.id], [c.owner], date(2030, 3, 1), date(2030, 3, 1))
    assert entry.card_title == "Ship v2"


async def test_a_feed_is_found_by_its_hash_replaced_by_a_new_one_and_dropped(begin):
    ada, bob = await user(begin, "Ada"), await user(begin, "Bob")
    async with begin() as unit:
        assert await unit.calendar_feeds.created(ada) is None and await unit.calendar_feeds.drop(ada) is False
        await unit.calendar_feeds.put(ada, b"a" * 32)
        await unit.calendar_feeds.put(bob, b"b" * 32)
    async with begin() as unit:
        assert await unit.calendar_feeds.user_of(b"a" * 32) == ada
        assert await unit.calendar_feeds.created(ada) is not None
        await unit.calendar_feeds.put(ada, b"c" * 32)
    async with begin() as unit:
        assert await unit.calendar_feeds.user_of(b"a" * 32) is None, "the old token is revoked"
        assert await unit.calendar_feeds.user_of(b"c" * 32) == ada
        assert await unit.calendar_feeds.drop(ada) is True
    async with begin() as unit:
        assert await unit.calendar_feeds.user_of(b"c" * 32) is None
        assert await unit.calendar_feeds.user_of(b"b" * 32) == bob


async def test_upcoming_are_the_open_assigned_activities_of_the_days_and_every_repeating_one(begin):
    c = await crm(begin)
    soon = activity("Soon", c.owner, due_date=date(2030, 1, 8))
    weekly = activity("Weekly", c.owner, due_date=date(2029, 6, 1), recurrence="FREQ=WEEKLY")
    rows = [soon, weekly, activity("Done", c.owner, due_date=date(2030, 1, 8), done=True),
            activity("Nobody's", None, due_date=date(2030, 1, 8)), activity("Later", c.owner, due_date=date(2030, 3, 1))]
    async with begin() as unit:
        await unit.projection.upsert(Table.ACTIVITIES, c.board.id, c.workspace, rows)
    async with begin() as unit:
        found = [x for x in await unit.calendar_entries.upcoming(date(2030, 1, 7), date(2030, 2, 7))
                 if x[1] == c.board.id]
    assert sorted((w, b, a) for w, b, a in found) == sorted([(c.workspace, c.board.id, soon),
                                                            (c.workspace, c.board.id, weekly)])
