"""What leads from e-mail keep (docs/leads.md, "By e-mail"): each workspace's sealed leads address,
and the Message-IDs of the mail each lead was made from or answered by."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID


class LeadMail(Protocol):
    async def sealed(self, workspace: UUID) -> bytes | None:
        """The workspace's sealed leads-address token, or None before the first look."""
        ...

    async def put(self, workspace: UUID, token_hash: bytes, sealed: bytes, replace: bool) -> bool:
        """Keep a new token (replacing the old one only if ``replace``); False if one was there."""
        ...

    async def owner(self, workspace: UUID) -> UUID | None:
        """Who new leads from mail belong to (None: not set, or no address yet)."""
        ...

    async def set_owner(self, workspace: UUID, owner: UUID) -> bool:
        """Make ``owner`` the owner of new leads from mail; False if the workspace has no address."""
        ...

    async def workspace_of(self, token_hash: bytes) -> UUID | None:
        """The workspace whose token hashes to ``token_hash``, or None."""
        ...

    async def lead_of(self, workspace: UUID, message_ids: Sequence[str]) -> UUID | None:
        """The lead one of ``message_ids`` belongs to (the first found in their order), or None."""
        ...

    async def remember(self, workspace: UUID, message_id: str, lead: UUID) -> bool:
        """Note that ``message_id`` belongs to ``lead``; False if the workspace had it already."""
        ...
