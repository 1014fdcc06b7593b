"""Boards and sharing: create, list what the caller may see, share with guests, and decide
document access (``document_access``) for the HTTP API and the WebSocket handshake."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

from server.domain.access import Access, Action, Forbidden, NotFound, Role, ShareLevel, board_access, permit
from server.domain.accounts import InvalidInput, User, check_name, normalise_email
from server.domain.boards import Board, BoardGrant, BoardKind, DocumentKind, Share
from server.domain.money import check_currency
from server.documents.seed import board_seed
from server.services.projection import project_seed
from server.services.accounts import Caller
from server.services.currencies import money_of
from server.services.workspaces import role_of

if TYPE_CHECKING:
    from server.services.ports.unit import Begin, Unit


class BoardView(NamedTuple):
    """A board as one caller sees it: the board (with its ``document``), the caller's access, and
    the caller's role in its workspace (None for a guest, who reaches it by a share alone)."""

    board: Board
    access: Access
    role: Role | None


def _seen(grant: BoardGrant | None) -> BoardView:
    """The board as the grant's holder sees it; ``NotFound`` for unknown and unreachable alike."""
    if grant is None:
        raise NotFound("no such board")
    return BoardView(grant.board, grant.access(), grant.role)


class Boards:
    """The board, share and document-access use cases."""

    def __init__(self, begin: Begin) -> None:
        self._begin = begin

    async def create(self, caller: Caller, workspace: UUID, name: str, kind: BoardKind,
                     currency: str | None = None) -> BoardView:
        """Register the board and its document, whose seed (settings, default stages) is its first log row."""
        name = check_name(name, "board name")
        currency = check_currency(currency) if currency is not None else None
        async with self._begin() as unit:
            role = permit(role_of(await unit.workspaces.workspace_view(workspace, caller.id)), Action.CREATE_BOARD)
            currency = currency or (await money_of(unit, workspace)).currency  # the workspace's, not USD
            board = await unit.boards.add(workspace, name, kind, caller.id)
            await unit.workspaces.add_document(board.document, workspace, board.id, DocumentKind.BOARD)
            seed = board_seed(board.id, board.kind, name, board.created_at, currency)
            await unit.projected_documents.seed(board.document, seed)
            await project_seed(unit, board.id, workspace, kind, seed)
            await unit.audit.record("board.created", actor=caller.id, workspace=workspace,
                                    board=board.id, name=name, kind=kind)
            return BoardView(board, Access.WRITE, role)

    async def visible(self, caller: Caller, workspace: UUID) -> list[BoardView]:
        """The boards of ``workspace`` the caller reaches: all for members, the shared ones for guests."""
        async with self._begin() as unit:
            role_of(await unit.workspaces.workspace_view(workspace, caller.id))
            grants = await unit.boards.visible(workspace, caller.id)
        return [_seen(grant) for grant in grants]

    async def get(self, caller: Caller, board: UUID) -> BoardView:
        async with self._begin() as unit:
            grant = await unit.boards.grant(board, caller.id)
        return _seen(grant)

    async def share(self, caller: Caller, board: UUID, email: str, level: ShareLevel, address: str) -> User:
        email = normalise_email(email)
        async with self._begin() as unit:
            managed = await self._managed(unit, caller, board)
            account = await unit.users.by_email(email)
            if account is None:
                raise InvalidInput(f"expected the e-mail of a registered user; there is no account for {email}")
            await unit.shares.put(board, account.id, level, caller.id)
            await unit.audit.record("board.shared", actor=caller.id, subject=account.id, address=address,
                                    workspace=managed.workspace_id, board=board, access=level)
            await unit.audit.announce(user=account.id)
        return account.user

    async def unshare(self, caller: Caller, board: UUID, user: UUID, address: str) -> None:
        async with self._begin() as unit:
            managed = await self._managed(unit, caller, board)
            if not await unit.shares.remove(board, user):
                raise NotFound("this board is not shared with that user")
            await unit.audit.record("board.unshared", actor=caller.id, subject=user, address=address,
                                    workspace=managed.workspace_id, board=board)
            await unit.audit.announce(user=user)

    async def shares(self, caller: Caller, board: UUID) -> list[Share]:
        async with self._begin() as unit:
            await self._managed(unit, caller, board)
            return await unit.shares.all(board)

    async def _managed(self, unit: Unit, caller: Caller, board: UUID) -> Board:
        """The board, if the caller may manage its shares (an admin or owner of its workspace)."""
        grant = await unit.boards.grant(board, caller.id)
        if grant is None:
            raise NotFound("no such board")
        grant.access()  # NotFound, the same as an unknown board, unless the caller reaches it at all
        if grant.role is None:
            raise Forbidden(f"only a workspace {Role.ADMIN} or above may {Action.SHARE_BOARDS}; you are a guest")
        permit(grant.role, Action.SHARE_BOARDS)
        return grant.board

    async def document_access(self, user: UUID, document: str) -> Access:
        """What ``user`` may do with ``document``; ``NotFound`` for unknown and forbidden alike."""
        async with self._begin(autocommit=True) as unit:
            grant = await unit.boards.document_grant(document, user)
        if grant is None:
            raise NotFound("no such document")
        try:
            access = board_access(grant.role, grant.share)
        except NotFound:
            raise NotFound("no such document") from None  # the same words for unknown and forbidden
        # The workspace document is written by the server alone (contact change notices).
        return Access.READ if grant.kind == DocumentKind.WORKSPACE else access
