"""The booking service over the memory twins (issue 18 item 6): who may point a link at a board, a
slug taken, slots that skip the host's activities and held bookings, a held time refused, and the
per-address count. (The meeting written through the live document: tests/integration/test_booking.py.)"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from server.domain.access import NotFound, Role
from server.domain.accounts import Conflict, Throttled
from server.domain.booking import Booking, InvalidBooking
from server.domain.projection import Table
from server.services.booking import BookingService
from tests.unit.services.support import World
from tests.unit.services.test_calendar import board_of, timed

NOW = datetime(2030, 1, 6, 12, 0, tzinfo=timezone.utc)  # a Sunday
MONDAY_9 = datetime(2030, 1, 7, 8, 0, tzinfo=timezone.utc)  # 09:00 in Berlin
RAW = {"slug": "olivia", "time_zone": "Europe/Berlin", "durations": [60], "min_notice": 0, "window_days": 14,
       "hours": [[["09:00", "12:00"]]] * 5 + [[], []]}


@pytest.fixture
async def world() -> World:
    return World()


def service(world: World) -> BookingService:
    return BookingService(world.begin, world.boards, None, None, world.outbox)  # type: ignore[arg-type]


async def test_a_link_points_at_a_board_its_owner_may_edit_and_its_slug_is_one_users(world):
    workspace, board, people = await board_of(world)
    booking = service(world)
    saved = await booking.save(people["owner"], board, RAW)
    assert (saved.workspace, saved.board, saved.durations) == (workspace, board, (60,))
    assert await booking.settings(people["owner"]) == saved
    with pytest.raises(Conflict, match="^slug"):
        await booking.save(people["member"], board, RAW)
    with pytest.raises(NotFound):
        await booking.save(people["member"], uuid4(), {**RAW, "slug": "mia"})
    with pytest.raises(InvalidBooking, match="^durations"):
        await booking.save(people["member"], board, {**RAW, "slug": "mia", "durations": [1]})


async def test_slots_skip_the_hosts_activities_and_a_held_time_is_refused(world):
    workspace, board, people = await board_of(world)
    owner = people["owner"]
    booking = service(world)
    await booking.save(owner, board, RAW)
    async with world.begin() as unit:
        await unit.projection.upsert(Table.ACTIVITIES, board, workspace, [timed(owner.id, MONDAY_9)])
    day = (MONDAY_9.isoformat(), (MONDAY_9 + timedelta(hours=3)).isoformat())
    length, free = await booking.free("olivia", *day, "60", "10.0.0.1", now=NOW)
    assert length == 60 and free == [MONDAY_9 + timedelta(hours=1), MONDAY_9 + timedelta(hours=2)]
    world.clock.at = NOW  # the booking is made now: it holds by itself until its meeting is written
    async with world.begin() as unit:
        held = MONDAY_9 + timedelta(hours=1)
        await unit.booking_links.hold(Booking(uuid4(), owner.id, held, held + timedelta(hours=1), held,
                                              held + timedelta(hours=1), "Bo", "bo@example.com", None), NOW)
    with pytest.raises(Conflict, match="just booked by someone else"):
        await booking.book("olivia", {"start": held.isoformat(), "duration": 60, "name": "Cy",
                                      "email": "cy@example.com"}, "10.0.0.2", now=NOW)
    _, free = await booking.free("olivia", *day, "60", "10.0.0.1", now=NOW)
    assert free == [MONDAY_9 + timedelta(hours=2)]
    with pytest.raises(NotFound):
        await booking.free("nobody", *day, "60", "10.0.0.1", now=NOW)


async def test_an_address_books_five_times_at_once_then_waits(world):
    booking = service(world)
    for _ in range(5):
        with pytest.raises(InvalidBooking, match="^start"):
            await booking.book("olivia", {"start": "soon"}, "10.0.0.9")
    with pytest.raises(Throttled, match="too many bookings from here"):
        await booking.book("olivia", {"start": "soon"}, "10.0.0.9")
    with pytest.raises(InvalidBooking):  # another address is not held back
        await booking.book("olivia", {"start": "soon"}, "10.0.0.10")
