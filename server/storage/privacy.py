"""``PostgresPermissionLevels`` (a workspace's permission levels) and ``PostgresErasableContacts``
(the SQL side of erasing a contact), each through one connection."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from server.domain.erasure import PersonalData
from server.domain.permissions import DeleteLevel, ExportLevel, Permissions
from server.storage.queries import queries

SQL = queries("privacy")


def _person(record: asyncpg.Record) -> PersonalData:
    return PersonalData(record["id"], record["workspace_id"], record["first_name"], record["last_name"],
                        tuple(record["emails"]), tuple(record["phones"]), tuple(record["phone_digits"]))


class PostgresPermissionLevels:
    """Implements ``server.services.ports.privacy.PermissionLevels``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def of_workspace(self, workspace: UUID) -> Permissions | None:
        record = await self._conn.fetchrow(SQL["permissions"], workspace)
        if record is None:
            return None
        return Permissions(DeleteLevel(record["delete_level"]), ExportLevel(record["export_level"]))

    async def set(self, workspace: UUID, levels: Permissions, by: UUID) -> None:
        await self._conn.execute(SQL["set_permissions"], workspace, levels.delete, levels.export, by)


class PostgresErasableContacts:
    """Implements ``server.services.ports.privacy.ErasableContacts``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def lock(self, contact: UUID) -> PersonalData | None:
        record = await self._conn.fetchrow(SQL["contact_for_erasure"], contact)
        return _person(record) if record else None

    async def merged_into(self, contact: UUID) -> list[PersonalData]:
        return [_person(r) for r in await self._conn.fetch(SQL["merged_into_transitively"], contact)]

    async def erase(self, contacts: Sequence[UUID]) -> int:
        status = await self._conn.execute(SQL["erase_contacts"], list(contacts))
        return int(status.rsplit(" ", 1)[1])

    async def notes_about(self, contacts: Sequence[UUID]) -> list[str]:
        return [r["document"] for r in await self._conn.fetch(SQL["notes_about"], list(contacts))]

    async def boards_naming(self, contacts: Sequence[UUID]) -> list[UUID]:
        return [r["board_id"] for r in await self._conn.fetch(SQL["board_documents_naming"], list(contacts))]
