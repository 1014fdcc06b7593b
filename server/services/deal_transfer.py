"""CSV import of deals onto a pipeline board, export of a board's deals, and undo of a deal import.

Every row is checked first (``server.domain.deal_rows``). A row duplicates a deal of the board
with its ``id`` (an export imported again), or with the same title, organisation and contact;
the importer's choice then skips it, updates that deal (the file's values win) or merges into it
(the file fills what is empty) — neither moves it to another stage. A file with any problem adds
nothing unless the importer asked for the good rows. Otherwise all cards are added and updated
in **one** ``Room.change`` — one Yjs transaction, so connected clients see the whole import arrive
at once — with the board engineer's document edits, attributed to the caller in the card history
(``Projector.authored``); then the import batch is recorded (what was created, what an update
replaced). Undo removes the cards the import added and restores the values it replaced, again in
one change. Export reads the projection (``deals`` table), which follows an edit within a second.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from pycrdt import Doc, Map

from server.documents import edits
from server.documents.read import read_board
from server.domain.access import Action, require_write
from server.domain.accounts import InvalidInput
from server.domain.crm import now_utc
from server.domain.deal_rows import DealLookups, as_uuid, deal_row
from server.domain.fields import Entity, FieldDefinition, format
from server.domain.imports import Action as Did, ImportBatch, ImportChange, OnDuplicate, as_json, combine, header_key
from server.domain.transfer import DEAL_COLUMNS, DEAL_EXPORT_ONLY, Problem, csv_lines
from server.services.accounts import Caller
from server.services.boards import Boards, BoardView
from server.services.permissions import check_export
from server.services.ports.entry_links import CARD, EntryLink
from server.services.ports.unit import Begin
from server.services.records import definitions, members, workspace_role
from server.services.transfer import ImportOptions, ImportReport, counts_of, read_upload, report_of, undoable

if TYPE_CHECKING:
    from server.services.projection import Projector
    from server.sync.registry import Rooms

# what an update or merge may change (not the stage or the status: moving is the board's)
IMPORTED = {"import": True}  # the source of an import's changes: automations skip them (issue 16)
_UPDATABLE = ("title", "value", "currency", "owner", "contact", "organisation", "expectedClose", "labels", "fields")


def _quiet(problem: str) -> None:
    """Content that does not fit the shape is the projection's to log, not the import's."""


class DealTransfer:
    """Deals in and out of a pipeline board as CSV."""

    def __init__(self, begin: Begin, boards: Boards, rooms: Rooms, projector: Projector) -> None:
        self._begin, self._boards, self._rooms, self._projector = begin, boards, rooms, projector

    async def import_csv(self, caller: Caller, workspace: UUID, board: str | None, raw: bytes,
                         options: ImportOptions, *, address: str) -> ImportReport:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)  # guests: 404, like contacts
        view = await self._board(caller, workspace, board)
        require_write(view.access, "this board")
        async with self._begin() as tx:
            fields = await definitions(tx, workspace, Entity.DEAL)
            upload = await read_upload(tx, workspace, "deals", raw, options, DEAL_COLUMNS, fields, DEAL_EXPORT_ONLY)
            if isinstance(upload, ImportReport):
                return upload
            cells = [c for _, c in upload.sheet.rows if "" not in c]
            by_member = {email: user for user, email in (await members(tx, workspace)).items()}
            by_email = await tx.lookups.contacts_by_email(
                workspace, [c["contact"].strip().lower() for c in cells if "@" in c.get("contact", "")])
            by_id = await tx.lookups.live_contacts(workspace, [i for c in cells if (i := as_uuid(c.get("contact", "")))])
            organisations = await tx.lookups.organisations_by_name(
                workspace, [c["organisation"].strip() for c in cells if c.get("organisation", "").strip()])
            links = await tx.entry_links.of_board(view.board.id)
        room = await self._rooms.open(view.board.document)
        state = read_board(room.doc, "pipeline", _quiet)  # from here to the change: no await
        lookups = DealLookups(caller.id, state, fields, by_member, by_email, by_id, organisations)
        lookups.decimal_comma = upload.decoded.delimiter == ";"
        problems: list[Problem] = []
        steps = _plan(upload.sheet.rows, lookups, room.doc, links, options.on_duplicate, problems)
        actions = [step[1] for step in steps]
        report = report_of("deals", options, upload.decoded, upload.sheet, DEAL_COLUMNS, fields, problems=problems,
                           remembered=upload.remembered, actions={s[0]: (s[1], s[4]) for s in steps},
                           **counts_of(actions))
        if options.dry_run or (problems and not options.partial):
            return report
        at, changes = now_utc(), []
        linking: list[tuple[UUID, dict[str, Any]]] = []  # contacts and organisations live in SQL, not the document

        def write(doc: Doc) -> None:
            for _, action, values, stage, _note, card, before in steps:
                link = {k: values[k] for k in _LINKS if k in values}
                values = {k: v for k, v in values.items() if k not in _LINKS}
                if action == "create":
                    card = uuid4()
                    edits.add_card(doc, "pipeline", card, values, stage=stage, position=None, at=at, by=caller.id)
                    changes.append(ImportChange("deal", card, Did.CREATED))
                elif action == "update":
                    if values:
                        edits.update_card(doc, "pipeline", card, values, at)
                    changes.append(ImportChange("deal", card, Did.UPDATED, before))
                if link and card is not None:
                    linking.append((card, link))

        with self._projector.authored(room, caller.id, source=IMPORTED):
            room.change(write)
        await _set_links(self._begin, workspace, view.board.id, linking)
        async with self._begin() as tx:
            batch = await tx.import_batches.start(workspace, "deals", view.board.id, caller.id) if changes else None
            if batch is not None:
                await tx.import_batches.record(batch, changes, skipped=actions.count("skip"))
            await tx.import_mappings.remember(workspace, "deals", header_key(upload.sheet.headers),
                                              upload.sheet.mapping)
            await tx.audit.record("import", actor=caller.id, workspace=workspace, address=address, kind="deals",
                                  board=view.board.id, rows=len(steps), **counts_of(actions), problems=len(problems))
        return report._replace(imported=True, batch=batch)

    async def undo(self, caller: Caller, workspace: UUID, batch: UUID, *, address: str) -> ImportBatch:
        """Undo the last import if it brought deals: remove its cards, restore what it updated."""
        async with self._begin() as tx:
            found = await undoable(tx, caller, workspace, batch)
            changes = await tx.import_batches.changes(batch)
        if found.kind != "deals" or found.board_id is None:
            raise InvalidInput(f"expected an import of deals, got one of {found.kind}")
        view = next((v for v in await self._boards.visible(caller, workspace) if v.board.id == found.board_id), None)
        if view is None:
            raise InvalidInput("the board this import went to is gone: there is nothing to undo")
        require_write(view.access, "this board")
        room = await self._rooms.open(view.board.document)
        at = now_utc()

        linking: list[tuple[UUID, dict[str, Any]]] = []

        def revert(doc: Doc) -> None:
            cards = doc.get("cards", type=Map)
            for change in reversed(changes):
                before = change.before or {}
                if change.action is Did.CREATED:
                    cards.pop(str(change.record_id), None)
                    linking.append((change.record_id, {"contact": None, "organisation": None}))
                elif isinstance(cards.get(str(change.record_id)), Map):
                    values = {k: v for k, v in before.items() if k not in _LINKS}
                    if values:
                        edits.update_card(doc, "pipeline", change.record_id, values, at)
                    if link := {k: before[k] for k in _LINKS if k in before}:
                        linking.append((change.record_id, link))

        with self._projector.authored(room, caller.id, source=IMPORTED):
            room.change(revert)
        await _set_links(self._begin, workspace, view.board.id, linking)
        async with self._begin() as tx:
            await tx.import_batches.mark_undone(batch)
            await tx.audit.record("import undone", actor=caller.id, workspace=workspace, address=address,
                                  kind="deals", batch=str(batch), records=len(changes))
            return next(b for b in await tx.import_batches.recent(workspace, 10) if b.id == batch)

    async def export_csv(self, caller: Caller, workspace: UUID, board: str | None) -> AsyncIterator[str]:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            await check_export(tx, caller, workspace)  # bulk export: the level an admin set
        view = await self._board(caller, workspace, board)
        async with self._begin() as tx:
            fields = await definitions(tx, workspace, Entity.DEAL)
            rows = await tx.contacts.deals_of_board(view.board.id)
        return _lines(rows, fields)

    async def _board(self, caller: Caller, workspace: UUID, board: str | None) -> BoardView:
        """The pipeline board named (by name or id) in ``?board=``."""
        views = [v for v in await self._boards.visible(caller, workspace) if v.board.kind == "pipeline"]
        for view in views:
            if board and (str(view.board.id) == board or view.board.name.lower() == board.strip().lower()):
                return view
        names = ", ".join(repr(v.board.name) for v in views) or "there is none"
        raise InvalidInput(f"expected ?board= naming a pipeline board of this workspace ({names}), got {board!r}")


Step = tuple[int, str, dict[str, Any], UUID | None, str, UUID | None, dict[str, Any] | None]


def _plan(rows: list[tuple[int, dict[str, str]]], lookups: DealLookups, doc: Doc,
          links: Mapping[tuple[str, UUID], EntryLink], mode: OnDuplicate, problems: list[Problem]) -> list[Step]:
    """Each good row as ``(line, action, values, stage, note, card, before)``: create, update or skip."""
    cards = doc.get("cards", type=Map)
    current = {key: {**card.to_py(), **_link_values(links.get((CARD, UUID(key))))}
               for key, card in cards.items() if isinstance(card, Map) and as_uuid(key)}
    by_key = {_key(c.get("title"), c.get("organisation"), c.get("contact")): key for key, c in current.items()}
    steps: list[Step] = []
    seen: dict[str, int] = {}
    for line, cells in rows:
        read = deal_row(line, cells, lookups, problems)
        if read is None:
            continue
        values, stage = read
        ident = as_uuid(cells.get("id", "")) if cells.get("id") else None
        found = (str(ident), "same id") if ident and str(ident) in current else None
        key = _key(values.get("title"), values.get("organisation"), values.get("contact"))
        if found is None and key in by_key and (values.get("organisation") or values.get("contact")):
            found = by_key[key], "same title, organisation and contact"
        if found and (earlier := seen.get(found[0])) is not None:
            steps.append((line, "skip", {}, None, f"the same deal as line {earlier}", None, None))
            continue
        if found:
            seen[found[0]] = line
        if found is None:
            steps.append((line, "create", values, stage, "", None, None))
        elif mode is OnDuplicate.SKIP:
            steps.append((line, "skip", {}, None, found[1], UUID(found[0]), None))
        else:
            steps.append(_update(line, current[found[0]], values, cells, mode, found))
    return steps


_LINKS = ("contact", "organisation")


def _link_values(link: EntryLink | None) -> dict[str, str]:
    """A deal's contact and organisation (from SQL) as the document's other values: id strings."""
    if link is None:
        return {}
    return {k: str(v) for k, v in (("contact", link.contact_id), ("organisation", link.organisation_id)) if v}


async def _set_links(begin: Begin, workspace: UUID, board: UUID, linking: list[tuple[UUID, dict[str, Any]]]) -> None:
    """Write the deals' contacts and organisations (the ones not given stay)."""
    if not linking:
        return
    async with begin() as tx:
        for card, link in linking:
            current = _link_values(await tx.entry_links.get(board, CARD, card))
            merged = {**current, **link}
            await tx.entry_links.set(workspace, board, CARD, card, contact=as_uuid(str(merged.get("contact") or "")),
                                     organisation=as_uuid(str(merged.get("organisation") or "")))


