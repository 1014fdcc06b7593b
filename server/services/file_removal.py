"""Files go when their record goes (docs/files.md, "When a record goes").

**Rows in the record's transaction, bytes by a job queued in it.** Whatever removes a deal (the
projection deleting its ``deals`` row), a board, a contact or an organisation (deleted or erased)
calls one of the ``forget_*`` functions inside its own unit of work: the files' rows are deleted
and a ``files.remove`` job naming them is enqueued in that same transaction — both commit or
neither does. The job deletes the bytes of every named file that has no row (``present``), so it
is idempotent (a missing object is fine: ``FileStore.delete`` ignores it) and safe to run twice;
a store error raises, and the worker retries it with backoff.

**No sweep is needed**, because bytes never exist without a job that will look at them:
an upload commits a ``files.remove`` job for its new file, delayed by ``REAP_AFTER``, *before*
it writes any byte. If the upload completes, the row exists when that job runs and it deletes
nothing; if the process dies between the bytes and the row, the job finds no row and deletes the
bytes. A removal's job is in the removal's transaction. So every crash window has a durable job.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from server.domain.files import RecordKind, StoredFile

if TYPE_CHECKING:
    from server.services.jobs import JobKinds
    from server.services.ports.files import FileStore
    from server.services.ports.unit import Begin, Unit

log = logging.getLogger(__name__)

REMOVE = "files.remove"
REAP_AFTER = timedelta(hours=6)  # longer than any upload takes; then bytes with no row go
BATCH = 500  # files per job: a board with many files makes several small jobs


async def remove_bytes_later(tx: Unit, files: Sequence[StoredFile]) -> int:
    """Queue (in ``tx``) the deletion of ``files``' bytes, their rows being deleted in ``tx``; how many."""
    for start in range(0, len(files), BATCH):
        batch = files[start:start + BATCH]
        await tx.jobs.enqueue(REMOVE, {"files": [[str(f.id), f.key] for f in batch]})
    return len(files)


async def reap_unless_recorded(tx: Unit, file: UUID, key: str) -> None:
    """Before an upload writes ``key``: its bytes go after ``REAP_AFTER`` unless ``file``'s row exists."""
    await tx.jobs.enqueue(REMOVE, {"files": [[str(file), key]]}, after=REAP_AFTER)


async def forget_deals(tx: Unit, workspace: UUID, board: UUID, cards: Sequence[UUID]) -> int:
    """The deals ``cards`` of ``board`` are gone: their files' rows now, their bytes by a job."""
    return await remove_bytes_later(tx, await tx.record_files.remove_on(workspace, RecordKind.DEAL, cards, board))


async def forget_board(tx: Unit, board: UUID) -> int:
    """The board is gone: the files of all its deals."""
    return await remove_bytes_later(tx, await tx.record_files.remove_on_board(board))


async def forget_contacts(tx: Unit, workspace: UUID, contacts: Sequence[UUID]) -> list[StoredFile]:
    """The contacts are gone (deleted or erased): their files; the rows it removed."""
    files = await tx.record_files.remove_on(workspace, RecordKind.CONTACT, contacts)
    await remove_bytes_later(tx, files)
    return files


async def forget_organisation(tx: Unit, workspace: UUID, organisation: UUID) -> int:
    """The organisation is gone: its own files (its people keep theirs)."""
    return await remove_bytes_later(
        tx, await tx.record_files.remove_on(workspace, RecordKind.ORGANISATION, [organisation]))


async def remove_orphans(begin: Begin, store: FileStore, files: Sequence[tuple[UUID, str]]) -> int:
    """Delete the bytes of those ``files`` (id, key) that have no row; how many. Raises on a store
    error (the job is retried); a key already gone counts as done."""
    async with begin() as tx:
        kept = await tx.record_files.present([file for file, _ in files])
    orphans = [key for file, key in files if file not in kept]
    for key in orphans:
        await store.delete(key)
    return len(orphans)


def register(kinds: JobKinds, begin: Begin, store: FileStore) -> None:
    """Add ``files.remove`` to the worker's kinds."""

    @kinds.handle(REMOVE)
    async def remove(payload: dict[str, Any]) -> None:
        files = [(UUID(file), key) for file, key in payload["files"]]
        removed = await remove_orphans(begin, store, files)
        log.info("files.remove: %d of %d file(s) had no row; their bytes are deleted", removed, len(files))
