"""The calendar (issue 18): activities in time through the API and the projection, the calendar
read across boards for chosen people, reminders fired once by the job queue (also after a
restart), and the private iCalendar feed parsed back with ``icalendar``.

Real Postgres; one server whose in-process worker runs the jobs. Every wait is on a condition.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar

from server.domain.projection import Table
from server.services.reminders import REMIND, remind
from server.storage.unit import transactions
from tests.support.accounts import AUTH, team
from tests.support.crm import call, ok, projected
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually

MINE = "/api/me/notifications"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, **AUTH, worker="on")) as running:
        yield running


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


async def test_a_timed_activity_keeps_its_zone_and_duration_and_shows_on_the_calendar(server):
    t = await team(server.http_url)
    activities = f"/api/boards/{t.board['id']}/activities"
    start = datetime(2026, 3, 29, 10, 0, tzinfo=BERLIN)  # the Sunday Berlin switches to summer time
    made = await ok(server, t.owner, "POST", activities, json={
        "type": "meeting", "title": "Demo", "assignee": t.member.id, "due": iso(start),
        "end": iso(start + timedelta(hours=1)), "time_zone": "Europe/Berlin", "location": "https://meet.example/x",
        "reminders": [15, 1440]})
    assert (made["time_zone"], made["location"], made["reminders"]) == ("Europe/Berlin", "https://meet.example/x",
                                                                        [1440, 15])
    moved = await ok(server, t.owner, "PATCH", f"{activities}/{made['id']}",
                     json={"due": iso(start + timedelta(days=1, hours=4))})
    assert datetime.fromisoformat(moved["end"]) == start + timedelta(days=1, hours=5), "the hour moved with it"
    await projected(server)

    path = f"/api/workspaces/{t.workspace}/calendar"
    mine = await ok(server, t.owner, "GET", path, params={"start": "2026-03-23", "end": "2026-04-05"})
    assert mine["entries"] == [], "the owner has none of their own"
    theirs = await ok(server, t.owner, "GET", path, params={"start": "2026-03-23", "end": "2026-04-05",
                                                             "people": f"{t.member.id},{t.owner.id}"})
    [entry] = theirs["entries"]
    assert (entry["day"], entry["all_day"], entry["title"], entry["assignee"]) == ("2026-03-30", False, "Demo",
                                                                                    t.member.id)
    assert datetime.fromisoformat(entry["start"]) == start + timedelta(days=1, hours=4)


async def test_times_are_refused_at_the_edge_naming_the_field(server):
    t = await team(server.http_url)
    activities = f"/api/boards/{t.board['id']}/activities"
    cases = [({"due": "2026-05-04T10:00:00Z", "end": "2026-05-04T09:00:00Z"}, "end"),
             ({"due": "2026-05-04", "end": "2026-05-04T09:00:00Z"}, "end"),
             ({"due": "2026-05-04T10:00:00Z", "time_zone": "Europe/Atlantis"}, "time_zone"),
             ({"due": "2026-05-04T10:00:00Z", "reminders": [1, 2, 3, 4, 5, 6]}, "reminders")]
    for extra, field in cases:
        refused = await call(server, t.owner, "POST", activities, json={"type": "call", "title": "x", **extra})
        assert refused.status_code in (400, 422) and field in refused.text, (extra, refused.text)
    wide = await call(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/calendar",
                      params={"start": "2026-01-01", "end": "2026-12-31"})
    assert wide.status_code == 400 and "end" in wide.text


async def test_a_reminder_reaches_the_assignee_once_even_when_its_job_runs_again(server, database_url):
    t = await team(server.http_url)
    soon = datetime.now(timezone.utc) + timedelta(seconds=2)
    made = await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/activities", json={
        "type": "call", "title": "Call Acme", "assignee": t.member.id, "due": iso(soon),
        "time_zone": "America/New_York", "reminders": [0]})

    async def reminded() -> list[dict[str, Any]]:
        return [n for n in (await ok(server, t.member, "GET", MINE))["notifications"] if n["kind"] == "reminder"]

    [note] = await eventually(reminded, timeout=30, every=0.2, what="the reminder")
    assert note["message"].startswith("Call Acme · ") and note["message"].endswith("(America/New_York)")
    assert (note["board_id"], note["workspace_id"]) == (t.board["id"], t.workspace)
    assert [n for n in (await ok(server, t.owner, "GET", MINE))["notifications"] if n["kind"] == "reminder"] == []

    # a worker restarted after writing the notification runs the same job again: nothing more
    payload = {"workspace": t.workspace, "board": t.board["id"], "activity": made["id"], "reminder": note["id"]}
    async with in_process_server(settings_for(database_url, **AUTH, worker="on")) as again:
        begin = transactions(again.services.pool)
        async with begin() as tx:
            assert await remind(tx, payload) is False
            await tx.jobs.enqueue(REMIND, payload)

        async def no_reminder_job_waits() -> bool:
            async with begin() as tx:
                return not [j for j in await tx.jobs.waiting(REMIND) if j.payload["activity"] == made["id"]]

        await eventually(no_reminder_job_waits, timeout=30, every=0.2, what="the rerun to finish")
    assert len(await reminded()) == 1


async def test_a_moved_or_completed_activity_does_not_fire_its_old_reminder(server):
    t = await team(server.http_url)
    activities = f"/api/boards/{t.board['id']}/activities"
    made = await ok(server, t.owner, "POST", activities, json={
        "type": "meeting", "title": "Review", "assignee": t.owner.id, "due": "2030-01-07T09:00:00Z",
        "time_zone": "Europe/Berlin"})
    await projected(server)
    begin = transactions(server.services.pool)
    async with begin() as tx:
        jobs = [j for j in await tx.jobs.waiting(REMIND) if j.payload["activity"] == made["id"]]
        assert len(jobs) == 2, "a day and 15 minutes before, by default"
        old = jobs[0].payload
    await ok(server, t.owner, "PATCH", f"{activities}/{made['id']}", json={"due": "2030-01-08T09:00:00Z"})
    await projected(server)
    async with begin() as tx:
        assert await remind(tx, old) is False, "the moved meeting's old reminder stays quiet"
        jobs = [j for j in await tx.jobs.waiting(REMIND) if j.payload["activity"] == made["id"]]
        assert len(jobs) == 4, "its new reminders are queued beside the old (which will find nothing to do)"
        record = (await tx.projection.records(Table.ACTIVITIES, __import__("uuid").UUID(t.board["id"])))
        assert record[__import__("uuid").UUID(made["id"])].starts_at == datetime(2030, 1, 8, 9, tzinfo=timezone.utc)


async def test_the_private_feed_serves_my_activities_as_icalendar_until_revoked(server):
    t = await team(server.http_url)
    activities = f"/api/boards/{t.board['id']}/activities"
    start = datetime(2026, 11, 1, 9, 0, tzinfo=ZoneInfo("America/New_York"))  # the day New York falls back
    timed = await ok(server, t.owner, "POST", activities, json={
        "type": "meeting", "title": "Kick-off", "assignee": t.owner.id, "due": iso(start),
        "end": iso(start + timedelta(minutes=45)), "time_zone": "America/New_York", "location": "Room 1"})
    all_day = await ok(server, t.owner, "POST", activities, json={
        "type": "deadline", "title": "Offer due", "assignee": t.owner.id, "due": "2026-11-03"})
    await ok(server, t.owner, "POST", activities, json={
        "type": "call", "title": "Not mine", "assignee": t.member.id, "due": "2026-11-03"})
    weekly_start = datetime(2026, 3, 23, 10, 0, tzinfo=BERLIN)  # Mondays at 10:00 Berlin, across the switch
    weekly = await ok(server, t.owner, "POST", activities, json={
        "type": "meeting", "title": "Weekly", "assignee": t.owner.id, "due": iso(weekly_start),
        "end": iso(weekly_start + timedelta(minutes=30)), "time_zone": "Europe/Berlin",
        "recurrence": "FREQ=WEEKLY;BYDAY=MO;COUNT=10"})
    await projected(server)
    shown = await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/calendar",
                     params={"start": "2026-03-23", "end": "2026-04-05"})
    assert [(e["day"], datetime.fromisoformat(e["start"])) for e in shown["entries"] if e["title"] == "Weekly"] == [
        ("2026-03-23", weekly_start), ("2026-03-30", datetime(2026, 3, 30, 10, 0, tzinfo=BERLIN))]

    assert (await ok(server, t.owner, "GET", "/api/me/calendar-feed"))["active"] is False
    made = await ok(server, t.owner, "POST", "/api/me/calendar-feed")
    assert made["active"] and made["url"].endswith(".ics")
    async with httpx.AsyncClient() as http:
        answer = await http.get(made["url"])
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
        cal = Calendar.from_ical(answer.content)
        events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
        assert set(events) == {f"{timed['id']}@tandem", f"{all_day['id']}@tandem", f"{weekly['id']}@tandem"}
        repeating = events[f"{weekly['id']}@tandem"]
        assert repeating["rrule"].to_ical() == b"FREQ=WEEKLY;COUNT=10;BYDAY=MO"
        assert repeating.decoded("dtstart") == weekly_start and repeating["dtstart"].params["TZID"] == "Europe/Berlin"
        meeting = events[f"{timed['id']}@tandem"]
        assert meeting.decoded("dtstart") == start and meeting["dtstart"].params["TZID"] == "America/New_York"
        assert meeting.decoded("dtend") - meeting.decoded("dtstart") == timedelta(minutes=45)
        assert str(meeting["location"]) == "Room 1"
        assert "America/New_York" in [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")]
        deadline = events[f"{all_day['id']}@tandem"]
        assert deadline.decoded("dtstart") == date(2026, 11, 3) and deadline.decoded("dtend") == date(2026, 11, 4)

        wrong = made["url"].rsplit("/", 1)[0] + "/" + "x" * 43 + ".ics"
        assert (await http.get(wrong)).status_code == 404
        again = await ok(server, t.owner, "POST", "/api/me/calendar-feed")
        assert (await http.get(made["url"])).status_code == 404, "a new URL revokes the old"
        assert (await http.get(again["url"])).status_code == 200
        await ok(server, t.owner, "DELETE", "/api/me/calendar-feed")
        assert (await http.get(again["url"])).status_code == 404
    assert (await ok(server, t.owner, "GET", "/api/me/calendar-feed"))["active"] is False


async def test_a_reminder_queued_while_no_worker_ran_fires_once_when_one_starts(database_url):
    async with in_process_server(settings_for(database_url, **AUTH, worker="off")) as quiet:
        t = await team(quiet.http_url)
        soon = datetime.now(timezone.utc) + timedelta(seconds=1)
        made = await ok(quiet, t.owner, "POST", f"/api/boards/{t.board['id']}/activities", json={
            "type": "call", "title": "Call back", "assignee": t.owner.id, "due": iso(soon), "reminders": [0]})
        await projected(quiet)
        begin = transactions(quiet.services.pool)
        async with begin() as tx:
            [job] = [j for j in await tx.jobs.waiting(REMIND) if j.payload["activity"] == made["id"]]
    for _ in range(2):  # a worker starts, and later another one (a restart): one notification
        async with in_process_server(settings_for(database_url, **AUTH, worker="on")) as working:
            async def reminded() -> list[dict[str, Any]]:
                return [n for n in (await ok(working, t.owner, "GET", MINE))["notifications"]
                        if n["kind"] == "reminder"]

            [note] = await eventually(reminded, timeout=30, every=0.2, what="the reminder after the start")
            assert note["id"] == job.payload["reminder"]
