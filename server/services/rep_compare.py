"""Comparing reps (issue 19, docs/insights.md "Comparing reps"): two or more reps beside the
baseline — their team's figures when the dashboard is filtered by a team, else every owner's in
the workspace — over the dashboard's pipelines and period, and what explains the difference
(``server.domain.rep_compare``).

The figures, each a row with a cell per rep and the baseline's, each cell with the filters of the
deals behind it (the dashboard's drill-down, ``Insights.deals``): per open stage the conversion
(entered → moved on) and the median days in it (the funnel, per owner from its rollups); the
activity mix per won and per open deal (calls, meetings, e-mails, tasks done); the median hours to
a new deal's first activity; win rate; the average won deal (in the workspace currency); the share
of each lost reason; and the weighted pipeline against the rep's goal (won value or count) where
there is one. The reads run side by side (each on a pooled connection of its own).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from server.domain import insights as shape
from server.domain.insights import Goal, Metric, Scope
from server.domain.money import convert
from server.domain.rep_compare import ACTIVITY_KINDS, Cell, Figure, explain
from server.services.ports.insights import InsightsReads, Row

MAX_REPS = 6
Owners = tuple[UUID, ...] | None


async def compare(reads: InsightsReads, ctx: Any, reps: Sequence[UUID], listed: Sequence[str],
                  goals: Sequence[Goal], today: date, lang: str) -> dict[str, Any]:
    """The comparison of ``reps`` with the baseline (``ctx``'s owners: a team's members, or None) in
    ``ctx``'s scope; sentences in ``lang``."""
    base = ctx.scope()
    one = {rep: base._replace(owners=(rep,)) for rep in reps}
    stages, funnels, losses, rep_rows, mix, first, coverage = await asyncio.gather(
        reads.stages(base.boards), _each(reads.funnel, base, one), _each(lambda s: reads.lost_reasons(s, listed),
                                                                           base, one),
        reads.reps(base), reads.activity_mix(base), reads.first_activity(base),
        _coverage(reads, base, reps, goals, today, ctx))
    figures = [*_stage_figures(stages, funnels, reps), *_rep_figures(rep_rows, reps, ctx.money),
               *_mix_figures(mix, reps), _first_figure(first, reps), *_loss_figures(losses, reps, listed), coverage]
    names = {rep: ctx.names.get(rep, "?") for rep in reps}
    baseline = "team" if ctx.team else "workspace"
    return {**ctx.header(), "owner": None, "owner_name": None, "baseline": baseline,
            "baseline_name": ctx.team[1] if ctx.team else None, "lang": lang,
            "reps": [{"owner": rep, "name": names[rep]} for rep in reps],
            "figures": [_figure_row(f, reps) for f in figures],
            "explanation": explain(figures, names, baseline, lang)}


async def _each(read: Any, base: Scope, one: dict[UUID, Scope]) -> dict[UUID | None, list[Row]]:
    """``read`` over the baseline (key None) and over each rep alone, side by side."""
    keys = [None, *one]
    answers = await asyncio.gather(read(base), *(read(scope) for scope in one.values()))
    return dict(zip(keys, answers))


def _drill(figure: str, owner: UUID | None, **more: Any) -> dict[str, str]:
    """The drill-down's query: a rep's deals, or (owner None) the baseline's (the dashboard's owner lifted)."""
    return {"figure": figure, "owner": str(owner) if owner else "",
            **{k: str(v) for k, v in more.items() if v is not None}}


def _stage_figures(stages: list[Row], funnels: dict[UUID | None, list[Row]], reps: Sequence[UUID]) -> list[Figure]:
    """Per open stage entered in the period: conversion to the next stage and median days in it."""
    boards = {s["board_id"] for s in stages}
    out = []
    for i, stage in enumerate(stages):
        key = (stage["board_id"], stage["stage_id"])
        counts = {who: {(r["board_id"], r["stage_id"]): r for r in rows}.get(key) for who, rows in funnels.items()}
        if stage["kind"] != "open" or not counts[None] or not counts[None]["entered"]:
            continue
        later = [s for s in stages[i + 1:] if s["board_id"] == stage["board_id"] and s["kind"] != "lost"]
        label = f"{stage['name']} → {later[0]['name']}" if later else stage["name"]
        if len(boards) > 1:
            label = f"{stage['board_name']}: {label}"
        s = stage["stage_id"]

        def cell(who: UUID | None, what: str) -> Cell:
            got = counts.get(who) or {}
            entered = got.get("entered", 0)
            value = shape.ratio(got.get("advanced", 0), entered) if what == "conversion" else \
                shape.rounded(got.get("median_days"))
            return Cell(value, entered, _drill("advanced" if what == "conversion" else "entered", who, stage=s))

        for what in ("conversion", "median_days"):
            out.append(Figure(what, {rep: cell(rep, what) for rep in reps}, cell(None, what),
                              label if what == "conversion" else stage["name"], s))
    return out


