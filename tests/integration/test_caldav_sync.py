"""CalDAV two-way sync (issue 18 item 5) against a real Radicale (tests/support/radicale.py) and a
real Postgres, through the API and the sync run: create, edit and delete in Tandem and on the
server, both ways; repeated syncs add nothing; a forgotten sync-token costs a full listing and no
duplicate; a repeating event with an exception keeps its exception; conflicts go to the later
writer; the password is sealed and bad input answers 4xx in words."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from cryptography.fernet import Fernet
from icalendar import Calendar

from server.caldav import HttpCalendarServer
from server.domain.caldav import Counts
from server.services.ports.caldav import SyncUnsupported
from server.services.accounts import Caller
from server.services.jobs import JobKinds
from tests.support.accounts import AUTH, Account, Team, team
from tests.support.crm import call, ok, projected
from tests.support.radicale import Radicale, event
from tests.support.servers import InProcessServer, in_process_server, settings_for

KEY = Fernet.generate_key().decode()


@pytest.fixture(scope="module")
async def radicale() -> AsyncIterator[Radicale]:
    server = await Radicale().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
async def server(module_database_url: str) -> AsyncIterator[InProcessServer]:
    # No worker: each test runs the sync itself, so nothing syncs behind its back.
    settings = settings_for(module_database_url, **AUTH, worker="off", secret_key=KEY, caldav_allow_private=True,
                            caldav_poll_cron="")
    async with in_process_server(settings) as running:
        yield running


class Linked:
    def __init__(self, server: InProcessServer, t: Team, radicale: Radicale, url: str, user: str, pw: str) -> None:
        self.server, self.t, self.radicale, self.url, self.user, self.pw = server, t, radicale, url, user, pw

    @property
    def owner(self) -> Account:
        return self.t.owner

    async def sync(self) -> Counts:
        await projected(self.server)
        counts = await self.server.services.calendar_sync.sync(UUID(self.owner.id))
        await projected(self.server)
        assert counts is not None, await self.status()
        return counts

    async def status(self) -> dict[str, Any]:
        return await ok(self.server, self.owner, "GET", "/api/me/calendar-sync")

    async def events(self) -> dict[str, Calendar]:
        return {name: Calendar.from_ical(text) for name, text in
                (await self.radicale.events(self.url, self.user, self.pw)).items()}

    async def put(self, name: str, text: str) -> None:
        await self.radicale.put(self.url, self.user, self.pw, name, text)

    async def delete(self, name: str) -> None:
        await self.radicale.delete(self.url, self.user, self.pw, name)

    async def activities(self) -> list[dict[str, Any]]:
        """The owner's activities in the calendar from 40 days back to 20 ahead (repeating ones once)."""
        today = datetime.now(timezone.utc).date()
        found = await ok(self.server, self.owner, "GET", f"/api/workspaces/{self.t.workspace}/calendar",
                         params={"start": (today - timedelta(days=20)).isoformat(),
                                 "end": (today + timedelta(days=40)).isoformat()})
        entries = found["entries"] if isinstance(found, dict) else found
        return list({e["id"]: e for e in entries}.values())

    async def add_activity(self, title: str, start: datetime, **more: Any) -> dict[str, Any]:
        return await ok(self.server, self.owner, "POST", f"/api/boards/{self.t.board['id']}/activities",
                        json={"type": "meeting", "title": title, "assignee": self.owner.id, "due": start.isoformat(),
                              "end": (start + timedelta(hours=1)).isoformat(), "time_zone": "Europe/Berlin", **more})

    async def change_activity(self, activity: str, **changes: Any) -> dict[str, Any]:
        return await ok(self.server, self.owner, "PATCH", f"/api/boards/{self.t.board['id']}/activities/{activity}",
                        json=changes)

    async def delete_activity(self, activity: str) -> None:
        caller = Caller(UUID(self.owner.id), self.owner.email, self.owner.name, b"",
                        datetime.now(timezone.utc) + timedelta(minutes=5))
        assert await self.server.services.crm.delete_activity(caller, UUID(self.t.board["id"]), UUID(activity))


async def linked(server: InProcessServer, radicale: Radicale) -> Linked:
    t = await team(server.http_url)
    url, user, pw = await radicale.calendar()
    status = await ok(server, t.owner, "PUT", "/api/me/calendar-sync",
                      json={"url": url, "username": user, "password": pw, "board": t.board["id"]})
    assert status["connected"] is True and status["url"] == url and "password" not in status
    return Linked(server, t, radicale, url, user, pw)


