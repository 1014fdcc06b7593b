"""The contract of ``BookingLinks``, part two (issue 18 item 6), over memory and Postgres: a booking
waiting for approval holds its time however old, confirmed it settles like any other; the tally a
round robin reads; a booking read back with its guest key; a rescheduled booking not counting
against itself; a move refused onto a start its host holds."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from server.domain.booking import CONFIRMED, REQUESTED
from server.domain.projection import Table
from tests.contract.test_booking import FRESH, SETTLED, START, begin, booking, settings  # noqa: F401  (begin: fixture)
from tests.contract.test_crm import activity, crm, user

DAY = (START - timedelta(hours=1), START + timedelta(hours=8))


async def test_a_request_holds_its_time_until_confirmed_then_settles_and_a_dropped_one_frees_it(begin):
    c = await crm(begin)
    asked = booking(c.owner, START)._replace(status=REQUESTED)
    async with begin() as unit:
        assert await unit.booking_links.hold(asked, FRESH, b"key")
    async with begin() as unit:
        assert await unit.booking_links.busy(c.owner, *DAY, SETTLED) == [(asked.held_from, asked.held_until)], \
            "a request holds however long it waits"
        assert not await unit.booking_links.hold(booking(c.owner, START), SETTLED)
        assert [b.id for b in await unit.booking_links.requests(c.owner)] == [asked.id]
        assert await unit.booking_links.requests(uuid4()) == []
        assert await unit.booking_links.confirm(asked.id)
        assert not await unit.booking_links.confirm(asked.id), "only a request is confirmed"
    async with begin() as unit:
        assert await unit.booking_links.requests(c.owner) == []
        found, key = await unit.booking_links.get(asked.id)
        assert (found.status, found.link_user, key) == (CONFIRMED, c.owner, b"key")
        assert await unit.booking_links.busy(c.owner, *DAY, FRESH) != [], "just confirmed: it holds by itself a while"
        assert await unit.booking_links.busy(c.owner, *DAY, SETTLED) == [], "settled, only its meeting would keep it"
        assert await unit.booking_links.drop(asked.id)
        assert not await unit.booking_links.drop(asked.id)
        assert await unit.booking_links.get(asked.id) is None
        assert await unit.booking_links.busy(c.owner, *DAY, FRESH) == []


async def test_the_tally_counts_a_links_bookings_per_host(begin):
    c = await crm(begin)
    mia = await user(begin, "Mia")
    shared, hers = settings(c, f"team-{uuid4().hex[:8]}"), settings(c, f"mia-{uuid4().hex[:8]}", host=mia)
    async with begin() as unit:
        assert await unit.booking_links.put(shared) and await unit.booking_links.put(hers)
        for host, hour in ((c.owner, 0), (mia, 1), (mia, 2)):
            made = booking(host, START + timedelta(hours=hour))._replace(link_user=c.owner, link_id=shared.id)
            assert await unit.booking_links.hold(made, FRESH)
        assert await unit.booking_links.hold(booking(mia, START + timedelta(hours=5))._replace(link_id=hers.id),
                                             FRESH), "her own link's"
    async with begin() as unit:
        tally = await unit.booking_links.tally(shared.id)
        assert {host: n for host, (n, _) in tally.items()} == {c.owner: 1, mia: 2}
        assert all(latest is not None for _, latest in tally.values())
        assert {host: n for host, (n, _) in (await unit.booking_links.tally(hers.id)).items()} == {mia: 1}


async def test_a_booking_being_moved_does_not_count_against_itself_and_moves_only_to_a_free_start(begin):
    c = await crm(begin)
    mine, theirs = booking(c.owner, START), booking(c.owner, START + timedelta(hours=2))
    meeting = activity("Mine", c.owner, due_date=date(2031, 3, 3), starts_at=START, ends_at=mine.end, all_day=False)
    async with begin() as unit:
        assert await unit.booking_links.hold(mine, FRESH)
        assert await unit.booking_links.hold(theirs, FRESH)
        await unit.projection.upsert(Table.ACTIVITIES, c.board.id, c.workspace, [meeting])
        await unit.booking_links.booked(mine.id, meeting.id, None)
    async with begin() as unit:
        assert await unit.booking_links.busy(c.owner, *DAY, FRESH, mine.id) == [(theirs.held_from, theirs.held_until)]
        onto = mine._replace(start=theirs.start, end=theirs.end, held_from=theirs.held_from,
                             held_until=theirs.held_until)
        assert not await unit.booking_links.move(onto, FRESH), "its host holds that start"
    later = START + timedelta(hours=4)
    async with begin() as unit:
        moved = mine._replace(start=later, end=later + timedelta(minutes=30), held_from=later,
                              held_until=later + timedelta(minutes=40))
        assert await unit.booking_links.move(moved, FRESH)
    async with begin() as unit:
        found, _ = await unit.booking_links.get(mine.id)
        assert (found.start, found.activity) == (later, meeting.id)
        held = await unit.booking_links.busy(c.owner, *DAY, FRESH)
        assert (later, later + timedelta(minutes=40)) in held and (mine.held_from, mine.held_until) not in held
