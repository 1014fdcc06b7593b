"""Renaming, archiving and deleting boards (owners and admins).

An archived board is hidden from the boards list (the app filters on ``archived_at``) and kept
with everything on it; restoring clears the stamp. Deleting needs the board's name typed back
(``confirm``), removes the board with its documents, shares and projected records (``ON DELETE
CASCADE``), and tells every node that its members' and guests' access changed, so open sockets
on it close within the usual 2 s.
"""

from __future__ import annotations

from uuid import UUID

from pycrdt import Doc, Map

from server.domain.access import Action, NotFound
from server.domain.accounts import InvalidInput, check_name
from server.domain.boards import Board
from server.services.accounts import Caller
from server.services.boards import BoardView
from server.services.file_removal import forget_board
from server.services.ports.unit import Begin, Unit
from server.services.records import workspace_role
from server.sync.registry import Rooms


class BoardLifecycle:
    """The board-management use cases."""

    def __init__(self, begin: Begin, rooms: Rooms) -> None:
        self._begin, self._rooms = begin, rooms

    async def rename(self, caller: Caller, board: UUID, name: str, address: str) -> None:
        name = check_name(name, "board name")
        async with self._begin() as unit:
            found = await _managed(unit, caller, board)
            await unit.boards.rename(board, name)
            await unit.audit.record("board.renamed", actor=caller.id, workspace=found.workspace_id, board=board,
                                    address=address, name=name)
        room = await self._rooms.open(found.document)
        room.change(lambda doc: _set_name(doc, name))  # the document's settings say the same

    async def set_archived(self, caller: Caller, board: UUID, archived: bool, address: str) -> None:
        async with self._begin() as unit:
            found = await _managed(unit, caller, board)
            await unit.boards.set_archived(board, archived)
            await unit.audit.record("board.archived" if archived else "board.restored", actor=caller.id,
                                    workspace=found.workspace_id, board=board, address=address)

    async def delete(self, caller: Caller, board: UUID, confirm: str, address: str) -> None:
        """Delete the board if ``confirm`` is its name (ignoring case and outer spaces)."""
        async with self._begin() as unit:
            found = await _managed(unit, caller, board)
            if confirm.strip().casefold() != found.name.strip().casefold():
                raise InvalidInput(f"expected the board's name {found.name!r} as confirm, got {confirm!r}")
            reached = {m.user.id for m in await unit.members.all(found.workspace_id)}
            reached |= {s.user.id for s in await unit.shares.all(board)}
            await unit.boards.remove(board)
            await forget_board(unit, board)  # its deals' files (docs/files.md)
            await unit.audit.record("board.deleted", actor=caller.id, workspace=found.workspace_id, board=board,
                                    address=address, name=found.name)
            for user in reached:
                await unit.audit.announce(user=user)

    async def view(self, caller: Caller, board: UUID) -> BoardView:
        """The board as the caller sees it now."""
        async with self._begin() as unit:
            grant = await unit.boards.grant(board, caller.id)
        if grant is None:
            raise NotFound("no such board")
        return BoardView(grant.board, grant.access(), grant.role)


async def _managed(unit: Unit, caller: Caller, board: UUID) -> Board:
    """The board, if the caller is an owner or admin of its workspace; ``NotFound`` for guests and strangers."""
    grant = await unit.boards.grant(board, caller.id)
    if grant is None or grant.role is None:
        raise NotFound("no such board")
    await workspace_role(unit, caller, grant.board.workspace_id, Action.MANAGE_BOARDS)
    return grant.board


def _set_name(doc: Doc, name: str) -> None:
    settings = doc.get("settings", type=Map)
    if settings.get("name") != name:
        settings["name"] = name