def _rep_figures(rows: list[Row], reps: Sequence[UUID], money: Any) -> list[Figure]:
    """Win rate and the average won deal (converted into the workspace currency where a rate exists)."""
    owners = shape.reps(rows, money.currency)
    overall = [r for r in rows if r["overall"]]
    everyone: dict[str, Any] = {"won_value": {}, "won_by_currency": {}}
    for rep in owners.values():
        for currency, amount in rep["won_value"].items():
            everyone["won_value"][currency] = everyone["won_value"].get(currency, 0.0) + amount
        for currency, count in rep["won_by_currency"].items():
            everyone["won_by_currency"][currency] = everyone["won_by_currency"].get(currency, 0) + count
    won, lost = sum(r["won"] for r in overall), sum(r["lost"] for r in overall)

    def rate(rep: dict[str, Any] | None, who: UUID | None) -> Cell:
        rep = rep or {}
        return Cell(rep.get("win_rate"), rep.get("won", 0) + rep.get("lost", 0), _drill("won", who))

    def average(rep: dict[str, Any] | None, who: UUID | None) -> Cell:
        if not rep or not rep.get("won_value"):
            return Cell(None, 0, _drill("won", who))
        value = shape.average_won(rep, money, True).get(money.currency)
        return Cell(value, sum(rep["won_by_currency"].values()), _drill("won", who))

    base_rep = {"win_rate": shape.ratio(won, won + lost), "won": won, "lost": lost}
    return [Figure("win_rate", {r: rate(owners.get(r), r) for r in reps}, rate(base_rep, None)),
            Figure("average_won", {r: average(owners.get(r), r) for r in reps}, average(everyone, None),
                   money.currency)]


def _mix_figures(rows: list[Row], reps: Sequence[UUID]) -> list[Figure]:
    """Activities of each kind done per won deal and per open deal."""
    found = {(r["kind"], None if r["overall"] else r["owner_id"]): r for r in rows}
    out = []
    for kind, key, figure in (("won", "per_won", "won"), ("open", "per_open", "open_now")):
        for activity in ACTIVITY_KINDS:
            def cell(who: UUID | None) -> Cell:
                row = found.get((kind, who))
                deals = row["deals"] if row else 0
                return Cell(shape.ratio(row[activity], deals, 2) if row else None, deals, _drill(figure, who))

            out.append(Figure(key, {r: cell(r) for r in reps}, cell(None), activity))
    return out


def _first_figure(rows: list[Row], reps: Sequence[UUID]) -> Figure:
    """Median hours from a new deal to its first activity (sample: the new deals with one)."""
    found = {None if r["overall"] else r["owner_id"]: r for r in rows}

    def cell(who: UUID | None) -> Cell:
        row = found.get(who)
        return Cell(shape.rounded(row["median_hours"], 1) if row else None, row["touched"] if row else 0,
                    _drill("added", who))

    return Figure("first_activity_hours", {r: cell(r) for r in reps}, cell(None))


def _loss_figures(losses: dict[UUID | None, list[Row]], reps: Sequence[UUID], listed: Sequence[str]) -> list[Figure]:
    """Each lost reason's share of the lost deals (listed reasons; '' other text; None none given)."""
    per: dict[UUID | None, dict[str | None, int]] = {}
    for who, rows in losses.items():
        for row in rows:
            per.setdefault(who, {})[row["reason"]] = per.get(who, {}).get(row["reason"], 0) + row["deals"]
    base = per.get(None, {})
    order = {reason: i for i, reason in enumerate(listed)}
    out = []
    for reason in sorted(base, key=lambda r: (-base[r], order.get(r, len(order)), r or "")):
        drill_reason = "none" if reason is None else "other" if reason == "" else reason

        def cell(who: UUID | None) -> Cell:
            mine = per.get(who, {})
            lost = sum(mine.values())
            return Cell(shape.ratio(mine.get(reason, 0), lost), lost, _drill("lost", who, reason=drill_reason))

        out.append(Figure("lost_share", {r: cell(r) for r in reps}, cell(None), reason))
    return out


async def _coverage(reads: InsightsReads, base: Scope, reps: Sequence[UUID], goals: Sequence[Goal], today: date,
                    ctx: Any) -> Figure:
    """The weighted open pipeline (expected to close in the rest of the goal's period) over the goal's
    target, for each rep with a goal on won value or count; the baseline's against its team's goal
    (or the workspace's)."""
    def goal_of(rep: UUID | None) -> Goal | None:
        for goal in goals:
            won = goal.metric in (Metric.DEALS_WON_VALUE, Metric.DEALS_WON_COUNT)
            mine = goal.user_id == rep and (goal.team_id == (ctx.team[0] if ctx.team and rep is None else None))
            if won and mine and shape.goal_period(goal, today):
                return goal
        return None

    async def cell(rep: UUID | None) -> Cell:
        goal = goal_of(rep)
        if goal is None:
            return Cell(None, 0)
        first, after = shape.goal_period(goal, today)  # type: ignore[misc]
        owners: Owners = (rep,) if rep else base.owners
        rows = await reads.open_by_period(base.boards, max(today, first), after, owners, goal.period)
        if goal.metric == Metric.DEALS_WON_COUNT:
            weighted = sum(r["weighted_deals"] or 0.0 for r in rows)
        else:
            weighted = convert(shape.totals(((r["currency"], r["weighted"]) for r in rows), ctx.money.currency),
                               ctx.money).amount
        return Cell(shape.ratio(weighted, goal.target), sum(r["deals"] for r in rows))

    cells = await asyncio.gather(cell(None), *(cell(rep) for rep in reps))
    return Figure("coverage", dict(zip(reps, cells[1:])), cells[0])


def _figure_row(figure: Figure, reps: Sequence[UUID]) -> dict[str, Any]:
    def cell(c: Cell) -> dict[str, Any]:
        return {"value": c.value, "sample": c.sample, "drill": c.drill}

    return {"key": figure.key, "of": figure.of, "stage": figure.stage,
            "cells": [{"owner": rep, **cell(figure.cells[rep])} for rep in reps], "baseline": cell(figure.baseline)}
