"""Insights (issue 19): the funnel, lost reasons, reps, forecast, the deals behind any figure, and
goals with their attainment. Members of a workspace (any role) read them over the pipelines they
reach; guests and strangers get 404, as for any workspace read. Owners and admins set goals.

Each figure is one query (``InsightsReads``); this module picks the scope (boards, period in the
caller's time zone, the owners: one, a team's members, or everyone — a team is one read, so its
medians are exact), names every board, stage and person, and shapes the rows with
``server.domain.insights``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any, NamedTuple
from uuid import UUID

from server.domain import insights as shape
from server.domain.access import Action, NotFound
from server.domain.accounts import InvalidInput
from server.domain.insights import Goal, Interval, Metric, Range, Scope
from server.domain.money import MoneySettings, convert
from server.services.accounts import Caller
from server.services.boards import Boards
from server.services.currencies import money_of
from server.services.ports.forecast import Teams
from server.services.ports.insights import Goals, InsightsReads
from server.services.ports.unit import Begin, Unit
from server.services import rep_compare
from server.services.records import workspace_role
from server.services.workspace_lists import WorkspaceLists

STAGE_FIGURES = ("entered", "advanced", "lost_from_stage")
FIGURES = (*STAGE_FIGURES, "stuck", "won", "lost", "open", "added", "open_now")


class Filters(NamedTuple):
    """What the caller asked for: pipelines (None: all they reach), owner, dates, time zone, money."""

    boards: Sequence[UUID] | None = None
    owner: UUID | None = None
    first: date | None = None
    last: date | None = None
    tz: str | None = None
    converted: bool = False
    team: UUID | None = None  # deals owned by the team's members (with ``owner``: that member, if one of them)


class Context(NamedTuple):
    """A request's resolved scope: the boards (id -> name), the period, money settings, names of people."""

    boards: dict[UUID, str]
    range: Range
    money: MoneySettings
    names: dict[UUID, str]
    converted: bool
    owner: UUID | None
    team: tuple[UUID, str] | None = None  # the team filtered by, and its name
    owners: tuple[UUID, ...] | None = None  # with a team: its members (narrowed to ``owner`` if given)

    def who(self) -> tuple[UUID, ...] | None:
        """The owners whose deals count: a team's members, the one owner asked for, or None (everyone's)."""
        if self.owners is not None:
            return self.owners
        return (self.owner,) if self.owner else None

    def scope(self, period: Range | None = None) -> Scope:
        """The scope of every figure: one read, a team's members included at once."""
        period = period or self.range
        return Scope(list(self.boards), period.start, period.end, self.who())

    def money_of(self, rows: Sequence[dict[str, Any]], column: str) -> dict[str, float]:
        return shape.shown(shape.totals(((r["currency"], r[column]) for r in rows), self.money.currency),
                           self.money, self.converted)

    def header(self) -> dict[str, Any]:
        return {"boards": [{"id": b, "name": n} for b, n in self.boards.items()], "from": self.range.first,
                "to": self.range.last, "tz": self.range.zone, "owner": self.owner,
                "owner_name": self.names.get(self.owner) if self.owner else None,
                "team": self.team[0] if self.team else None, "team_name": self.team[1] if self.team else None,
                "currency_mode": "converted" if self.converted else "apart", "currency": self.money.currency}


