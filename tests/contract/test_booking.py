"""The contract of ``BookingLinks`` (issue 18 item 6) over memory and Postgres: links by user and
slug, a slug unique per server, what keeps a host busy, and a held start refused twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from uuid import uuid4

import pytest

from server.domain.booking import Booking, check_settings
from server.domain.projection import Table
from server.storage.booking import PostgresBookingLinks
from server.storage.forecast import PostgresTeams
from server.storage.memory.booking import MemoryBookingLinks
from server.storage.memory.forecast import MemoryTeams
from tests.contract import test_crm
from tests.contract.test_crm import activity, crm, user
from tests.support.units import backend

START = datetime(2031, 3, 3, 9, 0, tzinfo=timezone.utc)
FRESH = datetime(2000, 1, 1, tzinfo=timezone.utc)  # ``settled``: every booking made after it holds by itself
SETTLED = datetime(2100, 1, 1, tzinfo=timezone.utc)  # every booking holds only while its meeting is there


def adapters(conn) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_crm.adapters(conn)), booking_links=PostgresBookingLinks(conn))


def twins(db) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_crm.twins(db)), booking_links=MemoryBookingLinks(db))


@pytest.fixture(params=["memory", "postgres"])
async def begin(request, database_url) -> AsyncIterator:
    async with backend(request.param, database_url, adapters, twins) as (begin, _world):
        yield begin


@pytest.fixture(params=["memory", "postgres"])
async def with_teams(request, database_url) -> AsyncIterator:
    """``begin`` and the teams' store (teams are written through a pool, not a unit)."""
    async with backend(request.param, database_url, adapters, twins) as (begin, world):
        yield begin, PostgresTeams(world.pool) if world.pool is not None else MemoryTeams(world.db)


def settings(c, slug: str, host=None):
    return check_settings(host or c.owner, c.workspace, c.board.id, {
        "slug": slug, "time_zone": "Europe/Berlin", "durations": [60, 30], "buffer_after": 10,
        "hours": [[["09:00", "12:00"], ["13:00", "17:30"]]] * 5 + [[], []]})


def booking(host, start: datetime, minutes: int = 30) -> Booking:
    end = start + timedelta(minutes=minutes)
    return Booking(uuid4(), host, start, end, start, end + timedelta(minutes=10), "Bo", "bo@example.com", None)


async def test_a_link_reads_back_by_user_and_by_slug_and_a_slug_belongs_to_one_user(begin):
    c = await crm(begin)
    slug = f"anna-{uuid4().hex[:8]}"
    mine = settings(c, slug)
    async with begin() as unit:
        assert await unit.booking_links.put(mine)
    async with begin() as unit:
        assert await unit.booking_links.of_user(c.owner) == mine
        assert await unit.booking_links.by_slug(slug, lock=True) == mine
        assert await unit.booking_links.by_slug("no-such-slug") is None
    other = await user(begin, "Bert")
    async with begin() as unit:
        assert not await unit.booking_links.put(settings(c, slug, host=other)), "the slug is taken"
        assert await unit.booking_links.of_user(other) is None
        assert await unit.booking_links.put(mine._replace(durations=(15,), enabled=False)), "the owner may change it"
        assert (await unit.booking_links.of_user(c.owner)).durations == (15,)


async def test_a_host_is_busy_in_their_timed_activities_and_held_bookings_only(begin):
    c = await crm(begin)
    colleague = await user(begin, "Mia")
    meeting = activity("Demo", c.owner, due_date=date(2031, 3, 3), due_at=START, starts_at=START,
                       ends_at=START + timedelta(hours=1), all_day=False)
    no_end = activity("Call", c.owner, due_date=date(2031, 3, 3), starts_at=START + timedelta(hours=3), all_day=False)
    all_day = activity("Offer due", c.owner, due_date=date(2031, 3, 3))
    theirs = activity("Theirs", colleague, due_date=date(2031, 3, 3), starts_at=START, all_day=False)
    async with begin() as unit:
        await unit.projection.upsert(Table.ACTIVITIES, c.board.id, c.workspace, [meeting, no_end, all_day, theirs])
        assert await unit.booking_links.hold(booking(c.owner, START + timedelta(hours=5)), FRESH)
    async with begin() as unit:
        busy = await unit.booking_links.busy(c.owner, START - timedelta(days=1), START + timedelta(days=1), FRESH)
        none = await unit.booking_links.busy(c.owner, START + timedelta(days=2), START + timedelta(days=3), FRESH)
    assert busy == [(START, START + timedelta(hours=1)),
                    (START + timedelta(hours=3), START + timedelta(hours=3, minutes=30)),
                    (START + timedelta(hours=5), START + timedelta(hours=5, minutes=40))]
    assert none == []


