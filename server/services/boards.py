"""Boards and sharing: create, list what the caller may see, share with guests, and decide
document access (``document_access``) for the HTTP API and the WebSocket handshake."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

from server.domain.access import (
    Access, Action, Forbidden, NotFound, Role, ShareLevel, board_access, permit,
)
from server.domain.accounts import InvalidInput, check_name, normalise_email
from server.domain.boards import BoardKind, DocumentKind, board_document
from server.domain.crm import check_currency
from server.documents.seed import board_seed
from server.services.projection import project_seed
from server.services.accounts import Caller
from server.services.workspaces import role_of

if TYPE_CHECKING:
    import asyncpg
    from server.storage.unit import Begin, Tx


class BoardView(NamedTuple):
    """A board as one caller sees it: its row (with ``document``) and the caller's access."""

    row: asyncpg.Record
    access: Access


def _decide(row: asyncpg.Record | None) -> Access:
    if row is None:
        raise NotFound("no such board")
    return board_access(Role(row["role"]) if row["role"] else None,
                        ShareLevel(row["share"]) if row["share"] else None)


class Boards:
    """The board, share and document-access use cases."""

    def __init__(self, begin: Begin) -> None:
        self._begin = begin

    async def create(self, caller: Caller, workspace: UUID, name: str, kind: BoardKind,
                     currency: str | None = None) -> BoardView:
        """Register the board and its document, whose seed (settings, default stages) is its first log row."""
        name = check_name(name, "board name")
        currency = check_currency(currency) if currency is not None else None
        async with self._begin() as tx:
            permit(role_of(await tx.workspaces.workspace_view(workspace, caller.id)), Action.CREATE_BOARD)
            board = await tx.workspaces.insert_board(workspace, name, kind, caller.id)
            document = board_document(board["id"])
            await tx.workspaces.insert_document(document, workspace, board["id"], DocumentKind.BOARD)
            seed = board_seed(board["id"], BoardKind(kind), name, board["created_at"], currency)
            await tx.crm.seed_document(document, seed)
            await project_seed(tx, board["id"], workspace, kind, seed)
            await tx.accounts.audit("board.created", actor=caller.id, workspace=workspace,
                                    board=board["id"], name=name, kind=kind)
            return BoardView(await tx.workspaces.board_grant(board["id"], caller.id), Access.WRITE)

    async def visible(self, caller: Caller, workspace: UUID) -> list[BoardView]:
        """The boards of ``workspace`` the caller reaches: all for members, the shared ones for guests."""
        async with self._begin() as tx:
            role_of(await tx.workspaces.workspace_view(workspace, caller.id))
            rows = await tx.workspaces.visible_boards(workspace, caller.id)
        return [BoardView(row, _decide(row)) for row in rows]

    async def get(self, caller: Caller, board: UUID) -> BoardView:
        async with self._begin() as tx:
            row = await tx.workspaces.board_grant(board, caller.id)
        return BoardView(row, _decide(row))

    async def share(self, caller: Caller, board: UUID, email: str, level: ShareLevel, address: str) -> asyncpg.Record:
        email = normalise_email(email)
        async with self._begin() as tx:
            row = await self._managed(tx, caller, board)
            user = await tx.accounts.user_by_email(email)
            if user is None:
                raise InvalidInput(f"expected the e-mail of a registered user; there is no account for {email}")
            await tx.workspaces.upsert_share(board, user["id"], level, caller.id)
            await tx.accounts.audit("board.shared", actor=caller.id, subject=user["id"], address=address,
                                    workspace=row["workspace_id"], board=board, access=level)
            await tx.accounts.announce(user=user["id"])
        return user

    async def unshare(self, caller: Caller, board: UUID, user: UUID, address: str) -> None:
        async with self._begin() as tx:
            row = await self._managed(tx, caller, board)
            if not await tx.workspaces.delete_share(board, user):
                raise NotFound("this board is not shared with that user")
            await tx.accounts.audit("board.unshared", actor=caller.id, subject=user, address=address,
                                    workspace=row["workspace_id"], board=board)
            await tx.accounts.announce(user=user)

    async def shares(self, caller: Caller, board: UUID) -> list[asyncpg.Record]:
        async with self._begin() as tx:
            await self._managed(tx, caller, board)
            return await tx.workspaces.shares(board)

    async def _managed(self, tx: Tx, caller: Caller, board: UUID) -> asyncpg.Record:
        """The board, if the caller may manage its shares (an admin or owner of its workspace)."""
        row = await tx.workspaces.board_grant(board, caller.id)
        _decide(row)
        if row["role"] is None:
            raise Forbidden(f"only a workspace {Role.ADMIN} or above may {Action.SHARE_BOARDS}; you are a guest")
        permit(Role(row["role"]), Action.SHARE_BOARDS)
        return row

    async def document_access(self, user: UUID, document: str) -> Access:
        """What ``user`` may do with ``document``; ``NotFound`` for unknown and forbidden alike."""
        async with self._begin(autocommit=True) as tx:
            row = await tx.workspaces.document_grant(document, user)
        try:
            access = _decide(row)
        except NotFound:
            raise NotFound("no such document") from None  # the same words for unknown and forbidden
        # The workspace document is written by the server alone (contact change notices).
        return Access.READ if row["kind"] == DocumentKind.WORKSPACE else access
