"""Board edits through the API: deals, work items, activities and notes, applied to the live document.

Every edit checks access (edit access to the board, ``NotFound`` for unknown and forbidden
alike), validates its input against the board as it is now, and is applied with
``Room.change`` — a LOCAL change: persisted, broadcast to this node's clients and published to
the other nodes, so every connected client sees it at once and exactly once. The caller is its
author in the card history. Reading the board and changing it happen in one synchronous step
(no await between), so nothing can slip in between check and write.

These functions are also the building blocks for scripts such as ``seed-demo``.
"""

from __future__ import annotations

import weakref
from typing import Any, TypeVar
from uuid import UUID, uuid4

from pycrdt import Doc, Map

from server.documents import edits
from server.documents.read import ReadCache, board_view
from server.documents.seed import note_seed
from server.documents.shapes import record
from server.domain.access import NotFound, require_write
from server.domain.accounts import InvalidInput, spoken_locale
from server.domain.board_reads import NoteRecord
from server.domain.boards import DocumentKind, note_document
from server.domain.calendar import check_times
from server.domain.crm import (
    Activity, BoardState, Card, Deal, DealStatus, ItemStatus, NoteMeta, StageKind, SubjectKind, WorkItem, check_title,
    now_utc, stage_for_status, status_after_move,
)
from server.domain.money import check_currency
from server.domain.references import RecordKind, UnknownReference, references_in
from server.services.accounts import Caller
from server.services.boards import Boards, BoardView
from server.services.feed import ChangeFeed
from server.services.ports.entry_links import ACTIVITY, CARD, EntryLink
from server.services.ports.unit import Begin
from server.services.projection import Projector
from server.services.records import require_records
from server.services.webhooks import emit
from server.sync.registry import Rooms
from server.sync.room import Room

CardOrActivity = TypeVar("CardOrActivity", Deal, WorkItem, Activity)


def _quiet(problem: str) -> None:
    """The API validates against what fits; the projection logs what does not."""


# Each call reads its board as a view: the cards and activities it looks up are decoded alone (a
# move on a 250-deal board spent most of its time turning the whole board into JSON and back);
# what iterates them reads them all, with a cache per live document so only the entries changed
# since the last call are decoded again (the seeded demo's ~550 calls spent a third of their time re-reading).
_caches: weakref.WeakKeyDictionary[Doc, ReadCache] = weakref.WeakKeyDictionary()


def _read(doc: Doc, kind: str) -> BoardState:
    cache = _caches.get(doc)
    if cache is None:
        cache = _caches[doc] = ReadCache()
    return board_view(doc, kind, _quiet, cache)


