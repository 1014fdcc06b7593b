"""Exceptions to repeating activities (issue 18): an occurrence is its local day, across DST
switches in Europe/Berlin and America/New_York; EXDATEs keep the series' wall-clock time."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from server.domain.accounts import InvalidInput
from server.domain.calendar import Span, occurrences
from server.domain.crm import Activity, ActivityType
from server.domain.series import exdates, moved_values, occurrence, skip

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


def weekly(start: datetime, zone: str, minutes: int = 60, rule: str = "FREQ=WEEKLY") -> Activity:
    utc = start.astimezone(timezone.utc)
    return Activity(uuid4(), ActivityType.MEETING, "Stand-up", uuid4(), utc, end=utc + timedelta(minutes=minutes),
                    all_day=False, time_zone=zone, recurrence=rule, reminders=(15,), location="Room 1")


def test_an_occurrence_is_named_by_its_local_day_and_keeps_the_wall_clock_across_the_berlin_switch():
    series = weekly(datetime(2030, 3, 18, 10, 0, tzinfo=BERLIN), "Europe/Berlin")  # Mondays 10:00
    before, after = occurrence(series, date(2030, 3, 25)), occurrence(series, date(2030, 4, 1))
    assert before.start == datetime(2030, 3, 25, 9, 0, tzinfo=timezone.utc)  # CET
    assert after.start == datetime(2030, 4, 1, 8, 0, tzinfo=timezone.utc)  # CEST, still 10:00 local
    assert after.end - after.start == timedelta(hours=1)
    with pytest.raises(InvalidInput, match="day: the series has no occurrence on 2030-03-26"):
        occurrence(series, date(2030, 3, 26))


def test_new_york_evening_occurrences_stay_on_their_local_day_when_utc_says_tomorrow():
    # 21:00 in New York is 02:00 UTC the next day in winter, 01:00 in summer (switch: 10 March 2030)
    series = weekly(datetime(2030, 3, 5, 21, 0, tzinfo=NEW_YORK), "America/New_York", rule="FREQ=DAILY")
    march_9, march_11 = occurrence(series, date(2030, 3, 9)), occurrence(series, date(2030, 3, 11))
    assert march_9.start == datetime(2030, 3, 10, 2, 0, tzinfo=timezone.utc)
    assert march_11.start == datetime(2030, 3, 12, 1, 0, tzinfo=timezone.utc)
    when = Span(date(2030, 3, 5), series.due, series.end, False, "America/New_York")
    left = skip(occurrences(when, series.recurrence, date(2030, 3, 8), date(2030, 3, 12)), {date(2030, 3, 10)})
    assert [s.day for s in left] == [date(2030, 3, 8), date(2030, 3, 9), date(2030, 3, 11), date(2030, 3, 12)]


def test_exdates_are_the_occurrences_starts_in_the_series_zone_and_dates_for_an_all_day_series():
    series = weekly(datetime(2030, 3, 18, 10, 0, tzinfo=BERLIN), "Europe/Berlin")
    when = Span(date(2030, 3, 18), series.due, series.end, False, "Europe/Berlin")
    [cet, cest] = exdates(when, [date(2030, 4, 1), date(2030, 3, 25)])
    assert cet == datetime(2030, 3, 25, 10, 0, tzinfo=BERLIN) and cet.utcoffset() == timedelta(hours=1)
    assert cest == datetime(2030, 4, 1, 10, 0, tzinfo=BERLIN) and cest.utcoffset() == timedelta(hours=2)
    assert exdates(Span(date(2030, 1, 1), None, None, True, None), [date(2030, 1, 8)]) == [date(2030, 1, 8)]


def test_a_moved_occurrence_is_a_single_activity_with_the_series_fields_and_the_occurrences_length():
    series = weekly(datetime(2030, 3, 18, 10, 0, tzinfo=BERLIN), "Europe/Berlin", minutes=45)
    start = datetime(2030, 4, 2, 14, 0, tzinfo=timezone.utc)
    values = moved_values(series, start, None)
    assert values["due"] == start and values["end"] == start + timedelta(minutes=45)
    assert "recurrence" not in values and values["reminders"] == [15] and values["location"] == "Room 1"
    assert moved_values(series, date(2030, 4, 2), None)["due"] == date(2030, 4, 2)
    assert "end" not in moved_values(series, date(2030, 4, 2), None)