class Insights:
    """The insights use cases."""

    def __init__(self, begin: Begin, boards: Boards, lists: WorkspaceLists, reads: InsightsReads, goals: Goals,
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc), teams: Teams | None = None) -> None:
        self._begin, self._boards, self._lists, self._reads, self._goals = begin, boards, lists, reads, goals
        self._now, self._teams = now, teams

    async def context(self, caller: Caller, workspace: UUID, filters: Filters,
                      default: Callable[[date, str], Range] = shape.default_range) -> Context:
        """The resolved scope of a request (boards the caller reaches, period, money, names)."""
        return await self._context(caller, workspace, filters, default)

    async def stage_names(self, boards: Sequence[UUID]) -> list[dict[str, Any]]:
        """The boards' stages (``InsightsReads.stages``), for naming them."""
        return await self._reads.stages(boards)

    async def _context(self, caller: Caller, workspace: UUID, filters: Filters,
                       default: Callable[[date, str], Range] = shape.default_range) -> Context:
        zone = shape.zone(filters.tz)
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.VIEW)
            money = await money_of(tx, workspace)
            names = await _names(tx, workspace)
        boards = await self._pipelines(caller, workspace, filters.boards)
        today = shape.today_in(zone, self._now())
        if filters.first is None and filters.last is None:
            period = default(today, zone)
        else:
            last = filters.last or today
            period = shape.span(filters.first or shape.period_start(last, Interval.QUARTER), last, zone)
        ctx = Context(boards, period, money, names, filters.converted, filters.owner)
        return await self._team_of(ctx, workspace, filters.team) if filters.team else ctx

    async def _team_of(self, ctx: Context, workspace: UUID, team: UUID) -> Context:
        """``ctx`` narrowed to a team's members (those still members of the workspace)."""
        found = await self._teams.get(team) if self._teams else None
        if found is None or found.workspace_id != workspace:
            raise InvalidInput(f"team: expected a team of this workspace, got {team}")
        owners = tuple(m for m in found.members if m in ctx.names and (ctx.owner is None or m == ctx.owner))
        return ctx._replace(team=(found.id, found.name), owners=owners)

    async def _pipelines(self, caller: Caller, workspace: UUID, asked: Sequence[UUID] | None) -> dict[UUID, str]:
        """The pipeline boards asked for (each one the caller reaches, archived or not), or every
        pipeline the caller reaches that is not archived."""
        views = [v.board for v in await self._boards.visible(caller, workspace) if v.board.kind == "pipeline"]
        if not asked:
            return {b.id: b.name for b in views if b.archived_at is None}
        known = {b.id: b.name for b in views}
        for board in asked:
            if board not in known:
                raise NotFound(f"no such pipeline board in this workspace: {board}")
        return {board: known[board] for board in dict.fromkeys(asked)}

    async def funnel(self, caller: Caller, workspace: UUID, filters: Filters) -> dict[str, Any]:
        """Per stage: entered, advanced, lost, drop-off, median days in stage, stuck now."""
        ctx = await self._context(caller, workspace, filters)
        stages = await self._reads.stages(list(ctx.boards))
        counts = {(r["board_id"], r["stage_id"]): r for r in await self._reads.funnel(ctx.scope())}
        stuck = {(r["board_id"], r["stage_id"]): r["stuck"]
                 for r in await self._reads.stuck(list(ctx.boards), ctx.who())}
        return {**ctx.header(), "stages": shape.funnel(stages, counts, stuck)}

    async def lost_reasons(self, caller: Caller, workspace: UUID, filters: Filters) -> dict[str, Any]:
        """Deals lost in the period per reason: the workspace's listed reasons, other text, none given."""
        ctx = await self._context(caller, workspace, filters)
        listed = (await self._lists.get(caller, workspace)).lost_reasons
        rows = await self._reads.lost_reasons(ctx.scope(), listed)
        groups: dict[str | None, list[dict[str, Any]]] = {}
        for row in rows:
            groups.setdefault(row["reason"], []).append(row)
        reasons = [{"reason": reason or None, "kind": _reason_kind(reason),
                    "deals": sum(r["deals"] for r in group), "value": ctx.money_of(group, "value")}
                   for reason, group in groups.items()]
        order = {reason: i for i, reason in enumerate(listed)}
        reasons.sort(key=lambda r: (-r["deals"], order.get(r["reason"], len(order)), r["kind"]))
        return {**ctx.header(), "listed": listed, "reasons": reasons, "deals": sum(r["deals"] for r in reasons)}

    async def reps(self, caller: Caller, workspace: UUID, filters: Filters) -> dict[str, Any]:
        """Per owner: won, lost, win rate, average won, median cycle, touches per won deal; and the
        same for the period of the same length just before (trends)."""
        ctx = await self._context(caller, workspace, filters)
        before = ctx.range.previous()
        now = shape.reps(await self._reads.reps(ctx.scope()), ctx.money.currency)
        then = shape.reps(await self._reads.reps(ctx.scope(before)), ctx.money.currency)
        ctx = ctx._replace(names=await self._former(ctx.names, now.keys() | then.keys()))
        rows = [{"owner": owner, "owner_name": ctx.names.get(owner) if owner else None,
                 **_rep(now.get(owner), ctx), "previous": _rep(then.get(owner), ctx)}
                for owner in now.keys() | then.keys()]
        rows.sort(key=lambda r: (-(r["won"] or 0), r["owner_name"] is None, (r["owner_name"] or "").casefold()))
        return {**ctx.header(), "previous_from": before.first, "previous_to": before.last, "reps": rows}

    async def compare(self, caller: Caller, workspace: UUID, filters: Filters, reps: Sequence[UUID],
                      lang: str = "en") -> dict[str, Any]:
        """Reps side by side with their team (or every owner) and what explains the difference
        (``server.services.rep_compare``); the dashboard's owner filter does not apply."""
        reps = list(dict.fromkeys(reps))
        if not 1 <= len(reps) <= rep_compare.MAX_REPS:
            raise InvalidInput(f"rep: expected 1 to {rep_compare.MAX_REPS} reps to compare, got {len(reps)}")
        ctx = await self._context(caller, workspace, filters._replace(owner=None))
        allowed = set(ctx.owners) if ctx.owners is not None else set(ctx.names)
        strangers = [str(rep) for rep in reps if rep not in allowed]
        if strangers:
            raise InvalidInput(f"rep: expected members of this workspace{' and team' if ctx.team else ''}, "
                               f"got {', '.join(strangers)[:120]}")
        listed = (await self._lists.get(caller, workspace)).lost_reasons
        today = shape.today_in(ctx.range.zone, self._now())
        return await rep_compare.compare(self._reads, ctx, reps, listed, await self._goals.of_workspace(workspace),
                                         today, lang if lang in ("en", "de") else "en")

    async def _former(self, names: dict[UUID, str], people: set[UUID | None]) -> dict[UUID, str]:
        """``names`` and the names of ``people`` who have left the workspace (their deals stay theirs)."""
        missing = {p for p in people if p is not None and p not in names}
        if not missing:
            return names
        async with self._begin() as tx:
            found = {p: await tx.users.by_id(p) for p in missing}
        return {**names, **{p: user.name for p, user in found.items() if user is not None}}

    async def forecast(self, caller: Caller, workspace: UUID, filters: Filters,
                       interval: Interval = Interval.MONTH) -> dict[str, Any]:
        """Per month or quarter of expected close: open deals, weighted, best case, commit; and the
        deals won in it (by when they were won, in the caller's time zone)."""
        ctx = await self._context(caller, workspace, filters, lambda today, zone: _ahead(today, zone, interval))
        starts = shape.periods(ctx.range.first, ctx.range.last, interval)
        first, after = starts[0], shape.next_period(starts[-1], interval)
        ctx = ctx._replace(range=shape.span(first, after - timedelta(1), ctx.range.zone))
        open_rows = await self._reads.open_by_period(list(ctx.boards), first, after, ctx.who(), str(interval))
        won_rows = await self._reads.won_by_period(ctx.scope(), str(interval), ctx.range.zone)
        rows = []
        for start in starts:
            mine = [r for r in open_rows if r["period"] == start]
            won = [r for r in won_rows if r["period"] == start]
            rows.append({"period": start, "label": shape.label(start, interval),
                         "open_deals": sum(r["deals"] for r in mine), "value": ctx.money_of(mine, "value"),
                         "weighted": ctx.money_of(mine, "weighted"), "best_case": ctx.money_of(mine, "best_case"),
                         "commit": ctx.money_of(mine, "commit"), "commit_deals": sum(r["commit_deals"] for r in mine),
                         "won_deals": sum(r["deals"] for r in won), "closed_won": ctx.money_of(won, "value")})
        return {**ctx.header(), "interval": str(interval), "periods": rows,
                "probability_field": "probability", "category_field": "forecast_category"}

    async def deals(self, caller: Caller, workspace: UUID, filters: Filters, figure: str, *,
                    stage: UUID | None = None, reason: str | None = None) -> dict[str, Any]:
        """The deals behind one figure: ``FIGURES``; ``stage`` for a funnel row, ``reason`` (a listed
        reason, ``other`` or ``none``) for a lost-reason row."""
        if figure not in FIGURES:
            raise InvalidInput(f"figure: expected one of {', '.join(FIGURES)}, got {figure[:40]!r}")
        if figure in STAGE_FIGURES and stage is None:
            raise InvalidInput(f"stage: expected a stage id for the figure {figure}")
        ctx = await self._context(caller, workspace, filters)
        detail: dict[str, Any] = {"stage": stage, "first": ctx.range.first,
                                  "after": ctx.range.last + timedelta(1)}
        if reason is not None:
            listed = (await self._lists.get(caller, workspace)).lost_reasons
            detail.update(listed=listed, reason="" if reason == "other" else None if reason == "none" else reason,
                          no_reason=reason == "none")
        rows = await self._reads.deals(figure, ctx.scope(), **detail)
        return {**ctx.header(), "figure": figure, "stage": stage, "reason": reason,
                "total": rows[0]["total"] if rows else 0, "deals": [_deal_row(row) for row in rows]}

    # --- goals ------------------------------------------------------------------------------------

    async def goals(self, caller: Caller, workspace: UUID, tz: str | None = None,
                    on: date | None = None) -> dict[str, Any]:
        """The workspace's goals, each with its attainment in the period holding ``on`` (default today)."""
        ctx = await self._context(caller, workspace, Filters(tz=tz))
        today = on or shape.today_in(ctx.range.zone, self._now())
        all_boards = {v.board.id for v in await self._boards.visible(caller, workspace)
                      if v.board.archived_at is None}
        goals = await self._goals.of_workspace(workspace)
        teams = {t.id: t for t in await self._teams.of_workspace(workspace)} if self._teams else {}
        rows = [await self._goal_row(goal, ctx, today, list(all_boards), teams) for goal in goals]
        return {"currency": ctx.money.currency, "tz": ctx.range.zone, "on": today, "goals": rows}

    async def _goal_row(self, goal: Goal, ctx: Context, today: date, all_boards: list[UUID],
                        teams: dict[UUID, Any]) -> dict[str, Any]:
        team = teams.get(goal.team_id) if goal.team_id else None
        row = {**goal._asdict(), "user_name": ctx.names.get(goal.user_id) if goal.user_id else None,
               "team_name": team.name if team else None, "attainment": None, "deals": None}
        period = shape.goal_period(goal, today)
        if period is None:
            return row
        owners = _goal_owners(goal, team, ctx)
        actual, weighted, best = await self._goal_figures(goal, ctx, period, today, all_boards, owners)
        row["attainment"] = shape.attainment(goal, actual, period, today, weighted, best)
        row["deals"] = _goal_deals(goal, period, today)
        return row

    async def _goal_figures(self, goal: Goal, ctx: Context, period: tuple[date, date], today: date,
                            all_boards: list[UUID], owners: tuple[UUID, ...] | None) -> tuple[float, float, float]:
        """Actual to the end of ``today``, open weighted and best case in the rest of the period."""
        first, after = period
        to_date = min(after, today + timedelta(1))  # attainment to the end of ``today``
        scope = Scope(list(ctx.boards), shape.midnight(first, ctx.range.zone), shape.midnight(to_date, ctx.range.zone),
                      owners)
        metric = Metric(goal.metric)
        if metric in (Metric.DEALS_ADDED, Metric.ACTIVITIES_DONE):
            if metric is Metric.ACTIVITIES_DONE:
                scope = scope._replace(boards=all_boards)
            return float(await self._reads.count(str(metric), scope)), 0.0, 0.0
        won = await self._reads.won_by_period(scope, goal.period, ctx.range.zone)
        pipeline = await self._reads.open_by_period(list(ctx.boards), max(today, first), after, owners, goal.period)
        return _goal_figures(metric, won, pipeline, ctx.money)

    async def add_goal(self, caller: Caller, workspace: UUID, change: shape.GoalChange) -> Goal:
        await self._may_set_goals(caller, workspace, change.user_id, change.team_id)
        return await self._goals.add(workspace, change, caller.id)

    async def change_goal(self, caller: Caller, workspace: UUID, goal: UUID, change: shape.GoalChange) -> Goal:
        await self._goal_of(caller, workspace, goal)
        await self._may_set_goals(caller, workspace, change.user_id, change.team_id)
        changed = await self._goals.change(goal, change)
        if changed is None:
            raise NotFound("no such goal")
        return changed

    async def remove_goal(self, caller: Caller, workspace: UUID, goal: UUID) -> None:
        await self._goal_of(caller, workspace, goal)
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.MANAGE_SETTINGS)
        await self._goals.remove(goal)

    async def _goal_of(self, caller: Caller, workspace: UUID, goal: UUID) -> Goal:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.VIEW)
        found = await self._goals.get(goal)
        if found is None or found.workspace_id != workspace:
            raise NotFound("no such goal")
        return found

    async def _may_set_goals(self, caller: Caller, workspace: UUID, user: UUID | None,
                             team: UUID | None = None) -> None:
        """Owners and admins set goals, for the workspace, one of its members or one of its teams."""
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.MANAGE_SETTINGS)
            if user is not None and user not in {m.user.id for m in await tx.members.all(workspace)}:
                raise InvalidInput(f"user_id: expected a member of this workspace, got {user}")
        if team is not None:
            found = await self._teams.get(team) if self._teams else None
            if found is None or found.workspace_id != workspace:
                raise InvalidInput(f"team_id: expected a team of this workspace, got {team}")


