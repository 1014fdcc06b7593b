"""The team to-do list and the workload strip (issue 18, item 2): everyone's activities on the
boards the *caller* reaches in one workspace, filtered, and each member's load this week
against their own working week (``WorkWeeks``; 40 hours unless they set theirs).

Members only: a guest sees the boards shared with them, not who on the team is busy. The rows
come from the SQL projection (``CalendarEntries.tasks``); reassigning or ticking one off is an
ordinary activity edit (``Crm.update_activity``), so the board document changes for everyone and
the projection tells the workspace feed (``activities:<board>``), which the list listens to.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple
from uuid import UUID

from server.domain.access import NotFound
from server.domain.team_tasks import Filters, Load, TeamTask, team_list, workload
from server.services.accounts import Caller
from server.services.ports.unit import Begin
from server.services.workspaces import role_of


class TeamBoard(NamedTuple):
    tasks: list[TeamTask]
    loads: list[Load]
    names: dict[UUID, str]  # each member's name (assignees and the workload strip)


async def team_tasks(begin: Begin, caller: Caller, workspace: UUID, filters: Filters, today: date,
                     now: datetime, expertise: Sequence[UUID] = ()) -> TeamBoard:
    """The filtered list and every member's load (the load ignores the filters: it is the week's).
    ``expertise``: only the work and load of members having all those tags (docs/expertise.md)."""
    async with begin() as tx:
        if role_of(await tx.workspaces.workspace_view(workspace, caller.id)) is None:
            raise NotFound("no such workspace")  # a guest: the team's list is the members'
        members = await tx.members.all(workspace)
        boards = await tx.board_reach.visible_boards(caller.id)
        found = [t for t in await tx.calendar_entries.tasks(boards, filters.done) if t.workspace == workspace]
        people = [m.user.id for m in members]
        if expertise:
            held = await tx.expertise.of_members(workspace)
            people = [p for p in people if held.get(p, frozenset()) >= set(expertise)]
            found = [t for t in found if t.assignee in people]
        capacity = await tx.work_weeks.hours(people)
        skipped = await tx.series_exceptions.of_boards(boards)
    names = {m.user.id: m.user.name for m in members}
    loads = workload(found, people, today, now, capacity, skipped)
    return TeamBoard(team_list(found, filters, today, now), loads, names)
