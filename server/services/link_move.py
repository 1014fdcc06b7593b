"""Moving record links out of stored documents (issue 13: guests see no ids of records outside
what is shared), once, at server start (and ``python -m server migrate``).

Board documents used to carry ``contact`` / ``organisation`` on deals and ``contact`` on
activities; note documents their ``subjectId``. A guest with a share syncs those documents
whole. For every board document still holding such keys: the ids that are live records of the
board's own workspace become ``record_links`` rows (where the entry has no link yet: a link set
through the API since is newer), the keys are removed by one LOCAL ``Room.change`` (open clients
see it at once), and the document is compacted, so the ids leave ``document_updates_v1`` and
``document_snapshots_v1`` too (as erasure does). Note documents lose ``subjectId`` the same way
(the ``notes`` table has always held it). Idempotent: a document without such keys is left
alone, and a finished run is recorded, so later starts skip the scan.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

from pycrdt import Doc, Map

from server.domain.references import RecordKind
from server.services.ports.entry_links import ACTIVITY, CARD, EntryLink
from server.services.ports.unit import Begin

if TYPE_CHECKING:
    from server.services.projection import Projector
    from server.sync.ports import DocumentStore
    from server.sync.registry import Rooms

log = logging.getLogger(__name__)
DONE = "0011_record_links.moved"  # its row in schema_migrations once a run finished
_KEYS = {"cards": ("contact", "organisation"), "activities": ("contact",)}


class Moved(NamedTuple):
    documents: int  # documents changed and compacted
    links: int  # link rows written


def found_links(doc: Doc, board: UUID) -> list[EntryLink]:
    """The links a board document's entries still name (ids that are UUIDs; unchecked)."""
    links = []
    for root, kind in (("cards", CARD), ("activities", ACTIVITY)):
        for key, entry in doc.get(root, type=Map).items():
            if not isinstance(entry, Map):
                continue
            contact, organisation = _uuid(entry.get("contact")), _uuid(entry.get("organisation"))
            entry_id = _uuid(key)
            if entry_id is not None and (contact or (organisation and kind == CARD)):
                links.append(EntryLink(board, kind, entry_id, contact, organisation if kind == CARD else None))
    return links


def holds_links(doc: Doc, kind: str) -> bool:
    """Whether a board or note document still holds a key that moves to SQL."""
    if kind == "note":
        return "subjectId" in doc.get("meta", type=Map)
    return any(isinstance(entry, Map) and any(k in entry for k in keys)
               for root, keys in _KEYS.items() for entry in doc.get(root, type=Map).values())


def strip_links(doc: Doc, kind: str) -> None:
    """Remove those keys (inside ``Room.change``: one transaction)."""
    if kind == "note":
        meta = doc.get("meta", type=Map)
        if "subjectId" in meta:
            del meta["subjectId"]
        return
    for root, keys in _KEYS.items():
        for entry in doc.get(root, type=Map).values():
            if isinstance(entry, Map):
                for key in keys:
                    if key in entry:
                        del entry[key]


class LinkMove:
    """``run()``: move every stored document's links to SQL, once."""

    def __init__(self, begin: Begin, rooms: Rooms, projector: Projector, store: DocumentStore) -> None:
        self._begin, self._rooms, self._projector, self._store = begin, rooms, projector, store

    async def run(self, *, force: bool = False) -> Moved:
        async with self._begin() as tx:
            if not force and await tx.entry_links.moved(DONE):
                return Moved(0, 0)
            names = await tx.projected_documents.names()
        documents = links = 0
        for name in names:
            try:
                added = await self._move(name)
            except Exception:
                log.exception("could not move the record links out of a document; retried at the next start",
                              extra={"document": name})
                return Moved(documents, links)
            if added is not None:
                documents, links = documents + 1, links + added
        async with self._begin() as tx:
            await tx.entry_links.mark_moved(DONE)
        if documents:
            log.info("moved %d record link(s) out of %d document(s) into SQL", links, documents)
        return Moved(documents, links)

    async def _move(self, name: str) -> int | None:
        """The links written for one document, or None if it held nothing to move."""
        async with self._begin(autocommit=True) as tx:
            found = await tx.projected_documents.get(name)
        if found is None:
            return None
        room = await self._rooms.open(name)
        if not holds_links(room.doc, found.kind):
            return None
        added = 0
        if found.kind == "board":
            links = found_links(room.doc, found.board_id)
            async with self._begin() as tx:
                live = await tx.lookups.records_in(found.workspace_id, [l.contact_id for l in links if l.contact_id],
                                                   [l.organisation_id for l in links if l.organisation_id])
                kept = [link._replace(
                    contact_id=link.contact_id if (RecordKind.CONTACT, link.contact_id) in live else None,
                    organisation_id=(link.organisation_id if (RecordKind.ORGANISATION, link.organisation_id) in live
                                     else None)) for link in links]
                added = await tx.entry_links.add_missing(
                    found.workspace_id, found.board_id, [l for l in kept if l.contact_id or l.organisation_id])
        room.change(lambda doc: strip_links(doc, found.kind))
        await room.saved()
        await self._store.compact(name)
        await self._projector.project(name)
        return added


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None