def _ahead(today: date, zone: str, interval: Interval) -> Range:
    """The forecast's default: this month and the five after it, or this quarter and the three after."""
    first = shape.period_start(today, interval)
    last = first
    for _ in range(5 if interval is Interval.MONTH else 3):
        last = shape.next_period(last, interval)
    return shape.span(first, shape.next_period(last, interval) - timedelta(1), zone)


def _goal_figures(metric: Metric, won: list[dict[str, Any]], pipeline: list[dict[str, Any]],
                  money: MoneySettings) -> tuple[float, float, float]:
    """Won so far, the open pipeline weighted and in full: counts, or values in the workspace currency
    (deals in a currency without a rate are left out)."""
    if metric is Metric.DEALS_WON_COUNT:
        return (float(sum(r["deals"] for r in won)), sum(r["weighted_deals"] or 0.0 for r in pipeline),
                float(sum(r["best_case_deals"] for r in pipeline)))

    def value(rows: list[dict[str, Any]], column: str) -> float:
        return convert(shape.totals(((r["currency"], r[column]) for r in rows), money.currency), money).amount

    return value(won, "value"), value(pipeline, "weighted"), value(pipeline, "best_case")


def _goal_owners(goal: Goal, team: Any, ctx: Context) -> tuple[UUID, ...] | None:
    """Whose deals a goal counts: a team's members (those still members of the workspace), one
    member, or everyone (None) — the same owners its drill-down (``team=`` or ``owner=``) reads."""
    if goal.team_id is not None:
        return tuple(m for m in team.members if m in ctx.names) if team is not None else ()
    return (goal.user_id,) if goal.user_id else None


