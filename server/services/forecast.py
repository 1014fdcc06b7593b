"""Forecast history (issue 19 items 2 and 3): the weekly snapshot job, "what changed since last
week" and a deal's close-date pushes; and a workspace's teams (Settings › Teams).

Members of a workspace (any role) read the changes and the teams; owners and admins change teams.
The job (``take_snapshots``) is idempotent per workspace and week: it runs every hour and only the
first run of a week writes (``ForecastSnapshots.record``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from server.domain import forecast as history
from server.domain import insights as shape
from server.domain.access import Action, NotFound
from server.domain.accounts import InvalidInput
from server.domain.forecast import Change, Team
from server.domain.workspaces import check_workspace_zone
from server.services.accounts import Caller
from server.services.insights import Filters, Insights, _ahead
from server.domain.insights import Interval
from server.services.ports.forecast import ForecastReads, ForecastSnapshots, Teams
from server.services.ports.unit import Begin
from server.services.records import workspace_role

log = logging.getLogger(__name__)


async def take_snapshots(reads: ForecastReads, snapshots: ForecastSnapshots, now: datetime, zone: str) -> int:
    """The snapshot of the week holding ``now`` for every workspace without one, each week beginning
    on Monday 00:00 in the workspace's time zone (else ``zone``, the server's); how many got one."""
    taken = 0
    for row in await reads.workspace_zones(_weeks_around(now)):
        week = history.week_start(now, _zone_or(row.time_zone, zone))
        if week not in row.taken:
            taken += await snapshots.record(row.workspace, week, now, await reads.open_deals(row.workspace))
    if taken:
        log.info("forecast: took this week's snapshot for %d workspace(s)", taken)
    return taken


def _weeks_around(now: datetime) -> list[date]:
    """Every week ``now`` can be in, in some zone: local dates are within a day of UTC's (UTC-12 to +14)."""
    return sorted({history.week_start(now + timedelta(days=days), "UTC") for days in (-1, 1)})


def _zone_or(time_zone: str | None, default: str) -> str:
    """The workspace's zone, or the server's if it has none (or one this machine's tz database lacks)."""
    if time_zone is None:
        return default
    try:
        return check_workspace_zone(time_zone) or default
    except InvalidInput:
        log.warning("forecast: unknown time zone %r, counting weeks in %s", time_zone, default)
        return default


class Forecasts:
    """What changed since a weekly snapshot, close-date pushes, and teams."""

    def __init__(self, begin: Begin, insights: Insights, reads: ForecastReads, snapshots: ForecastSnapshots,
                 teams: Teams, now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                 week_zone: str = "UTC") -> None:
        self._begin, self._insights, self._reads, self._snapshots, self._teams = begin, insights, reads, snapshots, teams
        self._now, self._week_zone = now, week_zone  # the server's week zone, for workspaces without their own

    async def changes(self, caller: Caller, workspace: UUID, filters: Filters, *, week: date | None = None,
                      interval: Interval = Interval.MONTH) -> dict[str, Any]:
        """The deals expected to close in the period then (the snapshot of ``week``'s week; default the
        latest before this week) and now: slipped, pulled in, added, lost, won, removed, value changed,
        each with its count and money; a team (``filters.team``) keeps the deals its members own."""
        ctx = await self._insights.context(caller, workspace, filters,
                                           lambda today, zone: _ahead(today, zone, interval))
        owners = list(ctx.owners) if ctx.owners is not None else [ctx.owner] if ctx.owner else None
        weeks = await self._snapshots.weeks(workspace)
        base = _base_week(weeks, week, history.week_start(self._now(), await self._week_zone_of(workspace)))
        first, after = ctx.range.first, ctx.range.last + timedelta(1)
        moves: list[history.Moved] = []
        sides: list[dict[str, Any]] = []
        if base is not None:  # compared in SQL: only the changed deals come back
            moves, sides = await self._reads.compare(workspace, base.week, list(ctx.boards), first, after, owners)
        moves.sort(key=history.order)
        default = ctx.money.currency
        totals = {str(kind): {"deals": sum(1 for m in moves if m.kind is kind),
                              "value": history.summed((m for m in moves if m.kind is kind), default)}
                  for kind in Change}
        stages = {(r["board_id"], r["stage_id"]): r["name"] for r in await self._insights.stage_names(list(ctx.boards))}
        return {**ctx.header(), "weeks": [w.week for w in weeks],
                "week": base.week if base else None, "taken_at": base.taken_at if base else None,
                "before": _side(sides, "before", default), "now": _side(sides, "now", default),
                "totals": totals, "deals": [_move_row(m, ctx, stages) for m in moves]}

    async def _week_zone_of(self, workspace: UUID) -> str:
        """The zone the workspace's snapshot weeks begin in (as ``take_snapshots`` counts them)."""
        async with self._begin() as unit:
            found = await unit.workspaces.settings(workspace)
        return _zone_or(found.time_zone if found else None, self._week_zone)

    async def pushes(self, caller: Caller, workspace: UUID, board: UUID, card: UUID) -> dict[str, Any]:
        """How often a deal's expected close moved later, and when it last did."""
        await self._insights.context(caller, workspace, Filters(boards=[board]))  # reach the board, or 404
        count, last = await self._reads.pushes(board, card)
        return {"board": board, "card": card, "pushes": count, "last_pushed_at": last}

    # --- teams ------------------------------------------------------------------------------------

    async def teams(self, caller: Caller, workspace: UUID) -> list[dict[str, Any]]:
        names = await self._members(caller, workspace, Action.VIEW)
        return [_team_row(t, names) for t in await self._teams.of_workspace(workspace)]

    async def add_team(self, caller: Caller, workspace: UUID, name: object, members: Sequence[UUID]) -> dict[str, Any]:
        names = await self._members(caller, workspace, Action.MANAGE_SETTINGS)
        team = await self._teams.add(workspace, history.team_name(name), _checked(members, names))
        if team is None:
            raise InvalidInput(f"name: expected a name no other team of this workspace has, got {name!r}"[:120])
        return _team_row(team, names)

    async def change_team(self, caller: Caller, workspace: UUID, team: UUID, name: object,
                          members: Sequence[UUID]) -> dict[str, Any]:
        names = await self._members(caller, workspace, Action.MANAGE_SETTINGS)
        await self._team_of(workspace, team)
        changed = await self._teams.change(team, history.team_name(name), _checked(members, names))
        if changed is None:
            raise InvalidInput(f"name: expected a name no other team of this workspace has, got {name!r}"[:120])
        return _team_row(changed, names)

    async def remove_team(self, caller: Caller, workspace: UUID, team: UUID) -> None:
        await self._members(caller, workspace, Action.MANAGE_SETTINGS)
        await self._team_of(workspace, team)
        await self._teams.remove(team)

    async def _team_of(self, workspace: UUID, team: UUID) -> Team:
        found = await self._teams.get(team)
        if found is None or found.workspace_id != workspace:
            raise NotFound("no such team")
        return found

    async def _members(self, caller: Caller, workspace: UUID, action: Action) -> dict[UUID, str]:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, action)
            return {m.user.id: m.user.name for m in await tx.members.all(workspace)}


