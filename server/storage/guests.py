"""The guest invitation adapter (``GuestInvitations``): boards shared by link with addresses that
have no account yet. SQL in ``sql/guests.sql``; each answer names the board, its workspace and
the inviter in the same query, for the sign-up page a guest sees before they have an account."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from server.domain.access import ShareLevel
from server.domain.boards import GuestInvitation
from server.storage.queries import queries

SQL = queries("guests")


def _invitation(row: asyncpg.Record) -> GuestInvitation:
    return GuestInvitation(row["id"], row["board_id"], row["workspace_id"], row["board_name"], row["workspace_name"],
                           row["email"], ShareLevel(row["access"]), row["invited_by"], row["inviter_name"],
                           row["created_at"],
                           row["expires_at"])


class PostgresGuestInvitations:
    """Implements ``GuestInvitations``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(
        self, token_hash: bytes, board: UUID, email: str, access: ShareLevel, by: UUID, ttl: float
    ) -> GuestInvitation:
        await self._conn.execute(SQL["replace_guest_invitation"], board, email)
        return _invitation(await self._conn.fetchrow(
            SQL["insert_guest_invitation"], token_hash, board, email, access, by, ttl))

    async def open(self, board: UUID) -> list[GuestInvitation]:
        return [_invitation(row) for row in await self._conn.fetch(SQL["open_guest_invitations"], board)]

    async def find(self, token_hash: bytes) -> GuestInvitation | None:
        row = await self._conn.fetchrow(SQL["find_guest_invitation"], token_hash)
        return None if row is None else _invitation(row)

    async def take(self, token_hash: bytes, user: UUID) -> GuestInvitation | None:
        row = await self._conn.fetchrow(SQL["take_guest_invitation"], token_hash, user)
        return None if row is None else _invitation(row)

    async def revoke(self, board: UUID, invitation: UUID) -> bool:
        return await self._conn.fetchval(SQL["revoke_guest_invitation"], board, invitation) is not None
