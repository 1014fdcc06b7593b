"""A workspace's lost reasons and labels: every member (and viewer) reads them, owners and admins
change them. They live in the workspace document (``server.documents.workspace``), written as a
LOCAL change of its room, so every open app sees a change at once; guests never see them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple
from uuid import UUID

from pycrdt import Doc

from server.documents.edits import rename_label
from server.documents.workspace import read_lists, write_labels, write_lost_reasons
from server.domain.access import Action
from server.domain.boards import workspace_document
from server.domain.workspace_lists import PickLists, check_labels, check_lost_reasons, renamed_labels
from server.services.accounts import Caller
from server.services.ports.unit import Begin
from server.services.records import workspace_role
from server.sync.registry import Rooms


class LabelRenamed(NamedTuple):
    lists: PickLists
    contacts: int  # contacts that carried the label
    deals: int  # cards on the workspace's boards that carried it


class WorkspaceLists:
    """The pick-list use cases."""

    def __init__(self, begin: Begin, rooms: Rooms) -> None:
        self._begin, self._rooms = begin, rooms

    async def get(self, caller: Caller, workspace: UUID) -> PickLists:
        async with self._begin() as unit:
            await workspace_role(unit, caller, workspace, Action.VIEW)
        return read_lists((await self._rooms.open(workspace_document(workspace))).doc)

    async def change(self, caller: Caller, workspace: UUID, lost_reasons: Iterable[object] | None,
                     labels: Iterable[Mapping[str, object]] | None, address: str) -> PickLists:
        """Replace the lost reasons and/or the labels (each list whole, in the order given)."""
        reasons = check_lost_reasons(lost_reasons) if lost_reasons is not None else None
        checked = check_labels(labels) if labels is not None else None
        async with self._begin() as unit:
            await workspace_role(unit, caller, workspace, Action.MANAGE_SETTINGS)
            await unit.audit.record("workspace.lists_changed", actor=caller.id, workspace=workspace, address=address,
                                    lost_reasons=None if reasons is None else len(reasons),
                                    labels=None if checked is None else len(checked))
        room = await self._rooms.open(workspace_document(workspace))

        def edit(doc: Doc) -> None:
            if reasons is not None:
                write_lost_reasons(doc, reasons)
            if checked is not None:
                write_labels(doc, checked)

        room.change(edit)
        return read_lists(room.doc)

    async def rename_label(self, caller: Caller, workspace: UUID, old: str, new: object, address: str) -> LabelRenamed:
        """Rename a label everywhere: in the list (its place and colour kept), on the workspace's
        contacts (one SQL update) and on the cards of every board (a LOCAL change per board
        document, so open apps see the new name at once and the projection follows)."""
        async with self._begin() as unit:
            await workspace_role(unit, caller, workspace, Action.MANAGE_SETTINGS)
            room = await self._rooms.open(workspace_document(workspace))
            old_name, name, labels = renamed_labels(read_lists(room.doc).labels, old, new)
            contacts = await unit.contacts.rename_label(workspace, old_name, name)
            boards = [grant.board.document for grant in await unit.boards.visible(workspace, caller.id)]
            await unit.audit.record("workspace.label_renamed", actor=caller.id, workspace=workspace, address=address,
                                    contacts=contacts)
        room.change(lambda doc: write_labels(doc, labels))
        deals = [0]

        def on_cards(doc: Doc) -> None:
            deals[0] += rename_label(doc, old_name, name)

        for document in boards:
            (await self._rooms.open(document)).change(on_cards)
        return LabelRenamed(read_lists(room.doc), contacts, deals[0])
