"""``PostgresWorkspaces``: workspaces, members, invitations, boards, shares and documents.

The ``*_grant`` lookups return, in one query, the thing asked about together with the caller's
role in its workspace and share of its board; ``server.domain.access`` turns those into a
decision. Bound to one connection, like ``PostgresAccounts``.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from server.storage.queries import queries

SQL = queries("workspaces")


class PostgresWorkspaces:
    """Workspace rows, through one connection (and its transaction, if any)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def insert_workspace(self, name: str) -> asyncpg.Record:
        return await self._conn.fetchrow(SQL["insert_workspace"], name)

    async def insert_member(self, workspace: UUID, user: UUID, role: str) -> bool:
        """Add a member; False if they already are one."""
        return await self._conn.fetchval(SQL["insert_member"], workspace, user, role) is not None

    async def workspaces_of(self, user: UUID) -> list[asyncpg.Record]:
        """``(id, name, role)``; ``role`` is None where the user is only a guest."""
        return await self._conn.fetch(SQL["workspaces_of"], user)

    async def workspace_view(self, workspace: UUID, user: UUID) -> asyncpg.Record | None:
        """``(id, name, role, guest)`` of an existing workspace, as ``user`` relates to it."""
        return await self._conn.fetchrow(SQL["workspace_view"], workspace, user)

    async def members(self, workspace: UUID) -> list[asyncpg.Record]:
        return await self._conn.fetch(SQL["members"], workspace)

    async def lock(self, workspace: UUID) -> None:
        """Serialise membership changes of one workspace (the last-owner rule needs it)."""
        await self._conn.execute(SQL["lock_workspace"], str(workspace))

    async def member_role(self, workspace: UUID, user: UUID) -> str | None:
        return await self._conn.fetchval(SQL["member_role"], workspace, user)

    async def count_owners(self, workspace: UUID) -> int:
        return await self._conn.fetchval(SQL["count_owners"], workspace)

    async def set_role(self, workspace: UUID, user: UUID, role: str) -> None:
        await self._conn.execute(SQL["set_role"], workspace, user, role)

    async def delete_member(self, workspace: UUID, user: UUID) -> None:
        await self._conn.execute(SQL["delete_member"], workspace, user)

    async def insert_invitation(
        self, token_hash: bytes, workspace: UUID, email: str, role: str, by: UUID, ttl: float
    ) -> asyncpg.Record:
        return await self._conn.fetchrow(SQL["insert_invitation"], token_hash, workspace, email, role, by, ttl)

    async def take_invitation(self, token_hash: bytes, user: UUID) -> asyncpg.Record | None:
        """Use an invitation once: ``(id, workspace_id, email, role)``, or None if not usable."""
        return await self._conn.fetchrow(SQL["take_invitation"], token_hash, user)

    async def insert_board(self, workspace: UUID, name: str, kind: str, by: UUID) -> asyncpg.Record:
        return await self._conn.fetchrow(SQL["insert_board"], workspace, name, kind, by)

    async def insert_document(self, name: str, workspace: UUID, board: UUID | None, kind: str) -> None:
        await self._conn.execute(SQL["insert_document"], name, workspace, board, kind)

    async def visible_boards(self, workspace: UUID, user: UUID) -> list[asyncpg.Record]:
        """Boards of ``workspace`` that ``user`` reaches by role or share, with both."""
        return await self._conn.fetch(SQL["visible_boards"], workspace, user)

    async def board_grant(self, board: UUID, user: UUID) -> asyncpg.Record | None:
        return await self._conn.fetchrow(SQL["board_grant"], board, user)

    async def document_grant(self, document: str, user: UUID) -> asyncpg.Record | None:
        return await self._conn.fetchrow(SQL["document_grant"], document, user)

    async def upsert_share(self, board: UUID, user: UUID, access: str, by: UUID) -> None:
        await self._conn.execute(SQL["upsert_share"], board, user, access, by)

    async def delete_share(self, board: UUID, user: UUID) -> bool:
        return await self._conn.fetchval(SQL["delete_share"], board, user) is not None

    async def shares(self, board: UUID) -> list[asyncpg.Record]:
        return await self._conn.fetch(SQL["shares"], board)

    async def audit_for_workspace(self, workspace: UUID, limit: int) -> list[asyncpg.Record]:
        return await self._conn.fetch(SQL["audit_for_workspace"], workspace, limit)
