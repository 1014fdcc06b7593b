"""The in-memory twin of ``server.storage.lead_mail`` (tables ``lead_addresses``: workspace ->
(token hash, sealed); ``lead_address_owners``: workspace -> owner; ``lead_mail``: (workspace, Message-ID) -> lead)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from server.storage.memory.unit import MemoryDatabase


class MemoryLeadMail:
    """Implements ``LeadMail``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._addresses: dict[UUID, tuple[bytes, bytes]] = db.table("lead_addresses")
        self._mail: dict[tuple[UUID, str], UUID] = db.table("lead_mail")
        self._owners: dict[UUID, UUID] = db.table("lead_address_owners")

    async def sealed(self, workspace: UUID) -> bytes | None:
        found = self._addresses.get(workspace)
        return found[1] if found else None

    async def put(self, workspace: UUID, token_hash: bytes, sealed: bytes, replace: bool) -> bool:
        if workspace in self._addresses and not replace:
            return False
        self._addresses[workspace] = (token_hash, sealed)
        return True

    async def owner(self, workspace: UUID) -> UUID | None:
        return self._owners.get(workspace) if workspace in self._addresses else None

    async def set_owner(self, workspace: UUID, owner: UUID) -> bool:
        if workspace not in self._addresses:
            return False
        self._owners[workspace] = owner
        return True

    async def workspace_of(self, token_hash: bytes) -> UUID | None:
        return next((w for w, (h, _) in self._addresses.items() if h == token_hash), None)

    async def lead_of(self, workspace: UUID, message_ids: Sequence[str]) -> UUID | None:
        return next((self._mail[(workspace, m)] for m in message_ids if (workspace, m) in self._mail), None)

    async def remember(self, workspace: UUID, message_id: str, lead: UUID) -> bool:
        if (workspace, message_id) in self._mail:
            return False
        self._mail[(workspace, message_id)] = lead
        return True