def _key(title: object, organisation: object, contact: object) -> str:
    return "\t".join(str(part or "").strip().casefold() for part in (title, organisation, contact))


def _update(line: int, card: dict[str, Any], values: dict[str, Any], cells: Mapping[str, str], mode: OnDuplicate,
            found: tuple[str, str]) -> Step:
    """A duplicate updated or merged: the changed values, and what they were before (for undo)."""
    given = {"expectedClose": "expected_close"}
    incoming = {k: v for k, v in as_json(values).items()
                if k in _UPDATABLE and (k == "fields" or cells.get(given.get(k, k), "").strip())}
    changes = combine(card, incoming, mode, lists=("labels",))
    if not changes:
        return line, "skip", {}, None, f"{found[1]}; nothing new", UUID(found[0]), None
    before = {k: card.get(k) for k in changes if k != "fields"}
    if "fields" in changes:
        old = card.get("fields") or {}
        before["fields"] = {k: old.get(k) for k in changes["fields"]}
    return line, "update", changes, None, found[1], UUID(found[0]), before


async def _lines(rows: list[dict[str, Any]], fields: dict[str, FieldDefinition]) -> AsyncIterator[str]:
    yield csv_lines([["id", *DEAL_COLUMNS, *fields, "status", "created_at", "updated_at"]])
    yield csv_lines(_cells(row, fields) for row in rows)


def _cells(row: Mapping[str, Any], fields: dict[str, FieldDefinition]) -> list[str]:
    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    base = [row["card_id"], row["title"], row["stage"], row["value"], row["currency"], row["owner"], row["contact"],
            row["organisation"], row["expected_close"], "; ".join(row["labels"])]
    custom = [format(definition, row["fields"].get(key)) for key, definition in fields.items()]
    return [text(v) for v in base] + custom + [row["status"], text(row["created_at"]), text(row["updated_at"])]
