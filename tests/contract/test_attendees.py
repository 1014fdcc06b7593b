"""The contract of ``ActivityAttendees`` (issue 18) over memory and Postgres, and the calendar
showing an activity to the users who attend it — one suite, the same answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from types import SimpleNamespace

import pytest

from server.domain.projection import Table
from server.services.ports.attendees import Attendees
from server.storage.attendees import PostgresActivityAttendees
from server.storage.memory.attendees import MemoryActivityAttendees
from tests.contract import test_calendar
from tests.contract.test_contacts import person
from tests.contract.test_crm import activity, crm, user
from tests.support.units import backend


def adapters(conn) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_calendar.adapters(conn)), attendees=PostgresActivityAttendees(conn))


def twins(db) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_calendar.twins(db)), attendees=MemoryActivityAttendees(db))


@pytest.fixture(params=["memory", "postgres"])
async def begin(request, database_url) -> AsyncIterator:
    async with backend(request.param, database_url, adapters, twins) as (begin, _world):
        yield begin


async def contact(begin, workspace, name="Ada"):
    async with begin() as unit:
        return await unit.contacts.insert(workspace, person(name, "Example"), None)


async def test_set_replaces_the_attendees_and_keeps_the_order_they_were_added_in(begin):
    c = await crm(begin)
    mia, tom = await user(begin, "Mia"), await user(begin, "Tom")
    ada, bob = await contact(begin, c.workspace, "Ada"), await contact(begin, c.workspace, "Bob")
    meeting, other = activity("Demo", c.owner), activity("Call", c.owner)
    async with begin() as unit:
        assert await unit.attendees.of_activity(c.board.id, meeting.id) == Attendees()
        await unit.attendees.set(c.workspace, c.board.id, meeting.id, Attendees((mia, tom), (ada,)))
        await unit.attendees.set(c.workspace, c.board.id, other.id, Attendees((tom,), ()))
    async with begin() as unit:
        assert await unit.attendees.of_activity(c.board.id, meeting.id) == Attendees((mia, tom), (ada,))
        await unit.attendees.set(c.workspace, c.board.id, meeting.id, Attendees((tom, mia, tom), (bob, ada)))
    async with begin() as unit:
        # kept ones stay where they were; repeats count once; new ones come after
        assert await unit.attendees.of_activity(c.board.id, meeting.id) == Attendees((mia, tom), (ada, bob))
        assert await unit.attendees.of_board(c.board.id) == {meeting.id: Attendees((mia, tom), (ada, bob)),
                                                             other.id: Attendees((tom,), ())}
        assert sorted(await unit.attendees.attending(tom, [c.board.id])) == sorted(
            [(c.board.id, meeting.id), (c.board.id, other.id)])
        assert await unit.attendees.attending(mia, []) == []
        await unit.attendees.set(c.workspace, c.board.id, meeting.id, Attendees((tom,), (bob,)))
    async with begin() as unit:
        assert await unit.attendees.of_activity(c.board.id, meeting.id) == Attendees((tom,), (bob,))  # Mia, Ada go
        await unit.attendees.set(c.workspace, c.board.id, meeting.id, Attendees())
    async with begin() as unit:
        assert await unit.attendees.of_activity(c.board.id, meeting.id) == Attendees()
        assert list(await unit.attendees.of_board(c.board.id)) == [other.id]


async def test_the_calendar_shows_an_activity_to_the_users_who_attend_it(begin):
    c = await crm(begin)
    mia = await user(begin, "Mia")
    demo = activity("Demo", c.owner, due_date=date(2030, 1, 7))
    async with begin() as unit:
        await unit.projection.upsert(Table.ACTIVITIES, c.board.id, c.workspace, [demo])
        await unit.attendees.set(c.workspace, c.board.id, demo.id, Attendees((mia,), ()))
    async with begin() as unit:
        theirs = await unit.calendar_entries.between([c.board.id], [mia], date(2030, 1, 6), date(2030, 1, 12))
        both = await unit.calendar_entries.between([c.board.id], [mia, c.owner], date(2030, 1, 6), date(2030, 1, 12))
    assert [e.title for e in theirs] == ["Demo"] and theirs[0].assignee == c.owner
    assert [e.title for e in both] == ["Demo"]  # once, though both are asked for
