"""When schedule triggers tick: a cron read in the rule's time zone, across DST switches
(``server.domain.schedules``)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from server.domain.schedules import last_tick, next_ticks, zone


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def test_a_monday_nine_oclock_rule_fires_at_nine_berlin_time_on_both_sides_of_the_march_switch():
    # Sunday 29 March 2026, 02:00 CET -> 03:00 CEST
    assert next_ticks("0 9 * * 1", "Europe/Berlin", utc(2026, 3, 20)) == [
        utc(2026, 3, 23, 8), utc(2026, 3, 30, 7), utc(2026, 4, 6, 7)]


def test_a_monday_nine_oclock_rule_fires_at_nine_berlin_time_on_both_sides_of_the_october_switch():
    # Sunday 25 October 2026, 03:00 CEST -> 02:00 CET
    assert next_ticks("0 9 * * 1", "Europe/Berlin", utc(2026, 10, 17)) == [
        utc(2026, 10, 19, 7), utc(2026, 10, 26, 8), utc(2026, 11, 2, 8)]


def test_a_time_skipped_by_the_spring_switch_fires_once_at_the_next_valid_time():
    assert next_ticks("30 2 * * *", "Europe/Berlin", utc(2026, 3, 27, 12)) == [
        utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)]  # 02:30 CET, 03:00 CEST, 02:30 CEST


def test_several_skipped_times_fire_once_between_them():
    ticks = next_ticks("*/15 2 * * *", "Europe/Berlin", utc(2026, 3, 28, 23), count=2)
    assert ticks == [utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 0)]


def test_a_repeated_hour_fires_once_at_its_first_occurrence():
    ticks = next_ticks("30 2 * * *", "Europe/Berlin", utc(2026, 10, 24, 12))
    assert ticks == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30), utc(2026, 10, 27, 1, 30)]
    hourly = next_ticks("0 * * * *", "Europe/Berlin", utc(2026, 10, 24, 22, 30), count=4)
    # 01:00 CEST, 02:00 CEST (the first 02:00), then 03:00 CET: the second 02:00 CET (01:00 UTC) fires nothing
    assert hourly == [utc(2026, 10, 24, 23), utc(2026, 10, 25, 0), utc(2026, 10, 25, 2), utc(2026, 10, 25, 3)]


def test_new_york_switches_on_its_own_dates():
    # 8 March 2026, 02:00 EST -> 03:00 EDT; 1 November 2026, 02:00 EDT -> 01:00 EST
    assert next_ticks("0 9 * * *", "America/New_York", utc(2026, 3, 7)) == [
        utc(2026, 3, 7, 14), utc(2026, 3, 8, 13), utc(2026, 3, 9, 13)]
    assert next_ticks("0 9 * * *", "America/New_York", utc(2026, 10, 31)) == [
        utc(2026, 10, 31, 13), utc(2026, 11, 1, 14), utc(2026, 11, 2, 14)]
    assert next_ticks("30 2 * * *", "America/New_York", utc(2026, 3, 8)) == [
        utc(2026, 3, 8, 7), utc(2026, 3, 9, 6, 30), utc(2026, 3, 10, 6, 30)]  # 03:00 EDT on the switch day
    assert next_ticks("30 1 * * *", "America/New_York", utc(2026, 11, 1)) == [
        utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30), utc(2026, 11, 3, 6, 30)]  # the first 01:30 (EDT)


def test_the_last_tick_is_the_latest_at_or_before_the_moment():
    assert last_tick("0 9 * * 1", "Europe/Berlin", utc(2026, 3, 30, 7)) == utc(2026, 3, 30, 7)
    assert last_tick("0 9 * * 1", "Europe/Berlin", utc(2026, 3, 30, 6, 59)) == utc(2026, 3, 23, 8)
    assert last_tick("30 2 * * *", "Europe/Berlin", utc(2026, 3, 29, 1, 5)) == utc(2026, 3, 29, 1)
    assert last_tick("30 2 * * *", "Europe/Berlin", utc(2026, 10, 25, 1, 45)) == utc(2026, 10, 25, 0, 30)


def test_utc_rules_tick_as_the_cron_always_did():
    assert last_tick("0 9 * * 1", "UTC", utc(2026, 12, 7, 9, 30)) == utc(2026, 12, 7, 9)
    assert next_ticks("*/20 * * * *", "UTC", utc(2026, 12, 7, 9, 0)) == [
        utc(2026, 12, 7, 9, 20), utc(2026, 12, 7, 9, 40), utc(2026, 12, 7, 10)]


@pytest.mark.parametrize("name", ["Europe/Berlin", "UTC", "America/New_York", "Asia/Kolkata"])
def test_iana_zones_are_accepted(name: str):
    assert zone(name).key == name


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "CEST", "../etc/passwd", "europe/berlin"])
def test_other_names_are_refused_naming_what_was_expected(name: str):
    with pytest.raises(ValueError, match="expected an IANA time zone"):
        zone(name)
