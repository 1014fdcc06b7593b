"""Insights (issue 19): what the dashboard reads, shaped from the rows the insights queries return.

Every figure is computed in SQL (``server/storage/sql/insights.sql``, one statement per figure);
this module owns the vocabulary and the pure arithmetic around them: the period a filter names
(dates read in the caller's time zone, so a deal won at 23:30 UTC on 31 January counts in
February in Berlin), the previous period of the same length (trends), money per currency or
converted at the workspace's rates, the funnel's ratios (none for the Won and Lost stages: a
deal that reached them has no next stage), and goals: attainment to date, a straight-line
projection to the period's end, and a likelihood from the open pipeline. No I/O.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, NamedTuple
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.domain.accounts import InvalidInput
from server.domain.money import MoneySettings, add, convert

MAX_DAYS = 3660  # a range of at most ten years: the queries stay bounded
Money = dict[str, float]


class Metric(enum.StrEnum):
    DEALS_WON_COUNT = "deals_won_count"
    DEALS_WON_VALUE = "deals_won_value"
    DEALS_ADDED = "deals_added"
    ACTIVITIES_DONE = "activities_done"


class Interval(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


class Range(NamedTuple):
    """Dates ``first`` to ``last`` (both included) in ``zone``, and the instants they span: [start, end)."""

    first: date
    last: date
    zone: str
    start: datetime
    end: datetime

    def previous(self) -> Range:
        """The same number of days just before."""
        days = (self.last - self.first).days + 1
        return span(self.first - timedelta(days), self.first - timedelta(1), self.zone)


class Scope(NamedTuple):
    """What a figure is filtered by: pipeline boards, the period's instants [start, end), and the owners
    whose deals count (None: every owner; one for a rep, a team's members for a team: one read either way)."""

    boards: list[UUID]
    start: datetime
    end: datetime
    owners: tuple[UUID, ...] | None = None


class Goal(NamedTuple):
    id: UUID
    workspace_id: UUID
    user_id: UUID | None  # None: the whole workspace
    metric: str
    period: str
    target: float
    starts_on: date
    created_by: UUID | None
    created_at: datetime
    team_id: UUID | None = None  # a team's goal (user_id None): the sum of its members' (migration 0035)


class GoalChange(NamedTuple):
    user_id: UUID | None
    metric: Metric
    period: Interval
    target: float
    starts_on: date
    team_id: UUID | None = None


def zone(name: str | None) -> str:
    """An IANA time zone name (``Europe/Berlin``); ``InvalidInput`` naming ``tz`` otherwise."""
    if not name:
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"tz: expected an IANA time zone such as Europe/Berlin, got {name[:60]!r}") from None
    return name


def today_in(name: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(name)).date()


def midnight(day: date, name: str) -> datetime:
    """The instant ``day`` begins in time zone ``name`` (in UTC)."""
    return datetime.combine(day, time(), ZoneInfo(name)).astimezone(timezone.utc)


def span(first: date, last: date, name: str) -> Range:
    """The dates ``first``..``last`` in zone ``name``; ``InvalidInput`` naming ``from`` if backwards or too long."""
    if last < first:
        raise InvalidInput(f"from: expected a date on or before to ({last}), got {first}")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"from: expected a range of at most {MAX_DAYS} days, got {(last - first).days + 1}")
    return Range(first, last, name, midnight(first, name), midnight(last + timedelta(1), name))