def soon(days: int, hour: int) -> datetime:
    day = datetime.now(timezone.utc).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def local(moment: datetime) -> str:
    from zoneinfo import ZoneInfo
    return moment.astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y%m%dT%H%M%S")


def vevent(cal: Calendar) -> Any:
    return next(e for e in cal.walk("VEVENT") if e.get("recurrence-id") is None)


async def test_made_in_tandem_appears_on_the_server_and_repeated_syncs_add_nothing(server, radicale):
    s = await linked(server, radicale)
    start = soon(3, 9)
    made = await s.add_activity("Demo for Acme", start, location="Room 1", note="Bring the offer",
                                recurrence="FREQ=WEEKLY;BYDAY=" + "MO TU WE TH FR SA SU".split()[start.weekday()])
    assert (await s.sync()).pushed == 1
    events = await s.events()
    assert list(events) == [f"{made['id']}.ics"]
    ev = vevent(events[f"{made['id']}.ics"])
    assert str(ev["uid"]) == made["id"] and str(ev["summary"]) == "Demo for Acme"
    assert ev.decoded("dtstart") == start and str(ev["dtstart"].params["TZID"]) == "Europe/Berlin"
    assert ev.decoded("dtend") == start + timedelta(hours=1)
    assert str(ev["location"]) == "Room 1" and str(ev["description"]) == "Bring the offer"
    assert ev["rrule"].to_ical().decode().startswith("FREQ=WEEKLY")
    for _ in range(3):
        assert await s.sync() == Counts(0, 0, 0)
    assert len(await s.events()) == 1 and len(await s.activities()) == 1
    status = await s.status()
    assert status["last_error"] is None and status["last_success"] and status["linked"] == 1
    assert status["full_listing"] is False


async def test_made_on_the_server_appears_in_tandem_once(server, radicale):
    s = await linked(server, radicale)
    start = soon(4, 13)
    await s.put("phone.ics", event("phone-call-1@other.app", "Call with Bo", local(start),
                                   local(start + timedelta(minutes=45)), extra="LOCATION:Phone\r\n"))
    await s.put("holiday.ics", event("holiday-1@other.app", "Trade fair", "20261224", "20261225"))
    counts = await s.sync()
    assert counts.pulled == 2 and counts.pushed == 0
    for _ in range(2):
        assert await s.sync() == Counts(0, 0, 0)
    mine = await s.activities()
    [call_] = [a for a in mine if a["title"] == "Call with Bo"]
    assert datetime.fromisoformat(call_["start"]) == start
    assert datetime.fromisoformat(call_["end"]) == start + timedelta(minutes=45)
    assert call_["time_zone"] == "Europe/Berlin" and call_["location"] == "Phone"
    assert len(await s.events()) == 2, "nothing written back as a second copy"
    status = await s.status()
    assert status["pulled"] == 0 and status["linked"] == 2  # the last run's counts: nothing new


async def test_edits_travel_both_ways(server, radicale):
    s = await linked(server, radicale)
    start = soon(5, 8)
    made = await s.add_activity("Kick-off", start)
    await s.put("review.ics", event("review@other.app", "Review", local(start + timedelta(days=1)),
                                    local(start + timedelta(days=1, hours=1))))
    await s.sync()

    # In Tandem: rename and move the kick-off; on the server: rename the review.
    await s.change_activity(made["id"], title="Kick-off (moved)", due=(start + timedelta(hours=2)).isoformat())
    later = datetime.now(timezone.utc) + timedelta(seconds=5)
    await s.put("review.ics", event("review@other.app", "Review with legal", local(start + timedelta(days=1)),
                                    local(start + timedelta(days=1, hours=2)), stamp=stamp(later)))
    counts = await s.sync()
    assert (counts.pushed, counts.pulled) == (1, 1)
    ev = vevent((await s.events())[f"{made['id']}.ics"])
    assert str(ev["summary"]) == "Kick-off (moved)" and ev.decoded("dtstart") == start + timedelta(hours=2)
    assert ev.decoded("dtend") == start + timedelta(hours=3), "a move keeps the duration"
    titles = {a["title"]: a for a in await s.activities()}
    assert set(titles) == {"Kick-off (moved)", "Review with legal"}
    assert datetime.fromisoformat(titles["Review with legal"]["end"]) == start + timedelta(days=1, hours=2)
    assert await s.sync() == Counts(0, 0, 0)


