"""Undoing an exception, ending a series and each person's working week over HTTP (issue 18):
a cancelled or moved occurrence restored to its series (the move's single activity deleted from
the board document, the EXDATE gone from the iCalendar feed); COUNT and UNTIL kept, expanded on
the Berlin wall clock across the spring switch, written to the feed in RFC 5545's form, and
refused with 422 naming ``recurrence``; the workload strip measured against one's own week.

Real Postgres, real sockets, one server for the module (authentication on).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from uuid import UUID

import httpx
import icalendar
import pytest

from server.services.accounts import Caller
from tests.integration.test_series_exceptions import at, next_berlin_switch
from tests.support.accounts import AUTH, team
from tests.support.crm import call, ok, projected
from tests.support.servers import InProcessServer, in_process_server, settings_for


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, room_grace_seconds=0.3, **AUTH)) as running:
        yield running


async def entries(server, who, workspace, first: date, last: date, cancelled: bool = False) -> list[dict]:
    params = {"start": first.isoformat(), "end": last.isoformat(), "cancelled": str(cancelled).lower()}
    return (await ok(server, who, "GET", f"/api/workspaces/{workspace}/calendar", params=params))["entries"]


async def feed_event(server, who, uid: str) -> icalendar.Event:
    feed = await ok(server, who, "POST", "/api/me/calendar-feed")
    async with httpx.AsyncClient() as http:
        text = (await http.get(feed["url"])).content
    return next(e for e in icalendar.Calendar.from_ical(text).walk("VEVENT") if e["uid"] == f"{uid}@tandem")


def caller_of(who) -> Caller:
    return Caller(UUID(who.id), who.email, who.name, b"", datetime.now(timezone.utc) + timedelta(minutes=5))


async def test_a_cancelled_and_a_moved_occurrence_are_restored_to_the_series_in_the_calendar_document_and_feed(server):
    t = await team(server.http_url)
    board = t.board["id"]
    first = next_berlin_switch() - timedelta(days=13)  # Mondays 10:00 Berlin, two weeks before the switch
    second, third = first + timedelta(days=7), first + timedelta(days=14)
    series = await ok(server, t.owner, "POST", f"/api/boards/{board}/activities", json={
        "type": "meeting", "title": "Weekly", "assignee": t.owner.id, "due": at(first, 9), "end": at(first, 10),
        "time_zone": "Europe/Berlin", "recurrence": "FREQ=WEEKLY"})
    base = f"/api/boards/{board}/activities/{series['id']}/occurrences"
    await ok(server, t.owner, "DELETE", f"{base}/{second}")
    moved = await ok(server, t.owner, "POST", f"{base}/{third}/move", json={"due": at(third + timedelta(days=1), 13)})
    await projected(server)
    shown = await entries(server, t.owner, t.workspace, first, third + timedelta(days=1), cancelled=True)
    assert [(e["day"], e["cancelled"], e["moved_from"]) for e in shown] == [
        (first.isoformat(), False, None), (second.isoformat(), True, None),
        ((third + timedelta(days=1)).isoformat(), False, {"series": series["id"], "day": third.isoformat()})]
    assert len(await entries(server, t.owner, t.workspace, first, third)) == 1, "without cancelled=true: skipped"

    assert (await call(server, t.viewer, "POST", f"{base}/{second}/restore")).status_code == 403
    assert (await call(server, t.owner, "POST", f"{base}/{second}/restore")).status_code == 204
    assert (await call(server, t.owner, "POST", f"{base}/{third}/restore")).status_code == 204
    again = await call(server, t.owner, "POST", f"{base}/{third}/restore")
    assert again.status_code == 404 and "neither cancelled nor moved" in again.text
    await projected(server)
    shown = await entries(server, t.owner, t.workspace, first, third + timedelta(days=1), cancelled=True)
    assert [(e["day"], e["start"], e["id"] == series["id"], e["cancelled"]) for e in shown] == [
        (first.isoformat(), at(first, 9), True, False), (second.isoformat(), at(second, 9), True, False),
        (third.isoformat(), at(third, 8), True, False)]  # CEST after the switch: still 10:00 local
    assert await server.services.crm.activity(caller_of(t.owner), UUID(board), UUID(moved["id"])) is None, \
        "the move's single activity left the board document"
    event = await feed_event(server, t.owner, series["id"])
    assert "exdate" not in event, "no EXDATE left"


async def test_a_series_ends_after_count_or_on_its_until_day_and_the_feed_says_so_in_rfc_form(server):
    t = await team(server.http_url)
    board = t.board["id"]
    first = next_berlin_switch() - timedelta(days=13)
    made = {}
    for end in ("COUNT=3", f"UNTIL={first + timedelta(days=21):%Y%m%d}"):
        made[end[:5]] = await ok(server, t.owner, "POST", f"/api/boards/{board}/activities", json={
            "type": "meeting", "title": end[:5], "assignee": t.owner.id, "due": at(first, 9), "end": at(first, 10),
            "time_zone": "Europe/Berlin", "recurrence": f"FREQ=WEEKLY;{end}"})
    await projected(server)
    shown = await entries(server, t.owner, t.workspace, first, first + timedelta(days=35))
    days = lambda title: [e["start"] for e in shown if e["title"] == title]  # noqa: E731
    assert days("COUNT") == [at(first, 9), at(first + timedelta(days=7), 9), at(first + timedelta(days=14), 8)]
    assert days("UNTIL") == days("COUNT") + [at(first + timedelta(days=21), 8)]
    until = (await feed_event(server, t.owner, made["UNTIL"]["id"]))["rrule"]["UNTIL"][0]
    assert until == datetime.combine(first + timedelta(days=21), datetime.min.time(), timezone.utc).replace(hour=8)
    assert (await feed_event(server, t.owner, made["COUNT"]["id"]))["rrule"]["COUNT"] == [3]


@pytest.mark.parametrize("recurrence, words", [
    ("FREQ=WEEKLY;COUNT=0", "recurrence: expected COUNT from 1 to 999"),
    ("FREQ=WEEKLY;COUNT=1000", "recurrence: expected COUNT from 1 to 999"),
    ("FREQ=WEEKLY;UNTIL=20300301", "recurrence: expected UNTIL after the start day 2030-03-18"),
    ("FREQ=WEEKLY;UNTIL=20300401T090000Z", "recurrence: expected UNTIL as a day YYYYMMDD"),
    ("FREQ=WEEKLY;COUNT=2;UNTIL=20300401", "recurrence: expected COUNT or UNTIL, not both"),
], ids=["count-0", "count-1000", "until-before-start", "until-a-time", "both"])
async def test_a_bad_end_answers_422_naming_the_recurrence(server, recurrence, words):
    t = await team(server.http_url)
    answer = await call(server, t.owner, "POST", f"/api/boards/{t.board['id']}/activities", json={
        "type": "meeting", "title": "Bad", "due": "2030-03-18T09:00:00Z", "time_zone": "Europe/Berlin",
        "recurrence": recurrence})
    assert answer.status_code == 422 and words in answer.text, answer.text


async def test_the_workload_strip_measures_each_person_against_their_own_working_week(server):
    t = await team(server.http_url)
    assert (await ok(server, t.owner, "GET", "/api/me/work-week")) == {"weekly_hours": 40.0}
    assert (await ok(server, t.owner, "PUT", "/api/me/work-week", json={"weekly_hours": 32.5})) == {"weekly_hours": 32.5}
    for bad in (0, 169, "many"):
        answer = await call(server, t.owner, "PUT", "/api/me/work-week", json={"weekly_hours": bad})
        assert answer.status_code == 400 and "weekly_hours" in answer.text, answer.text
    board = await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/team-tasks")
    weeks = {w["person"]: w["capacity"] for w in board["workload"]}
    assert weeks[t.owner.id] == 32.5 and weeks[t.viewer.id] == 40.0
