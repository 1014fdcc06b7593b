"""The in-memory twins of ``server.storage.sequences``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence as Seq
from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from server.domain.sequences import Enrolment, NewEnrolment, Reason, Sequence, SequenceDraft, State
from server.storage.memory.unit import MemoryDatabase

_RUNNING = (State.ACTIVE, State.PAUSED)


class MemorySequences:
    """Implements ``Sequences`` (table ``sequences``: id -> Sequence)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db

    @property
    def _rows(self) -> dict[UUID, Sequence]:
        return self._db.table("sequences")

    def _taken(self, workspace: UUID, name: str, other_than: UUID | None = None) -> bool:
        return any(s.workspace_id == workspace and s.name == name and s.id != other_than for s in self._rows.values())

    async def all(self, workspace: UUID) -> list[Sequence]:
        return sorted((s for s in self._rows.values() if s.workspace_id == workspace),
                      key=lambda s: (s.name.lower(), str(s.id)))

    async def get(self, workspace: UUID, sequence: UUID) -> Sequence | None:
        found = self._rows.get(sequence)
        return found if found is not None and found.workspace_id == workspace else None

    async def add(self, workspace: UUID, draft: SequenceDraft, author: UUID | None) -> Sequence | None:
        if self._taken(workspace, draft.name):
            return None
        now = self._db.now()
        made = Sequence(uuid.uuid4(), workspace, draft.name, draft.steps, draft.window, now, now)
        self._rows[made.id] = made
        return made

    async def update(self, workspace: UUID, sequence: UUID, draft: SequenceDraft) -> Sequence | None:
        found = await self.get(workspace, sequence)
        if found is None or self._taken(workspace, draft.name, other_than=sequence):
            return None
        changed = msgspec.structs.replace(found, name=draft.name, steps=draft.steps, window=draft.window,
                                          updated_at=self._db.now())
        self._rows[sequence] = changed
        return changed

    async def remove(self, workspace: UUID, sequence: UUID) -> bool:
        if await self.get(workspace, sequence) is None:
            return False
        del self._rows[sequence]
        enrolments: dict[UUID, Enrolment] = self._db.table("sequence_enrolments")
        for key in [k for k, e in enrolments.items() if e.sequence_id == sequence]:
            del enrolments[key]
        return True


class MemoryEnrolments:
    """Implements ``Enrolments`` (tables ``sequence_enrolments``: id -> Enrolment; ``sequence_sends``:
    mailbox -> [time]; ``sequence_unsubscribes``: a set of (workspace, address))."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db

    @property
    def _rows(self) -> dict[UUID, Enrolment]:
        return self._db.table("sequence_enrolments")

    async def enrol(self, new: NewEnrolment) -> Enrolment | None:
        if any(e.sequence_id == new.sequence_id and e.contact_id == new.contact_id and e.state in _RUNNING
               for e in self._rows.values()):
            return None
        now = self._db.now()
        made = Enrolment(uuid.uuid4(), new.sequence_id, new.workspace_id, new.contact_id, new.enrolled_by,
                         new.address, State.ACTIVE, 0, new.next_at, None, "", (), "", now, now, new.deal)
        self._rows[made.id] = made
        return made

    async def get(self, enrolment: UUID, lock: bool = False) -> Enrolment | None:
        return self._rows.get(enrolment)

    async def listed(self, workspace: UUID, *, sequence: UUID | None = None,
                     contact: UUID | None = None) -> list[Enrolment]:
        found = [e for e in self._rows.values() if e.workspace_id == workspace
                 and sequence in (None, e.sequence_id) and contact in (None, e.contact_id)]
        return sorted(found, key=lambda e: (-e.created_at.timestamp(), str(e.id)))

    async def any_running(self, workspace: UUID) -> bool:
        return any(e.workspace_id == workspace and e.state in _RUNNING for e in self._rows.values())

    async def save(self, enrolment: Enrolment) -> None:
        if enrolment.id in self._rows:
            self._rows[enrolment.id] = msgspec.structs.replace(enrolment, updated_at=self._db.now())

    async def stop_running(self, workspace: UUID, reason: Reason, *, thread: Seq[str] = (),
                           addresses: Seq[str] = (), contact: UUID | None = None,
                           enrolled_before: datetime | None = None) -> list[UUID]:
        lowered = {a.lower() for a in addresses}
        stopped = []
        for e in list(self._rows.values()):
            if e.workspace_id != workspace or e.state not in _RUNNING:
                continue
            by_address = e.address.lower() in lowered and (enrolled_before is None or e.created_at <= enrolled_before)
            if set(thread) & set(e.thread) or by_address or (contact is not None and e.contact_id == contact):
                self._rows[e.id] = msgspec.structs.replace(e, state=State.STOPPED, reason=reason, next_at=None,
                                                           updated_at=self._db.now())
                stopped.append(e.id)
        return stopped

    async def forget_contacts(self, contacts: Seq[UUID]) -> None:
        for key in [k for k, e in self._rows.items() if e.contact_id in set(contacts)]:
            del self._rows[key]

    async def take_send(self, mailbox: UUID, cap: int, now: datetime) -> datetime | None:
        sends: dict[UUID, list[datetime]] = self._db.table("sequence_sends")
        hour = sorted(t for t in sends.get(mailbox, []) if now - timedelta(hours=1) < t <= now)
        if len(hour) >= cap:
            return hour[len(hour) - cap] + timedelta(hours=1)
        sends[mailbox] = [t for t in sends.get(mailbox, []) if t >= now - timedelta(days=1)] + [now]
        return None

    async def cap(self, mailbox: UUID) -> int | None:
        return self._db.table("sequence_mailbox_caps").get(mailbox)

    async def set_cap(self, mailbox: UUID, per_hour: int | None) -> None:
        caps: dict[UUID, int] = self._db.table("sequence_mailbox_caps")
        if per_hour is None:
            caps.pop(mailbox, None)
        else:
            caps[mailbox] = per_hour

    async def unsubscribe(self, workspace: UUID, address: str) -> None:
        self._db.table("sequence_unsubscribes", set).add((workspace, address.lower()))

    async def unsubscribed(self, workspace: UUID, addresses: Seq[str]) -> set[str]:
        table = self._db.table("sequence_unsubscribes", set)
        return {a.lower() for a in addresses if (workspace, a.lower()) in table}