def _checked(members: Sequence[UUID], names: dict[UUID, str]) -> list[UUID]:
    for member in members:
        if member not in names:
            raise InvalidInput(f"members: expected members of this workspace, got {member}")
    return list(dict.fromkeys(members))


def _team_row(team: Team, names: dict[UUID, str]) -> dict[str, Any]:
    return {"id": team.id, "name": team.name, "created_at": team.created_at,
            "members": [{"id": m, "name": names[m]} for m in team.members if m in names]}


def _base_week(weeks: list[history.SnapshotWeek], asked: date | None, this_week: date) -> history.SnapshotWeek | None:
    """The snapshot asked for (the week holding ``asked``), else the latest before this week."""
    if asked is not None:
        monday = asked - timedelta(days=asked.weekday())
        found = next((w for w in weeks if w.week == monday), None)
        if found is None:
            raise NotFound(f"no forecast snapshot of the week of {monday}")
        return found
    return next((w for w in weeks if w.week < this_week), None)


def _side(rows: list[dict[str, Any]], side: str, default: str) -> dict[str, Any]:
    mine = [r for r in rows if r["side"] == side]
    return {"deals": sum(r["deals"] for r in mine), "value": shape.totals(((r["currency"], r["value"]) for r in mine),
                                                                          default)}


def _move_row(move: history.Moved, ctx: Any, stages: dict[tuple[UUID, UUID], str]) -> dict[str, Any]:
    then, now = move.before, move.now
    deal = now or then
    assert deal is not None
    currency, amount = move.amount()
    return {"kind": str(move.kind), "board": deal.board_id, "board_name": ctx.boards.get(deal.board_id),
            "card": deal.card_id, "title": deal.title, "owner": deal.owner_id,
            "owner_name": ctx.names.get(deal.owner_id) if deal.owner_id else None,
            "stage": deal.stage_id, "stage_name": stages.get((deal.board_id, deal.stage_id)),
            "status": now.status if now else None, "currency": currency or ctx.money.currency, "change": amount,
            "value_before": then.value if then else None, "value_now": now.value if now else None,
            "close_before": then.expected_close if then else None, "close_now": now.expected_close if now else None,
            "category": deal.category, "probability": deal.probability, "pushes": now.pushes if now else None}


SNAPSHOT = "forecast.snapshot"
SNAPSHOT_CRON = "5 * * * *"  # hourly: the first run of a week takes its snapshot, later ones find it taken


def register(kinds: Any, reads: ForecastReads, snapshots: ForecastSnapshots, zone: str,
             cron: str = SNAPSHOT_CRON, now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
    """Add the hourly ``forecast.snapshot`` job (weeks begin on Monday in ``zone``) to the worker's kinds."""

    @kinds.handle(SNAPSHOT)
    async def snapshot(payload: dict[str, Any]) -> None:
        await take_snapshots(reads, snapshots, now(), zone)

    if cron:
        kinds.every(SNAPSHOT, cron)
