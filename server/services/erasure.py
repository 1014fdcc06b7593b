"""Erase a contact's personal data everywhere Tandem stores it (GDPR art. 17), and say what went.

1. One SQL transaction: the contact's row — and the rows of every contact merged into it, the
   same person's older records — keep only their id as a tombstone (names, e-mails, phones,
   company, job, address, labels, custom fields and search lexemes blanked; ``deleted_at`` and
   ``erased_at`` set); an audit event names the ids and counts, never the data.
   In the same transaction the deals and activities linked to them lose that link
   (``EntryLinks.unlink_contacts``: links live in SQL, not in board documents), and their files'
   rows go with a ``files.remove`` job queued (docs/files.md); the bytes are deleted from the file
   store once it commits, and the job deletes any a failure there left.
2. Each note about them is blanked (its text deleted, its title set to ``[erased]``) and each
   board with deals or activities that were linked to them gets the person's names, e-mails and
   phones redacted from those records' text (and a ``contact`` key a document not yet moved
   still holds removed) — one LOCAL ``Room.change`` per document, so open clients see it at once.
3. Once those changes are committed, each document is compacted: the squash through a ``Doc``
   garbage-collects deleted and overwritten content, so the old values leave
   ``document_updates_v1`` and ``document_snapshots_v1`` too. The stored bytes are then scanned
   for the person's strings (``documents_still_holding`` should be 0), and the projection
   (deals, activities, notes tables) is brought up to date at once.

What this cannot reach: copies in browsers' IndexedDB (clients that were offline keep theirs
until they sync and receive the deletions) and backups of the database.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID

from pycrdt import Doc, Map, XmlFragment

from server.domain.access import NotFound
from server.domain.boards import board_document
from server.domain.erasure import ERASED, ErasureReport, holds_any, personal_strings, redact
from server.domain.permissions import may_erase
from server.services.accounts import Caller
from server.services.contacts import contact_key
from server.services.feed import ChangeFeed
from server.services.file_removal import forget_contacts
from server.services.permissions import caller_role
from server.services.ports.unit import Begin, Unit

if TYPE_CHECKING:
    from server.services.ports.files import FileStore
    from server.services.projection import Projector
    from server.sync.ports import DocumentStore
    from server.sync.registry import Rooms

log = logging.getLogger(__name__)


class _Plan(NamedTuple):
    workspace: UUID
    ids: list[UUID]
    strings: list[str]
    notes: list[str]  # note document names
    boards: dict[str, set[str]]  # board document name -> ids of its deals and activities linked to them
    files: list[str] = []  # file-store keys of the files uploaded on them


class _Counts:
    def __init__(self) -> None:
        self.deals = self.activities = self.fields = 0


class Erasure:
    """The erasure use case: ``erase(caller, contact, address) -> ErasureReport``."""

    def __init__(self, begin: Begin, feed: ChangeFeed, rooms: Rooms, projector: Projector,
                 store: DocumentStore, files: FileStore | None = None) -> None:
        self._begin, self._feed, self._rooms, self._projector, self._store = begin, feed, rooms, projector, store
        self._files = files

    async def erase(self, caller: Caller, contact: UUID, address: str, *,
                    workspace: UUID | None = None) -> ErasureReport:
        """Erase ``contact`` (of ``workspace``, when given: another workspace's id is not found)."""
        async with self._begin() as tx:
            plan = await _blank_rows(tx, caller, contact, workspace)
            await tx.audit.record("contact.erased", actor=caller.id, workspace=plan.workspace, address=address,
                                  contact=contact, contacts=plan.ids, notes=len(plan.notes),
                                  boards=len(plan.boards))
        await self._feed.changed(plan.workspace, [contact_key(c) for c in plan.ids])
        for key in plan.files if self._files is not None else ():
            await _quietly(self._files.delete(key))  # at once; the files.remove job queued with the rows retries
        counts = _Counts()
        for note in plan.notes:
            await self._edit(note, caller.id, lambda doc: _blank_note(doc))
        for board in plan.boards:
            entries = plan.boards[board]
            await self._edit(board, caller.id, lambda doc: _unlink(doc, set(map(str, plan.ids)), entries,
                                                                   plan.strings, counts))
        squashed, holding = 0, 0
        for document in [*plan.notes, *plan.boards]:
            rows, leftover = await self._compact(document, plan.strings)
            squashed, holding = squashed + rows, holding + leftover
        return ErasureReport(contact, len(plan.ids), len(plan.notes), counts.deals, counts.activities,
                             counts.fields, len(plan.notes) + len(plan.boards), squashed, holding)

    async def _edit(self, document: str, author: UUID, edit: Callable[[Doc], None]) -> None:
        """One LOCAL change of ``document``, waited for until it is committed."""
        room = await self._rooms.open(document)
        with self._projector.authored(room, author):
            room.change(edit)
        await room.saved()

    async def _compact(self, document: str, strings: list[str]) -> tuple[int, int]:
        """Squash the document's log (dropping deleted content); whether its bytes still hold a string."""
        rows = await self._store.compact(document)
        stored = await self._store.load(document)
        leftover = any(holds_any(update, strings) for update in stored.updates)
        if leftover:
            log.warning("erased personal data is still in the stored document", extra={"document": document})
        await _quietly(self._projector.project(document))
        return rows, int(leftover)


async def _blank_rows(tx: Unit, caller: Caller, contact: UUID, workspace: UUID | None) -> _Plan:
    person = await tx.erasable_contacts.lock(contact)
    if person is None or workspace not in (None, person.workspace_id):
        raise NotFound("no such contact")
    try:
        role = await caller_role(tx, caller, person.workspace_id)
        may_erase(role)
    except NotFound:
        raise NotFound("no such contact") from None  # the same words whether it exists or not
    people = [person, *await tx.erasable_contacts.merged_into(contact)]
    ids = [p.id for p in people]
    strings = personal_strings(people)
    await tx.erasable_contacts.erase(ids)
    await tx.enrolments.forget_contacts(ids)  # their e-mail sequences (the address with them)
    notes = await tx.erasable_contacts.notes_about(ids)
    boards: dict[str, set[str]] = {board_document(b): set() for b in await tx.erasable_contacts.boards_naming(ids)}
    for link in await tx.entry_links.unlink_contacts(ids):
        boards.setdefault(board_document(link.board_id), set()).add(str(link.entry_id))
    files = await forget_contacts(tx, person.workspace_id, ids)  # rows now, bytes by a job queued here
    return _Plan(person.workspace_id, ids, strings, notes, dict(sorted(boards.items())), [f.key for f in files])


def _blank_note(doc: Doc) -> None:
    content = doc.get("content", type=XmlFragment)
    while len(content.children):
        del content.children[0]
    doc.get("meta", type=Map)["title"] = ERASED


def _unlink(doc: Doc, ids: set[str], entries: set[str], strings: list[str], counts: _Counts) -> None:
    """Redact the person from the text of the deals and activities that were linked to them
    (``entries``), or whose not yet moved ``contact`` key names ``ids``; drop such a key."""
    for root, kind in (("cards", "deals"), ("activities", "activities")):
        for key, entry in list(doc.get(root, type=Map).items()):
            if not isinstance(entry, Map) or (key not in entries and entry.get("contact") not in ids):
                continue
            if entry.get("contact") in ids:
                del entry["contact"]
            setattr(counts, kind, getattr(counts, kind) + 1)
            counts.fields += _redact_map(entry, strings)


def _redact_map(entry: Map, strings: list[str]) -> int:
    """Redact every text value of ``entry`` (and of its nested ``fields`` map); how many changed."""
    changed = 0
    for key, value in list(entry.items()):
        if isinstance(value, str) and (clean := redact(value, strings)) != value:
            entry[key] = clean
            changed += 1
        elif isinstance(value, Map):
            changed += _redact_map(value, strings)
    return changed


async def _quietly(step: Awaitable[Any]) -> None:
    """The projection converges on its own (the live tracker runs too); a failure here only logs."""
    try:
        await step
    except Exception:
        log.exception("projecting after an erasure failed; the live projection will catch up")
