"""A series that ends (issue 18): after COUNT occurrences or on the local day UNTIL — expanded on
the series' wall clock across DST switches (Europe/Berlin, America/New_York), with cancelled days
still counting toward COUNT (RFC 5545: EXDATE removes from the set the rule made), written out in
RFC 5545's UNTIL form and read back in Tandem's, and refused with the field named."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from server.domain.accounts import InvalidInput
from server.domain.calendar import Span, check_times, occurrences, rule, series_end
from server.domain.crm import Activity, ActivityType
from server.domain.series import ical_rule, skip, tandem_rule
from server.domain.team_tasks import TeamTask, workload

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


def series(start: datetime, zone: str, minutes: int = 60) -> Span:
    utc = start.astimezone(timezone.utc)
    return Span(start.date(), utc, utc + timedelta(minutes=minutes), False, zone)


MONDAYS_10_BERLIN = series(datetime(2030, 3, 18, 10, 0, tzinfo=BERLIN), "Europe/Berlin")  # switch: 31 March


def starts(when: Span, text: str, first: date = date(2030, 1, 1), last: date = date(2030, 12, 31)) -> list[datetime]:
    return [s.start for s in occurrences(when, text, first, last)]


def test_count_ends_a_berlin_weekly_meeting_after_n_times_at_10_local_on_both_sides_of_the_switch():
    assert starts(MONDAYS_10_BERLIN, "FREQ=WEEKLY;COUNT=3") == [
        datetime(2030, 3, 18, 9, tzinfo=timezone.utc), datetime(2030, 3, 25, 9, tzinfo=timezone.utc),
        datetime(2030, 4, 1, 8, tzinfo=timezone.utc)]  # CEST from the 31st: still 10:00 local


def test_count_is_counted_from_the_series_start_even_when_the_range_starts_later():
    assert starts(MONDAYS_10_BERLIN, "FREQ=WEEKLY;COUNT=3", first=date(2030, 3, 26)) == [
        datetime(2030, 4, 1, 8, tzinfo=timezone.utc)]
    assert starts(MONDAYS_10_BERLIN, "FREQ=WEEKLY;COUNT=3", first=date(2030, 4, 2)) == []


def test_until_is_the_last_local_day_inclusive_whatever_the_time_of_day():
    found = occurrences(MONDAYS_10_BERLIN, "FREQ=WEEKLY;UNTIL=20300408", date(2030, 1, 1), date(2030, 12, 31))
    assert [s.day for s in found] == [date(2030, 3, 18), date(2030, 3, 25), date(2030, 4, 1), date(2030, 4, 8)]
    assert found[-1].start == datetime(2030, 4, 8, 8, tzinfo=timezone.utc)
    assert series_end("FREQ=WEEKLY;UNTIL=20300408") == (None, date(2030, 4, 8))
    assert series_end("FREQ=WEEKLY;COUNT=12") == (12, None)
    assert series_end("FREQ=WEEKLY") == (None, None)


def test_an_evening_series_in_new_york_ends_on_its_local_day_when_utc_is_already_the_next():
    evenings = series(datetime(2030, 3, 5, 21, 0, tzinfo=NEW_YORK), "America/New_York")  # switch: 10 March
    found = occurrences(evenings, "FREQ=DAILY;UNTIL=20300311", date(2030, 3, 1), date(2030, 3, 31))
    assert [s.day for s in found][-3:] == [date(2030, 3, 9), date(2030, 3, 10), date(2030, 3, 11)]
    assert found[-1].start == datetime(2030, 3, 12, 1, tzinfo=timezone.utc)  # 21:00 EDT on the 11th


def test_a_cancelled_occurrence_still_counts_toward_count_so_the_series_does_not_grow():
    found = occurrences(MONDAYS_10_BERLIN, "FREQ=WEEKLY;COUNT=3", date(2030, 1, 1), date(2030, 12, 31))
    kept = skip(found, {date(2030, 3, 25)})
    assert [s.day for s in kept] == [date(2030, 3, 18), date(2030, 4, 1)]
    restored = skip(found, set())
    assert [s.day for s in restored] == [date(2030, 3, 18), date(2030, 3, 25), date(2030, 4, 1)]


def test_an_all_day_series_ends_on_its_until_day():
    daily = Span(date(2030, 3, 29), None, None, True, "Europe/Berlin")
    assert [s.day for s in occurrences(daily, "FREQ=DAILY;UNTIL=20300401", date(2030, 3, 1), date(2030, 4, 30))] == [
        date(2030, 3, 29), date(2030, 3, 30), date(2030, 3, 31), date(2030, 4, 1)]


def test_until_goes_out_as_the_last_occurrence_in_utc_and_comes_back_as_the_local_day():
    out = ical_rule("FREQ=WEEKLY;UNTIL=20300408;BYDAY=MO", MONDAYS_10_BERLIN)
    assert out == "FREQ=WEEKLY;UNTIL=20300408T080000Z;BYDAY=MO"
    assert tandem_rule(out, MONDAYS_10_BERLIN) == "FREQ=WEEKLY;UNTIL=20300408;BYDAY=MO"
    # an UNTIL before that day's 10:00 allows the week before as the last
    assert tandem_rule("FREQ=WEEKLY;UNTIL=20300408T075959Z", MONDAYS_10_BERLIN) == "FREQ=WEEKLY;UNTIL=20300407"
    assert tandem_rule("FREQ=WEEKLY;UNTIL=20300408T100000", MONDAYS_10_BERLIN) == "FREQ=WEEKLY;UNTIL=20300408"
    all_day = Span(date(2030, 3, 29), None, None, True, None)
    assert ical_rule("FREQ=DAILY;UNTIL=20300401", all_day) == "FREQ=DAILY;UNTIL=20300401"
    assert ical_rule("FREQ=DAILY;COUNT=4", MONDAYS_10_BERLIN) == "FREQ=DAILY;COUNT=4"


def test_the_rule_takes_count_1_to_999_or_an_until_day_and_not_both():
    assert rule("FREQ=WEEKLY;COUNT=999") is not None
    for bad in ("FREQ=WEEKLY;COUNT=0", "FREQ=WEEKLY;COUNT=1000", "FREQ=WEEKLY;COUNT=2;UNTIL=20300401",
                "FREQ=WEEKLY;UNTIL=20300401T000000Z", "FREQ=WEEKLY;UNTIL=20301341"):
        assert rule(bad) is None, bad


@pytest.mark.parametrize("text, message", [
    ("FREQ=WEEKLY;COUNT=0", "recurrence: expected COUNT from 1 to 999, got '0'"),
    ("FREQ=WEEKLY;COUNT=1000", "recurrence: expected COUNT from 1 to 999, got '1000'"),
    ("FREQ=WEEKLY;COUNT=3;UNTIL=20300401", "recurrence: expected COUNT or UNTIL, not both"),
    ("FREQ=WEEKLY;UNTIL=20300401T090000Z", "recurrence: expected UNTIL as a day YYYYMMDD"),
    ("FREQ=WEEKLY;UNTIL=20300318", "recurrence: expected UNTIL after the start day 2030-03-18, got 2030-03-18"),
], ids=["count-zero", "count-1000", "both", "until-a-time", "until-the-start-day"])
def test_a_bad_end_is_refused_naming_the_recurrence(text, message):
    start = datetime(2030, 3, 18, 9, tzinfo=timezone.utc)
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_times(None, {"due": start, "timeZone": "Europe/Berlin", "recurrence": text})


def test_an_until_is_checked_against_the_start_already_stored():
    before = Activity(uuid4(), ActivityType.MEETING, "Stand-up", uuid4(), datetime(2030, 3, 18, 9, tzinfo=timezone.utc),
                      time_zone="Europe/Berlin")
    assert check_times(before, {"recurrence": "FREQ=WEEKLY;UNTIL=20300319"})["recurrence"] == "FREQ=WEEKLY;UNTIL=20300319"
    with pytest.raises(InvalidInput, match="UNTIL after the start day 2030-03-18, got 2030-03-01"):
        check_times(before, {"recurrence": "FREQ=WEEKLY;UNTIL=20300301"})


def test_the_workload_counts_a_series_only_until_it_ends_and_not_on_cancelled_days():
    me, board = uuid4(), uuid4()
    task = TeamTask(uuid4(), board, "Sales", uuid4(), "meeting", "Stand-up", me, date(2030, 3, 25),
                    datetime(2030, 3, 25, 8, tzinfo=timezone.utc), datetime(2030, 3, 25, 9, tzinfo=timezone.utc),
                    False, "UTC", False, None, None, "FREQ=DAILY;COUNT=4")  # Mon to Thu
    now = datetime(2030, 3, 25, 7, tzinfo=timezone.utc)
    [load] = workload([task], [me], date(2030, 3, 25), now, {me: 20.0}, {(board, task.id): {date(2030, 3, 26)}})
    assert (load.this_week, load.hours, load.capacity) == (3, 3.0, 20.0)
    [default] = workload([task], [me], date(2030, 3, 25), now)
    assert (default.this_week, default.capacity) == (4, 40.0)