def _goal_deals(goal: Goal, period: tuple[date, date], today: date) -> dict[str, Any] | None:
    """The drill-down behind a goal's actual: the ``deals`` figure and filters that list exactly the
    deals it counted (to the end of ``today``); None for activities done."""
    if goal.metric == Metric.ACTIVITIES_DONE:
        return None
    first, after = period
    return {"figure": "added" if goal.metric == Metric.DEALS_ADDED else "won", "from": first,
            "to": min(after - timedelta(1), today), "owner": goal.user_id, "team": goal.team_id}


def _reason_kind(reason: str | None) -> str:
    return "none" if reason is None else "other" if reason == "" else "listed"


def _rep(rep: dict[str, Any] | None, ctx: Context) -> dict[str, Any]:
    if rep is None or "won" not in rep:
        return {"won": 0, "lost": 0, "win_rate": None, "won_value": {}, "average_won": {},
                "median_cycle_days": None, "touches_per_won": None, "emails_per_won": None}
    return {key: rep[key] for key in ("won", "lost", "win_rate", "median_cycle_days", "touches_per_won",
                                      "emails_per_won")} | {
        "won_value": shape.shown(rep["won_value"], ctx.money, ctx.converted),
        "average_won": shape.average_won(rep, ctx.money, ctx.converted)}


def _deal_row(row: dict[str, Any]) -> dict[str, Any]:
    return {"board": row["board_id"], "board_name": row["board_name"], "card": row["card_id"],
            "title": row["title"], "stage": row["stage_id"], "stage_name": row["stage_name"],
            "owner": row["owner_id"], "owner_name": row["owner_name"], "status": row["status"], "value": row["value"], "currency": row["currency"],
            "expected_close": row["expected_close"], "created_at": row["created_at"],
            "closed_at": row["closed_at"], "lost_reason": row["lost_reason"]}


async def _names(tx: Unit, workspace: UUID) -> dict[UUID, str]:
    """The names of the workspace's members (owners who left are named by the queries' own join)."""
    return {m.user.id: m.user.name for m in await tx.members.all(workspace)}
