"""Cancelling and moving one occurrence of a repeating activity over HTTP (issue 18): the calendar
skips it, a moved one is a single activity at the new time, the iCalendar feed says EXDATE (and
``icalendar`` reads it back) — DST-correct for a weekly meeting in Europe/Berlin and a daily one in
America/New_York.

Real Postgres, real sockets, one server for the module (authentication on).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import icalendar
import pytest

from server.domain.calendar import Span, reminders
from server.services.reminders import remind
from server.storage.unit import transactions
from tests.support.accounts import AUTH, team
from tests.support.crm import call, ok, projected
from tests.support.servers import InProcessServer, in_process_server, settings_for


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, room_grace_seconds=0.3, **AUTH)) as running:
        yield running


def utc(day: int, hour: int, month: int = 3) -> str:
    return datetime(2030, month, day, hour, 0, tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")


async def calendar(server, who, workspace, start: str, end: str) -> list[dict]:
    return (await ok(server, who, "GET", f"/api/workspaces/{workspace}/calendar",
                     params={"start": start, "end": end}))["entries"]


def next_berlin_switch() -> date:
    """The next last Sunday of March (Berlin's spring switch) — the feed reaches 400 days ahead."""
    year = date.today().year
    while True:
        last = date(year, 3, 31)
        switch = last - timedelta(days=(last.weekday() + 1) % 7)
        if switch > date.today() + timedelta(days=14):
            return switch
        year += 1


def at(day: date, hour: int) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")


async def test_cancelling_and_moving_occurrences_of_a_berlin_weekly_meeting_across_the_spring_switch(server):
    t = await team(server.http_url)
    board = t.board["id"]
    switch = next_berlin_switch()
    first = switch - timedelta(days=13)  # a Monday two weeks before; Mondays 10:00 Berlin (09:00 UTC in CET)
    before, after, later, last = (first + timedelta(days=7 * n) for n in (1, 2, 3, 4))
    series = await ok(server, t.owner, "POST", f"/api/boards/{board}/activities", json={
        "type": "meeting", "title": "Weekly", "assignee": t.owner.id, "due": at(first, 9), "end": at(first, 10),
        "time_zone": "Europe/Berlin", "recurrence": "FREQ=WEEKLY"})
    base = f"/api/boards/{board}/activities/{series['id']}/occurrences"
    assert (await call(server, t.owner, "DELETE", f"{base}/{after}")).status_code == 204
    assert (await call(server, t.owner, "DELETE", f"{base}/{after}")).status_code == 404  # once
    moved = await ok(server, t.owner, "POST", f"{base}/{later}/move", json={"due": at(later + timedelta(days=1), 13)})
    assert (moved["series"], moved["day"]) == (series["id"], later.isoformat())
    await projected(server)
    entries = await calendar(server, t.owner, t.workspace, (before - timedelta(days=1)).isoformat(), last.isoformat())
    shown = [(e["day"], e["start"], e["id"] == series["id"]) for e in entries]
    assert shown == [(before.isoformat(), at(before, 9), True),  # CET
                     ((later + timedelta(days=1)).isoformat(), at(later + timedelta(days=1), 13), False),  # moved
                     (last.isoformat(), at(last, 8), True)]  # CEST: still 10:00 local
    single = next(e for e in entries if e["id"] == moved["id"])
    assert (single["title"], single["recurrence"], single["end"]) == ("Weekly", None, at(later + timedelta(days=1), 14))
    # the feed: the series' RRULE with both days as EXDATEs on its Berlin wall clock
    feed = await ok(server, t.owner, "POST", "/api/me/calendar-feed")
    async with httpx.AsyncClient() as http:
        text = (await http.get(feed["url"])).content
    [event] = [e for e in icalendar.Calendar.from_ical(text).walk("VEVENT") if e["uid"] == f"{series['id']}@tandem"]
    assert event["rrule"]["FREQ"] == ["WEEKLY"]
    values = event["exdate"] if isinstance(event["exdate"], list) else [event["exdate"]]
    skipped = sorted(d.dt for ex in values for d in ex.dts)
    berlin = ZoneInfo("Europe/Berlin")
    assert [s.astimezone(berlin).replace(tzinfo=None) for s in skipped] == [
        datetime.combine(after, datetime.min.time()).replace(hour=10),
        datetime.combine(later, datetime.min.time()).replace(hour=10)]
    assert [s.astimezone(timezone.utc).hour for s in skipped] == [8, 8]


async def test_a_new_york_daily_call_skips_its_local_day_and_bad_occurrences_are_refused_by_name(server):
    t = await team(server.http_url)
    board = t.board["id"]
    # daily 21:00 New York = 02:00 UTC the next day (EST), 01:00 UTC (EDT, from 10 March 2030)
    series = await ok(server, t.owner, "POST", f"/api/boards/{board}/activities", json={
        "type": "call", "title": "Late call", "assignee": t.owner.id, "due": utc(6, 2), "end": utc(6, 3),
        "time_zone": "America/New_York", "recurrence": "FREQ=DAILY"})
    base = f"/api/boards/{board}/activities/{series['id']}/occurrences"
    assert (await call(server, t.owner, "DELETE", f"{base}/2030-03-10")).status_code == 204  # the switch day
    await projected(server)
    entries = await calendar(server, t.owner, t.workspace, "2030-03-09", "2030-03-11")
    assert [(e["day"], e["start"]) for e in entries] == [("2030-03-09", "2030-03-10T02:00:00Z"),
                                                         ("2030-03-11", "2030-03-12T01:00:00Z")]
    for path, status, word in ((f"{base}/2030-02-01", 400, "no occurrence on 2030-02-01"),
                               (f"{base}/tomorrow", 400, "day"),
                               (f"/api/boards/{board}/activities/{t.board['id']}/occurrences/2030-03-12", 404, "activity")):
        answer = await call(server, t.owner, "DELETE", path)
        assert answer.status_code == status and word in answer.text, (path, answer.status_code, answer.text)
    single = await ok(server, t.owner, "POST", f"/api/boards/{board}/activities",
                      json={"type": "todo", "title": "Once", "due": "2030-03-12"})
    refused = await call(server, t.owner, "DELETE", f"/api/boards/{board}/activities/{single['id']}/occurrences/2030-03-12")
    assert refused.status_code == 400 and "repeating" in refused.text
    assert (await call(server, t.viewer, "DELETE", f"{base}/2030-03-12")).status_code == 403


async def test_a_cancelled_occurrences_reminders_stay_quiet_and_the_next_ones_still_fire(server):
    t = await team(server.http_url)
    board = t.board["id"]
    tomorrow = datetime.now(timezone.utc).date() + timedelta(days=1)
    series = await ok(server, t.owner, "POST", f"/api/boards/{board}/activities", json={
        "type": "meeting", "title": "Daily", "assignee": t.owner.id, "due": at(tomorrow, 9), "end": at(tomorrow, 10),
        "time_zone": "UTC", "recurrence": "FREQ=DAILY", "reminders": [15]})
    await ok(server, t.owner, "DELETE", f"/api/boards/{board}/activities/{series['id']}/occurrences/{tomorrow}")
    await projected(server)
    payload = {"board": board, "activity": series["id"], "workspace": t.workspace}

    def reminder_of(day: date) -> str:
        start = datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc)
        [r] = reminders(UUID(series["id"]), Span(day, start, start + timedelta(hours=1), False, "UTC"), (15,))
        return str(r.id)

    begin = transactions(server.services.pool)
    async with begin() as tx:
        assert await remind(tx, {**payload, "reminder": reminder_of(tomorrow)}) is False
        assert await remind(tx, {**payload, "reminder": reminder_of(tomorrow + timedelta(days=1))}) is True
