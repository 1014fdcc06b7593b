"""In-memory twin of the leaving-Tandem ports (``server.services.ports.workspace_lifecycle``): export
rows in the table ``workspace_exports``, and deleting a workspace from the other twins' tables.

Postgres finds the tables to empty in its catalogue (every table with a ``workspace_id`` column);
the twin's counterpart is every memory table holding a row of the workspace: a value with a
``workspace_id`` (or ``workspace``) attribute, or a key that is the workspace or a tuple starting
with it. The export reads of the twin model the files sheet (``record_files``); the other sheets
have their columns (read from the same SQL) and no rows.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

from server.domain.files import storage_key
from server.domain.workspace_lifecycle import ExportStatus, WorkspaceExport, export_key
from server.storage.memory.unit import MemoryDatabase, MemoryUnit, memory_transactions
from server.storage.queries import queries

PAGE = 500
OWN = {"workspaces", "workspace_deleting_since"}  # the workspace's own row: ``finish_deletion`` takes it
SCHEMA_VERSION = "memory"
_SELECT = re.compile(r"^\s*SELECT\s+(.*?)\s+FROM\s", re.S | re.I)


class MemoryWorkspaceLifecycle:
    """Implements ``Lifecycle`` (``WorkspaceExports`` and ``WorkspaceRemoval``) over a ``MemoryDatabase``.

    ``documents``, when given, is the ``MemoryDocumentStore`` whose logs and snapshots go with a
    workspace's documents (Postgres keeps them in the same database; the twin store keeps its own dicts).
    """

    def __init__(self, db: MemoryDatabase, documents: Any = None) -> None:
        self._db, self._documents = db, documents
        self._exports: dict[UUID, WorkspaceExport] = db.table("workspace_exports")
        self._deleting: dict[UUID, datetime] = db.table("workspace_deleting_since")

    # --- exports ---------------------------------------------------------------------------

    async def add_export(self, export: UUID, workspace: UUID, by: UUID) -> WorkspaceExport:
        if export in self._exports:
            raise KeyError(f"expected a new export id; {export} is taken")
        self._exports[export] = WorkspaceExport(export, workspace, by, ExportStatus.QUEUED, self._db.now())
        return self._exports[export]

    async def export(self, export: UUID) -> WorkspaceExport | None:
        return self._exports.get(export)

    async def latest_export(self, workspace: UUID) -> WorkspaceExport | None:
        mine = [e for e in self._exports.values() if e.workspace_id == workspace]
        return max(mine, key=lambda e: (e.created_at, e.id.int), default=None)

    async def set_export(self, export: UUID, status: ExportStatus, *, size: int | None = None,
                         error: str | None = None, ready_at: datetime | None = None,
                         expires_at: datetime | None = None) -> None:
        found = self._exports.get(export)
        if found is not None:  # as the SQL: size, ready and expiry keep what they had when None; error is set
            self._exports[export] = found._replace(
                status=ExportStatus(status), size=found.size if size is None else size, error=error,
                ready_at=ready_at or found.ready_at, expires_at=expires_at or found.expires_at)

    async def rows(self, query: str, workspace: UUID) -> AsyncIterator[dict[str, Any]]:
        await self.columns(query)  # an unknown query raises KeyError, as in Postgres
        if query == "export_files":
            for file in sorted(self._files(workspace), key=lambda f: (f.record.kind, str(f.record.id),
                                                                      f.created_at, str(f.id))):
                yield {"id": file.id, "workspace_id": file.workspace_id, "record_kind": str(file.record.kind),
                       "record_id": file.record.id, "name": file.name, "content_type": file.content_type,
                       "size": file.size}

    async def columns(self, query: str) -> list[str]:
        return select_columns(queries("workspace_lifecycle")[query])

    async def schema_version(self) -> str:
        return SCHEMA_VERSION

    async def has_table(self, table: str) -> bool:
        return table in self._db.tables

    # --- deletion ----------------------------------------------------------------------------

    async def workspace_name(self, workspace: UUID) -> str | None:
        found = self._db.table("workspaces").get(workspace)
        return None if found is None else found.name

    async def start_deletion(self, workspace: UUID) -> list[UUID]:
        boards = {b for b, row in self._db.table("boards").items() if row.workspace_id == workspace}
        memberships, shares = self._db.table("memberships"), self._db.table("board_shares")
        users = {u for (w, u) in memberships if w == workspace} | {u for (b, u) in shares if b in boards}
        if workspace in self._db.table("workspaces"):
            self._deleting.setdefault(workspace, self._db.now())
        _drop_where(memberships, lambda key, _: key[0] == workspace)
        _drop_where(shares, lambda key, _: key[0] in boards)
        _drop_where(self._db.table("guest_invitations"), lambda _, row: row.board in boards)
        _drop_where(self._db.table("invitations"), lambda _, row: row.invitation.workspace_id == workspace)
        return sorted(users, key=str)

    async def deleting(self, workspace: UUID) -> bool:
        return workspace in self._db.table("workspaces") and workspace in self._deleting

    async def file_batch(self, workspace: UUID) -> list[tuple[UUID, str]]:
        return [(f.id, storage_key(workspace, f.id)) for f in self._files(workspace)[:PAGE]]

    async def drop_files(self, files: list[UUID]) -> None:
        for file in files:
            self._db.table("record_files").pop(file, None)

    async def export_keys(self, workspace: UUID) -> list[tuple[UUID, str]]:
        return [(e.id, export_key(workspace, e.id)) for e in self._exports.values() if e.workspace_id == workspace]

    async def drop_documents(self, workspace: UUID) -> int:
        documents = self._db.table("documents")
        names = sorted(n for n, row in documents.items() if row.workspace == workspace)[:PAGE]
        await self.drop_own_documents(names)
        for name in names:
            del documents[name]
        return len(names)

    async def drop_own_documents(self, names: list[str]) -> None:
        if self._documents is not None:  # the twin store's own dicts: what Postgres' two tables hold
            for name in names:
                self._documents._log.pop(name, None)
                self._documents._snapshots.pop(name, None)

    async def workspace_tables(self) -> list[str]:
        return sorted(name for name, table in self._db.tables.items()
                      if name not in OWN and _rows_of(table) is not None)

    async def drop_rows(self, table: str, workspace: UUID) -> int:
        found = self._db.tables.get(table)
        if found is None or table in OWN or _rows_of(found) is None:
            raise KeyError(f"expected a table of workspace rows, got {table!r}")
        return _drop_where(found, lambda key, row: _belongs(key, row, workspace), PAGE)

    async def finish_deletion(self, workspace: UUID) -> bool:
        self._deleting.pop(workspace, None)
        self._db.table("workspace_zones").pop(workspace, None)
        return self._db.table("workspaces").pop(workspace, None) is not None

    def _files(self, workspace: UUID) -> list[Any]:
        return [f for f in self._db.table("record_files").values() if f.workspace_id == workspace]


def select_columns(sql: str) -> list[str]:
    """The column names of a ``SELECT a, b.c, f(x) AS d FROM …``: ``[a, c, d]``."""
    found = _SELECT.match(sql)
    if found is None:
        raise ValueError(f"expected a SELECT … FROM query, got {sql[:40]!r}")
    names, depth, start, text = [], 0, 0, found.group(1)
    for at, char in enumerate(text + ","):
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            item = text[start:at].strip()
            names.append(re.split(r"\s+AS\s+", item, flags=re.I)[-1] if re.search(r"\sAS\s", item, re.I)
                         else item.rsplit(".", 1)[-1])
            start = at + 1
    return names


def _belongs(key: Any, row: Any, workspace: UUID) -> bool:
    """Whether a memory row is the workspace's: by its ``workspace_id``/``workspace`` or its key."""
    for name in ("workspace_id", "workspace"):
        if getattr(row, name, None) == workspace:
            return True
    return key == workspace or (isinstance(key, tuple) and bool(key) and key[0] == workspace)


def _rows_of(table: Any) -> dict[Any, Any] | None:
    """A dict table's items (lists, sets and others are not tables of workspace rows)."""
    return table if isinstance(table, dict) else None


def _drop_where(table: dict[Any, Any], doomed: Callable[[Any, Any], bool], limit: int | None = None) -> int:
    keys = [key for key, row in table.items() if doomed(key, row)][:limit]
    for key in keys:
        del table[key]
    return len(keys)


MemoryLifecycleBegin = Callable[[], AbstractAsyncContextManager[tuple[MemoryUnit, MemoryWorkspaceLifecycle]]]


def memory_lifecycle_transactions(db: MemoryDatabase, documents: Any = None) -> MemoryLifecycleBegin:
    """The twin of ``lifecycle_transactions``: ``async with begin() as (unit, lifecycle):`` one memory
    transaction seen through both."""
    begin = memory_transactions(db, MemoryUnit)

    @asynccontextmanager
    async def lifecycle_begin() -> AsyncIterator[tuple[MemoryUnit, MemoryWorkspaceLifecycle]]:
        async with begin() as unit:
            yield unit, MemoryWorkspaceLifecycle(db, documents)

    return lifecycle_begin
