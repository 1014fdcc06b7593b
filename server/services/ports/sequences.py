"""E-mail sequences (issue 17 item 6): the workspace's sequences, and their enrolments with the
per-mailbox send log the hourly cap counts and the workspace's unsubscribed addresses."""

from __future__ import annotations

from collections.abc import Sequence as Seq
from datetime import datetime
from typing import Protocol
from uuid import UUID

from server.domain.sequences import Enrolment, NewEnrolment, Reason, Sequence, SequenceDraft


class Sequences(Protocol):
    async def all(self, workspace: UUID) -> list[Sequence]:
        """The workspace's sequences, by name."""
        ...

    async def get(self, workspace: UUID, sequence: UUID) -> Sequence | None:
        ...

    async def add(self, workspace: UUID, draft: SequenceDraft, author: UUID | None) -> Sequence | None:
        """A new sequence; None when the workspace has one by that name."""
        ...

    async def update(self, workspace: UUID, sequence: UUID, draft: SequenceDraft) -> Sequence | None:
        """Change a sequence (running enrolments follow the new steps); None when absent or the name is taken."""
        ...

    async def remove(self, workspace: UUID, sequence: UUID) -> bool:
        """Delete a sequence and its enrolments; whether it was there."""
        ...


class Enrolments(Protocol):
    async def enrol(self, new: NewEnrolment) -> Enrolment | None:
        """A running (active) enrolment; None when the contact runs in that sequence already."""
        ...

    async def get(self, enrolment: UUID, lock: bool = False) -> Enrolment | None:
        """One enrolment; ``lock``: held until the transaction ends (one step job at a time)."""
        ...

    async def listed(self, workspace: UUID, *, sequence: UUID | None = None,
                     contact: UUID | None = None) -> list[Enrolment]:
        """The workspace's enrolments in a sequence or of a contact, newest first."""
        ...

    async def any_running(self, workspace: UUID) -> bool:
        """Whether the workspace has an active or paused enrolment (the sync skips reading for them if not)."""
        ...

    async def save(self, enrolment: Enrolment) -> None:
        """Write an enrolment's state, step, next time, reason, detail, thread and subject."""
        ...

    async def stop_running(self, workspace: UUID, reason: Reason, *, thread: Seq[str] = (),
                           addresses: Seq[str] = (), contact: UUID | None = None,
                           enrolled_before: datetime | None = None) -> list[UUID]:
        """Stop the workspace's running enrolments whose thread holds one of ``thread``, or whose
        address is one of ``addresses`` (enrolled before ``enrolled_before``, if given), or of
        ``contact``; their ids."""
        ...

    async def forget_contacts(self, contacts: Seq[UUID]) -> None:
        """Delete the enrolments of ``contacts`` (an erasure: they hold the person's address)."""
        ...

    async def take_send(self, mailbox: UUID, cap: int, now: datetime) -> datetime | None:
        """Record a send through ``mailbox`` if it sent fewer than ``cap`` in the hour before ``now``
        (None); else nothing is recorded and the answer is when a send is next allowed. Serialised
        per mailbox."""
        ...

    async def cap(self, mailbox: UUID) -> int | None:
        """The mailbox's own cap on sequence mails per hour; None: the server's default applies."""
        ...

    async def set_cap(self, mailbox: UUID, per_hour: int | None) -> None:
        """Set (or, with None, drop) the mailbox's own cap."""
        ...

    async def unsubscribe(self, workspace: UUID, address: str) -> None:
        """Never enrol ``address`` in the workspace again."""
        ...

    async def unsubscribed(self, workspace: UUID, addresses: Seq[str]) -> set[str]:
        """Those of ``addresses`` (lower case) that unsubscribed in the workspace."""
        ...
