"""``PostgresAccounts``: users, sessions, password resets, throttle counters, audit and access events.

Bound to one asyncpg connection, so that a service can make several changes — e.g. delete a
session, write the audit row and announce the revocation — in one transaction. ``pg_notify``
inside a transaction is delivered only when it commits, so listeners re-read committed state.
"""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

import asyncpg

from server.domain.throttle import Rule
from server.storage.queries import queries

SQL = queries("accounts")
ACCESS_CHANNEL = "tandem_access"


class PostgresAccounts:
    """Account rows, through one connection (and its transaction, if any)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def insert_user(self, email: str, name: str, password_hash: str) -> asyncpg.Record | None:
        """The new user, or None if the e-mail is taken."""
        return await self._conn.fetchrow(SQL["insert_user"], email, name, password_hash)

    async def user_by_email(self, email: str) -> asyncpg.Record | None:
        return await self._conn.fetchrow(SQL["user_by_email"], email)

    async def user_by_id(self, user_id: UUID) -> asyncpg.Record | None:
        return await self._conn.fetchrow(SQL["user_by_id"], user_id)

    async def set_password(self, user_id: UUID, password_hash: str) -> None:
        await self._conn.execute(SQL["set_password"], user_id, password_hash)

    async def disable_user(self, user_id: UUID) -> bool:
        return await self._conn.fetchval(SQL["disable_user"], user_id) is not None

    async def insert_session(self, token_hash: bytes, user_id: UUID, ttl: float) -> datetime:
        return await self._conn.fetchval(SQL["insert_session"], token_hash, user_id, ttl)

    async def session_user(self, token_hash: bytes) -> asyncpg.Record | None:
        """``(id, email, name, expires_at)`` of a live session of an enabled user, else None."""
        return await self._conn.fetchrow(SQL["session_user"], token_hash)

    async def delete_session(self, token_hash: bytes) -> UUID | None:
        return await self._conn.fetchval(SQL["delete_session"], token_hash)

    async def delete_other_sessions(self, user_id: UUID, keep: bytes | None) -> None:
        await self._conn.execute(SQL["delete_other_sessions"], user_id, keep)

    async def insert_reset(self, token_hash: bytes, user_id: UUID, ttl: float) -> None:
        await self._conn.execute(SQL["insert_reset"], token_hash, user_id, ttl)

    async def take_reset(self, token_hash: bytes) -> UUID | None:
        """Use a reset token once: its user, or None if unknown, used or expired."""
        return await self._conn.fetchval(SQL["take_reset"], token_hash)

    async def throttle_attempt(self, scope: str, key: str, rule: Rule) -> bool:
        """Count an attempt under (scope, key), or refuse it (False) while its wait is not over."""
        return await self._conn.fetchval(
            SQL["throttle_attempt"], scope, key, rule.free, rule.delays(), rule.forget_after) is not None

    async def throttle_wait(self, scope: str, key: str, rule: Rule) -> int:
        """Whole seconds until (scope, key) may try again (at least 1)."""
        return await self._conn.fetchval(SQL["throttle_wait"], scope, key, rule.free, rule.delays()) or 1

    async def throttle_forgive(self, scope: str, key: str, forget_after: float) -> None:
        """Forget (scope, key) — it succeeded — and every key left alone for ``forget_after``."""
        await self._conn.execute(SQL["throttle_forgive"], scope, key, forget_after)

    async def throttle_refund(self, scope: str, key: str) -> None:
        """Take back one attempt counted under (scope, key): it succeeded."""
        await self._conn.execute(SQL["throttle_refund"], scope, key)

    async def audit(
        self, event: str, *, actor: UUID | None = None, subject: UUID | None = None,
        workspace: UUID | None = None, address: str | None = None, **details: object,
    ) -> None:
        await self._conn.execute(
            SQL["audit"], event, actor, subject, workspace, address, json.dumps(details, default=str)
        )

    async def announce(self, *, user: UUID | None = None, session: bytes | None = None) -> None:
        """Tell every node (on commit) that this user's or session's access changed."""
        payload = {"user": str(user)} if user is not None else {"session": session.hex()}  # type: ignore[union-attr]
        await self._conn.execute(SQL["notify_access"], json.dumps(payload))