async def test_deletes_travel_both_ways(server, radicale):
    s = await linked(server, radicale)
    start = soon(6, 10)
    ours = await s.add_activity("Ours", start)
    await s.put("theirs.ics", event("theirs@other.app", "Theirs", local(start), local(start + timedelta(hours=1))))
    await s.sync()
    assert len(await s.activities()) == 2 and len(await s.events()) == 2

    await s.delete_activity(ours["id"])
    await s.delete("theirs.ics")
    counts = await s.sync()
    assert counts.removed == 2
    assert await s.events() == {}
    assert await s.activities() == []
    assert await s.sync() == Counts(0, 0, 0)
    assert (await s.status())["linked"] == 0


async def test_a_forgotten_sync_token_means_a_full_listing_without_duplicates(server, radicale):
    s = await linked(server, radicale)
    start = soon(7, 9)
    await s.add_activity("One", start)
    await s.put("two.ics", event("two@other.app", "Two", local(start), local(start + timedelta(hours=1))))
    await s.sync()
    await s.put("three.ics", event("three@other.app", "Three", local(start), local(start + timedelta(hours=1))))
    radicale.forget_tokens(s.url)
    counts = await s.sync()
    assert counts == Counts(0, 1, 0), "only the new event is read into Tandem"
    assert sorted(a["title"] for a in await s.activities()) == ["One", "Three", "Two"]
    assert len(await s.events()) == 3
    assert await s.sync() == Counts(0, 0, 0)
    assert (await s.status())["full_listing"] is False, "a fresh token after the full listing"


async def test_a_repeating_event_with_exceptions_becomes_a_series_with_exceptions_and_keeps_them(server, radicale):
    s = await linked(server, radicale)
    start = soon(2, 9)
    second = start + timedelta(days=7)
    moved = start + timedelta(days=14)
    override = ("BEGIN:VEVENT\r\nUID:weekly@other.app\r\nDTSTAMP:20261201T080000Z\r\n"
                f"RECURRENCE-ID;TZID=Europe/Berlin:{local(moved)}\r\nSUMMARY:Weekly (later this time)\r\n"
                f"DTSTART;TZID=Europe/Berlin:{local(moved + timedelta(hours=3))}\r\n"
                f"DTEND;TZID=Europe/Berlin:{local(moved + timedelta(hours=4))}\r\nEND:VEVENT\r\n")
    await s.put("weekly.ics", event("weekly@other.app", "Weekly", local(start), local(start + timedelta(hours=1)),
                                    extra=f"RRULE:FREQ=WEEKLY\r\nEXDATE;TZID=Europe/Berlin:{local(second)}\r\n",
                                    overrides=override))
    assert (await s.sync()).pulled == 2, "the series and its moved occurrence"
    found = {a["title"]: a for a in await s.activities()}
    assert set(found) == {"Weekly", "Weekly (later this time)"}
    weekly, single = found["Weekly"], found["Weekly (later this time)"]
    assert weekly["recurrence"] == "FREQ=WEEKLY" and single["recurrence"] is None
    assert datetime.fromisoformat(single["start"]) == moved + timedelta(hours=3)
    days = {e["day"] for e in await calendar_entries(s) if e["id"] == weekly["id"]}
    assert start.date().isoformat() in days
    assert second.date().isoformat() not in days and moved.date().isoformat() not in days

    # The next run writes Tandem's way back: the moved occurrence is an event of its own, the
    # series has an EXDATE for its day instead of the override. Then nothing more.
    assert (await s.sync()).pushed == 2
    events = await s.events()
    assert sorted(events) == sorted(["weekly.ics", f"{single['id']}.ics"])
    master = vevent(events["weekly.ics"])
    assert str(master["uid"]) == "weekly@other.app", "the server's UID stays"
    assert sorted(d.dt for e in _list(master["exdate"]) for d in e.dts) == [second, moved]
    assert [e for e in events["weekly.ics"].walk("VEVENT") if e.get("recurrence-id") is not None] == []
    for _ in range(2):
        assert await s.sync() == Counts(0, 0, 0)
    assert len(await s.activities()) == 2 and len(await s.events()) == 2

    # A Tandem edit keeps the EXDATEs.
    await s.change_activity(weekly["id"], title="Weekly sync", location="Room 2")
    assert (await s.sync()).pushed == 1
    master = vevent((await s.events())["weekly.ics"])
    assert str(master["summary"]) == "Weekly sync" and str(master["location"]) == "Room 2"
    assert sorted(d.dt for e in _list(master["exdate"]) for d in e.dts) == [second, moved]
    assert await s.sync() == Counts(0, 0, 0)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


