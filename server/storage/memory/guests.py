"""The in-memory twin of ``GuestInvitations`` (table ``guest_invitations``), for unit tests of the
services. It reads boards, workspaces and users from the workspace and account twins' tables, as
the SQL joins them, and the time from ``MemoryDatabase.now``."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

import msgspec

from server.domain.access import ShareLevel
from server.domain.boards import GuestInvitation
from server.storage.memory.unit import MemoryDatabase


class _Row(msgspec.Struct):
    id: UUID
    board: UUID
    email: str
    access: ShareLevel
    by: UUID | None
    created_at: datetime
    expires_at: datetime
    accepted_by: UUID | None = None


class MemoryGuestInvitations:
    """Implements ``GuestInvitations``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db
        self.rows: dict[bytes, _Row] = db.table("guest_invitations")

    def _open(self, row: _Row) -> bool:
        return row.accepted_by is None and row.expires_at > self.db.now()

    def _named(self, row: _Row) -> GuestInvitation:
        board = self.db.table("boards")[row.board]
        workspace = self.db.table("workspaces")[board.workspace_id]
        inviter = self.db.table("users").get(row.by)
        return GuestInvitation(row.id, board.id, board.workspace_id, board.name, workspace.name, row.email,
                               row.access, row.by, inviter.name if inviter else None, row.created_at, row.expires_at)

    async def add(
        self, token_hash: bytes, board: UUID, email: str, access: ShareLevel, by: UUID, ttl: float
    ) -> GuestInvitation:
        for key, row in list(self.rows.items()):
            if row.board == board and row.email == email and row.accepted_by is None:
                del self.rows[key]
        now = self.db.now()
        self.rows[token_hash] = _Row(uuid4(), board, email, ShareLevel(access), by, now, now + timedelta(seconds=ttl))
        return self._named(self.rows[token_hash])

    async def open(self, board: UUID) -> list[GuestInvitation]:
        rows = sorted((r for r in self.rows.values() if r.board == board and self._open(r)),
                      key=lambda r: (r.created_at, r.email))
        return [self._named(r) for r in rows]

    async def find(self, token_hash: bytes) -> GuestInvitation | None:
        row = self.rows.get(token_hash)
        return self._named(row) if row is not None and self._open(row) else None

    async def take(self, token_hash: bytes, user: UUID) -> GuestInvitation | None:
        row = self.rows.get(token_hash)
        if row is None or not self._open(row):
            return None
        row.accepted_by = user
        return self._named(row)

    async def revoke(self, board: UUID, invitation: UUID) -> bool:
        for key, row in list(self.rows.items()):
            if row.board == board and row.id == invitation and row.accepted_by is None:
                del self.rows[key]
                return True
        return False
