"""Leaving Tandem (docs/workspace-lifecycle.md): the export's rows and reads, and the batched
removal of a workspace. ``LifecycleBegin`` opens one transaction seen as a ``Unit`` and as both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from server.domain.workspace_lifecycle import ExportStatus, WorkspaceExport
from server.services.ports.unit import Unit


class WorkspaceExports(Protocol):
    """Export requests (table ``workspace_exports``) and the workspace's rows they stream."""

    async def add_export(self, export: UUID, workspace: UUID, by: UUID) -> WorkspaceExport:
        """Record a queued export."""
        ...

    async def export(self, export: UUID) -> WorkspaceExport | None:
        """One export, or None."""
        ...

    async def latest_export(self, workspace: UUID) -> WorkspaceExport | None:
        """The workspace's newest export, or None."""
        ...

    async def set_export(self, export: UUID, status: ExportStatus, *, size: int | None = None,
                         error: str | None = None, ready_at: datetime | None = None,
                         expires_at: datetime | None = None) -> None:
        """Move an export on (a None size, ready or expiry keeps what it had)."""
        ...

    def rows(self, query: str, workspace: UUID) -> AsyncIterator[dict[str, Any]]:
        """The rows of the named export query (``export_contacts``…), streamed."""
        ...

    async def columns(self, query: str) -> list[str]:
        """The column names of the named export query."""
        ...

    async def schema_version(self) -> str:
        """The newest migration applied (the manifest names it)."""
        ...

    async def has_table(self, table: str) -> bool:
        """Whether ``table`` exists (a feature's tables may be missing in an older schema)."""
        ...


class WorkspaceRemoval(Protocol):
    """Deleting a workspace: access at once, then its files, documents and rows in batches."""

    async def workspace_name(self, workspace: UUID) -> str | None: ...

    async def start_deletion(self, workspace: UUID) -> list[UUID]:
        """Mark it deleting, drop memberships, invitations and guests' shares; who had access."""
        ...

    async def deleting(self, workspace: UUID) -> bool:
        """Whether it exists and is being deleted."""
        ...

    async def file_batch(self, workspace: UUID) -> list[tuple[UUID, str]]:
        """Some of its files: (row id, file-store key)."""
        ...

    async def drop_files(self, files: list[UUID]) -> None: ...

    async def export_keys(self, workspace: UUID) -> list[tuple[UUID, str]]:
        """Its exports: (id, file-store key of the ZIP)."""
        ...

    async def drop_documents(self, workspace: UUID) -> int:
        """Delete a batch of its documents with their logs and snapshots; how many."""
        ...

    async def drop_own_documents(self, names: list[str]) -> None:
        """Delete the logs and snapshots of these document names."""
        ...

    async def workspace_tables(self) -> list[str]:
        """Every table with a ``workspace_id`` column (the catalogue, read now)."""
        ...

    async def drop_rows(self, table: str, workspace: UUID) -> int:
        """Delete a batch of ``table``'s rows of the workspace; how many."""
        ...

    async def finish_deletion(self, workspace: UUID) -> bool:
        """Delete the workspace's row; whether it was there."""
        ...


class Lifecycle(WorkspaceExports, WorkspaceRemoval, Protocol):
    """Both, on one transaction."""


LifecycleBegin = Callable[[], AbstractAsyncContextManager[tuple[Unit, Lifecycle]]]
