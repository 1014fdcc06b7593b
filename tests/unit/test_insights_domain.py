"""The pure rules of insights (``server.domain.insights``): periods read in a time zone, the previous
period, money per currency or converted, the funnel's ratios, goals' checks, periods, attainment and
likelihood, and CSV cells."""

from __future__ import annotations

from datetime import date, datetime, timezone
from uuid import uuid4

import pytest

from server.domain import insights as shape
from server.domain.accounts import InvalidInput
from server.domain.insights import Goal, Interval, Metric
from server.domain.money import MoneySettings

EUR = MoneySettings("EUR", {"USD": 0.9})


def test_a_day_in_berlin_begins_an_hour_before_utc_midnight_in_winter_and_two_in_summer():
    january = shape.span(date(2026, 1, 1), date(2026, 1, 31), "Europe/Berlin")
    assert (january.start, january.end) == (datetime(2025, 12, 31, 23, tzinfo=timezone.utc),
                                            datetime(2026, 1, 31, 23, tzinfo=timezone.utc))
    july = shape.span(date(2026, 7, 1), date(2026, 7, 1), "Europe/Berlin")
    assert july.start == datetime(2026, 6, 30, 22, tzinfo=timezone.utc)


def test_the_previous_period_has_as_many_days_just_before():
    march = shape.span(date(2026, 3, 1), date(2026, 3, 31), "UTC")
    assert march.previous()[:2] == (date(2026, 1, 29), date(2026, 2, 28))


def test_bad_ranges_and_zones_are_refused_naming_the_field():
    with pytest.raises(InvalidInput, match="^from:"):
        shape.span(date(2026, 2, 1), date(2026, 1, 1), "UTC")
    with pytest.raises(InvalidInput, match="^from:.*at most"):
        shape.span(date(2000, 1, 1), date(2026, 1, 1), "UTC")
    with pytest.raises(InvalidInput, match="^tz:"):
        shape.zone("Europe/Atlantis")
    assert shape.zone(None) == "UTC"


def test_periods_and_their_labels():
    assert shape.periods(date(2026, 2, 10), date(2026, 8, 1), Interval.QUARTER) == [
        date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1)]
    assert shape.next_period(date(2026, 12, 1), Interval.MONTH) == date(2027, 1, 1)
    assert shape.next_period(date(2026, 10, 1), Interval.QUARTER) == date(2027, 1, 1)
    assert (shape.label(date(2026, 4, 1), Interval.QUARTER), shape.label(date(2026, 4, 1), Interval.MONTH)) == (
        "2026-Q2", "2026-04")


def test_money_is_kept_apart_or_converted_with_what_has_no_rate_kept_apart():
    money = shape.totals([("EUR", 100.0), ("USD", 50.0), ("CHF", 10.0), (None, 1.0)], "EUR")
    assert shape.shown(money, EUR, converted=False) == {"CHF": 10.0, "EUR": 101.0, "USD": 50.0}
    assert shape.shown(money, EUR, converted=True) == {"EUR": 146.0, "CHF": 10.0}
    assert shape.shown({}, EUR, converted=True) == {}


def test_won_and_lost_stages_have_no_conversion_and_empty_stages_no_ratio():
    stages = [{"board_id": 1, "board_name": "B", "stage_id": s, "name": s, "kind": kind, "probability": None,
               "rot_days": 0} for s, kind in (("a", "open"), ("b", "open"), ("w", "won"))]
    counts = {(1, "a"): {"entered": 4, "advanced": 1, "lost": 2, "median_days": 2.345}, (1, "w"): {"entered": 1}}
    rows = shape.funnel(stages, counts, {(1, "a"): 3, (1, "w"): 9})
    assert [(r["entered"], r["advanced"], r["conversion"], r["drop_off"], r["median_days"], r["stuck"])
            for r in rows] == [(4, 1, 0.25, 0.75, 2.35, 3), (0, 0, None, None, None, 0), (1, None, None, None, None, 0)]


def test_the_average_won_deal_converted_counts_only_deals_with_a_rate():
    rep = {"won_value": {"EUR": 1000.0, "USD": 1000.0, "CHF": 300.0}, "won_by_currency": {"EUR": 1, "USD": 1, "CHF": 3}}
    assert shape.average_won(rep, EUR, converted=False) == {"CHF": 100.0, "EUR": 1000.0, "USD": 1000.0}
    assert shape.average_won(rep, EUR, converted=True) == {"EUR": 950.0, "CHF": 100.0}


def goal(metric: Metric, target: float) -> Goal:
    return Goal(uuid4(), uuid4(), None, str(metric), "month", target, date(2026, 1, 1), None,
                datetime(2026, 1, 1, tzinfo=timezone.utc))


JANUARY = (date(2026, 1, 1), date(2026, 2, 1))


def test_attainment_projects_the_pace_so_far_and_the_pipeline_decides_the_likelihood():
    value = goal(Metric.DEALS_WON_VALUE, 1000)
    half = shape.attainment(value, 500, JANUARY, date(2026, 1, 10), open_weighted=600, open_best=900)
    assert (half["attainment"], half["projected"], half["days_elapsed"], half["likelihood"]) == (
        0.5, 1550.0, 10, "likely")
    assert shape.attainment(value, 500, JANUARY, date(2026, 1, 10), 100, 900)["likelihood"] == "possible"
    assert shape.attainment(value, 500, JANUARY, date(2026, 1, 10), 100, 400)["likelihood"] == "unlikely"
    assert shape.attainment(value, 1000, JANUARY, date(2026, 1, 10), 0, 0)["likelihood"] == "reached"
    added = shape.attainment(goal(Metric.DEALS_ADDED, 31), 10, JANUARY, date(2026, 1, 10), 99, 99)
    assert (added["projected"], added["likelihood"]) == (31.0, "likely"), "no pipeline predicts deals added"


def test_a_goal_is_checked_and_starts_on_its_period():
    checked = shape.check_goal(None, "deals_won_count", "quarter", 3, date(2026, 5, 17))
    assert (checked.metric, checked.starts_on) == (Metric.DEALS_WON_COUNT, date(2026, 4, 1))
    for metric, period, target, field in (("revenue", "month", 1, "metric"), ("deals_added", "week", 1, "period"),
                                          ("deals_added", "month", 1.5, "target"),
                                          ("deals_won_value", "month", -1, "target"),
                                          ("deals_won_value", "month", float("nan"), "target")):
        with pytest.raises(InvalidInput, match=f"^{field}:"):
            shape.check_goal(None, metric, period, target, date(2026, 1, 1))
    assert shape.goal_period(goal(Metric.DEALS_ADDED, 1), date(2025, 12, 31)) is None


def test_csv_cells_name_money_and_defuse_formulas():
    assert shape.csv_cell({"EUR": 1.5, "USD": 2.0}) == "EUR 1.50; USD 2.00"
    assert shape.csv_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert (shape.csv_cell("-12.5"), shape.csv_cell(None), shape.csv_cell(3)) == ("-12.5", "", "3")
