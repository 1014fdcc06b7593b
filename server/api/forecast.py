"""``/api/workspaces/{id}/insights/forecast/changes``, ``…/insights/close-pushes`` and ``/teams``:
forecast history and teams (issue 19 items 2 and 3, docs/forecast.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from server.api import forecast_types as answer
from server.api.auth import CallerDep
from server.api.insights import FiltersDep, _filters
from server.domain.insights import Interval
from server.services.forecast import Forecasts

ForecastsDep = NamedDependency[Forecasts]


class ForecastController(Controller):
    path = "/api/workspaces/{workspace:uuid}"
    tags = ["insights"]
    dependencies = {"filters": Provide(_filters)}

    @get("/insights/forecast/changes", summary="What changed since a weekly snapshot: slipped, pulled in, added, "
                                                "lost, won, removed, value changed")
    async def changes(self, workspace: FromPath[UUID], caller: CallerDep, forecasts: ForecastsDep,
                      filters: FiltersDep,
                      week: Annotated[date | None, QueryParameter(description="a day of the snapshot's week "
                                                                  "(default: the latest before this week)")] = None,
                      period: Annotated[Literal["month", "quarter"], QueryParameter()] = "month",
                      ) -> answer.ForecastChanges:
        found = await forecasts.changes(caller, workspace, filters, week=week, interval=Interval(period))
        return msgspec.convert(found, answer.ForecastChanges)

    @get("/insights/close-pushes", summary="How often a deal's expected close moved later")
    async def close_pushes(self, workspace: FromPath[UUID], caller: CallerDep, forecasts: ForecastsDep,
                           board: Annotated[UUID, QueryParameter()],
                           card: Annotated[UUID, QueryParameter()]) -> answer.ClosePushes:
        return msgspec.convert(await forecasts.pushes(caller, workspace, board, card), answer.ClosePushes)

    @get("/teams", summary="The workspace's teams and their members")
    async def teams(self, workspace: FromPath[UUID], caller: CallerDep, forecasts: ForecastsDep) -> list[answer.Team]:
        return msgspec.convert(await forecasts.teams(caller, workspace), list[answer.Team])

    @post("/teams", summary="Add a team (owners and admins)")
    async def add_team(self, workspace: FromPath[UUID], data: JSONBody[answer.TeamInput], caller: CallerDep,
                       forecasts: ForecastsDep) -> answer.Team:
        return msgspec.convert(await forecasts.add_team(caller, workspace, data.name, data.members), answer.Team)

    @patch("/teams/{team:uuid}", summary="Rename a team and set its members (owners and admins)")
    async def change_team(self, workspace: FromPath[UUID], team: FromPath[UUID], data: JSONBody[answer.TeamInput],
                          caller: CallerDep, forecasts: ForecastsDep) -> answer.Team:
        changed = await forecasts.change_team(caller, workspace, team, data.name, data.members)
        return msgspec.convert(changed, answer.Team)

    @delete("/teams/{team:uuid}", summary="Remove a team and its goals (owners and admins)")
    async def remove_team(self, workspace: FromPath[UUID], team: FromPath[UUID], caller: CallerDep,
                          forecasts: ForecastsDep) -> None:
        await forecasts.remove_team(caller, workspace, team)
