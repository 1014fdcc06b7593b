"""In-memory twins of the account ports (tables ``users``, ``sessions``, ``password_resets``,
``auth_throttle``, ``audit_events``, ``access_announced``), for unit tests of the services.

Time is ``MemoryDatabase.now``, so a test can expire a session or let a throttle wait pass
without sleeping. Announcements are kept in ``access_announced`` (``AccessChanged`` values): a
unit of work that raises leaves none, as Postgres delivers a NOTIFY only on commit.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import msgspec

from server.domain.accounts import AccessChanged, Account, AuditEvent, LiveSession
from server.domain.throttle import Rule
from server.storage.memory.unit import MemoryDatabase


class _Token(msgspec.Struct):
    """A session or reset token's row."""

    user: UUID
    expires_at: datetime
    used: bool = False


class _Counter(msgspec.Struct):
    attempts: int
    last_at: datetime


class _Logged(msgspec.Struct):
    workspace: UUID | None
    event: AuditEvent


class MemoryUsers:
    """Implements ``Users`` (table ``users``: id -> ``Account``)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._users: dict[UUID, Account] = db.table("users")

    async def add(self, email: str, name: str, password_hash: str) -> Account | None:
        if await self.by_email(email) is not None:
            return None
        account = Account(uuid4(), email, name, password_hash)
        self._users[account.id] = account
        return account

    async def by_email(self, email: str) -> Account | None:
        return next((a for a in self._users.values() if a.email == email), None)

    async def by_id(self, user: UUID) -> Account | None:
        return self._users.get(user)

    async def set_password(self, user: UUID, password_hash: str) -> None:
        if user in self._users:
            self._users[user] = msgspec.structs.replace(self._users[user], password_hash=password_hash)

    async def disable(self, user: UUID) -> bool:
        account = self._users.get(user)
        if account is None or account.disabled_at is not None:
            return False
        self._users[user] = msgspec.structs.replace(account, disabled_at=self._db.now())
        return True

    async def set_locale(self, user: UUID, locale: str) -> None:
        if user in self._users:
            self._users[user] = msgspec.structs.replace(self._users[user], locale=locale)


class MemorySessions:
    """Implements ``Sessions`` (table ``sessions``: token hash -> user and expiry)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._sessions: dict[bytes, _Token] = db.table("sessions")
        self._users: dict[UUID, Account] = db.table("users")

    async def start(self, token_hash: bytes, user: UUID, ttl: float) -> datetime:
        expires_at = self._db.now() + timedelta(seconds=ttl)
        self._sessions[token_hash] = _Token(user, expires_at)
        return expires_at

    async def live(self, token_hash: bytes) -> LiveSession | None:
        session = self._sessions.get(token_hash)
        if session is None or session.expires_at <= self._db.now():
            return None
        account = self._users.get(session.user)
        if account is None or account.disabled_at is not None:
            return None
        return LiveSession(account.user, session.expires_at, account.locale)

    async def end(self, token_hash: bytes) -> UUID | None:
        session = self._sessions.pop(token_hash, None)
        return session.user if session else None

    async def end_others(self, user: UUID, keep: bytes | None) -> None:
        for token_hash in [t for t, s in self._sessions.items() if s.user == user and t != keep]:
            del self._sessions[token_hash]


class MemoryResets:
    """Implements ``Resets`` (table ``password_resets``: token hash -> user, expiry, used)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._resets: dict[bytes, _Token] = db.table("password_resets")

    async def add(self, token_hash: bytes, user: UUID, ttl: float) -> None:
        self._resets[token_hash] = _Token(user, self._db.now() + timedelta(seconds=ttl))

    async def take(self, token_hash: bytes) -> UUID | None:
        reset = self._resets.get(token_hash)
        if reset is None or reset.used or reset.expires_at <= self._db.now():
            return None
        for other in self._resets.values():  # the account's other tokens go with it
            if other.user == reset.user:
                other.used = True
        return reset.user


class MemoryThrottleCounters:
    """Implements ``ThrottleCounters`` with the arithmetic of ``throttle_attempt`` in accounts.sql."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._counters: dict[tuple[str, str], _Counter] = db.table("auth_throttle")

    async def attempt(self, scope: str, key: str, rule: Rule) -> bool:
        now, counter = self._db.now(), self._counters.get((scope, key))
        if counter is None:
            self._counters[scope, key] = _Counter(1, now)
            return True
        forgotten = counter.last_at <= now - timedelta(seconds=rule.forget_after)
        if not forgotten and counter.last_at + timedelta(seconds=rule.wait_after(counter.attempts)) > now:
            return False
        counter.attempts = 1 if forgotten else counter.attempts + 1
        counter.last_at = now
        return True

    async def wait(self, scope: str, key: str, rule: Rule) -> int:
        counter = self._counters.get((scope, key))
        if counter is None or counter.attempts < rule.free:
            return 1
        ready = counter.last_at + timedelta(seconds=rule.wait_after(counter.attempts))
        return max(1, math.ceil((ready - self._db.now()).total_seconds()))

    async def forgive(self, scope: str, key: str, forget_after: float) -> None:
        cutoff = self._db.now() - timedelta(seconds=forget_after)
        for stale in [k for k, c in self._counters.items() if k == (scope, key) or c.last_at < cutoff]:
            del self._counters[stale]

    async def refund(self, scope: str, key: str) -> None:
        counter = self._counters.get((scope, key))
        if counter is not None:
            counter.attempts = max(counter.attempts - 1, 0)


class MemoryAudit:
    """Implements ``Audit`` (tables ``audit_events`` and ``access_announced``)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._events: list[_Logged] = db.table("audit_events", list)
        self._announced: list[AccessChanged] = db.table("access_announced", list)

    async def record(
        self, event: str, *, actor: UUID | None = None, subject: UUID | None = None,
        workspace: UUID | None = None, address: str | None = None, **details: object,
    ) -> None:
        stored = json.loads(json.dumps(details, default=str))  # what reads back from jsonb
        next_id = self._events[-1].event.id + 1 if self._events else 1
        self._events.append(_Logged(workspace, AuditEvent(
            next_id, self._db.now(), event, actor, subject, address, stored)))

    async def announce(self, *, user: UUID | None = None, session: bytes | None = None) -> None:
        self._announced.append(AccessChanged(user, None) if user is not None else AccessChanged(None, session))

    async def for_workspace(self, workspace: UUID, limit: int) -> list[AuditEvent]:
        members = {user for (w, user) in self._db.table("memberships") if w == workspace}
        found = [logged.event for logged in self._events if logged.workspace == workspace
                 or (logged.workspace is None and logged.event.subject_id in members)]
        return found[::-1][:limit]
