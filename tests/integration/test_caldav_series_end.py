"""CalDAV sync of a series' end and of a restored occurrence (issue 18) against a real Radicale:
a Tandem series ending after COUNT times or on an UNTIL day is an RRULE with COUNT, or UNTIL as the
last occurrence in UTC (RFC 5545 with a TZID start), and syncing again changes nothing; a server's
UNTIL (UTC) becomes the local last day in Tandem; restoring a cancelled and a moved occurrence
takes the EXDATEs off the server's event and deletes the moved one's own event."""

from __future__ import annotations

from datetime import timedelta

from server.domain.caldav import Counts
from tests.integration.test_caldav_sync import _list, linked, local, radicale, server, soon, stamp, vevent
from tests.support.crm import ok
from tests.support.radicale import event

__all__ = ["radicale", "server"]  # the module's fixtures: one Radicale and one Tandem server


def weekday(moment) -> str:
    return "MO TU WE TH FR SA SU".split()[moment.weekday()]


async def test_a_tandem_series_that_ends_is_count_or_a_utc_until_on_the_server_and_stays_in_step(server, radicale):
    s = await linked(server, radicale)
    start = soon(3, 8)  # 09:00 or 10:00 in Berlin
    last = (start + timedelta(days=21)).date()
    counted = await s.add_activity("Counted", start, recurrence=f"FREQ=WEEKLY;BYDAY={weekday(start)};COUNT=4")
    until = await s.add_activity("Until", start, recurrence=f"FREQ=WEEKLY;BYDAY={weekday(start)};UNTIL={last:%Y%m%d}")
    assert (await s.sync()).pushed == 2
    events = await s.events()
    assert vevent(events[f"{counted['id']}.ics"])["rrule"]["COUNT"] == [4]
    assert vevent(events[f"{until['id']}.ics"])["rrule"]["UNTIL"] == [start + timedelta(days=21)], \
        "UNTIL is the last occurrence's start in UTC"
    for _ in range(2):
        assert await s.sync() == Counts(0, 0, 0), "the rule's parts in another order are the same rule"
    found = {a["title"]: a["recurrence"] for a in await s.activities()}
    assert found["Until"] == f"FREQ=WEEKLY;BYDAY={weekday(start)};UNTIL={last:%Y%m%d}"


async def test_a_server_series_with_a_utc_until_ends_on_its_local_last_day_in_tandem(server, radicale):
    s = await linked(server, radicale)
    start = soon(2, 9)
    end = start + timedelta(days=14)
    await s.put("ends.ics", event("ends@other.app", "Ends", local(start), local(start + timedelta(hours=1)),
                                  extra=f"RRULE:FREQ=WEEKLY;UNTIL={stamp(end)}\r\n"))
    await s.put("count.ics", event("count@other.app", "Count", local(start), local(start + timedelta(hours=1)),
                                   extra="RRULE:FREQ=DAILY;COUNT=3\r\n"))
    assert (await s.sync()).pulled == 2
    found = {a["title"]: a for a in await s.activities()}
    berlin_day = local(end)[:8]
    assert found["Ends"]["recurrence"] == f"FREQ=WEEKLY;UNTIL={berlin_day}"
    assert found["Count"]["recurrence"] == "FREQ=DAILY;COUNT=3"
    entries = await ok(s.server, s.owner, "GET", f"/api/workspaces/{s.t.workspace}/calendar",
                       params={"start": start.date().isoformat(), "end": (start + timedelta(days=30)).date().isoformat()})
    assert len([e for e in entries["entries"] if e["title"] == "Ends"]) == 3
    assert len([e for e in entries["entries"] if e["title"] == "Count"]) == 3
    assert await s.sync() == Counts(0, 0, 0)


async def test_restoring_a_cancelled_and_a_moved_occurrence_clears_the_exdates_and_the_moved_event(server, radicale):
    s = await linked(server, radicale)
    start = soon(3, 8)
    series = await s.add_activity("Planning", start, recurrence=f"FREQ=WEEKLY;BYDAY={weekday(start)}")
    board = s.t.board["id"]
    base = f"/api/boards/{board}/activities/{series['id']}/occurrences"
    second, third = (start + timedelta(days=7)).date(), (start + timedelta(days=14)).date()
    await ok(s.server, s.owner, "DELETE", f"{base}/{second.isoformat()}")
    moved = await ok(s.server, s.owner, "POST", f"{base}/{third.isoformat()}/move",
                     json={"due": (start + timedelta(days=15)).isoformat()})
    assert (await s.sync()).pushed == 2
    master = vevent((await s.events())[f"{series['id']}.ics"])
    assert len([d for e in _list(master["exdate"]) for d in e.dts]) == 2

    await ok(s.server, s.owner, "POST", f"{base}/{second.isoformat()}/restore")
    await ok(s.server, s.owner, "POST", f"{base}/{third.isoformat()}/restore")
    counts = await s.sync()
    assert (counts.pushed, counts.removed) == (1, 1), counts
    events = await s.events()
    assert list(events) == [f"{series['id']}.ics"], "the moved occurrence's own event is gone"
    assert "exdate" not in vevent(events[f"{series['id']}.ics"])
    assert await s.sync() == Counts(0, 0, 0)
