"""Booking links, part two (issue 18 item 6, docs/booking.md) through the API on a real Postgres:
round robin over a team (fair, and race-safe also against a member's own link), host approval,
and the guest's secret link to cancel or reschedule (a forged one is 404).

Each test speaks from loopback addresses of its own (127.0.1.x), as the throttle counts per address.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.accounts import AUTH, Account, team, unique_email
from tests.support.crm import call, ok, projected
from tests.support.servers import InProcessServer, in_process_server, settings_for

BERLIN = ZoneInfo("Europe/Berlin")
EVERY_DAY = [[["09:00", "17:00"]]] * 7
PUBLIC = "http://tandem.test"


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, **AUTH, public_url=PUBLIC)) as running:
        yield running


def guest(server: InProcessServer, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.http_url, transport=httpx.AsyncHTTPTransport(local_address=address))


def slug_of(prefix: str) -> str:
    return f"{prefix}-{unique_email('x').split('@')[0][-8:]}"


def day_after_tomorrow_at(hour: int, minute: int = 0) -> datetime:
    day = (datetime.now(BERLIN) + timedelta(days=2)).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN).astimezone(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def link(server: InProcessServer, who: Account, board: str, slug: str, **changes: Any) -> dict:
    """A personal link, or (``team=``) a team link beside it."""
    body = {"board": board, "slug": slug, "time_zone": "Europe/Berlin", "durations": [30, 60], "min_notice": 0,
            "window_days": 30, "buffer_after": 15, "hours": EVERY_DAY, **changes}
    if changes.get("team"):
        return await ok(server, who, "POST", "/api/me/booking/links", json=body)
    return (await ok(server, who, "PUT", "/api/me/booking", json=body))["settings"]


async def book(server: InProcessServer, address: str, slug: str, at: datetime, name: str = "Bo Guest",
               minutes: int = 30) -> httpx.Response:
    async with guest(server, address) as browser:
        return await browser.post(f"/api/booking/{slug}", json={
            "start": iso(at), "duration": minutes, "name": name, "email": f"{name.split()[0].lower()}@example.com"})


async def offered(server: InProcessServer, address: str, slug: str, first: datetime, last: datetime) -> list[datetime]:
    async with guest(server, address) as browser:
        answer = await browser.get(f"/api/booking/{slug}/slots",
                                   params={"from": iso(first), "to": iso(last), "duration": "30"})
    assert answer.status_code == 200, answer.text
    return [datetime.fromisoformat(s) for s in answer.json()["slots"]]


async def team_link(server: InProcessServer, slug: str, members: str = "both", **changes: Any):
    t = await team(server.http_url)
    people = {"both": [t.owner.id, t.member.id], "member": [t.member.id]}[members]
    made = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/teams",
                    json={"name": f"Sales {uuid4().hex[:6]}", "members": people})
    await link(server, t.owner, t.board["id"], slug, team=made["id"], **changes)
    return t


async def test_a_team_link_offers_a_time_while_any_member_is_free_and_shares_bookings_fairly(server):
    slug = slug_of("rr")
    t = await team_link(server, slug)
    start = day_after_tomorrow_at(10)
    hosts = []
    for i in range(2):  # one slot: both members are free, so it is booked twice, once with each
        made = await book(server, f"127.0.1.{10 + i}", slug, start, f"Guest{i} X")
        assert made.status_code == 201, made.text
        hosts.append(made.json()["host_name"])
    assert sorted(hosts) == ["Mia Member", "Owner"]
    assert start not in await offered(server, "127.0.1.12", slug, start - timedelta(hours=1), start + timedelta(hours=2))
    assert (await book(server, "127.0.1.13", slug, start, "Late X")).status_code == 409, "nobody is free then"

    for i in range(4):  # free slots for both: the one with fewer bookings from this link gets it
        made = await book(server, f"127.0.1.{14 + i}", slug, start + timedelta(hours=2 + i), f"More{i} X")
        assert made.status_code == 201, made.text
        hosts.append(made.json()["host_name"])
    assert Counter(hosts) == {"Owner": 3, "Mia Member": 3}
    assert hosts[2] != hosts[3] != hosts[4] != hosts[5], "ties go to the member booked longest ago: they alternate"

    await projected(server)
    day = start.astimezone(BERLIN).date().isoformat()
    entries = (await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/calendar",
                        params={"start": day, "end": day, "people": f"{t.owner.id},{t.member.id}"}))["entries"]
    assert Counter(e["assignee"] for e in entries if e["type"] == "meeting") == {t.owner.id: 3, t.member.id: 3}


async def test_concurrent_guests_on_a_team_slot_get_one_member_each_and_the_rest_409(server):
    slug = slug_of("rrrace")
    await team_link(server, slug)
    start = day_after_tomorrow_at(15)
    answers = await asyncio.gather(*(book(server, f"127.0.1.{30 + i}", slug, start, f"Racer{i} X") for i in range(5)))
    assert sorted(a.status_code for a in answers) == [201, 201, 409, 409, 409], [a.text for a in answers]
    assert sorted(a.json()["host_name"] for a in answers if a.status_code == 201) == ["Mia Member", "Owner"]


async def test_a_members_own_link_and_a_team_link_racing_for_their_time_exactly_one_wins(server):
    slug = slug_of("rrown")
    t = await team_link(server, slug, members="member")
    own = slug_of("mia")
    await link(server, t.member, t.board["id"], own)
    for race in range(3):
        at = day_after_tomorrow_at(9 + 2 * race)
        answers = await asyncio.gather(book(server, f"127.0.1.{40 + race}", slug, at, "Team X"),
                                       book(server, f"127.0.1.{45 + race}", own, at, "Own X"))
        assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]


async def test_with_approval_a_booking_holds_its_time_until_the_host_confirms_or_declines(server):
    slug = slug_of("ask")
    t = await team(server.http_url)
    await link(server, t.owner, t.board["id"], slug, approval=True)
    first, second = day_after_tomorrow_at(10), day_after_tomorrow_at(13)
    asked = await book(server, "127.0.1.60", slug, first, "Ann Asker")
    assert asked.status_code == 201 and asked.json()["status"] == "requested", asked.text
    assert (await book(server, "127.0.1.61", slug, second, "Dan Decline")).status_code == 201
    window = (first - timedelta(hours=1), second + timedelta(hours=2))
    shown = await offered(server, "127.0.1.62", slug, *window)
    assert first not in shown and second not in shown, "a request holds its time"
    assert (await book(server, "127.0.1.63", slug, first, "Other X")).status_code == 409

    requests = await ok(server, t.owner, "GET", "/api/me/booking/requests")
    assert [(r["guest_name"], datetime.fromisoformat(r["start"])) for r in requests] == \
        [("Ann Asker", first), ("Dan Decline", second)]
    assert await ok(server, t.member, "GET", "/api/me/booking/requests") == []
    ann, dan = requests[0]["id"], requests[1]["id"]
    assert (await call(server, t.member, "POST", f"/api/me/booking/requests/{ann}/confirm")).status_code == 404, \
        "only the host decides"
    await projected(server)
    day = first.astimezone(BERLIN).date().isoformat()
    calendar = f"/api/workspaces/{t.workspace}/calendar"
    assert (await ok(server, t.owner, "GET", calendar, params={"start": day, "end": day}))["entries"] == [], \
        "no meeting before the host confirms"

    await ok(server, t.owner, "POST", f"/api/me/booking/requests/{ann}/confirm")
    await ok(server, t.owner, "POST", f"/api/me/booking/requests/{dan}/decline")
    assert await ok(server, t.owner, "GET", "/api/me/booking/requests") == []
    assert (await call(server, t.owner, "POST", f"/api/me/booking/requests/{ann}/confirm")).status_code == 404
    await projected(server)
    [meeting] = (await ok(server, t.owner, "GET", calendar, params={"start": day, "end": day}))["entries"]
    assert meeting["title"] == "Ann Asker · Owner" and datetime.fromisoformat(meeting["start"]) == first
    shown = await offered(server, "127.0.1.64", slug, *window)
    assert first not in shown and second in shown, "a declined request frees its time"
    sent = list(server.services.outbox.sent)
    assert any(m.to == "ann@example.com" and m.subject.startswith("Requested:") and f"{PUBLIC}/booking/" in m.body
               for m in sent)
    assert any(m.to == "ann@example.com" and m.subject.startswith("Booked:") and m.calendar for m in sent)
    assert any(m.to == "dan@example.com" and m.subject.startswith("Declined:") for m in sent)
    assert any(m.to == t.owner.email and m.subject.startswith("Booking request:") for m in sent)


async def test_a_forged_or_unknown_manage_link_is_404_and_changes_nothing(server):
    slug = slug_of("forge")
    await team(server.http_url)
    t = await team(server.http_url)
    await link(server, t.owner, t.board["id"], slug)
    start = day_after_tomorrow_at(11)
    made = await book(server, "127.0.1.70", slug, start, "Fay Forge")
    token = made.json()["manage"]
    ident, _, secret = token.partition(".")
    forged = [f"{ident}.{'A' * len(secret)}", f"{ident}.", ident, f"{uuid4()}.{secret}", "nonsense", f"{ident}.{secret}x"]
    async with guest(server, "127.0.1.71") as browser:
        for bad in forged:
            assert (await browser.get(f"/api/booking-manage/{bad}")).status_code == 404, bad
        assert (await browser.delete(f"/api/booking-manage/{forged[0]}")).status_code == 404
    async with guest(server, "127.0.1.72") as browser:
        moved = await browser.post(f"/api/booking-manage/{forged[3]}/move", json={"start": iso(start + timedelta(hours=2))})
        assert moved.status_code == 404
        mine = await browser.get(f"/api/booking-manage/{token}")
        assert mine.status_code == 200 and datetime.fromisoformat(mine.json()["start"]) == start, "still booked"
        assert mine.json()["host_name"] == "Owner" and mine.json()["duration"] == 30


async def test_the_guest_reschedules_to_a_free_time_only_and_cancels(server):
    slug = slug_of("move")
    t = await team(server.http_url)
    await link(server, t.owner, t.board["id"], slug)
    mine, theirs = day_after_tomorrow_at(10), day_after_tomorrow_at(12)
    token = (await book(server, "127.0.1.80", slug, mine, "Gil Guest")).json()["manage"]
    assert (await book(server, "127.0.1.81", slug, theirs, "Hal Other")).status_code == 201
    async with guest(server, "127.0.1.82") as browser:
        free = (await browser.get(f"/api/booking-manage/{token}/slots",
                                  params={"from": iso(mine), "to": iso(theirs + timedelta(hours=1))})).json()
        starts = [datetime.fromisoformat(s) for s in free["slots"]]
        assert mine in starts, "its own time counts as free"
        assert theirs not in starts and theirs + timedelta(minutes=30) not in starts, "another booking and its buffer"
        assert theirs - timedelta(minutes=30) not in starts, "15 minutes kept free before the other booking"
        for taken in (theirs, theirs + timedelta(minutes=30)):
            refused = await browser.post(f"/api/booking-manage/{token}/move", json={"start": iso(taken)})
            assert refused.status_code == 409, refused.text
        outside = await browser.post(f"/api/booking-manage/{token}/move",
                                     json={"start": iso(day_after_tomorrow_at(20))})
        assert outside.status_code == 409, "outside working hours is no free slot"
    later = day_after_tomorrow_at(14)
    async with guest(server, "127.0.1.83") as browser:
        moved = await browser.post(f"/api/booking-manage/{token}/move", json={"start": iso(later)})
        assert moved.status_code == 200, moved.text
        assert datetime.fromisoformat(moved.json()["start"]) == later
    await projected(server)
    day = mine.astimezone(BERLIN).date().isoformat()
    calendar = f"/api/workspaces/{t.workspace}/calendar"
    entries = (await ok(server, t.owner, "GET", calendar, params={"start": day, "end": day}))["entries"]
    assert sorted((e["title"], datetime.fromisoformat(e["start"])) for e in entries) == \
        sorted([("Gil Guest · Owner", later), ("Hal Other · Owner", theirs)]), "the meeting moved with it"
    assert mine in await offered(server, "127.0.1.84", slug, mine, mine + timedelta(hours=1)), "the old time is free"

    async with guest(server, "127.0.1.85") as browser:
        assert (await browser.delete(f"/api/booking-manage/{token}")).status_code == 204
        assert (await browser.get(f"/api/booking-manage/{token}")).status_code == 404, "a cancelled booking is gone"
    await projected(server)
    entries = (await ok(server, t.owner, "GET", calendar, params={"start": day, "end": day}))["entries"]
    assert [e["title"] for e in entries] == ["Hal Other · Owner"], "cancelling removes the meeting"
    assert later in await offered(server, "127.0.1.86", slug, later, later + timedelta(hours=1))
    sent = list(server.services.outbox.sent)
    assert any(m.to == t.owner.email and m.subject.startswith("Cancelled: Gil Guest") for m in sent)
    assert any(m.to == "gil@example.com" and m.subject.startswith("Moved:") and m.calendar for m in sent)
