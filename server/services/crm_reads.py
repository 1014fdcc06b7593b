"""What the CRM API answers from the projection tables: my tasks, deals by owner and stage, the
pipeline report and a deal's timeline. Every answer covers only boards the caller reaches
(members: every board of their workspaces; guests: the boards shared with them)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from server.domain.access import NotFound
from server.domain.accounts import InvalidInput
from server.domain.board_reads import DealListing, HistoryRow, MyActivity, MyWorkItem
from server.domain.files import RecordKind, RecordRef
from server.domain.reports import pipeline_report, when_due
from server.services.accounts import Caller
from server.services.boards import Boards
from server.services.currencies import money_of
from server.services.ports.unit import Begin, Unit
from server.services.workspaces import role_of

BUCKETS = ("overdue", "today", "upcoming", "unscheduled")


class CrmReads:
    """The read side of boards."""

    def __init__(self, begin: Begin, boards: Boards) -> None:
        self._begin, self._boards = begin, boards

    async def my_tasks(self, caller: Caller, today: date, include_done: bool = False) -> dict[str, list[dict]]:
        """Activities and work items assigned to the caller, by when they are due."""
        async with self._begin() as tx:
            boards = await tx.board_reach.visible_boards(caller.id)
            activities, items = await tx.board_reads.my_tasks(caller.id, boards, include_done)
        tasks = [_activity_task(row) for row in activities] + [_work_item_task(row) for row in items]
        grouped: dict[str, list[dict]] = {bucket: [] for bucket in BUCKETS}
        for task in tasks:
            grouped[when_due(task["due_date"], today)].append(task)
        for bucket in grouped.values():
            bucket.sort(key=lambda t: (t["due_date"] or date.max, t["due_at"] or "", t["title"], str(t["id"])))
        return grouped

    async def deals(self, caller: Caller, workspace: UUID, *, owner: UUID | None = None, stage: UUID | None = None,
                    status: str | None = None, board: UUID | None = None, limit: int = 500) -> list[dict[str, Any]]:
        async with self._begin() as tx:
            role = role_of(await tx.workspaces.workspace_view(workspace, caller.id))
            boards = await tx.board_reach.visible_boards(caller.id)
            if board is not None and await tx.board_reach.reaches(board, caller.id):
                boards = [board]  # one board asked for by its id answers even when archived
            rows = await tx.board_reads.deals(workspace, boards, owner=owner, stage=stage, status=status, board=board,
                                              limit=limit)
        now = datetime.now(timezone.utc)
        deals = [_deal(row, now) for row in rows]
        if role is None:  # a guest sees no ids of the workspace's contacts and organisations
            deals = [{**deal, "contact": None, "organisation": None} for deal in deals]
        return deals

    async def pipeline_report(self, caller: Caller, workspace: UUID, board: UUID | None = None) -> dict[str, Any]:
        """One pipeline's report, or (``board`` None) one over every pipeline board the caller
        reaches in the workspace; each stage names its board, each owner their name."""
        if board is not None:
            view = await self._boards.get(caller, board)
            if view.board.workspace_id != workspace:
                raise NotFound("no such board")
            if view.board.kind != "pipeline":
                raise InvalidInput("expected a pipeline board; the report is about deals")
            views = [view]
        else:
            views = [v for v in await self._boards.visible(caller, workspace)
                     if v.board.kind == "pipeline" and v.board.archived_at is None]
        stages: list = []
        deals: list = []
        events: list = []
        board_of: dict[UUID, Any] = {}
        async with self._begin() as tx:
            for view in views:
                more_stages, more_deals, more_events = await tx.board_reads.report(view.board.id)
                stages, deals, events = stages + more_stages, deals + more_deals, events + more_events
                board_of.update((stage.id, view.board) for stage in more_stages)
            money = await money_of(tx, workspace)
            seen = await tx.workspaces.workspace_view(workspace, caller.id)
            # Names of the workspace's people are for its members; a guest sees the owners' ids.
            names = await _names(tx, workspace, {d.owner for d in deals}) if seen and seen.role else {}
        report = pipeline_report(stages, deals, events, money)
        for row in report["stages"]:
            row["board"], row["board_name"] = board_of[row["stage"]].id, board_of[row["stage"]].name
        for row in report["owners"]:
            row["name"] = names.get(row["owner"])
        report["owners"].sort(key=lambda row: (row["name"] is None, (row["name"] or "").casefold(), str(row["owner"])))
        name = views[0].board.name if board is not None else seen.name if seen else ""
        return {"board": board, "name": name, "boards": [{"id": v.board.id, "name": v.board.name} for v in views],
                **report}

    async def timeline(self, caller: Caller, board: UUID, card: UUID) -> dict[str, Any]:
        """Created, stage moves, value and status changes, tasks done, notes and files added, oldest first."""
        view = await self._boards.get(caller, board)
        async with self._begin() as tx:
            deal = await tx.board_reads.deal(board, card)
            if deal is None:
                raise NotFound("no such deal on this board")
            history, tasks, notes = await tx.board_reads.timeline(board, card)
            files = await tx.record_files.of_record(view.board.workspace_id, RecordRef(RecordKind.DEAL, card, board))
        entries = [_entry("created", deal.created_at, deal.created_by, deal.created_by_name)]
        entries += [_history_entry(row) for row in history]
        entries += [_entry("task_done", r.done_at, r.assignee_id, r.assignee_name, activity=r.activity_id,
                           type=r.type, title=r.title) for r in tasks]
        entries += [_entry("note_added", r.created_at, r.created_by, r.created_by_name, note=r.id,
                           document=r.document, title=r.title) for r in notes]
        entries += [_entry("file_added", f.created_at, f.uploaded_by, f.uploaded_by_name, file=f.id, name=f.name,
                           size=f.size, url=f"/api/files/{f.id}") for f in files]
        entries.sort(key=lambda e: (e["at"] is None, e["at"] or 0))
        return {"deal": {"board": board, "card": card, "title": deal.title, "stage": deal.stage_id,
                         "stage_name": deal.stage_name, "status": deal.status, "value": deal.value,
                         "currency": deal.currency},
                "events": entries}


async def _names(tx: Unit, workspace: UUID, people: set[UUID | None]) -> dict[UUID, str]:
    """The names of ``people``: members of the workspace, or accounts that have left it."""
    names = {m.user.id: m.user.name for m in await tx.members.all(workspace)}
    for person in people - names.keys():
        account = await tx.users.by_id(person) if person is not None else None
        if account is not None:
            names[person] = account.name
    return names


def _deal(r: DealListing, now: datetime) -> dict[str, Any]:
    rot = r.rot_days or 0
    rotting = r.status == "open" and rot > 0 and r.moved_at is not None and now - r.moved_at > timedelta(rot)
    return {"id": r.card_id, "board": r.board_id, "board_name": r.board_name, "title": r.title,
            "value": r.value, "currency": r.currency, "owner": r.owner_id, "contact": r.contact_id,
            "organisation": r.organisation_id, "expected_close": r.expected_close, "status": r.status,
            "lost_reason": r.lost_reason, "labels": r.labels, "fields": r.fields,
            "stage": r.stage_id, "stage_name": r.stage_name, "probability": r.probability, "rank": r.rank,
            "created_at": r.created_at, "created_by": r.created_by, "updated_at": r.updated_at,
            "moved_at": r.moved_at, "rotting": rotting}


def _entry(kind: str, at: Any, author: UUID | None, author_name: str | None, **details: Any) -> dict[str, Any]:
    who = {"id": author, "name": author_name} if author is not None else None
    return {"kind": kind, "at": at, "author": who, **details}


def _history_entry(row: HistoryRow) -> dict[str, Any]:
    if row.kind == "moved":
        details = {"from_stage": row.from_stage, "from_stage_name": row.from_stage_name,
                   "to_stage": row.to_stage, "to_stage_name": row.to_stage_name}
    elif row.kind == "value":
        details = {"old_value": row.old_value, "new_value": row.new_value, "currency": row.currency}
    else:
        details = {"old_status": row.old_status, "new_status": row.new_status}
    kind = {"moved": "stage_changed", "value": "value_changed", "status": "status_changed"}[row.kind]
    return _entry(kind, row.at, row.author_id, row.author_name, **details)


def _activity_task(row: MyActivity) -> dict[str, Any]:
    return {"kind": "activity", "id": row.id, "board": row.board_id, "board_name": row.board_name,
            "workspace": row.workspace_id, "type": row.type, "title": row.title,
            "due_date": row.due_date, "due_at": row.due_at.isoformat() if row.due_at else None,
            "done": row.done, "card": row.card_id, "card_title": row.card_title, "contact": row.contact_id}


def _work_item_task(row: MyWorkItem) -> dict[str, Any]:
    return {"kind": "work_item", "id": row.id, "board": row.board_id, "board_name": row.board_name,
            "workspace": row.workspace_id, "type": None, "title": row.title, "due_date": row.due,
            "due_at": None, "done": row.status == "done", "card": row.id, "card_title": row.title,
            "contact": None, "status": row.status, "stage_name": row.stage_name}


