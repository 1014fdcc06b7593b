"""The CRM over HTTP: edit deals, work items, activities and notes; read tasks, deals, the pipeline
report and a deal's timeline.

Edits (``BoardEditController``) change the live board document, so connected clients see them at
once; reads (``CrmReadController``) answer from the projection tables, which follow the
documents within about a second. Unknown and forbidden answer alike (404); a viewer or a guest
with a read share who tries to write gets 403; input that does not fit gets 400 saying what was
expected.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from server.api import crm_answer_types as answer
from server.api import crm_types as body
from server.api.auth import CallerDep
from server.domain.accounts import InvalidInput, spoken_locale
from server.domain.board_reads import NoteRecord
from server.domain.crm import Activity, Card, Deal, parse_due
from server.services.crm import Crm
from server.services.crm_reads import CrmReads

CrmDep = NamedDependency[Crm]
CrmReadsDep = NamedDependency[CrmReads]


def _card(card: Card) -> answer.Deal | answer.WorkItem:
    """A deal or work item under its domain attribute names (snake_case)."""
    return answer.Deal(**card._asdict()) if isinstance(card, Deal) else answer.WorkItem(**card._asdict())


def _activity(activity: Activity) -> answer.Activity:
    # A date or a date-time: one string on the wire, as msgspec writes either.
    return answer.Activity(**{**activity._asdict(), "due": msgspec.to_builtins(activity.due)})


def _due(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("due") is not None:
        values["due"] = parse_due(values["due"])
    return values


class BoardEditController(Controller):
    path = "/api"
    tags = ["crm"]

    @post("/boards/{board:uuid}/cards", summary="Add a deal or work item (edit access)")
    async def create_card(self, board: FromPath[UUID], data: JSONBody[body.NewCard], caller: CallerDep,
                          crm: CrmDep) -> answer.Deal | answer.WorkItem:
        values = body.given(data, keep_none=False)
        stage, position = values.pop("stage", None), values.pop("position", None)
        return _card(await crm.create_card(caller, board, values, stage=stage, position=position))

    @patch("/boards/{board:uuid}/cards/{card:uuid}", summary="Change fields of a card (null removes one)")
    async def update_card(self, board: FromPath[UUID], card: FromPath[UUID], data: JSONBody[body.CardChanges],
                          caller: CallerDep, crm: CrmDep) -> answer.Deal | answer.WorkItem:
        changes = body.given(data, keep_none=True)
        if not changes:
            raise InvalidInput("expected at least one field to change")
        return _card(await crm.update_card(caller, board, card, changes))

    @get("/boards/{board:uuid}/links", summary="Contacts and organisations of the board's deals and activities "
                                               "(members; a guest gets none)")
    async def links(self, board: FromPath[UUID], caller: CallerDep, crm: CrmDep) -> list[answer.EntryLink]:
        return [answer.EntryLink(entry_kind=link.entry_kind, entry_id=link.entry_id,  # type: ignore[arg-type]
                                 contact=link.contact_id, organisation=link.organisation_id)
                for link in await crm.links(caller, board)]

    @post("/boards/{board:uuid}/cards/{card:uuid}/move", status_code=200,
          summary="Move a card to a position of a stage")
    async def move_card(self, board: FromPath[UUID], card: FromPath[UUID], data: JSONBody[body.Move],
                        caller: CallerDep, crm: CrmDep) -> answer.Deal | answer.WorkItem:
        return _card(await crm.move_card(caller, board, card, data.stage, data.position))

    @post("/boards/{board:uuid}/cards/{card:uuid}/status", status_code=200,
          summary="Win, lose or reopen a deal")
    async def set_status(self, request: Request, board: FromPath[UUID], card: FromPath[UUID],
                         data: JSONBody[body.StatusChange], caller: CallerDep,
                         crm: CrmDep) -> answer.Deal | answer.WorkItem:
        # closed tasks' note: in the caller's chosen language, else their browser's (Accept-Language)
        language = spoken_locale(caller.locale, request.headers.get("accept-language"))
        return _card(await crm.set_status(caller, board, card, data.status, data.lost_reason,
                                           data.close_open_tasks, language, data.open_activities))

    @post("/boards/{board:uuid}/activities", summary="Add an activity or task (edit access)")
    async def create_activity(self, board: FromPath[UUID], data: JSONBody[body.NewActivity], caller: CallerDep,
                              crm: CrmDep) -> answer.Activity:
        values = _due(body.given(data, keep_none=False))
        return _activity(await crm.create_activity(caller, board, values))

    @patch("/boards/{board:uuid}/activities/{activity:uuid}",
           summary="Assign, complete, reschedule or edit an activity")
    async def update_activity(self, board: FromPath[UUID], activity: FromPath[UUID],
                              data: JSONBody[body.ActivityChanges], caller: CallerDep, crm: CrmDep) -> answer.Activity:
        changes = _due(body.given(data, keep_none=True))
        if not changes:
            raise InvalidInput("expected at least one field to change")
        return _activity(await crm.update_activity(caller, board, activity, changes))

    @post("/notes", summary="Create a note document about a deal, contact or organisation")
    async def create_note(self, data: JSONBody[body.NewNote], caller: CallerDep, crm: CrmDep) -> answer.Note:
        return _note(await crm.create_note(caller, data.board, data.subject_kind, data.subject_id, data.title,
                                           data.text))

    @get("/notes/{note:uuid}", summary="A note (404 unless the caller reaches its board)")
    async def get_note(self, note: FromPath[UUID], caller: CallerDep, crm: CrmDep) -> answer.Note:
        return _note(await crm.note(caller, note))

    @post("/notes/{note:uuid}/text", status_code=204, summary="Append paragraphs to a note, live")
    async def add_note_text(self, note: FromPath[UUID], data: JSONBody[body.NoteText], caller: CallerDep,
                            crm: CrmDep) -> None:
        await crm.add_note_text(caller, note, data.text)


def _note(note: NoteRecord) -> answer.Note:
    return answer.Note(id=note.id, document=note.document, board=note.board_id, workspace=note.workspace_id,
                       subject_kind=note.subject_kind, subject_id=note.subject_id, title=note.title,
                       created_by=note.created_by, created_at=note.created_at)


class CrmReadController(Controller):
    path = "/api"
    tags = ["crm"]

    @get("/me/tasks", summary="My tasks across workspaces: overdue, today, upcoming, unscheduled")
    async def my_tasks(
        self, caller: CallerDep, crm_reads: CrmReadsDep,
        which: Annotated[Literal["open", "all"], QueryParameter(name="scope", description="open (not done) or all")
                         ] = "open",
        today: Annotated[date | None, QueryParameter(description="the caller's date (default: UTC today)")] = None,
    ) -> answer.Tasks:
        today = today or datetime.now(timezone.utc).date()
        tasks = await crm_reads.my_tasks(caller, today, include_done=which == "all")
        return msgspec.convert({"as_of": today, **tasks}, answer.Tasks)

    @get("/workspaces/{workspace:uuid}/deals", summary="Deals by owner, stage, status and board")
    async def deals(
        self, workspace: FromPath[UUID], caller: CallerDep, crm_reads: CrmReadsDep,
        owner: Annotated[str | None, QueryParameter(description="a user id, or me")] = None,
        stage: Annotated[UUID | None, QueryParameter(description="a stage id")] = None,
        board: Annotated[UUID | None, QueryParameter(description="a board id")] = None,
        status: Annotated[Literal["open", "won", "lost"] | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=5000)] = 500,
    ) -> list[answer.DealSummary]:
        deals = await crm_reads.deals(caller, workspace, owner=_user(owner, caller.id), stage=stage, status=status,
                                      board=board, limit=limit)
        return msgspec.convert(deals, list[answer.DealSummary])

    @get("/workspaces/{workspace:uuid}/pipeline-report",
         summary="Stages, conversion, win rates and forecast: of one pipeline (?board=), or of all the caller reaches")
    async def pipeline_report(self, workspace: FromPath[UUID], caller: CallerDep,
                              crm_reads: CrmReadsDep,
                              board: Annotated[UUID | None, QueryParameter()] = None) -> answer.PipelineReport:
        return msgspec.convert(await crm_reads.pipeline_report(caller, workspace, board), answer.PipelineReport)

    @get("/deals/{board:uuid}/{card:uuid}/timeline", summary="A deal's history, oldest first")
    async def timeline(self, board: FromPath[UUID], card: FromPath[UUID], caller: CallerDep,
                       crm_reads: CrmReadsDep) -> answer.Timeline:
        return msgspec.convert(await crm_reads.timeline(caller, board, card), answer.Timeline)


def _user(raw: str | None, me: UUID) -> UUID | None:
    if raw is None:
        return None
    if raw == "me":
        return me
    try:
        return UUID(raw)
    except ValueError:
        raise InvalidInput(f"expected owner to be a user id or 'me', got {raw[:40]!r}") from None
