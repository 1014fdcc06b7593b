"""The account and workspace services over the memory twins, with a clock the test moves."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from server.services.accounts import Accounts, Caller, Policy
from server.services.boards import Boards
from server.services.credentials import Passwords
from server.services.mail import LoggingOutbox
from server.services.workspaces import Workspaces
from server.storage.memory.unit import MemoryDatabase, memory_begin

POLICY = Policy(session_ttl=3600, reset_ttl=600, max_failures=3, longest_delay=60, sign_ups_per_address=5,
                resets_per_account=2, first_delay=2)
PASSWORD = "correct horse battery"


class Clock:
    """``MemoryDatabase.now`` that moves when told, and a millisecond on every reading (so things
    made one after the other are ordered by time, as in Postgres)."""

    def __init__(self) -> None:
        self.at = datetime(2030, 1, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        self.at += timedelta(milliseconds=1)
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


class World:
    """One memory database and the services over it."""

    def __init__(self) -> None:
        self.db = MemoryDatabase()
        self.clock = self.db.now = Clock()
        self.begin = memory_begin(self.db)
        self.outbox = LoggingOutbox()
        self.passwords = Passwords(time_cost=1, memory_kib=8, parallelism=1)
        self.accounts = Accounts(self.begin, self.passwords, self.outbox, POLICY)
        self.workspaces = Workspaces(self.begin, self.outbox, invitation_ttl=3600)
        self.boards = Boards(self.begin, self.outbox)

    async def sign_up(self, name: str, address: str = "10.0.0.1") -> Caller:
        signed = await self.accounts.sign_up(f"{name.lower()}@example.test", PASSWORD, name, address)
        return signed.caller

    def announced(self) -> list:
        return self.db.table("access_announced", list)

    def events(self) -> list[str]:
        return [logged.event.event for logged in self.db.table("audit_events", list)]

    def last_token(self) -> str:
        """The token in the last mail sent (a reset's, an invitation's)."""
        return re.findall(r"[A-Za-z0-9_-]{32,}", self.outbox.sent[-1].body)[-1]
