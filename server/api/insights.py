"""``/api/workspaces/{id}/insights/…`` and ``/goals``: the dashboard's figures (issue 19).

Every figure takes the same filters: ``board`` (repeatable; absent = every pipeline the caller
reaches), ``owner`` (a user id or ``me``), ``from`` and ``to`` (dates, both included, read in
time zone ``tz``; default the current quarter to date) and ``currency`` (``apart`` or
``converted``). Each table is also CSV at ``…/insights/export/<table>.csv``.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from server.api import insight_types as answer
from server.api.compare_types import RepComparison
from server.api.auth import CallerDep
from server.domain.access import NotFound
from server.domain.accounts import InvalidInput
from server.domain.insights import Interval, check_goal, csv_cell, period_start
from server.services.insights import FIGURES, Filters, Insights

InsightsDep = NamedDependency[Insights]
FiltersDep = NamedDependency[Filters]  # the controller's own dependency, from the query (``_filters``)
Figure = Literal["entered", "advanced", "lost_from_stage", "stuck", "won", "lost", "open", "added", "open_now"]
TABLES = ("funnel", "lost-reasons", "reps", "forecast", "deals", "goals")
assert set(Figure.__args__) == set(FIGURES)  # type: ignore[attr-defined]

BoardQ = Annotated[list[UUID] | None, QueryParameter(name="board", description="a pipeline; repeat for several")]
OwnerQ = Annotated[str | None, QueryParameter(description="a user id, or me")]
FromQ = Annotated[date | None, QueryParameter(name="from", description="first day (default: quarter start)")]
ToQ = Annotated[date | None, QueryParameter(name="to", description="last day, included (default: today)")]
TzQ = Annotated[str | None, QueryParameter(max_length=64, description="IANA time zone (default UTC)")]
CurrencyQ = Annotated[Literal["apart", "converted"], QueryParameter(description="money per currency or converted")]
TeamQ = Annotated[UUID | None, QueryParameter(description="a team: its members' deals, read at once")]


async def _filters(caller: CallerDep, board: BoardQ = None, owner: OwnerQ = None, first: FromQ = None,
                   last: ToQ = None, tz: TzQ = None, currency: CurrencyQ = "apart", team: TeamQ = None) -> Filters:
    """Every figure's filters, from its query (the controller's ``filters`` dependency)."""
    return Filters(board, _user(owner, caller.id), first, last, tz, currency == "converted", team)


def _user(raw: str | None, me: UUID) -> UUID | None:
    if raw is None or raw == "":
        return None
    if raw == "me":
        return me
    try:
        return UUID(raw)
    except ValueError:
        raise InvalidInput(f"owner: expected a user id or 'me', got {raw[:40]!r}") from None


class InsightsController(Controller):
    path = "/api/workspaces/{workspace:uuid}"
    tags = ["insights"]
    dependencies = {"filters": Provide(_filters)}

    @get("/insights/funnel", summary="Per stage: entered, advanced, lost, drop-off, days in stage, stuck")
    async def funnel(self, workspace: FromPath[UUID], caller: CallerDep, insights: InsightsDep,
                     filters: FiltersDep) -> answer.Funnel:
        return msgspec.convert(await insights.funnel(caller, workspace, filters), answer.Funnel)

    @get("/insights/lost-reasons", summary="Deals lost in the period per reason (listed, other, none)")
    async def lost_reasons(self, workspace: FromPath[UUID], caller: CallerDep, insights: InsightsDep,
                           filters: FiltersDep) -> answer.LostReasons:
        return msgspec.convert(await insights.lost_reasons(caller, workspace, filters), answer.LostReasons)

    @get("/insights/reps", summary="Per owner: won, lost, win rate, average won, cycle, touches; and before")
    async def reps(self, workspace: FromPath[UUID], caller: CallerDep, insights: InsightsDep,
                   filters: FiltersDep) -> answer.Reps:
        return msgspec.convert(await insights.reps(caller, workspace, filters), answer.Reps)

    @get("/insights/compare", summary="Reps side by side with their team or everyone, and what explains the gaps")
    async def compare(self, workspace: FromPath[UUID], caller: CallerDep, insights: InsightsDep, filters: FiltersDep,
                      rep: Annotated[list[UUID], QueryParameter(description="a rep to compare; repeat (1 to 6)")],
                      lang: Annotated[Literal["en", "de"], QueryParameter(description="the sentences' language")
                                      ] = "en") -> RepComparison:
        return msgspec.convert(await insights.compare(caller, workspace, filters, rep, lang), RepComparison)

    @get("/insights/forecast", summary="Per month or quarter of expected close: weighted, best case, commit, won")
    async def forecast(self, workspace: FromPath[UUID], caller: CallerDep, insights: InsightsDep, filters: FiltersDep,
                       period: Annotated[Literal["month", "quarter"], QueryParameter()] = "month") -> answer.Forecast:
        return msgspec.convert(await insights.forecast(caller, workspace, filters, Interval(period)),
                               answer.Forecast)

    @get("/insights/deals", summary="The deals behind a figure (drill-down)")
    async def deals(self, workspace: FromPath[UUID], caller: CallerDep, insights: InsightsDep, filters: FiltersDep,
                    figure: Annotated[Figure, QueryParameter()],
                    stage: Annotated[UUID | None, QueryParameter()] = None,
                    reason: Annotated[str | None, QueryParameter(max_length=1000,
                                                                 description="a listed reason, other or none")
                                      ] = None) -> answer.InsightDeals:
        found = await insights.deals(caller, workspace, filters, figure, stage=stage, reason=reason)
        return msgspec.convert(found, answer.InsightDeals)

    @get("/insights/export/{file:str}", summary="One table as CSV: funnel.csv, lost-reasons.csv, reps.csv, "
                                                 "forecast.csv, deals.csv or goals.csv (the same filters)",
         media_type="text/csv")
    async def export(self, workspace: FromPath[UUID], file: FromPath[str], caller: CallerDep,
                     insights: InsightsDep, filters: FiltersDep,
                     figure: Annotated[Figure | None, QueryParameter()] = None,
                     stage: Annotated[UUID | None, QueryParameter()] = None,
                     reason: Annotated[str | None, QueryParameter(max_length=1000)] = None,
                     period: Annotated[Literal["month", "quarter"], QueryParameter()] = "month",
                     ) -> Response[str]:
        table = file.removesuffix(".csv")
        if table not in TABLES or not file.endswith(".csv"):
            raise NotFound(f"no such table: expected one of {', '.join(t + '.csv' for t in TABLES)}")
        if table == "funnel":
            rows = (await insights.funnel(caller, workspace, filters))["stages"]
        elif table == "lost-reasons":
            rows = (await insights.lost_reasons(caller, workspace, filters))["reasons"]
        elif table == "reps":
            rows = [_flat_rep(r) for r in (await insights.reps(caller, workspace, filters))["reps"]]
        elif table == "forecast":
            rows = (await insights.forecast(caller, workspace, filters, Interval(period)))["periods"]
        elif table == "deals":
            if figure is None:
                raise InvalidInput("figure: expected the figure whose deals to export")
            rows = (await insights.deals(caller, workspace, filters, figure, stage=stage, reason=reason))["deals"]
        else:
            rows = [{k: v for k, v in g.items() if k not in ("attainment", "deals")} | _flat(g["attainment"] or {}, "")
                    for g in (await insights.goals(caller, workspace, filters.tz))["goals"]]
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d")
        return Response(_csv(rows), media_type="text/csv; charset=utf-8", headers={
            "content-disposition": f'attachment; filename="insights-{table}-{stamp}.csv"'})

    @get("/goals", summary="The workspace's goals with attainment, projection and likelihood")
    async def goals(self, workspace: FromPath[UUID], caller: CallerDep, insights: InsightsDep, tz: TzQ = None,
                    on: Annotated[date | None, QueryParameter(description="a day of the period (default today)")
                                  ] = None) -> answer.Goals:
        return msgspec.convert(await insights.goals(caller, workspace, tz, on), answer.Goals)

    @post("/goals", summary="Set a goal (owners and admins)")
    async def add_goal(self, workspace: FromPath[UUID], data: JSONBody[answer.GoalInput], caller: CallerDep,
                       insights: InsightsDep) -> answer.Goal:
        goal = await insights.add_goal(caller, workspace, _change(data))
        return msgspec.convert(goal._asdict(), answer.Goal)

    @patch("/goals/{goal:uuid}", summary="Change a goal (owners and admins)")
    async def change_goal(self, workspace: FromPath[UUID], goal: FromPath[UUID], data: JSONBody[answer.GoalInput],
                          caller: CallerDep, insights: InsightsDep) -> answer.Goal:
        changed = await insights.change_goal(caller, workspace, goal, _change(data))
        return msgspec.convert(changed._asdict(), answer.Goal)

    @delete("/goals/{goal:uuid}", summary="Remove a goal (owners and admins)")
    async def remove_goal(self, workspace: FromPath[UUID], goal: FromPath[UUID], caller: CallerDep,
                          insights: InsightsDep) -> None:
        await insights.remove_goal(caller, workspace, goal)


def _change(data: answer.GoalInput) -> Any:
    starts = data.starts_on or period_start(datetime.now(timezone.utc).date(), data.period)
    return check_goal(data.user_id, data.metric, data.period, data.target, starts, data.team_id)


def _flat(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {f"{prefix}{k}": v for k, v in row.items()}


def _flat_rep(rep: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rep.items() if k != "previous"} | _flat(rep["previous"], "previous_")


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.writer(out)
        writer.writerow(rows[0].keys())
        writer.writerows([csv_cell(v) for v in row.values()] for row in rows)
    return out.getvalue()
