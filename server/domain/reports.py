"""What managers and task lists read: the pipeline report and when a task is due. Pure functions.

Money is summed per currency (deals in several currencies are never added together); weighted
value is value x the stage's win probability / 100. Where the workspace has exchange rates, each
sum is also given converted into the workspace currency (``converted``), with what had no rate
kept apart (``server.domain.money.convert``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple
from uuid import UUID

from server.domain.crm import CardEvent, Stage, StageKind
from server.domain.money import MoneySettings, convert


class DealFacts(NamedTuple):
    """What the report needs of one deal."""

    id: UUID
    stage: UUID
    status: str
    value: float | None
    currency: str | None
    owner: UUID | None
    expected_close: date | None


def when_due(due: date | None, today: date) -> str:
    """``overdue``, ``today``, ``upcoming`` or ``unscheduled``."""
    if due is None:
        return "unscheduled"
    return "overdue" if due < today else "today" if due == today else "upcoming"


def _add(totals: dict[str, float], currency: str | None, amount: float | None) -> None:
    if amount is not None:
        key = currency or "???"
        totals[key] = round(totals.get(key, 0.0) + amount, 2)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _paths(deals: Iterable[DealFacts], events: Iterable[CardEvent]) -> dict[UUID, list[UUID]]:
    """Each deal's stages in the order it visited them (its current stage last)."""
    paths: dict[UUID, list[UUID]] = defaultdict(list)
    for event in events:
        if event.kind in ("created", "moved") and event.to_stage is not None:
            path = paths[event.card]
            if not path or path[-1] != event.to_stage:
                path.append(event.to_stage)
    for deal in deals:
        path = paths[deal.id]
        if not path or path[-1] != deal.stage:
            path.append(deal.stage)
    return paths


def pipeline_report(stages: list[Stage], deals: list[DealFacts], events: list[CardEvent],
                    money: MoneySettings | None = None) -> dict[str, Any]:
    """Per stage: deals now in it (count, value, weighted value) and, from history, how many
    entered it, moved on to a later stage (or were won) and were lost from it; win rate per
    owner; the weighted forecast of open deals by expected close month. With ``money``'s rates,
    stages and months also carry their sums ``converted`` into the workspace currency."""
    position = {s.id: i for i, s in enumerate(stages)}
    probability = {s.id: (s.probability or 0.0) for s in stages}
    paths = _paths(deals, events)
    rows = {s.id: {"stage": s.id, "name": s.name, "kind": str(s.kind), "probability": s.probability, "count": 0,
                   "value": {}, "weighted": {}, "entered": 0, "advanced": 0, "lost": 0} for s in stages}
    for deal in deals:
        row = rows.get(deal.stage)
        if row is not None:
            row["count"] += 1
            _add(row["value"], deal.currency, deal.value)
            _add(row["weighted"], deal.currency,
                 None if deal.value is None else deal.value * probability[deal.stage] / 100)
        _history(rows, position, stages, paths[deal.id], deal.status)
    for row in rows.values():
        row["conversion"] = _ratio(row["advanced"], row["entered"])
        row["loss_rate"] = _ratio(row["lost"], row["entered"])
    forecast = _forecast(deals, probability)
    for totals in (*rows.values(), *forecast):
        totals["converted"] = _converted(totals, money)
    return {"stages": list(rows.values()), "owners": _owners(deals), "forecast": forecast}


def _converted(totals: dict[str, Any], money: MoneySettings | None) -> dict[str, Any] | None:
    """Value and weighted value in the workspace currency, or None while it has no rates."""
    if money is None or not money.rates:
        return None
    value, weighted = convert(totals["value"], money), convert(totals["weighted"], money)
    return {"currency": money.currency, "value": value.amount, "weighted": weighted.amount,
            "unconverted": value.unconverted, "unconverted_weighted": weighted.unconverted}


def _history(rows: dict, position: dict[UUID, int], stages: list[Stage], path: list[UUID], status: str) -> None:
    visited = [s for s in path if s in position]
    for stage in dict.fromkeys(visited):
        rows[stage]["entered"] += 1
        later = visited[visited.index(stage) + 1:]
        onward = any(position[s] > position[stage] and stages[position[s]].kind is not StageKind.LOST for s in later)
        if status == "won" or onward:
            rows[stage]["advanced"] += 1
    if status == "lost":
        open_visits = [s for s in visited if stages[position[s]].kind is StageKind.OPEN]
        if open_visits:
            rows[open_visits[-1]]["lost"] += 1


def _owners(deals: list[DealFacts]) -> list[dict[str, Any]]:
    counts: dict[UUID | None, dict[str, int]] = defaultdict(lambda: {"open": 0, "won": 0, "lost": 0})
    for deal in deals:
        counts[deal.owner][deal.status] += 1
    return [{"owner": owner, **c, "win_rate": _ratio(c["won"], c["won"] + c["lost"])}
            for owner, c in sorted(counts.items(), key=lambda item: str(item[0]))]


def _forecast(deals: list[DealFacts], probability: dict[UUID, float]) -> list[dict[str, Any]]:
    months: dict[str, dict[str, Any]] = {}
    for deal in deals:
        if deal.status != "open" or deal.expected_close is None or deal.stage not in probability:
            continue
        month = months.setdefault(deal.expected_close.strftime("%Y-%m"), {"count": 0, "value": {}, "weighted": {}})
        month["count"] += 1
        _add(month["value"], deal.currency, deal.value)
        _add(month["weighted"], deal.currency,
             None if deal.value is None else deal.value * probability[deal.stage] / 100)
    return [{"month": key, **months[key]} for key in sorted(months)]
