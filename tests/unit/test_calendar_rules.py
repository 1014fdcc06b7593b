"""Activities in time (server/domain/calendar.py): spans, zones, reminders across DST switches."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from server.documents.shapes import DoesNotFit, decode, record
from server.domain.accounts import InvalidInput
from server.domain.calendar import before, check_times, occurrences, reminders, span
from server.domain.crm import Activity, ActivityType
from server.domain.projection import activity_record

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_date_only_activity_is_all_day_on_its_date_and_has_no_default_reminders():
    when = span(date(2026, 3, 9))
    assert when is not None and when.all_day and when.start is None and when.day == date(2026, 3, 9)
    assert reminders(uuid4(), when, None) == []


def test_a_timed_activity_falls_on_its_local_day_in_its_zone():
    # 23:30 UTC on 9 March is 00:30 on 10 March in Berlin
    assert span(utc(2026, 3, 9, 23, 30), None, None, "Europe/Berlin").day == date(2026, 3, 10)
    assert span(utc(2026, 3, 9, 23, 30)).day == date(2026, 3, 9)


def test_an_end_not_after_the_start_is_ignored_when_read():
    assert span(utc(2026, 3, 9, 10), utc(2026, 3, 9, 9)).end is None


def test_a_day_before_a_berlin_meeting_after_the_spring_switch_is_the_same_wall_clock_time():
    # Berlin moves from CET (+1) to CEST (+2) at 01:00 UTC on Sunday 29 March 2026.
    meeting = datetime(2026, 3, 29, 10, 0, tzinfo=BERLIN)  # Sunday 10:00 CEST = 08:00 UTC
    when = span(meeting.astimezone(UTC), None, None, "Europe/Berlin")
    day, quarter = reminders(uuid4(), when, None)
    assert day.minutes == 1440 and day.at == utc(2026, 3, 28, 9, 0)  # Saturday 10:00 CET: 23 hours before
    assert meeting.astimezone(UTC) - day.at == timedelta(hours=23)
    assert quarter.minutes == 15 and quarter.at == utc(2026, 3, 29, 7, 45)


def test_a_day_before_a_new_york_meeting_after_the_autumn_switch_is_25_hours_before():
    # New York moves from EDT (-4) to EST (-5) at 06:00 UTC on Sunday 1 November 2026.
    start = utc(2026, 11, 1, 14, 0)  # Sunday 09:00 EST
    at = before(start, 1440, "America/New_York")
    assert at == utc(2026, 10, 31, 13, 0)  # Saturday 09:00 EDT
    assert start - at == timedelta(hours=25)


def test_minutes_that_are_not_whole_days_count_as_elapsed_time_across_a_switch():
    start = utc(2026, 3, 29, 1, 30)  # 03:30 CEST, just after the switch
    assert before(start, 60, "Europe/Berlin") == utc(2026, 3, 29, 0, 30)  # 01:30 CET: an hour of real time


def test_a_reminder_in_a_skipped_hour_fires_at_the_instant_that_wall_time_maps_to():
    # a day before 02:30 Monday Berlin... Sunday 29 March 02:30 does not exist in Berlin
    start = datetime(2026, 3, 30, 2, 30, tzinfo=BERLIN).astimezone(UTC)
    assert before(start, 1440, "Europe/Berlin") == utc(2026, 3, 29, 1, 30)  # 02:30 read as CET = 03:30 CEST


def test_an_all_day_activity_reminds_from_nine_in_the_morning_local():
    when = span(date(2026, 3, 30), None, None, "Europe/Berlin")
    (early,) = reminders(uuid4(), when, (1440,))
    assert early.at == utc(2026, 3, 29, 7, 0)  # Sunday 09:00 CEST


def test_a_reminder_has_one_id_until_its_activity_moves():
    activity = uuid4()
    when = span(utc(2026, 5, 4, 9), None, None, "Europe/Berlin")
    assert reminders(activity, when, None) == reminders(activity, when, None)
    moved = span(utc(2026, 5, 4, 10), None, None, "Europe/Berlin")
    assert not {r.id for r in reminders(activity, when, None)} & {r.id for r in reminders(activity, moved, None)}


def test_moving_a_timed_activity_keeps_its_duration():
    old = Activity(uuid4(), ActivityType.MEETING, "Demo", due=utc(2026, 5, 4, 9), end=utc(2026, 5, 4, 10))
    assert check_times(old, {"due": utc(2026, 5, 5, 14)})["end"] == utc(2026, 5, 5, 15)
    assert check_times(old, {"due": date(2026, 5, 5)})["end"] is None


@pytest.mark.parametrize("changes, field", [
    ({"due": utc(2026, 5, 4, 9), "end": utc(2026, 5, 4, 9)}, "end"),
    ({"due": date(2026, 5, 4), "end": utc(2026, 5, 4, 9)}, "end"),
    ({"timeZone": "Mars/Olympus"}, "time_zone"),
    ({"timeZone": "../../etc/passwd"}, "time_zone"),
    ({"reminders": [10, 50000]}, "reminders"),
])
def test_times_are_refused_at_the_edge_naming_the_field(changes, field):
    with pytest.raises(InvalidInput, match=f"^{field}: expected"):
        check_times(None, changes)


def test_the_shape_reads_zones_and_reminders_and_refuses_others():
    fields = record("board", "activity").fields
    assert decode(fields["timeZone"], "America/New_York") == "America/New_York"
    assert decode(fields["reminders"], [15, 1440, 15]) == (1440, 15)
    for bad in ([-1], [1.5], ["15"], [1, 2, 3, 4, 5, 6], [True]):
        with pytest.raises(DoesNotFit):
            decode(fields["reminders"], bad)
    with pytest.raises(DoesNotFit):
        decode(fields["timeZone"], "Not/AZone")


def test_the_projection_record_of_a_timed_activity_in_berlin():
    a = Activity(uuid4(), ActivityType.MEETING, "Demo", due=utc(2026, 3, 9, 23, 30), end=utc(2026, 3, 10, 0, 30),
                 time_zone="Europe/Berlin", location="https://meet.example/abc", reminders=(15,))
    r = activity_record(a)
    assert (r.due_date, r.starts_at, r.ends_at, r.all_day) == (date(2026, 3, 10), a.due, a.end, False)
    assert (r.time_zone, r.location, r.reminders) == ("Europe/Berlin", "https://meet.example/abc", [15])


def test_the_projection_record_of_an_old_date_only_activity_is_all_day():
    r = activity_record(Activity(uuid4(), ActivityType.TODO, "Call back", due=date(2026, 3, 9)))
    assert (r.due_date, r.starts_at, r.all_day, r.reminders) == (date(2026, 3, 9), None, True, None)


def test_a_weekly_berlin_meeting_stays_at_ten_local_across_the_spring_switch():
    start = datetime(2026, 3, 23, 10, 0, tzinfo=BERLIN).astimezone(UTC)  # Monday, CET
    when = span(start, start + timedelta(hours=1), None, "Europe/Berlin")
    got = occurrences(when, "FREQ=WEEKLY;BYDAY=MO", date(2026, 3, 20), date(2026, 4, 8))
    assert [s.start for s in got] == [utc(2026, 3, 23, 9), utc(2026, 3, 30, 8), utc(2026, 4, 6, 8)]
    assert all(s.end - s.start == timedelta(hours=1) for s in got)
    assert [s.day for s in got] == [date(2026, 3, 23), date(2026, 3, 30), date(2026, 4, 6)]


def test_a_daily_new_york_call_stays_at_nine_local_across_the_autumn_switch():
    start = utc(2026, 10, 30, 13, 0)  # Friday 09:00 EDT
    got = occurrences(span(start, None, None, "America/New_York"), "FREQ=DAILY;COUNT=4", date(2026, 10, 1),
                      date(2026, 11, 30))
    assert [s.start for s in got] == [utc(2026, 10, 30, 13), utc(2026, 10, 31, 13), utc(2026, 11, 1, 14),
                                      utc(2026, 11, 2, 14)]


def test_a_repeating_meetings_reminders_are_its_occurrences_near_now():
    start = datetime(2026, 3, 23, 10, 0, tzinfo=BERLIN).astimezone(UTC)
    when = span(start, None, None, "Europe/Berlin")
    near = utc(2026, 3, 28, 12)
    got = reminders(uuid4(), when, (1440,), "FREQ=WEEKLY;BYDAY=MO", near)
    # Monday 30 March 10:00 CEST; a day before is Sunday 29 March 10:00 CEST (08:00 UTC); then 6 April
    assert [r.at for r in got] == [utc(2026, 3, 29, 8), utc(2026, 4, 5, 8)]


def test_only_daily_or_slower_rules_repeat():
    assert check_times(None, {"recurrence": "freq=weekly;byday=mo,we"})["recurrence"] == "FREQ=WEEKLY;BYDAY=MO,WE"
    for bad in ("FREQ=HOURLY", "FREQ=MINUTELY;COUNT=5", "nonsense", "FREQ=WEEKLY;BYDAY=XX",
                "DTSTART:20260101T000000\nRRULE:FREQ=DAILY", "FREQ=DAILY;DTSTART=20260101"):
        with pytest.raises(InvalidInput, match="^recurrence: expected"):
            check_times(None, {"recurrence": bad})
    with pytest.raises(DoesNotFit):
        decode(record("board", "activity").fields["recurrence"], "FREQ=SECONDLY")