def period_start(day: date, interval: Interval | str) -> date:
    """The first day of the month or quarter ``day`` is in."""
    month = day.month if interval == Interval.MONTH else 3 * ((day.month - 1) // 3) + 1
    return date(day.year, month, 1)


def next_period(start: date, interval: Interval | str) -> date:
    months = 1 if interval == Interval.MONTH else 3
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def periods(first: date, last: date, interval: Interval | str) -> list[date]:
    """The first days of every period from the one holding ``first`` to the one holding ``last``."""
    starts, at = [], period_start(first, interval)
    while at <= last:
        starts.append(at)
        at = next_period(at, interval)
    return starts


def label(start: date, interval: Interval | str) -> str:
    """``2026-03`` or ``2026-Q1``."""
    return f"{start:%Y-%m}" if interval == Interval.MONTH else f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def default_range(today: date, name: str) -> Range:
    """What a filter without dates means: the current quarter to date."""
    return span(period_start(today, Interval.QUARTER), today, name)


# --- money ----------------------------------------------------------------------------------------

def totals(rows: Iterable[tuple[str | None, float | None]], default: str) -> Money:
    """Amounts added per currency (``default`` where a deal names none)."""
    money: Money = {}
    for currency, amount in rows:
        add(money, currency, amount, default)
    return money


def shown(money: Money, settings: MoneySettings, converted: bool) -> Money:
    """``money`` per currency, or (``converted``) in the workspace currency with what has no rate kept apart."""
    if not converted:
        return dict(sorted(money.items()))
    result = convert(money, settings)
    return {settings.currency: result.amount, **dict(sorted(result.unconverted.items()))} if money else {}


def ratio(part: float, whole: float, digits: int = 4) -> float | None:
    return round(part / whole, digits) if whole else None


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or math.isnan(value) else round(value, digits)


# --- funnel ---------------------------------------------------------------------------------------

def funnel(stages: Sequence[Mapping[str, Any]], counts: Mapping[tuple[UUID, UUID], Mapping[str, Any]],
           stuck: Mapping[tuple[UUID, UUID], int]) -> list[dict[str, Any]]:
    """One row per stage in board and column order. Open stages carry advanced, lost, conversion and
    drop-off (the share of the deals that entered and did not move on); Won and Lost stages only how many
    reached them."""
    rows = []
    for stage in stages:
        key = (stage["board_id"], stage["stage_id"])
        got = counts.get(key, {})
        entered, is_open = got.get("entered", 0), stage["kind"] == "open"
        advanced, lost = got.get("advanced", 0), got.get("lost", 0)
        conversion = ratio(advanced, entered) if is_open else None
        rows.append({
            "board": stage["board_id"], "board_name": stage["board_name"], "stage": stage["stage_id"],
            "stage_name": stage["name"], "kind": stage["kind"], "probability": stage["probability"],
            "entered": entered, "advanced": advanced if is_open else None, "lost": lost if is_open else None,
            "conversion": conversion, "drop_off": None if conversion is None else round(1 - conversion, 4),
            "median_days": rounded(got.get("median_days")), "stuck": stuck.get(key, 0) if is_open else 0,
            "rot_days": stage["rot_days"]})
    return rows


# --- reps -----------------------------------------------------------------------------------------

def reps(rows: Iterable[Mapping[str, Any]], default: str) -> dict[UUID | None, dict[str, Any]]:
    """Per owner: won, lost, win rate, median cycle, touches and e-mails per won deal, value won and
    won deals per currency (from the ``reps`` query's overall and per-currency rows)."""
    owners: dict[UUID | None, dict[str, Any]] = {}
    for row in rows:
        rep = owners.setdefault(row["owner_id"], {"won_value": {}, "won_by_currency": {}})
        if row["overall"]:
            won, lost = row["won"], row["lost"]
            rep.update(won=won, lost=lost, win_rate=ratio(won, won + lost),
                       median_cycle_days=rounded(row["median_cycle_days"]),
                       touches_per_won=ratio(row["touches"], won, 2), emails_per_won=ratio(row["emails"], won, 2))
        elif row["won"]:
            currency = row["currency"] or default
            add(rep["won_value"], currency, row["won_value"] or 0.0, default)
            rep["won_by_currency"][currency] = rep["won_by_currency"].get(currency, 0) + row["won"]
    return owners


def average_won(rep: Mapping[str, Any], settings: MoneySettings, converted: bool) -> Money:
    """The average won deal per currency, or (``converted``) over every deal with a rate."""
    values, counts = rep["won_value"], rep["won_by_currency"]
    if not converted:
        return {c: round(values[c] / counts[c], 2) for c in sorted(values) if counts.get(c)}
    known = [c for c in values if c == settings.currency or c in settings.rates]
    average: Money = {}
    if known:
        total = convert({c: values[c] for c in known}, settings).amount
        average[settings.currency] = round(total / sum(counts[c] for c in known), 2)
    average.update({c: round(values[c] / counts[c], 2) for c in sorted(values) if c not in known})
    return average


# --- goals ----------------------------------------------------------------------------------------

def check_goal(user: UUID | None, metric: object, period: object, target: object, starts_on: date,
               team: UUID | None = None) -> GoalChange:
    """A goal's values, each checked; ``InvalidInput`` naming the field otherwise."""
    if user is not None and team is not None:
        raise InvalidInput("team_id: expected a goal for one member (user_id) or one team (team_id), not both")
    if metric not in set(Metric):
        raise InvalidInput(f"metric: expected one of {', '.join(Metric)}, got {str(metric)[:40]!r}")
    if period not in set(Interval):
        raise InvalidInput(f"period: expected month or quarter, got {str(period)[:40]!r}")
    metric, period = Metric(metric), Interval(period)
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not math.isfinite(target) \
            or not 0 < target < 1e15:
        raise InvalidInput(f"target: expected a positive number, got {target!r}"[:120])
    if metric in (Metric.DEALS_WON_COUNT, Metric.DEALS_ADDED, Metric.ACTIVITIES_DONE) and target != int(target):
        raise InvalidInput(f"target: {metric} counts; expected a whole number, got {target}")
    return GoalChange(user, metric, period, float(target), period_start(starts_on, period), team)


def goal_period(goal: Goal, on: date) -> tuple[date, date] | None:
    """The goal's period holding ``on``: (first day, first day after); None before the goal starts."""
    if on < goal.starts_on:
        return None
    start = period_start(on, goal.period)
    return start, next_period(start, goal.period)


def attainment(goal: Goal, actual: float, period: tuple[date, date], today: date,
               open_weighted: float, open_best: float) -> dict[str, Any]:
    """Attainment to date, projected to the period's end at the pace so far, and how likely the target
    is: ``reached``; ``likely`` when what is won plus the open pipeline's weighted value (deals expected
    to close in the rest of the period) reaches it, ``possible`` when only its full value would,
    ``unlikely`` otherwise. For deals added and activities done, which no pipeline predicts, the
    projection decides (likely or unlikely)."""
    first, after = period
    days = (after - first).days
    elapsed = min(max((today - first).days + 1, 0), days)
    projected = actual * days / elapsed if elapsed else 0.0
    remaining = max(goal.target - actual, 0.0)
    if actual >= goal.target:
        likelihood, why = "reached", "the target is reached"
    elif goal.metric in (Metric.DEALS_ADDED, Metric.ACTIVITIES_DONE):
        likelihood = "likely" if projected >= goal.target else "unlikely"
        why = f"at the pace so far ({actual:g} in {elapsed} of {days} days) the period ends near {projected:.1f}"
    elif open_weighted >= remaining:
        likelihood, why = "likely", f"the open pipeline's weighted {open_weighted:.2f} covers the {remaining:g} to go"
    elif open_best >= remaining:
        likelihood = "possible"
        why = f"only if more than the weighted {open_weighted:.2f} closes: all open deals make {open_best:.2f}"
    else:
        likelihood, why = "unlikely", f"even every open deal ({open_best:.2f}) leaves the {remaining:g} to go short"
    return {"period_start": first, "period_end": after - timedelta(1), "actual": round(actual, 2),
            "attainment": round(actual / goal.target, 4), "projected": round(projected, 2),
            "days_elapsed": elapsed, "days_in_period": days, "open_weighted": round(open_weighted, 2),
            "open_best_case": round(open_best, 2), "likelihood": likelihood, "explanation": why}


# --- CSV ------------------------------------------------------------------------------------------

def csv_cell(value: object) -> str:
    """A cell as text; money as ``EUR 120.00; USD 5.00``; text that a spreadsheet would run as a formula
    gets a leading apostrophe (OWASP CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in value.items())
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
