"""The workspace adapters: workspaces and their documents, members, invitations, boards and
shares, each bound to one asyncpg connection (and its transaction, if any).

The grant lookups (``PostgresBoards.grant``, ``document_grant``) return, in one query, the
thing asked about together with the caller's role in its workspace and share of its board;
``server.domain.access`` turns those into a decision.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from server.domain.access import Role, ShareLevel
from server.domain.accounts import User
from server.domain.boards import Board, BoardGrant, BoardKind, DocumentGrant, DocumentKind, Share, board_document
from server.domain.workspaces import (Member, MyWorkspace, PendingInvitation, Workspace, WorkspaceSettings,
                                      WorkspaceView)
from server.storage.queries import queries

SQL = queries("workspaces")


def _role(value: str | None) -> Role | None:
    return Role(value) if value is not None else None


def _share(value: str | None) -> ShareLevel | None:
    return ShareLevel(value) if value is not None else None


class PostgresWorkspaces:
    """Implements ``Workspaces``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, name: str, time_zone: str | None = None) -> Workspace:
        row = await self._conn.fetchrow(SQL["insert_workspace"], name, time_zone)
        return Workspace(row["id"], row["name"], row["created_at"])

    async def settings(self, workspace: UUID) -> WorkspaceSettings | None:
        row = await self._conn.fetchrow(SQL["workspace_settings"], workspace)
        return None if row is None else WorkspaceSettings(row["id"], row["name"], row["time_zone"])

    async def change_settings(self, workspace: UUID, name: str, time_zone: str | None) -> None:
        await self._conn.execute(SQL["change_workspace_settings"], workspace, name, time_zone)

    async def of_user(self, user: UUID) -> list[MyWorkspace]:
        rows = await self._conn.fetch(SQL["workspaces_of"], user)
        return [MyWorkspace(r["id"], r["name"], _role(r["role"])) for r in rows]

    async def workspace_view(self, workspace: UUID, user: UUID) -> WorkspaceView | None:
        row = await self._conn.fetchrow(SQL["workspace_view"], workspace, user)
        return None if row is None else WorkspaceView(row["id"], row["name"], _role(row["role"]), row["guest"])

    async def lock(self, workspace: UUID) -> None:
        await self._conn.execute(SQL["lock_workspace"], str(workspace))

    async def add_document(self, name: str, workspace: UUID, board: UUID | None, kind: DocumentKind) -> None:
        await self._conn.execute(SQL["insert_document"], name, workspace, board, kind)


class PostgresMembers:
    """Implements ``Members``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, workspace: UUID, user: UUID, role: Role) -> bool:
        return await self._conn.fetchval(SQL["insert_member"], workspace, user, role) is not None

    async def all(self, workspace: UUID) -> list[Member]:
        rows = await self._conn.fetch(SQL["members"], workspace)
        return [Member(User(r["id"], r["email"], r["name"]), Role(r["role"]), r["created_at"]) for r in rows]

    async def role(self, workspace: UUID, user: UUID) -> Role | None:
        return _role(await self._conn.fetchval(SQL["member_role"], workspace, user))

    async def count_owners(self, workspace: UUID) -> int:
        return await self._conn.fetchval(SQL["count_owners"], workspace)

    async def set_role(self, workspace: UUID, user: UUID, role: Role) -> None:
        await self._conn.execute(SQL["set_role"], workspace, user, role)

    async def remove(self, workspace: UUID, user: UUID) -> None:
        await self._conn.execute(SQL["delete_member"], workspace, user)


def _invitation(row: asyncpg.Record) -> PendingInvitation:
    return PendingInvitation(row["id"], row["workspace_id"], row["email"], Role(row["role"]), row["expires_at"])


class PostgresInvitations:
    """Implements ``Invitations``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(
        self, token_hash: bytes, workspace: UUID, email: str, role: Role, by: UUID, ttl: float
    ) -> PendingInvitation:
        return _invitation(await self._conn.fetchrow(
            SQL["insert_invitation"], token_hash, workspace, email, role, by, ttl))

    async def take(self, token_hash: bytes, user: UUID) -> PendingInvitation | None:
        row = await self._conn.fetchrow(SQL["take_invitation"], token_hash, user)
        return None if row is None else _invitation(row)


def _grant(row: asyncpg.Record) -> BoardGrant:
    board = Board(row["id"], row["workspace_id"], row["name"], BoardKind(row["kind"]), row["created_at"],
                  row["document"], row["archived_at"])
    return BoardGrant(board, _role(row["role"]), _share(row["share"]))


class PostgresBoards:
    """Implements ``Boards``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, workspace: UUID, name: str, kind: BoardKind, by: UUID) -> Board:
        row = await self._conn.fetchrow(SQL["insert_board"], workspace, name, kind, by)
        return Board(row["id"], row["workspace_id"], row["name"], BoardKind(row["kind"]), row["created_at"],
                     board_document(row["id"]))

    async def visible(self, workspace: UUID, user: UUID) -> list[BoardGrant]:
        return [_grant(row) for row in await self._conn.fetch(SQL["visible_boards"], workspace, user)]

    async def grant(self, board: UUID, user: UUID) -> BoardGrant | None:
        row = await self._conn.fetchrow(SQL["board_grant"], board, user)
        return None if row is None else _grant(row)

    async def document_grant(self, document: str, user: UUID) -> DocumentGrant | None:
        row = await self._conn.fetchrow(SQL["document_grant"], document, user)
        if row is None:
            return None
        return DocumentGrant(row["name"], row["workspace_id"], row["board_id"], DocumentKind(row["kind"]),
                             _role(row["role"]), _share(row["share"]))

    async def rename(self, board: UUID, name: str) -> None:
        await self._conn.execute(SQL["rename_board"], board, name)

    async def set_archived(self, board: UUID, archived: bool) -> None:
        await self._conn.execute(SQL["archive_board"], board, archived)

    async def remove(self, board: UUID) -> None:
        await self._conn.execute(SQL["delete_board"], board)


class PostgresShares:
    """Implements ``Shares``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def put(self, board: UUID, user: UUID, access: ShareLevel, by: UUID) -> None:
        await self._conn.execute(SQL["upsert_share"], board, user, access, by)

    async def remove(self, board: UUID, user: UUID) -> bool:
        return await self._conn.fetchval(SQL["delete_share"], board, user) is not None

    async def all(self, board: UUID) -> list[Share]:
        rows = await self._conn.fetch(SQL["shares"], board)
        return [Share(User(r["id"], r["email"], r["name"]), ShareLevel(r["access"]), r["created_at"]) for r in rows]