class Crm:
    """The board-editing use cases."""

    def __init__(self, begin: Begin, boards: Boards, rooms: Rooms, projector: Projector,
                 feed: ChangeFeed | None = None) -> None:
        self._begin, self._boards, self._rooms, self._projector = begin, boards, rooms, projector
        self._feed = feed

    # --- cards ---------------------------------------------------------------------------------

    async def create_card(self, caller: Caller, board: UUID, values: dict[str, Any], *, stage: UUID | None = None,
                          position: int | None = None, card: UUID | None = None) -> Card:
        """Add a deal (pipeline) or work item (project); by default at the end of the first stage."""
        view, room = await self._open(caller, board, write=True)
        await self.check_people(view, values)
        await self.check_records(view, values, DEAL_REFERENCES)
        kind = view.board.kind
        values, links = _split_links(kind, values, DEAL_REFERENCES)
        state = _read(room.doc, kind)  # from here to the change: no await
        self._check_fields(kind, values)
        values = {**values, "title": check_title(values.get("title") or ""), **_currency(values)}
        if kind == "pipeline":
            values.setdefault("currency", state.settings.currency)
            values.setdefault("status", str(DealStatus.OPEN))
        stage = _stage(state, stage) if stage is not None else _first_stage(state)
        if kind == "pipeline":
            values["status"] = str(status_after_move(DealStatus(values["status"]), None, state.stages[stage].kind))
        card = card or uuid4()
        self._change(room, caller, lambda doc: edits.add_card(
            doc, kind, card, values, stage=stage, position=position, at=now_utc(), by=caller.id))
        if links:
            await self._link(view, CARD, card, links)
        return await self._linked(view, CARD, _card(room.doc, kind, card))

    async def update_card(self, caller: Caller, board: UUID, card: UUID, changes: dict[str, Any]) -> Card:
        view, room = await self._open(caller, board, write=True)
        await self.check_people(view, changes)
        await self.check_records(view, changes, DEAL_REFERENCES)
        kind = view.board.kind
        changes, links = _split_links(kind, changes, DEAL_REFERENCES)
        state = _read(room.doc, kind)
        _existing(state, card)
        self._check_fields(kind, changes)
        changes = {**changes, **_currency(changes)}
        if "title" in changes:
            changes = {**changes, "title": check_title(changes["title"] or "")}
        self._change(room, caller, lambda doc: edits.update_card(doc, kind, card, changes, now_utc()))
        if links:
            await self._link(view, CARD, card, links)
        return await self._linked(view, CARD, _card(room.doc, kind, card))

    async def move_card(self, caller: Caller, board: UUID, card: UUID, stage: UUID, position: int | None) -> Card:
        """Put ``card`` at ``position`` (0-based; ``None``: last) of ``stage``. Moving a deal into a
        Won or Lost column sets its status; out of one into an open column reopens it."""
        view, room = await self._open(caller, board, write=True)
        kind = view.board.kind
        state = _read(room.doc, kind)
        current = _existing(state, card)
        target = _stage(state, stage)

        def move(doc: Doc) -> None:
            at = now_utc()
            edits.move_card(doc, kind, card, target, position, at)
            if kind == "pipeline":
                status = status_after_move(current.status, state.stages[current.stage].kind, state.stages[target].kind)
                if status is not current.status:
                    edits.update_card(doc, kind, card, _status_fields(status, None), at)

        self._change(room, caller, move)
        return await self._linked(view, CARD, _card(room.doc, kind, card))

    async def set_status(self, caller: Caller, board: UUID, card: UUID, status: DealStatus,
                         lost_reason: str | None = None, close_open_tasks: bool = False,
                         language: str | None = None, open_activities: str = "keep") -> Card:
        """Win, lose or reopen a deal; it moves to the board's Won / Lost column if there is one.
        Won or lost, ``open_activities`` says what becomes of the deal's open activities in the same
        change: ``keep`` them, mark them ``done`` (with the note the app writes, in ``language`` — a
        ``LOCALES`` code; else the caller's chosen language, else English) or ``delete`` them.
        ``close_open_tasks`` (lost only, before the choice existed) is ``done``."""
        view, room = await self._open(caller, board, write=True)
        if view.board.kind != "pipeline":
            raise InvalidInput("expected a pipeline board: work items have todo / doing / done (PATCH status)")
        state = _read(room.doc, "pipeline")
        current = _existing(state, card)
        target = stage_for_status(state.ordered_stages(), status, state.stages.get(current.stage))

        def decide(doc: Doc) -> None:
            at = now_utc()
            if target is not None and target.id != current.stage:
                edits.move_card(doc, "pipeline", card, target.id, None, at)
            edits.update_card(doc, "pipeline", card, _status_fields(status, lost_reason), at)
            choice = "done" if close_open_tasks and status == DealStatus.LOST else open_activities
            if status == DealStatus.OPEN or choice == "keep":
                return
            if choice == "delete":
                edits.delete_open_activities(doc, state.activities.values(), card)
                return
            notes = edits.LOST_TASK_NOTE if status == DealStatus.LOST else edits.WON_TASK_NOTE
            edits.close_open_tasks(doc, state.activities.values(), card, notes[spoken_locale(language or caller.locale)], at)

        self._change(room, caller, decide)
        return await self._linked(view, CARD, _card(room.doc, "pipeline", card))

    # --- activities ----------------------------------------------------------------------------

    async def create_activity(self, caller: Caller, board: UUID, values: dict[str, Any],
                              activity: UUID | None = None) -> Activity:
        view, room = await self._open(caller, board, write=True)
        await self.check_people(view, values)
        await self.check_records(view, values, ACTIVITY_REFERENCES)
        values, links = _split_links("pipeline", values, ACTIVITY_REFERENCES)
        state = _read(room.doc, view.board.kind)
        values = check_times(None, {**values, "title": check_title(values.get("title") or "")})
        _check_card(state, values)
        activity = activity or uuid4()
        self._change(room, caller, lambda doc: edits.add_activity(doc, activity, values, at=now_utc(), by=caller.id))
        if links:
            await self._link(view, ACTIVITY, activity, links)
        return await self._linked(view, ACTIVITY, _activity(room.doc, view.board.kind, activity))

    async def update_activity(self, caller: Caller, board: UUID, activity: UUID, changes: dict[str, Any]) -> Activity:
        """Change an activity: reassign it (``assignee``), complete it (``done``), reschedule it..."""
        view, room = await self._open(caller, board, write=True)
        await self.check_people(view, changes)
        await self.check_records(view, changes, ACTIVITY_REFERENCES)
        changes, links = _split_links("pipeline", changes, ACTIVITY_REFERENCES)
        state = _read(room.doc, view.board.kind)
        if activity not in state.activities:
            raise NotFound("no such activity on this board")
        if "title" in changes:
            changes = {**changes, "title": check_title(changes["title"] or "")}
        changes = check_times(state.activities[activity], changes)  # issue 18: zone, reminders, end after start
        _check_card(state, changes)
        if changes:
            self._change(room, caller, lambda doc: edits.update_activity(doc, activity, changes, now_utc()))
        if links:
            await self._link(view, ACTIVITY, activity, links)
        return await self._linked(view, ACTIVITY, _activity(room.doc, view.board.kind, activity))

    async def activity(self, caller: Caller, board: UUID, activity: UUID) -> Activity | None:
        """The activity as the board document holds it now (the projection may lag); None if gone."""
        view, room = await self._open(caller, board, write=False)
        if activity not in _read(room.doc, view.board.kind).activities:
            return None
        return _activity(room.doc, view.board.kind, activity)

    async def delete_activity(self, caller: Caller, board: UUID, activity: UUID) -> bool:
        """Delete an activity (CalDAV sync: deleted on the server); False if it was gone already."""
        _, room = await self._open(caller, board, write=True)
        if str(activity) not in room.doc.get("activities", type=Map):
            return False
        self._change(room, caller, lambda doc: doc.get("activities", type=Map).pop(str(activity)))
        return True

    # --- notes ---------------------------------------------------------------------------------

    async def create_note(self, caller: Caller, board: UUID, subject_kind: SubjectKind, subject: UUID, title: str,
                          text: str | None = None) -> NoteRecord:
        """A note document about a deal (a card of ``board``), contact or organisation, seeded with
        its meta (and ``text`` as paragraphs); it shares the access of ``board``."""
        title = title.strip()
        if len(title) > 500:
            raise InvalidInput(f"expected a title of at most 500 characters, got {len(title)}")
        view, room = await self._open(caller, board, write=True)
        if subject_kind is SubjectKind.DEAL:
            state = _read(room.doc, view.board.kind)
            if view.board.kind != "pipeline" or subject not in state.cards:
                raise InvalidInput(f"expected the id of a deal on this board as subject_id, got {subject}")
        else:
            await self.check_records(view, {"subject_id": subject}, {"subject_id": RecordKind(subject_kind)})
        note, at = uuid4(), now_utc()
        document = note_document(note)
        seed = note_seed(note, NoteMeta(title, subject_kind, subject, board, at, caller.id), text)
        async with self._begin() as tx:
            await tx.workspaces.add_document(document, view.board.workspace_id, board, DocumentKind.NOTE)
            await tx.projected_documents.seed(document, seed)
            registered = NoteRecord(note, document, view.board.workspace_id, board, str(subject_kind), subject,
                                    title, caller.id, at)
            await tx.notes.add(registered)
            await emit(tx, registered.workspace_id, "note.created",
                       {k: v for k, v in registered._asdict().items() if k != "document"}, at)
            return registered

    async def note(self, caller: Caller, note: UUID) -> NoteRecord:
        """A note's registry entry, if the caller reaches its board."""
        async with self._begin() as tx:
            found = await tx.notes.get(note)
        if found is None:
            raise NotFound("no such note")
        try:
            view = await self._boards.get(caller, found.board_id)
        except NotFound:
            raise NotFound("no such note") from None
        if view.role is None and found.subject_kind != SubjectKind.DEAL:
            return found._replace(subject_id=None)  # a guest sees no contact or organisation ids
        return found

    async def add_note_text(self, caller: Caller, note: UUID, text: str) -> None:
        """Append paragraphs to a note, live."""
        found = await self.note(caller, note)
        view = await self._boards.get(caller, found.board_id)
        require_write(view.access, "this note")
        room = await self._rooms.open(found.document)
        self._change(room, caller, lambda doc: edits.add_note_text(doc, text))

    # --- links to contacts and organisations (SQL, not the document: issue 13) -----------------

    async def links(self, caller: Caller, board: UUID) -> list[EntryLink]:
        """The board's links from deals and activities to contacts and organisations; none for a guest
        (they see no ids of the workspace's records)."""
        view = await self._boards.get(caller, board)
        if view.role is None:
            return []
        async with self._begin(autocommit=True) as tx:
            found = await tx.entry_links.of_board(board)
        return sorted(found.values(), key=lambda link: (link.entry_kind, str(link.entry_id)))

    async def _link(self, view: BoardView, kind: str, entry: UUID, links: dict[str, UUID | None]) -> None:
        """Set the entry's contact and/or organisation (the others it has stay)."""
        board = view.board.id
        async with self._begin() as tx:
            current = await tx.entry_links.get(board, kind, entry)
            contact = links["contact"] if "contact" in links else (current.contact_id if current else None)
            organisation = (links["organisation"] if "organisation" in links
                            else (current.organisation_id if current else None))
            await tx.entry_links.set(view.board.workspace_id, board, kind, entry, contact=contact,
                                     organisation=organisation)
        if self._feed is not None:
            await self._feed.changed(view.board.workspace_id, [f"links:{board}"])

    async def _linked(self, view: BoardView, kind: str, value: CardOrActivity) -> CardOrActivity:
        """``value`` with its contact / organisation from the links, as the caller may see it."""
        if view.role is None or isinstance(value, WorkItem):
            return _seen(view, value)
        async with self._begin(autocommit=True) as tx:
            link = await tx.entry_links.get(view.board.id, kind, value.id)
        contact = link.contact_id if link else None
        if isinstance(value, Deal):
            return value._replace(contact=contact, organisation=link.organisation_id if link else None)
        return value._replace(contact=contact)

    # --- helpers -------------------------------------------------------------------------------

    async def _open(self, caller: Caller, board: UUID, *, write: bool) -> tuple[BoardView, Room]:
        view = await self._boards.get(caller, board)
        if write:
            require_write(view.access)
        return view, await self._rooms.open(view.board.document)

    def _change(self, room: Room, caller: Caller, edit: Any) -> None:
        with self._projector.authored(room, caller.id):
            room.change(edit)

    @staticmethod
    def _check_fields(kind: str, values: dict[str, Any]) -> None:
        fields = record("board", edits.card_record(kind)).fields
        noun = "deal" if kind == "pipeline" else "work item"
        for name in values:
            if name not in fields or name in _STAMPED:
                raise InvalidInput(f"a {noun} has no field {name!r}")
            if name == "status" and kind == "pipeline":
                raise InvalidInput("a deal's status is set with POST .../status (won, lost or open), "
                                   "which also moves it to the Won or Lost column")
            if name == "status" and values[name] not in set(ItemStatus):
                raise InvalidInput(f"expected a work item status (todo, doing or done), got {values[name]!r}")

    async def check_records(self, view: BoardView, values: dict[str, Any], fields: dict[str, RecordKind]) -> None:
        """Contacts and organisations named must be live ones of the board's workspace (422 otherwise,
        the same for unknown and foreign ids). Guests see no records, so every one they name is unknown."""
        references = references_in(values, fields)
        if not references:
            return
        if view.role is None:
            raise UnknownReference(references[0].field, references[0].kind)
        async with self._begin(autocommit=True) as tx:
            await require_records(tx, view.board.workspace_id, references)

    async def check_people(self, view: BoardView, values: dict[str, Any]) -> None:
        """Owners and assignees must reach the board (members of its workspace, or shared with)."""
        for name in ("owner", "assignee"):
            user = values.get(name)
            if user is None:
                continue
            async with self._begin(autocommit=True) as tx:
                reaches = await tx.board_reach.reaches(view.board.id, user)
            if not reaches:
                raise InvalidInput(f"expected {name} to be a member of this workspace or someone the board "
                                   f"is shared with, got {user}")