async def test_a_start_is_held_once_per_host(begin):
    c = await crm(begin)
    other = await user(begin, "Bert")
    first = booking(c.owner, START)
    async with begin() as unit:
        assert await unit.booking_links.hold(first, FRESH)
        assert not await unit.booking_links.hold(booking(c.owner, START, 60), FRESH)
        assert await unit.booking_links.hold(booking(other, START), FRESH)


async def test_a_settled_booking_holds_only_while_its_meeting_is_still_at_its_time(begin):
    c = await crm(begin)
    kept, moved = booking(c.owner, START), booking(c.owner, START + timedelta(hours=2))
    meeting = activity("Kept", c.owner, due_date=date(2031, 3, 3), starts_at=START, ends_at=kept.end, all_day=False)
    elsewhere = activity("Moved", c.owner, due_date=date(2031, 3, 4), starts_at=START + timedelta(days=1),
                         ends_at=START + timedelta(days=1, minutes=30), all_day=False)
    gone = booking(c.owner, START + timedelta(hours=4))
    async with begin() as unit:
        for held in (kept, moved, gone):
            assert await unit.booking_links.hold(held, FRESH)
        await unit.projection.upsert(Table.ACTIVITIES, c.board.id, c.workspace, [meeting, elsewhere])
        await unit.booking_links.booked(kept.id, meeting.id, None)
        await unit.booking_links.booked(moved.id, elsewhere.id, None)
        await unit.booking_links.booked(gone.id, uuid4(), None)  # its meeting was deleted
    day = (START - timedelta(hours=1), START + timedelta(hours=8))
    async with begin() as unit:
        fresh = await unit.booking_links.busy(c.owner, *day, FRESH)
        settled = await unit.booking_links.busy(c.owner, *day, SETTLED)
        assert not await unit.booking_links.hold(booking(c.owner, START), SETTLED), "the kept one still holds"
        assert await unit.booking_links.hold(booking(c.owner, gone.start), SETTLED), "a freed start is booked again"
    assert [start for start, _ in fresh] == [START, START, START + timedelta(hours=2), START + timedelta(hours=4)]
    assert settled == [(START, kept.end), (START, kept.held_until)], "the meeting, and its booking with the buffer"


async def test_a_user_has_one_personal_link_and_any_number_of_team_links_each_removed_alone(with_teams):
    begin, store = with_teams
    c = await crm(begin)
    mine = settings(c, f"anna-{uuid4().hex[:8]}")
    teams = [settings(c, f"team-{uuid4().hex[:8]}")._replace(team=(await store.add(c.workspace, title, [c.owner])).id,
                                                            title=title) for title in ("Sales", "Demos")]
    async with begin() as unit:
        assert await unit.booking_links.put(mine)
        for link in teams:
            assert await unit.booking_links.put(link)
        assert not await unit.booking_links.put(settings(c, f"anna-{uuid4().hex[:8]}")), "a second personal link"
    async with begin() as unit:
        assert [s.id for s in await unit.booking_links.links_of(c.owner)] == [mine.id, teams[1].id, teams[0].id]
        assert await unit.booking_links.by_id(teams[0].id) == teams[0]
        assert await unit.booking_links.of_user(c.owner) == mine, "the personal link, not a team's"
        assert not await unit.booking_links.remove(teams[0].id, uuid4()), "only its owner removes it"
        assert await unit.booking_links.remove(teams[0].id, c.owner)
    async with begin() as unit:
        assert [s.id for s in await unit.booking_links.links_of(c.owner)] == [mine.id, teams[1].id]
