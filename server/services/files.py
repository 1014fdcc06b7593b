"""Files on records: upload, list, download and delete a deal's, contact's or organisation's files,
and the files a mail attaches (docs/files.md).

**Access is the record's.** A contact's or organisation's files are the workspace's members': viewers
read, members and above upload and delete; guests and strangers get ``NotFound`` with the words a
missing record gets. A deal's files are its board's: whoever reaches the board reads them (a guest
through a share too), whoever may edit it uploads and deletes; a read-only reader is refused.

**What is stored** is decided here (``server.domain.files``): the name sanitised, the type sniffed
from the first bytes, the size checked against ``max_bytes`` as the body streams to the store
(never held whole: ``FileStore.write``), the SHA-256 kept. A ``files.remove`` job for the new key
is committed before the first byte is written (it deletes them unless the row exists by then:
``server.services.file_removal``); the bytes go to the file store, then the row is written; a
failed row takes its bytes away again. A deleted row's bytes are deleted after the transaction,
and by a ``files.remove`` job queued in it if that fails.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

import msgspec

from server.domain.access import Access, Action, Forbidden, NotFound
from server.domain.files import (
    SNIFF_BYTES, FileSummary, RecordKind, RecordRef, StoredFile, check_size, sanitise_name, sniff,
    storage_key,
)
from server.domain.timeline import EntryKind, TimelineEntry
from server.domain.sending import Attachment, Envelope
from server.services.file_removal import reap_unless_recorded, remove_bytes_later
from server.services.records import contact_workspace, organisation_workspace
from server.services.timeline_feed import announce, record_timeline

if TYPE_CHECKING:
    from server.services.accounts import Caller
    from server.services.ports.files import FileStore
    from server.services.ports.unit import Begin, Unit

log = logging.getLogger(__name__)

NO_FILE = "no such file"
DEFAULT_MAX_BYTES = 25 << 20
DEFAULT_ATTACHMENTS_MAX_BYTES = 20 << 20  # what most mail servers take in one message, after base64


class RecordFilesService:
    """The files use cases over the unit of work and a ``FileStore``."""

    def __init__(self, begin: Begin, store: FileStore, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 attachments_max_bytes: int = DEFAULT_ATTACHMENTS_MAX_BYTES) -> None:
        self._begin, self._store, self.max_bytes = begin, store, max_bytes
        self.attachments_max_bytes = attachments_max_bytes

    @property
    def store(self) -> FileStore:
        """Where the files' bytes are (erasure deletes a contact's there too)."""
        return self._store

    async def upload(self, caller: Caller, record: RecordRef, name: str,
                     body: bytes | AsyncIterable[bytes]) -> StoredFile:
        """Store ``body`` (bytes, or chunks as they arrive) as a file of ``record``: named, sniffed,
        counted and hashed here while it streams to the store; over ``max_bytes``, ``FileTooLarge``
        and nothing stored."""
        file_id = uuid.uuid4()
        async with self._begin() as tx:
            workspace = await record_workspace(tx, caller, record, write=True)
            await reap_unless_recorded(tx, file_id, storage_key(workspace, file_id))
        stored = await stream_to_store(self._store, storage_key(workspace, file_id), body, self.max_bytes)
        file = StoredFile(id=file_id, workspace_id=workspace, record=record, name=sanitise_name(name),
                          content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
                          uploaded_by=caller.id, uploaded_by_name=caller.name, created_at=datetime.now(timezone.utc))
        try:
            async with self._begin() as tx:
                await record_workspace(tx, caller, record, write=True)  # still theirs to write
                await tx.record_files.add(file)
                await announce(tx, workspace, [record_timeline(record)])  # live timelines (brief J)
        except BaseException:
            await self._store.delete(file.key)
            raise
        return file

    async def of_record(self, caller: Caller, record: RecordRef) -> list[StoredFile]:
        """The record's files, newest first; a contact's include those of the contacts merged into it."""
        async with self._begin() as tx:
            workspace = await record_workspace(tx, caller, record, write=False)
            records = [record]
            if record.kind is RecordKind.CONTACT:
                records += [RecordRef(RecordKind.CONTACT, c) for c in await tx.links.merged_into(record.id)]
            files = [f for r in records for f in await tx.record_files.of_record(workspace, r)]
        return sorted(files, key=lambda f: f.created_at, reverse=True)

    async def download(self, caller: Caller, file: UUID) -> tuple[StoredFile, AsyncIterator[bytes]]:
        """A file the caller may read, and its bytes as a stream."""
        async with self._begin() as tx:
            found = await readable(tx, caller, file)
        return found, self._store.open(found.key)

    async def delete(self, caller: Caller, file: UUID) -> StoredFile:
        """Delete a file of a record the caller may write; its bytes after the row."""
        async with self._begin() as tx:
            found = await tx.record_files.get(file)
            if found is None:
                raise NotFound(NO_FILE)
            await _reach(tx, caller, found.record, write=True)
            await tx.record_files.remove(file)
            await remove_bytes_later(tx, [found])  # if deleting them below fails, the job retries
            await announce(tx, found.workspace_id, [record_timeline(found.record)])  # live timelines (brief J)
        try:
            await self._store.delete(found.key)
        except Exception:  # the row is gone, so the bytes are never served again; the job deletes them
            log.warning("file %s: its bytes at %s are left to the files.remove job", found.id, found.key,
                        exc_info=True)
        return found

    async def attach(self, tx: Unit, caller: Caller, workspace: UUID, envelope: Envelope,
                     files: Sequence[UUID]) -> Envelope:
        """``envelope`` attaching ``files``: each one a file of ``workspace`` the caller may read,
        together at most ``attachments_max_bytes`` (``FileTooLarge``). Their bytes are read when sent."""
        found = [await readable(tx, caller, file) for file in dict.fromkeys(files)]
        if any(f.workspace_id != workspace for f in found):
            raise NotFound(NO_FILE)
        check_size(sum(f.size for f in found), self.attachments_max_bytes, "attachments")
        return msgspec.structs.replace(envelope, attachments=tuple(
            Attachment(name=f.name, content_type=f.content_type, key=f.key, size=f.size) for f in found))


class Streamed(NamedTuple):
    """What a body streamed to the store turned out to be."""

    content_type: str
    size: int
    sha256: str


async def stream_to_store(store: FileStore, key: str, body: bytes | AsyncIterable[bytes], cap: int) -> Streamed:
    """Write ``body`` under ``key`` as it arrives: the type sniffed from its first bytes, counted
    and hashed on the way; past ``cap``, ``FileTooLarge`` and nothing is left under ``key``."""
    chunks = aiter(_as_chunks(body))
    head = await _head(chunks, SNIFF_BYTES)
    meter, content_type = _Meter(cap), sniff(head[:SNIFF_BYTES])
    await store.write(key, meter.through(head, chunks), content_type)
    return Streamed(content_type, meter.size, meter.sha256.hexdigest())


class _Meter:
    """Counts and hashes the chunks passing through; ``FileTooLarge`` once they pass ``cap``."""

    def __init__(self, cap: int) -> None:
        self.cap, self.size, self.sha256 = cap, 0, hashlib.sha256()

    async def through(self, head: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        if head:
            yield self._counted(head)
        async for chunk in rest:
            if chunk:
                yield self._counted(chunk)

    def _counted(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        check_size(self.size, self.cap)
        self.sha256.update(chunk)
        return chunk


async def _as_chunks(body: bytes | AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    if isinstance(body, (bytes, bytearray, memoryview)):
        yield bytes(body)
        return
    async for chunk in body:
        yield chunk


async def _head(chunks: AsyncIterator[bytes], size: int) -> bytes:
    """At least ``size`` bytes from ``chunks`` (fewer at its end), to sniff the type from."""
    head = b""
    while len(head) < size:
        chunk = await anext(chunks, None)
        if chunk is None:
            break
        head += chunk
    return head


async def readable(tx: Unit, caller: Caller, file: UUID) -> StoredFile:
    """A file whose record the caller may read; ``NotFound`` for unknown and hidden alike."""
    found = await tx.record_files.get(file)
    if found is None:
        raise NotFound(NO_FILE)
    try:
        await record_workspace(tx, caller, found.record, write=False)
    except NotFound:
        raise NotFound(NO_FILE) from None
    return found


async def _reach(tx: Unit, caller: Caller, record: RecordRef, *, write: bool) -> None:
    try:
        await record_workspace(tx, caller, record, write=write)
    except NotFound:
        raise NotFound(NO_FILE) from None


async def record_workspace(tx: Unit, caller: Caller, record: RecordRef, *, write: bool) -> UUID:
    """The workspace of a record the caller may read (or, ``write``, change); raises ``NotFound``
    for unknown and hidden records alike, ``Forbidden`` for a reader who may not write."""
    action = Action.EDIT_CONTACTS if write else Action.READ_CONTACTS
    if record.kind is RecordKind.CONTACT:
        return await contact_workspace(tx, caller, await _surviving(tx, record.id), action)
    if record.kind is RecordKind.ORGANISATION:
        return await organisation_workspace(tx, caller, record.id, action)
    grant = await tx.boards.grant(record.board_id, caller.id) if record.board_id else None
    if grant is None:
        raise NotFound("no such deal")
    access = grant.access()  # NotFound for someone holding neither a role nor a share
    if await tx.board_reads.deal(grant.board.id, record.id) is None:
        raise NotFound("no such deal on this board")
    if write and access < Access.WRITE:
        raise Forbidden("this board is read-only for you: its files can be read, not changed")
    return grant.board.workspace_id


def file_entry(file: StoredFile) -> TimelineEntry:
    """A file as a contact's or organisation's timeline shows it: uploaded when, by whom, on which contact."""
    contact = file.record.id if file.record.kind is RecordKind.CONTACT else None
    return TimelineEntry(kind=EntryKind.FILE, id=file.id, at=file.created_at, actor=file.uploaded_by, title=file.name,
                         board_id=None, card_id=None, document=None, contact_id=contact, status=None, type=None,
                         value=None, currency=None, due_date=None, file=FileSummary(file.content_type, file.size))


async def _surviving(tx: Unit, contact: UUID) -> UUID:
    """The contact a merged contact lives on in (its files are the survivor's); else itself."""
    for _ in range(20):  # a merge chain is short; a cycle cannot be, but is not followed forever either
        state = await tx.contacts.state(contact)
        if state is None or not state.deleted or state.merged_into is None:
            return contact
        contact = state.merged_into
    return contact