DEAL_REFERENCES = {"contact": RecordKind.CONTACT, "organisation": RecordKind.ORGANISATION}
# an activity names a contact and/or an organisation (issue 18: activities on an organisation)
ACTIVITY_REFERENCES = {"contact": RecordKind.CONTACT, "organisation": RecordKind.ORGANISATION}
_STAMPED = {"createdAt", "createdBy", "updatedAt", "movedAt", "stage", "rank"}


def _split_links(kind: str, values: dict[str, Any], fields: dict[str, RecordKind]
                 ) -> tuple[dict[str, Any], dict[str, UUID | None]]:
    """``values`` without the links to contacts and organisations, and those links (pipelines and
    activities only: a work item has no contact, and saying one is refused as an unknown field)."""
    if kind != "pipeline":
        return values, {}
    return ({k: v for k, v in values.items() if k not in fields},
            {k: (UUID(str(v)) if v is not None else None) for k, v in values.items() if k in fields})


def _currency(values: dict[str, Any]) -> dict[str, Any]:
    """A deal's currency, if given, as an ISO 4217 code (422 naming ``currency`` otherwise)."""
    code = values.get("currency")
    return {} if code is None else {"currency": check_currency(code)}


def _check_card(state: BoardState, values: dict[str, Any]) -> None:
    card = values.get("card")
    if card is not None and card not in state.cards:
        raise InvalidInput(f"expected the id of a card on this board as card, got {card}")


