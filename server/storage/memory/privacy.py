"""In-memory twins of ``PermissionLevels`` (table ``workspace_permissions``) and ``ErasableContacts``.

Erasure reads and blanks the rows the contact twins keep (table ``contacts``: ``_ContactRow``s of
``server.storage.memory.contacts``), and finds notes and projected deals and activities in the
tables of ``server.storage.memory.crm``.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from server.domain.contacts import Indexed
from server.domain.erasure import PersonalData
from server.domain.permissions import Permissions
from server.storage.memory.crm import projected
from server.storage.memory.unit import MemoryDatabase


class MemoryPermissionLevels:
    """Implements ``server.services.ports.privacy.PermissionLevels`` in a ``MemoryDatabase``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._levels: dict[UUID, tuple[Permissions, UUID]] = db.table("workspace_permissions")

    async def of_workspace(self, workspace: UUID) -> Permissions | None:
        stored = self._levels.get(workspace)
        return stored[0] if stored else None

    async def set(self, workspace: UUID, levels: Permissions, by: UUID) -> None:
        self._levels[workspace] = (Permissions(*levels), by)


class MemoryErasableContacts:
    """Implements ``server.services.ports.privacy.ErasableContacts`` in a ``MemoryDatabase``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._contacts: dict = db.table("contacts")

    async def lock(self, contact: UUID) -> PersonalData | None:
        row = self._contacts.get(contact)
        return _person(row) if row is not None else None

    async def merged_into(self, contact: UUID) -> list[PersonalData]:
        found: set[UUID] = set()
        frontier = {contact}
        while frontier:
            frontier = {row.id for row in self._contacts.values() if row.merged_into in frontier} - found
            found |= frontier
        return [_person(self._contacts[id_]) for id_ in sorted(found)]

    async def erase(self, contacts: Sequence[UUID]) -> int:
        now = self._db.now()
        erased = 0
        for id_ in contacts:
            row = self._contacts.get(id_)
            if row is None:
                continue
            values = row.indexed.values._replace(first_name="", last_name="", emails=[], phones=[], phone_digits=[],
                                                 organisation_id=None, job_title="", labels=[], address={},
                                                 fields={})
            row.indexed = Indexed(values, "", [])
            for changes in self._db.table("import_changes").values():  # what an import's update replaced
                changes[:] = [c._replace(before=None) if c.record_id == id_ else c for c in changes]
            row.updated_at, row.deleted_at = now, row.deleted_at or now
            self._db.table("erased_contacts")[id_] = now
            self._forget_mail(id_)
            erased += 1
        return erased

    def _forget_mail(self, contact: UUID) -> None:
        """Delete the e-mail filed under ``contact`` (as ``erase_contacts`` does; issue 17)."""
        links = self._db.table("email_links")
        for email in [e for e, filing in links.items() if contact in filing.contacts]:
            self._db.table("email_messages").pop(email, None)
            del links[email]

    async def notes_about(self, contacts: Sequence[UUID]) -> list[str]:
        wanted = set(contacts)
        return sorted(n.document for n in self._db.table("notes").values()
                      if n.subject_kind == "contact" and n.subject_id in wanted)

    async def boards_naming(self, contacts: Sequence[UUID]) -> list[UUID]:
        wanted = set(contacts)
        boards = {board for table in ("deals", "activities") for board, rows in projected(self._db, table).items()
                  if any(r.contact in wanted for _, r in rows.values())}
        return sorted(boards)


def _person(row: object) -> PersonalData:
    values = row.indexed.values  # type: ignore[attr-defined]
    return PersonalData(row.id, row.workspace_id, values.first_name, values.last_name,  # type: ignore[attr-defined]
                        tuple(values.emails), tuple(values.phones), tuple(values.phone_digits))
