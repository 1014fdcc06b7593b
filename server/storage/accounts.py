"""The account adapters: users, sessions, password resets, throttle counters, the audit log and
access announcements, each bound to one asyncpg connection.

Bound to a connection (and its transaction, if any) so that a service can make several changes —
e.g. end a session, write the audit row and announce the revocation — in one unit of work.
``pg_notify`` inside a transaction is delivered only when it commits, so listeners re-read
committed state (``server/storage/access_events.py``).
"""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

import asyncpg

from server.domain.accounts import Account, AuditEvent, LiveSession, User
from server.domain.throttle import Rule
from server.storage.queries import queries

SQL = queries("accounts")
ACCESS_CHANNEL = "tandem_access"


def _account(row: asyncpg.Record | None) -> Account | None:
    if row is None:
        return None
    return Account(row["id"], row["email"], row["name"], row["password_hash"], row["disabled_at"], row["locale"])


class PostgresUsers:
    """Implements ``Users``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, email: str, name: str, password_hash: str) -> Account | None:
        return _account(await self._conn.fetchrow(SQL["insert_user"], email, name, password_hash))

    async def by_email(self, email: str) -> Account | None:
        return _account(await self._conn.fetchrow(SQL["user_by_email"], email))

    async def by_id(self, user: UUID) -> Account | None:
        return _account(await self._conn.fetchrow(SQL["user_by_id"], user))

    async def set_password(self, user: UUID, password_hash: str) -> None:
        await self._conn.execute(SQL["set_password"], user, password_hash)

    async def disable(self, user: UUID) -> bool:
        return await self._conn.fetchval(SQL["disable_user"], user) is not None

    async def set_locale(self, user: UUID, locale: str) -> None:
        await self._conn.execute(SQL["set_locale"], user, locale)


class PostgresSessions:
    """Implements ``Sessions``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def start(self, token_hash: bytes, user: UUID, ttl: float) -> datetime:
        return await self._conn.fetchval(SQL["insert_session"], token_hash, user, ttl)

    async def live(self, token_hash: bytes) -> LiveSession | None:
        row = await self._conn.fetchrow(SQL["session_user"], token_hash)
        if row is None:
            return None
        return LiveSession(User(row["id"], row["email"], row["name"]), row["expires_at"], row["locale"])

    async def end(self, token_hash: bytes) -> UUID | None:
        return await self._conn.fetchval(SQL["delete_session"], token_hash)

    async def end_others(self, user: UUID, keep: bytes | None) -> None:
        await self._conn.execute(SQL["delete_other_sessions"], user, keep)


class PostgresResets:
    """Implements ``Resets``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, token_hash: bytes, user: UUID, ttl: float) -> None:
        await self._conn.execute(SQL["insert_reset"], token_hash, user, ttl)

    async def take(self, token_hash: bytes) -> UUID | None:
        return await self._conn.fetchval(SQL["take_reset"], token_hash)


class PostgresThrottleCounters:
    """Implements ``ThrottleCounters``: one statement per attempt, so concurrent ones queue on the row."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def attempt(self, scope: str, key: str, rule: Rule) -> bool:
        return await self._conn.fetchval(
            SQL["throttle_attempt"], scope, key, rule.free, rule.delays(), rule.forget_after) is not None

    async def wait(self, scope: str, key: str, rule: Rule) -> int:
        return await self._conn.fetchval(SQL["throttle_wait"], scope, key, rule.free, rule.delays()) or 1

    async def forgive(self, scope: str, key: str, forget_after: float) -> None:
        await self._conn.execute(SQL["throttle_forgive"], scope, key, forget_after)

    async def refund(self, scope: str, key: str) -> None:
        await self._conn.execute(SQL["throttle_refund"], scope, key)


class PostgresAudit:
    """Implements ``Audit``: rows of ``audit_events``; announcements by ``pg_notify`` on commit."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def record(
        self, event: str, *, actor: UUID | None = None, subject: UUID | None = None,
        workspace: UUID | None = None, address: str | None = None, **details: object,
    ) -> None:
        await self._conn.execute(
            SQL["audit"], event, actor, subject, workspace, address, json.dumps(details, default=str)
        )

    async def announce(self, *, user: UUID | None = None, session: bytes | None = None) -> None:
        payload = {"user": str(user)} if user is not None else {"session": session.hex()}  # type: ignore[union-attr]
        await self._conn.execute(SQL["notify_access"], json.dumps(payload))

    async def for_workspace(self, workspace: UUID, limit: int) -> list[AuditEvent]:
        rows = await self._conn.fetch(SQL["audit_for_workspace"], workspace, limit)
        return [AuditEvent(r["id"], r["at"], r["event"], r["actor_id"], r["subject_id"], r["address"],
                           json.loads(r["details"])) for r in rows]
