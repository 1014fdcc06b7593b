"""The contract of ``CalendarEntries.tasks`` (the team to-do list, issue 18) over memory and
Postgres — one suite, the same answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone

import pytest

from server.domain.projection import Table
from tests.contract.test_calendar import adapters, twins
from tests.contract.test_crm import activity, crm, deal, user
from tests.support.units import backend


@pytest.fixture(params=["memory", "postgres"])
async def begin(request, database_url) -> AsyncIterator:
    async with backend(request.param, database_url, adapters, twins) as (begin, _world):
        yield begin


async def test_tasks_are_every_activity_of_the_boards_dated_or_not_open_unless_done_is_asked(begin):
    c = await crm(begin)
    other = await crm(begin, "Elsewhere")
    mia = await user(begin, "Mia")
    the_deal = deal(c.stages[0].id, title="Acme renewal")
    start = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)
    timed = activity("Demo", mia, card=the_deal.id, due_date=date(2030, 1, 7), due_at=start, starts_at=start,
                     ends_at=start + timedelta(hours=1), all_day=False, time_zone="Europe/Berlin",
                     recurrence="FREQ=WEEKLY")
    undated = activity("Someday", None)
    early = activity("Offer due", c.owner, due_date=date(2030, 1, 6))
    finished = activity("Done call", c.owner, due_date=date(2030, 1, 5), done=True, done_at=start)
    async with begin() as unit:
        await unit.projection.upsert(Table.DEALS, c.board.id, c.workspace, [the_deal])
        await unit.projection.upsert(Table.ACTIVITIES, c.board.id, c.workspace, [timed, undated, early, finished])
        await unit.projection.upsert(Table.ACTIVITIES, other.board.id, other.workspace,
                                     [activity("Not shown", c.owner, due_date=date(2030, 1, 6))])
    async with begin() as unit:
        open_ones = await unit.calendar_entries.tasks([c.board.id], False)
        every = await unit.calendar_entries.tasks([c.board.id], True)
    assert [t.title for t in open_ones] == ["Offer due", "Demo", "Someday"]  # by day, undated last
    assert [t.title for t in every] == ["Done call", "Offer due", "Demo", "Someday"]
    demo = open_ones[1]
    assert (demo.board, demo.board_name, demo.workspace, demo.assignee, demo.card, demo.card_title) == (
        c.board.id, "Deals", c.workspace, mia, the_deal.id, "Acme renewal")
    assert (demo.day, demo.start, demo.end, demo.all_day, demo.time_zone, demo.recurrence, demo.done) == (
        date(2030, 1, 7), start, start + timedelta(hours=1), False, "Europe/Berlin", "FREQ=WEEKLY", False)
    assert (open_ones[2].day, open_ones[2].assignee, open_ones[2].card_title) == (None, None, None)
    assert every[0].done


async def test_an_archived_boards_tasks_are_left_out(begin):
    c = await crm(begin)
    async with begin() as unit:
        await unit.projection.upsert(Table.ACTIVITIES, c.board.id, c.workspace,
                                     [activity("Old call", c.owner, due_date=date(2030, 1, 6))])
        await unit.boards.set_archived(c.board.id, True)
    async with begin() as unit:
        assert await unit.calendar_entries.tasks([c.board.id], True) == []