async def calendar_entries(s: Linked) -> list[dict[str, Any]]:
    today = datetime.now(timezone.utc).date()
    found = await ok(s.server, s.owner, "GET", f"/api/workspaces/{s.t.workspace}/calendar",
                     params={"start": today.isoformat(), "end": (today + timedelta(days=40)).isoformat()})
    return found["entries"] if isinstance(found, dict) else found


async def test_changed_on_both_sides_the_later_writer_wins(server, radicale):
    s = await linked(server, radicale)
    start = soon(8, 9)
    made = await s.add_activity("Plan", start)
    await s.sync()
    name = f"{made['id']}.ics"
    # Tandem's edit now; the server's edit stamped an hour later: the server's wins.
    await s.change_activity(made["id"], title="Plan (Tandem)")
    text = (await s.radicale.get(s.url, s.user, s.pw, name)).replace("SUMMARY:Plan", "SUMMARY:Plan (server)")
    later = stamp(datetime.now(timezone.utc) + timedelta(hours=1))
    text = "\n".join(f"LAST-MODIFIED:{later}" if line.startswith("LAST-MODIFIED") else line
                     for line in text.splitlines())
    await s.put(name, text)
    counts = await s.sync()
    assert counts.pulled == 1 and counts.pushed == 0
    [a] = await s.activities()
    assert a["title"] == "Plan (server)"
    # The server's edit stamped an hour back, Tandem's now: Tandem's wins.
    await s.change_activity(made["id"], title="Plan (Tandem again)")
    text = (await s.radicale.get(s.url, s.user, s.pw, name)).replace("SUMMARY:Plan (server)", "SUMMARY:Plan (old)")
    earlier = stamp(datetime.now(timezone.utc) - timedelta(hours=1))
    text = "\n".join(f"LAST-MODIFIED:{earlier}" if line.startswith("LAST-MODIFIED") else line
                     for line in text.splitlines())
    await s.put(name, text)
    counts = await s.sync()
    assert counts.pushed == 1 and counts.pulled == 0
    assert str(vevent((await s.events())[name])["summary"]) == "Plan (Tandem again)"
    [a] = await s.activities()
    assert a["title"] == "Plan (Tandem again)"


async def test_the_password_is_sealed_and_bad_input_is_refused_in_words(server, radicale, module_database_url):
    t = await team(server.http_url)
    url, user, pw = await radicale.calendar()
    body = {"url": url, "username": user, "password": pw, "board": t.board["id"]}
    wrong = await call(server, t.owner, "PUT", "/api/me/calendar-sync", json={**body, "password": "nope"})
    assert wrong.status_code == 422 and "user name or password" in wrong.json()["detail"]
    bad = await call(server, t.owner, "PUT", "/api/me/calendar-sync", json={**body, "url": "ftp://x/"})
    assert bad.status_code == 400 and "url" in bad.json()["detail"]
    viewer = await call(server, t.viewer, "PUT", "/api/me/calendar-sync", json=body)
    assert viewer.status_code in (403, 404), "events may only land on a board the user can edit"
    assert (await ok(server, t.owner, "GET", "/api/me/calendar-sync"))["connected"] is False
    await ok(server, t.owner, "PUT", "/api/me/calendar-sync", json=body)
    conn = await asyncpg.connect(module_database_url)
    try:
        sealed = bytes(await conn.fetchval("SELECT secret FROM caldav_links WHERE user_id = $1", UUID(t.owner.id)))
    finally:
        await conn.close()
    assert pw.encode() not in sealed and Fernet(KEY.encode()).decrypt(sealed) == pw.encode()
    assert (await call(server, t.owner, "POST", "/api/me/calendar-sync/sync")).status_code == 202
    assert (await call(server, t.owner, "DELETE", "/api/me/calendar-sync")).status_code == 204
    assert (await call(server, t.owner, "DELETE", "/api/me/calendar-sync")).status_code == 404
    assert (await call(server, t.owner, "POST", "/api/me/calendar-sync/sync")).status_code == 404


