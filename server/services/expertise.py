"""Expertise use cases (docs/expertise.md): the workspace's tag list (admins manage it), each
member's tags (admins set anyone's, a member their own), and "who should take this"
(``server.domain.expertise.suggest``) over the members' load this week — the same workload the
team to-do strip shows (``server.domain.team_tasks.workload``).

``candidates`` is shared with the automation runner: ``create_task`` with ``{"by_expertise": [...]}``
asks it at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple
from uuid import UUID, uuid4

from server.domain.access import Action, NotFound, Role
from server.domain.accounts import Conflict, InvalidInput
from server.domain.expertise import (MAX_TAGS, Candidate, Match, Tag, check_tag_name, deal_words, suggest,
                                     tags_named)
from server.domain.team_tasks import workload
from server.services.accounts import Caller
from server.services.ports.unit import Begin, Unit
from server.services.records import workspace_role


class Overview(NamedTuple):
    tags: list[Tag]
    members: dict[UUID, list[UUID]]  # each member's tag ids, in the list's order


async def candidates(tx: Unit, workspace: UUID, today: date, now: datetime) -> tuple[list[Candidate], list[Tag]]:
    """Every member who may be assigned work (not viewers), with their tags and this week's load,
    and the workspace's tags."""
    members = [m for m in await tx.members.all(workspace) if m.role is not Role.VIEWER]
    people = [m.user.id for m in members]
    boards: set[UUID] = set()
    for person in people:  # each person's work is on boards they reach
        boards.update(await tx.board_reach.visible_boards(person))
    found = [t for t in await tx.calendar_entries.tasks(sorted(boards), False) if t.workspace == workspace]
    loads = workload(found, people, today, now, await tx.work_weeks.hours(people),
                     await tx.series_exceptions.of_boards(sorted(boards)))
    tags = await tx.expertise.of_members(workspace)
    names = {m.user.id: m.user.name for m in members}
    return ([Candidate(w.person, names[w.person], tags.get(w.person, frozenset()), w.hours, w.capacity, w.overdue)
             for w in loads], await tx.expertise.tags(workspace))


async def match(tx: Unit, workspace: UUID, wanted: Sequence[UUID], today: date, now: datetime,
                limit: int | None = None, words: Sequence[str] = ()) -> Match:
    """Who should take work wanting ``wanted`` tags (and the tags named by ``words``)."""
    people, tags = await candidates(tx, workspace, today, now)
    chosen = [*wanted, *tags_named(tags, words)]
    return suggest(chosen, {t.id: t.name for t in tags}, people, limit)


class ExpertiseService:
    """The expertise use cases."""

    def __init__(self, begin: Begin) -> None:
        self._begin = begin

    async def overview(self, caller: Caller, workspace: UUID) -> Overview:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.VIEW)
            return await _overview(tx, workspace)

    async def put_tag(self, caller: Caller, workspace: UUID, name: object, tag: UUID | None = None) -> Tag:
        """Add a tag (``tag`` None) or rename one; 409 if the workspace has one of that name."""
        checked = check_tag_name(name)
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.MANAGE_SETTINGS)
            known = await tx.expertise.tags(workspace)
            if tag is not None and tag not in {t.id for t in known}:
                raise NotFound("no such expertise tag")
            if tag is None and len(known) >= MAX_TAGS:
                raise InvalidInput(f"name: a workspace keeps at most {MAX_TAGS} expertise tags")
            made = Tag(tag or uuid4(), checked)
            if not await tx.expertise.put_tag(workspace, made):
                raise Conflict(f"name: the workspace already has an expertise tag {checked!r}")
            return made

    async def remove_tag(self, caller: Caller, workspace: UUID, tag: UUID) -> None:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.MANAGE_SETTINGS)
            if not await tx.expertise.remove_tag(workspace, tag):
                raise NotFound("no such expertise tag")

    async def set_member(self, caller: Caller, workspace: UUID, user: UUID, tags: Sequence[UUID]) -> list[UUID]:
        """Set a member's tags: admins anyone's, a member their own."""
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.VIEW if user == caller.id else Action.MANAGE_SETTINGS)
            if await tx.members.role(workspace, user) is None:
                raise NotFound("no such member")
            known = [t.id for t in await tx.expertise.tags(workspace)]
            unknown = [str(t) for t in tags if t not in known]
            if unknown:
                raise InvalidInput(f"tags: expected tag ids of this workspace, got unknown {', '.join(unknown[:5])}")
            await tx.expertise.set_member(workspace, user, list(dict.fromkeys(tags)))
            return [t for t in known if t in set(tags)]

    async def suggest(self, caller: Caller, workspace: UUID, tags: Sequence[UUID], words: Sequence[str],
                      today: date, now: datetime, limit: int | None, deal: tuple[UUID, UUID] | None = None) -> Match:
        """Who should take work wanting ``tags`` and the tags named by ``words`` and by ``deal``'s
        (board, card) labels and field values."""
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.VIEW)
            named = [*words, *(await _deal_words(tx, caller, workspace, deal) if deal else [])]
            return await match(tx, workspace, tags, today, now, limit, named)


async def _deal_words(tx: Unit, caller: Caller, workspace: UUID, deal: tuple[UUID, UUID]) -> list[str]:
    board, card = deal
    if not await tx.board_reach.reaches(board, caller.id):
        raise NotFound("no such deal")
    rows = await tx.board_reads.deals(workspace, [board], owner=None, stage=None, status=None, board=board,
                                      limit=5000)
    found = next((row for row in rows if row.card_id == card), None)
    if found is None:
        raise NotFound("no such deal")
    return deal_words(found.labels, found.fields)


async def _overview(tx: Unit, workspace: UUID) -> Overview:
    tags = await tx.expertise.tags(workspace)
    order = {t.id: i for i, t in enumerate(tags)}
    members = {m.user.id for m in await tx.members.all(workspace)}
    held = await tx.expertise.of_members(workspace)
    return Overview(tags, {user: sorted((t for t in mine if t in order), key=order.__getitem__)
                           for user, mine in held.items() if user in members})