def _first_stage(state: BoardState) -> UUID:
    stages = [s for s in state.ordered_stages() if s.kind is StageKind.OPEN] or state.ordered_stages()
    if not stages:
        raise InvalidInput("this board has no stages: add one first")
    return stages[0].id


def _stage(state: BoardState, stage: UUID) -> UUID:
    if stage not in state.stages:
        names = ", ".join(f"{s.name} ({s.id})" for s in state.ordered_stages())
        raise InvalidInput(f"expected a stage of this board ({names}), got {stage}")
    return stage


def _existing(state: BoardState, card: UUID) -> Card:
    found = state.cards.get(card)
    if found is None:
        raise NotFound("no such card on this board")
    return found


def _status_fields(status: DealStatus, lost_reason: str | None) -> dict[str, Any]:
    return {"status": str(status), "lostReason": lost_reason if status is DealStatus.LOST else None}


def _seen(view: BoardView, value: CardOrActivity) -> CardOrActivity:
    """``value`` as the caller may see it: guests see no contact or organisation ids (records of the
    workspace outside what was shared with them)."""
    if view.role is not None or isinstance(value, WorkItem):
        return value
    hidden = {name: None for name in ("contact", "organisation") if name in value._fields}
    return value._replace(**hidden)


def _card(doc: Doc, kind: str, card: UUID) -> Card:
    return _read(doc, kind).cards[card]


def _activity(doc: Doc, kind: str, activity: UUID) -> Activity:
    return _read(doc, kind).activities[activity]