async def test_a_server_without_sync_collection_is_synced_by_comparing_etags(server, radicale, monkeypatch):
    async def unsupported(self, token):
        raise SyncUnsupported("the calendar does not answer sync-collection (405)")

    monkeypatch.setattr(HttpCalendarServer, "changes", unsupported)
    s = await linked(server, radicale)
    start = soon(9, 9)
    await s.add_activity("Ours", start)
    await s.put("theirs.ics", event("theirs@other.app", "Theirs", local(start), local(start + timedelta(hours=1))))
    assert await s.sync() == Counts(1, 1, 0)
    assert await s.sync() == Counts(0, 0, 0)
    assert await s.sync() == Counts(0, 0, 0)
    assert (await s.status())["full_listing"] is True
    await s.put("theirs.ics", event("theirs@other.app", "Theirs (changed)", local(start),
                                    local(start + timedelta(hours=1)), stamp=stamp(datetime.now(timezone.utc))))
    assert await s.sync() == Counts(0, 1, 0)
    await s.delete("theirs.ics")
    assert await s.sync() == Counts(0, 0, 1)
    assert [a["title"] for a in await s.activities()] == ["Ours"] and len(await s.events()) == 1


async def test_a_calendar_that_stops_answering_is_a_failed_sync_said_in_words(server, radicale):
    s = await linked(server, radicale)
    await s.sync()
    radicale.halt()
    try:
        assert await s.server.services.calendar_sync.sync(UUID(s.owner.id)) is None
        status = await s.status()
        assert "could not reach the server" in status["last_error"]
        assert status["last_success"] is not None, "the last success stays"
    finally:
        await radicale.start()


async def test_old_history_is_not_copied_but_old_repeating_series_are(server, radicale):
    s = await linked(server, radicale)
    long_ago = soon(-200, 9)
    await s.add_activity("Old call", long_ago)
    await s.put("old.ics", event("old@other.app", "Old meeting", local(long_ago), local(long_ago + timedelta(hours=1))))
    await s.put("series.ics", event("series@other.app", "Monthly review", local(long_ago),
                                    local(long_ago + timedelta(hours=1)), extra="RRULE:FREQ=MONTHLY\r\n"))
    assert await s.sync() == Counts(0, 1, 0)
    assert set(await s.events()) == {"old.ics", "series.ics"}, "the old activity stays in Tandem only"
    assert await s.sync() == Counts(0, 0, 0)


async def test_the_periodic_poll_queues_one_sync_per_calendar_while_none_waits(server, radicale, module_database_url):
    s = await linked(server, radicale)
    kinds = JobKinds()
    server.services.calendar_sync.register(kinds, "*/5 * * * *")
    assert kinds.schedules["caldav.poll"] == "*/5 * * * *" and "caldav.sync" in kinds.handlers

    async def queued() -> int:
        conn = await asyncpg.connect(module_database_url)
        try:
            return await conn.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint = 'caldav.sync' AND "
                                       "convert_from(payload, 'UTF8')::jsonb ->> 'user' = $1", s.owner.id)
        finally:
            await conn.close()

    assert await queued() == 1, "connecting queued the first sync"
    await kinds.handlers["caldav.poll"]({})
    await kinds.handlers["caldav.poll"]({})
    assert await queued() == 2, "the schedule's sync is queued once while it waits"
    await kinds.handlers["caldav.sync"]({"user": s.owner.id})
    assert (await s.status())["last_success"] is not None


