"""The insights rollups (issue 19, migrations ``0036_insights_*``) and their statements
(``sql/insights_rollup.sql``): the funnel's (``funnel_months``, ``funnel_days``: which part of a
period is read from them and which from the stage visits — a time zone's midnight is seldom UTC's,
so a period is whole UTC months, then whole UTC days, then the hours at either end) and the closed
deals' (``deal_closes``, read by reps, lost reasons and won by period)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from server.storage.queries import queries

ROLLUP = queries("insights_rollup")


def whole_days(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The whole UTC days inside [start, end) as [first, after); (end, end) when there is none."""
    first = start.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    if first < start:
        first += timedelta(days=1)
    after = end.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return (first, after) if first < after else (end, end)


def rollup_bounds(start: datetime, end: datetime) -> tuple[datetime, datetime, date, date, date, date]:
    """The ``funnel_days`` statement's $5..$10 for the period [start, end): the whole UTC days inside
    it as instants and as dates [first, after), and the whole UTC months among them [first, after)
    (both the day after the last whole day when there is none)."""
    first, after = whole_days(start, end)
    days = first.date(), after.date()
    month = days[0] if days[0].day == 1 else (days[0].replace(day=28) + timedelta(days=4)).replace(day=1)
    months = (month, days[1].replace(day=1)) if month < days[1].replace(day=1) else (days[1], days[1])
    return first, after, *days, *months
