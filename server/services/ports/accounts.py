"""The account repositories: users, sessions, password resets, throttle counters and the audit log.

Tokens (sessions, resets) are stored as hashes only (``server.services.credentials``); times are
the database's. Implemented by ``server/storage/accounts.py`` (``Postgres<Port>``) and
``server/storage/memory/accounts.py`` (``Memory<Port>``); tests/contract/test_accounts.py holds
both to the same contract.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from server.domain.accounts import Account, AuditEvent, LiveSession
from server.domain.throttle import Rule


class Users(Protocol):
    async def add(self, email: str, name: str, password_hash: str) -> Account | None:
        """The new account, or None if ``email`` is taken."""
        ...

    async def by_email(self, email: str) -> Account | None:
        """The account registered under ``email`` (lower-cased), enabled or not."""
        ...

    async def by_id(self, user: UUID) -> Account | None:
        """The account ``user``, enabled or not."""
        ...

    async def set_password(self, user: UUID, password_hash: str) -> None:
        """Replace the account's password hash."""
        ...

    async def disable(self, user: UUID) -> bool:
        """Stop the account from signing in; False if it was already disabled (or unknown)."""
        ...

    async def set_locale(self, user: UUID, locale: str) -> None:
        """Remember the language the user chose (one of ``LOCALES``)."""
        ...


class Sessions(Protocol):
    async def start(self, token_hash: bytes, user: UUID, ttl: float) -> datetime:
        """Open a session for ``user`` lasting ``ttl`` seconds; when it expires."""
        ...

    async def live(self, token_hash: bytes) -> LiveSession | None:
        """The session (with its account's chosen locale) if it has not expired and its account is enabled, else None."""
        ...

    async def end(self, token_hash: bytes) -> UUID | None:
        """End one session; its user, or None if there was no such session."""
        ...

    async def end_others(self, user: UUID, keep: bytes | None) -> None:
        """End every session of ``user`` but ``keep`` (all of them when ``keep`` is None)."""
        ...


class Resets(Protocol):
    async def add(self, token_hash: bytes, user: UUID, ttl: float) -> None:
        """Record a password reset token for ``user``, usable once within ``ttl`` seconds."""
        ...

    async def take(self, token_hash: bytes) -> UUID | None:
        """Use a reset token once: its user, or None if unknown, used or expired. The user's other
        unused tokens are used up with it."""
        ...


class ThrottleCounters(Protocol):
    async def attempt(self, scope: str, key: str, rule: Rule) -> bool:
        """Count an attempt under (scope, key), or refuse it (False) while its wait is not over."""
        ...

    async def wait(self, scope: str, key: str, rule: Rule) -> int:
        """Whole seconds until (scope, key) may try again (at least 1)."""
        ...

    async def forgive(self, scope: str, key: str, forget_after: float) -> None:
        """Forget (scope, key) — it succeeded — and every key left alone for ``forget_after`` seconds."""
        ...

    async def refund(self, scope: str, key: str) -> None:
        """Take back one attempt counted under (scope, key)."""
        ...


class Audit(Protocol):
    async def record(
        self, event: str, *, actor: UUID | None = None, subject: UUID | None = None,
        workspace: UUID | None = None, address: str | None = None, **details: object,
    ) -> None:
        """Append one event to the audit log (``details`` are stored as JSON, non-JSON values as text)."""
        ...

    async def announce(self, *, user: UUID | None = None, session: bytes | None = None) -> None:
        """Tell every node, once the unit of work commits, that this user's or session's access changed."""
        ...

    async def for_workspace(self, workspace: UUID, limit: int) -> list[AuditEvent]:
        """The newest ``limit`` events of the workspace and of its members' accounts, newest first."""
        ...