async def test_a_tandem_series_cancelled_and_moved_occurrences_are_exdates_and_an_event_of_its_own(server, radicale):
    s = await linked(server, radicale)
    start = soon(3, 8)
    weekday = "MO TU WE TH FR SA SU".split()[start.weekday()]
    series = await s.add_activity("Planning", start, recurrence=f"FREQ=WEEKLY;BYDAY={weekday}")
    assert (await s.sync()).pushed == 1
    board = s.t.board["id"]
    base = f"/api/boards/{board}/activities/{series['id']}/occurrences"
    berlin = start.astimezone(ZoneInfo("Europe/Berlin"))
    second, third = (berlin + timedelta(days=7)).date(), (berlin + timedelta(days=14)).date()
    await call(s.server, s.owner, "DELETE", f"{base}/{second.isoformat()}")
    moved = await ok(s.server, s.owner, "POST", f"{base}/{third.isoformat()}/move",
                     json={"due": (start + timedelta(days=15)).isoformat()})
    counts = await s.sync()
    assert counts.pushed == 2, "the series (its EXDATEs) and the moved occurrence"
    events = await s.events()
    assert sorted(events) == sorted([f"{series['id']}.ics", f"{moved['id']}.ics"])
    master = vevent(events[f"{series['id']}.ics"])
    values = sorted(d.dt for e in _list(master["exdate"]) for d in e.dts)
    assert values == [start + timedelta(days=7), start + timedelta(days=14)]
    assert all(str(e.params.get("TZID")) == "Europe/Berlin" for e in _list(master["exdate"])), "in the series' zone"
    single = vevent(events[f"{moved['id']}.ics"])
    assert single.decoded("dtstart") == start + timedelta(days=15) and "rrule" not in single
    for _ in range(3):
        assert await s.sync() == Counts(0, 0, 0)
    assert len(await s.events()) == 2


async def test_attendees_travel_both_ways_matched_to_members_and_contacts(server, radicale):
    s = await linked(server, radicale)
    board = s.t.board["id"]
    ada = await ok(s.server, s.owner, "POST", f"/api/workspaces/{s.t.workspace}/contacts",
                   json={"first_name": "Ada", "emails": ["ada@example.com"]})
    start = soon(4, 10)
    made = await s.add_activity("Review", start)
    url = f"/api/boards/{board}/activities/{made['id']}/attendees"
    await ok(s.server, s.owner, "PUT", url, json={"users": [s.t.member.id], "contacts": [ada["id"]]})
    assert (await s.sync()).pushed == 1
    ev = vevent((await s.events())[f"{made['id']}.ics"])
    sent = sorted(str(a).lower() for a in _list(ev["attendee"]))
    assert sent == sorted([f"mailto:{s.t.member.email.lower()}", "mailto:ada@example.com"])
    assert await s.sync() == Counts(0, 0, 0)

    # On the server: Ada leaves, the viewer (a member of the workspace) and a stranger join.
    later = stamp(datetime.now(timezone.utc) + timedelta(seconds=5))
    text = event(made["id"], "Review", local(start), local(start + timedelta(hours=1)), stamp=later,
                 extra=f"ATTENDEE:mailto:{s.t.member.email}\r\nATTENDEE;CN=Vic:mailto:{s.t.viewer.email.upper()}\r\n"
                       f"ATTENDEE:mailto:stranger@other.org\r\nATTENDEE:mailto:{s.owner.email}\r\n")
    await s.put(f"{made['id']}.ics", text)
    assert (await s.sync()).pulled == 1
    got = await ok(s.server, s.owner, "GET", url)
    assert sorted(got["users"]) == sorted([s.t.member.id, s.t.viewer.id]) and got["contacts"] == []
    for _ in range(2):
        assert await s.sync() == Counts(0, 0, 0)

    # An event made on the server with Ada's address: the new activity has her as its attendee,
    # and a Tandem edit keeps the stranger on the server.
    await s.put("lunch.ics", event("lunch@other.app", "Lunch", local(start + timedelta(days=1)),
                                   local(start + timedelta(days=1, hours=1)),
                                   extra="ATTENDEE:mailto:ADA@example.com\r\nATTENDEE:mailto:stranger@other.org\r\n"))
    assert (await s.sync()).pulled == 1
    [lunch] = [a for a in await s.activities() if a["title"] == "Lunch"]
    lunch_url = f"/api/boards/{board}/activities/{lunch['id']}/attendees"
    assert await ok(s.server, s.owner, "GET", lunch_url) == {"users": [], "contacts": [ada["id"]]}
    await ok(s.server, s.owner, "PUT", lunch_url, json={"users": [s.t.member.id], "contacts": []})
    assert (await s.sync()).pushed == 1
    ev = vevent((await s.events())["lunch.ics"])
    assert sorted(str(a).lower() for a in _list(ev["attendee"])) == sorted(
        [f"mailto:{s.t.member.email.lower()}", "mailto:stranger@other.org"])
    for _ in range(2):
        assert await s.sync() == Counts(0, 0, 0)
    assert len(await s.events()) == 2 and len(await s.activities()) == 2
