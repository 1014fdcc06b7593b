"""E-mail in automations and the BCC address (issue 17 items 3 and 5): what a mail event is about,
which mail a rule sent, and each workspace's secret BCC address."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol
from uuid import UUID

import msgspec


class SentByRule(NamedTuple):
    """The rule (and run) whose send_template action sent a mail, and the chain depth it ran at."""

    rule: UUID
    run: UUID
    depth: int


class MailFacts(msgspec.Struct, frozen=True):
    """What an e-mail event is about: the stored mail, the contacts and open deals it is filed under
    (contacts in the order its addresses name them: From, To, Cc), and the rule that sent it, if one did."""

    email: UUID
    workspace_id: UUID
    direction: str
    subject: str
    from_address: str
    contacts: list[UUID]
    deals: list[tuple[UUID, UUID]]  # (board, card)
    sent_by: SentByRule | None = None


class EmailTriggers(Protocol):
    async def facts(self, email: UUID) -> MailFacts | None:
        """The stored mail's facts, or None when it is gone."""
        ...

    async def sent_among(self, workspace: UUID, message_ids: Sequence[str]) -> list[UUID]:
        """Of ``message_ids``, the stored mail of the workspace that was sent (direction out), oldest first."""
        ...

    async def mark_sent(self, email: UUID, sent: SentByRule, index: int) -> bool:
        """Record that ``sent``'s run sent ``email`` with its action ``index``; False (nothing written)
        when that run's action has sent one already."""
        ...


class BccAddresses(Protocol):
    async def sealed(self, workspace: UUID) -> bytes | None:
        """The workspace's sealed BCC token, or None when it has none yet."""
        ...

    async def put(self, workspace: UUID, token_hash: bytes, sealed: bytes, replace: bool) -> bool:
        """Store the workspace's token; without ``replace`` only if it has none (False: it had one)."""
        ...

    async def workspace_of(self, token_hash: bytes) -> UUID | None:
        """The workspace whose token hashes to ``token_hash``."""
        ...


class BccDesk(Protocol):
    """What the inbound SMTP listener asks (``server/mail/bcc_smtp.py``): a service, not storage."""

    async def recipient(self, address: str) -> UUID | None:
        """The workspace whose BCC address ``address`` is, or None (the listener refuses the recipient)."""
        ...

    async def accept(self, workspaces: Sequence[UUID], raw: bytes) -> str | None:
        """Queue the message for filing in ``workspaces``; None, or why it is refused (in words)."""
        ...
