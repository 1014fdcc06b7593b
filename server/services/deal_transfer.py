"""CSV import of deals onto a pipeline board, and export of a board's deals.

Every row is checked first (stage by name, owner by member e-mail, contact by e-mail or id,
organisation by name, value, currency, date, labels, the workspace's deal custom fields). A file
with any problem adds nothing. Otherwise all cards are added in **one** ``Room.change`` — one Yjs
transaction, so connected clients see the whole import arrive at once, or nothing — written with
the board engineer's document edits (``server.documents.edits.add_card``) and attributed to the
caller in the card history (``Projector.authored``), as ``Crm.create_card`` does for one card.
Export reads the projection (``deals`` table), which follows an edit within about a second.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from pycrdt import Doc

from server.documents import edits
from server.documents.read import read_board
from server.domain.access import Action, require_write
from server.domain.accounts import InvalidInput, normalise_email
from server.domain.contacts import check_labels
from server.domain.crm import BoardState, DealStatus, StageKind, check_title, now_utc, status_after_move
from server.domain.fields import Entity, FieldDefinition, format
from server.domain.transfer import (
    DEAL_COLUMNS, DEAL_EXPORT_ONLY, Problem, SheetError, csv_lines, field_values, read_sheet, split_list,
)
from server.services.accounts import Caller
from server.services.boards import Boards, BoardView
from server.services.permissions import check_export
from server.services.ports.unit import Begin
from server.services.records import definitions, members, workspace_role
from server.services.transfer import ImportReport

if TYPE_CHECKING:
    from server.services.projection import Projector
    from server.sync.registry import Rooms

_CURRENCY = re.compile(r"[A-Z]{3}")


def _quiet(problem: str) -> None:
    """Content that does not fit the shape is the projection's to log, not the import's."""


class DealTransfer:
    """Deals in and out of a pipeline board as CSV."""

    def __init__(self, begin: Begin, boards: Boards, rooms: Rooms, projector: Projector) -> None:
        self._begin, self._boards, self._rooms, self._projector = begin, boards, rooms, projector

    async def import_csv(self, caller: Caller, workspace: UUID, board: str | None, text: str, *, dry_run: bool,
                         address: str) -> ImportReport:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)  # guests: 404, like contacts
        view = await self._board(caller, workspace, board)
        require_write(view.access, "this board")
        async with self._begin() as tx:
            fields = await definitions(tx, workspace, Entity.DEAL)
            try:
                sheet = read_sheet(text, DEAL_COLUMNS, fields, DEAL_EXPORT_ONLY)
            except SheetError as exc:
                return ImportReport("deals", dry_run, False, 0, 0, [], [Problem(exc.line, None, exc.reason)], [])
            cells = [c for _, c in sheet.rows if "" not in c]
            by_member = {email: user for user, email in (await members(tx, workspace)).items()}
            by_email = await tx.lookups.contacts_by_email(
                workspace, [c["contact"].strip().lower() for c in cells if "@" in c.get("contact", "")])
            by_id = await tx.lookups.live_contacts(workspace, [_uuid(c.get("contact", "")) for c in cells
                                                               if _uuid(c.get("contact", ""))])
            organisations = await tx.lookups.organisations_by_name(
                workspace, [c["organisation"].strip() for c in cells if c.get("organisation", "").strip()])
        room = await self._rooms.open(view.board.document)
        state = read_board(room.doc, "pipeline", _quiet)  # from here to the change: no await
        lookups = _Lookups(caller, state, fields, by_member, by_email, by_id, organisations)
        problems: list[Problem] = []
        rows = [row for line, c in sheet.rows if (row := _deal(line, c, lookups, problems)) is not None]
        report = ImportReport("deals", dry_run, False, len(sheet.rows), len(rows), [], problems, sheet.ignored)
        if problems or dry_run:
            return report
        at = now_utc()

        def add_all(doc: Doc) -> None:
            for values, stage in rows:
                edits.add_card(doc, "pipeline", uuid4(), values, stage=stage, position=None, at=at, by=caller.id)

        with self._projector.authored(room, caller.id):
            room.change(add_all)
        async with self._begin() as tx:
            await tx.audit.record("import", actor=caller.id, workspace=workspace, address=address, kind="deals",
                                  board=view.board.id, rows=len(rows))
        return report._replace(imported=True)

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


class _Lookups:
    def __init__(self, caller: Caller, state: BoardState, fields: dict[str, FieldDefinition],
                 members: dict[str, UUID], by_email: dict[str, UUID], by_id: set[UUID],
                 organisations: dict[str, UUID]) -> None:
        self.caller, self.state, self.fields = caller, state, fields
        self.members, self.by_email, self.by_id, self.organisations = members, by_email, by_id, organisations
        stages = state.ordered_stages()
        self.stages = {s.name.strip().lower(): s for s in stages}
        self.first = next((s for s in stages if s.kind is StageKind.OPEN), stages[0] if stages else None)


def _deal(line: int, cells: Mapping[str, str], lookups: _Lookups,
          problems: list[Problem]) -> tuple[dict[str, Any], UUID] | None:
    """One row as card values and its stage; its problems go to ``problems``."""
    if "" in cells:
        problems.append(Problem(line, None, cells[""]))
        return None
    before = len(problems)
    values: dict[str, Any] = {}
    for column, read in _READERS.items():
        if cells.get(column, "").strip() or column in ("title", "stage", "owner"):
            try:
                values.update(read(cells, lookups))
            except InvalidInput as exc:
                problems.append(Problem(line, column, str(exc)))
    fields = field_values(cells, lookups.fields, line, problems)
    if len(problems) > before:
        return None
    stage = values.pop("stage")
    values.setdefault("currency", lookups.state.settings.currency)
    values["status"] = str(status_after_move(DealStatus.OPEN, None, stage.kind))
    if fields:
        values["fields"] = fields
    return {k: v for k, v in values.items() if v is not None}, stage.id


def _title(cells: Mapping[str, str], lookups: _Lookups) -> dict[str, Any]:
    return {"title": check_title(cells.get("title", ""))}


def _stage(cells: Mapping[str, str], lookups: _Lookups) -> dict[str, Any]:
    name = cells.get("stage", "").strip()
    stage = lookups.stages.get(name.lower()) if name else lookups.first
    if stage is None:
        known = ", ".join(repr(s.name) for s in lookups.state.ordered_stages()) or "it has none"
        raise InvalidInput(f"expected a stage of this board ({known}), got {name!r}")
    return {"stage": stage}


def _value(cells: Mapping[str, str], lookups: _Lookups) -> dict[str, Any]:
    raw = cells["value"].strip().replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise InvalidInput(f"expected an amount of 0 or more, like 1200.50, got {cells['value']!r}")
    return {"value": value}


def _currency(cells: Mapping[str, str], lookups: _Lookups) -> dict[str, Any]:
    code = cells["currency"].strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise InvalidInput(f"expected a three-letter currency code like EUR, got {cells['currency']!r}")
    return {"currency": code}


def _owner(cells: Mapping[str, str], lookups: _Lookups) -> dict[str, Any]:
    if "owner" not in cells:
        return {"owner": lookups.caller.id}
    if not cells["owner"].strip():
        return {}
    email = normalise_email(cells["owner"])
    if email not in lookups.members:
        raise InvalidInput(f"expected the e-mail of a member of this workspace, got {cells['owner']!r}")
    return {"owner": lookups.members[email]}


def _contact(cells: Mapping[str, str], lookups: _Lookups) -> dict[str, Any]:
    raw = cells["contact"].strip()
    ident = _uuid(raw)
    if ident is not None and ident in lookups.by_id:
        return {"contact": ident}
    found = lookups.by_email.get(raw.lower())
    if found is None:
        raise InvalidInput(f"expected the e-mail (or id) of a contact of this workspace, got {raw!r}")
    return {"contact": found}


def _organisation(cells: Mapping[str, str], lookups: _Lookups) -> dict[str, Any]:
    name = cells["organisation"].strip()
    if name.lower() not in lookups.organisations:
        raise InvalidInput(f"expected the name of an organisation of this workspace, got {name!r} "
                           "(import organisations first)")
    return {"organisation": lookups.organisations[name.lower()]}


def _expected_close(cells: Mapping[str, str], lookups: _Lookups) -> dict[str, Any]:
    try:
        return {"expectedClose": date.fromisoformat(cells["expected_close"].strip())}
    except ValueError:
        raise InvalidInput(f"expected a date as YYYY-MM-DD, got {cells['expected_close']!r}") from None


def _labels(cells: Mapping[str, str], lookups: _Lookups) -> dict[str, Any]:
    return {"labels": check_labels(split_list(cells["labels"]))}


_READERS = {"title": _title, "stage": _stage, "value": _value, "currency": _currency, "owner": _owner,
            "contact": _contact, "organisation": _organisation, "expected_close": _expected_close,
            "labels": _labels}


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text.strip())
    except ValueError:
        return None


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
