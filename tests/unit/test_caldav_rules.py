"""The pure rules of CalDAV sync (server/domain/caldav.py): which step one event takes, events read
from what other calendar apps write, and events written so that the server's extras survive."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from icalendar import Calendar

from server.domain.accounts import InvalidInput
from server.domain.caldav import (
    Fields, Item, Local, Step, activity_id, check_url, decide, digest, event_text, local_fields, parse_event,
)

T0 = datetime(2026, 12, 10, 9, tzinfo=timezone.utc)


def activity(title: str = "Call", changed: datetime | None = T0) -> Local:
    return Local(uuid4(), uuid4(), title, T0.date(), T0, T0 + timedelta(hours=1), False, "Europe/Berlin", None, None,
                 None, False, changed)


def item_of(a: Local) -> Item:
    return Item("/cal/x.ics", a.id, a.board, '"1"', digest(local_fields(a)), T0, "")


def step(local: Local | None, item: Item | None, *, remote_changed: bool = False, remote_gone: bool = False,
         stamp: datetime | None = None) -> Step:
    return decide(local=local, local_digest=digest(local_fields(local)) if local else None, item=item,
                  remote_changed=remote_changed, remote_gone=remote_gone, remote_stamp=stamp)


def test_new_on_one_side_goes_to_the_other():
    assert step(activity(), None) == Step.PUSH
    assert step(None, None, remote_changed=True) == Step.PULL


def test_unchanged_on_both_sides_stays():
    a = activity()
    assert step(a, item_of(a)) == Step.KEEP


def test_a_change_on_one_side_travels():
    a = activity()
    item = item_of(a)
    assert step(a._replace(title="Call Ann"), item) == Step.PUSH
    assert step(a, item, remote_changed=True) == Step.PULL


def test_changed_on_both_sides_the_later_writer_wins_and_a_tie_goes_to_tandem():
    a = activity(changed=T0 + timedelta(minutes=5))
    item = item_of(a)
    changed = a._replace(title="Call Ann")
    assert step(changed, item, remote_changed=True, stamp=T0 + timedelta(minutes=6)) == Step.PULL
    assert step(changed, item, remote_changed=True, stamp=T0 + timedelta(minutes=4)) == Step.PUSH
    assert step(changed, item, remote_changed=True, stamp=T0 + timedelta(minutes=5)) == Step.PUSH
    assert step(changed, item, remote_changed=True, stamp=None) == Step.PUSH


def test_a_deletion_travels_unless_the_other_side_changed_it():
    a = activity()
    item = item_of(a)
    assert step(None, item) == Step.DELETE_REMOTE
    assert step(None, item, remote_changed=True) == Step.PULL
    assert step(a, item, remote_gone=True) == Step.DELETE_LOCAL
    assert step(a._replace(title="Call Ann"), item, remote_gone=True) == Step.PUSH
    assert step(None, item, remote_gone=True) == Step.FORGET


def test_an_event_from_another_app_reads_its_zone_end_and_rule():
    text = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a@b\r\nDTSTAMP:20261201T080000Z\r\n"
            "DTSTART;TZID=America/New_York:20261210T090000\r\nDURATION:PT45M\r\nSUMMARY:Standup\r\n"
            "RRULE:FREQ=WEEKLY;BYDAY=MO,WE\r\nDESCRIPTION:Agenda\\nItems\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    found = parse_event(text)
    assert found is not None and found.uid == "a@b"
    f = found.fields
    assert f.start == datetime(2026, 12, 10, 14, tzinfo=timezone.utc) and f.end == f.start + timedelta(minutes=45)
    assert f.time_zone == "America/New_York" and f.recurrence == "FREQ=WEEKLY;BYDAY=MO,WE"
    assert f.note == "Agenda\nItems" and found.stamp == datetime(2026, 12, 1, 8, tzinfo=timezone.utc)


def test_all_day_floating_and_hourly_events_are_read_as_tandem_can_hold_them():
    all_day = parse_event("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:d\r\nDTSTART;VALUE=DATE:20261224\r\n"
                          "SUMMARY:Fair\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    assert all_day is not None and all_day.fields.day == date(2026, 12, 24) and all_day.fields.start is None
    floating = parse_event("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:f\r\nDTSTART:20261210T090000\r\n"
                           "RRULE:FREQ=HOURLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    assert floating is not None and floating.fields.start == T0 and floating.fields.time_zone is None
    assert floating.fields.recurrence is None, "hourly is not a rule Tandem repeats: the first occurrence"
    assert floating.fields.title == "(no title)" and floating.fields.end == T0 + timedelta(minutes=30)
    assert parse_event("BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n") is None
    assert parse_event("not a calendar") is None


def test_written_events_read_back_the_same_and_keep_the_servers_extras_while_the_rule_holds():
    a = uuid4()
    f = Fields("Weekly", None, T0, T0 + timedelta(hours=1), "Europe/Berlin", "Room 1", "Notes", "FREQ=WEEKLY")
    written = event_text(a, f, T0)
    back = parse_event(written)
    assert back is not None and back.uid == str(a) and digest(back.fields) == digest(f)
    server = written.decode().replace(
        "END:VEVENT", "EXDATE;TZID=Europe/Berlin:20261217T100000\r\nATTENDEE:mailto:ann@example.com\r\nEND:VEVENT", 1)
    read = parse_event(server)
    assert read is not None and read.fields.exdays == (date(2026, 12, 17),)
    assert read.fields.attendees == ("ann@example.com",)
    # Read into Tandem, the EXDATE is an exception of the series: written back as an EXDATE.
    renamed = Calendar.from_ical(event_text(a, f._replace(title="Weekly sync", exdays=read.fields.exdays), T0,
                                            server))
    [ev] = renamed.walk("VEVENT")
    assert str(ev["summary"]) == "Weekly sync" and "ATTENDEE" in ev and "EXDATE" in ev
    assert ev["exdate"].dts[0].dt == datetime(2026, 12, 17, 10, tzinfo=ZoneInfo("Europe/Berlin"))
    moved = Calendar.from_ical(event_text(a, f._replace(start=T0 + timedelta(hours=1),
                                                          end=T0 + timedelta(hours=2)), T0, server))
    [ev] = moved.walk("VEVENT")
    assert "EXDATE" not in ev, "a series without exceptions in Tandem has no EXDATE"
    assert "ATTENDEE" in ev, "an address Tandem does not know stays"


def test_exceptions_and_attendees_out_and_in():
    a = uuid4()
    f = Fields("Stand-up", None, T0, T0 + timedelta(minutes=15), "America/New_York", None, None, "FREQ=DAILY",
               (date(2026, 12, 11), date(2026, 12, 12)), ("bo@example.com", "cy@example.com"))
    text = event_text(a, f, T0)
    back = parse_event(text)
    assert back is not None and digest(back.fields) == digest(f), "EXDATEs and ATTENDEEs read back the same"
    assert back.fields.exdays == f.exdays and back.fields.attendees == f.attendees
    # The server's copy gains a guest Tandem cannot name and an overridden occurrence.
    server = text.decode().replace("END:VEVENT", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:Guest@Other.org\r\nEND:VEVENT", 1)
    server = server.replace("END:VCALENDAR", "BEGIN:VEVENT\r\nUID:" + str(a) + "\r\nDTSTAMP:20261201T080000Z\r\n"
                            "RECURRENCE-ID;TZID=America/New_York:20261214T040000\r\n"
                            "DTSTART;TZID=America/New_York:20261214T070000\r\nSUMMARY:Stand-up (late)\r\n"
                            "END:VEVENT\r\nEND:VCALENDAR")
    read = parse_event(server)
    assert read is not None and read.fields.attendees == ("bo@example.com", "cy@example.com", "guest@other.org")
    [(day, moved)] = read.overrides
    assert day == date(2026, 12, 14) and moved is not None and moved.title == "Stand-up (late)"
    assert moved.end is not None and moved.start is not None and moved.end - moved.start == timedelta(minutes=15)
    # Tandem removes Cy and moves the 14th (an exception now): Cy goes, the guest stays, the override
    # gives way to an EXDATE (the moved occurrence is an event of its own).
    out = Calendar.from_ical(event_text(a, f._replace(exdays=(*f.exdays, date(2026, 12, 14)),
                                                      attendees=("bo@example.com",)), T0, server,
                                        known={"bo@example.com", "cy@example.com"}))
    events = list(out.walk("VEVENT"))
    assert len(events) == 1
    addresses = sorted(str(v).lower() for v in events[0]["attendee"])
    assert addresses == ["mailto:bo@example.com", "mailto:guest@other.org"]
    again = parse_event(out.to_ical())
    assert again is not None and again.fields.exdays == (date(2026, 12, 11), date(2026, 12, 12), date(2026, 12, 14))
    assert digest(Fields(*f[:8])) == digest(f._replace(exdays=(), attendees=())), "old digests stay valid"


def test_ids_and_urls():
    user = uuid4()
    assert activity_id(user, "a@b") == activity_id(user, "a@b") != activity_id(uuid4(), "a@b")
    assert check_url(" https://dav.example.com/cal/work ") == "https://dav.example.com/cal/work/"
    for bad in ("ftp://x/", "https://me:pw@dav.example.com/", "dav.example.com/cal/", "https://x/?a=1"):
        with pytest.raises(InvalidInput, match="url"):
            check_url(bad)
