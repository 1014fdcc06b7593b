"""Leaving Tandem cleanly (docs/workspace-lifecycle.md): "Export all data" and deleting a workspace.

**Export** (owners and admins). The request writes a ``queued`` row and a ``workspace.export`` job in
one transaction. The job builds the ZIP into a temporary file (``services.workspace_export``),
streams it into the file store, marks the export ``ready`` with its size and expiry, queues its own
``workspace.export_expire`` job for ``KEEP_EXPORT`` later, and tells the requester (the bell and a
mail) with a signed link that stops working at the expiry. A build that fails is ``failed`` with
its reason. The expiry job deletes the ZIP (it re-queues itself if run early).

**Delete** (owners only, the name typed back). At once, in one transaction: the workspace is marked
``deleting_since``, memberships, invitations and guests' board shares go (so nothing opens it: the
API answers 404), every user who had access is announced (their sockets close within seconds), an
audit event with no personal data is written without a workspace (so it outlives it), and a
``workspace.delete`` job is queued. The job removes, in batches of committed transactions, the
files' bytes then their rows, the export ZIPs, the documents with their update logs and snapshots,
then the rows of every table with a ``workspace_id`` column, and last the workspace's row. Each step
starts from what is left, so a run killed mid-way is finished by the next (the worker takes the job
again once its heartbeat is stale). Former members are mailed that it was deleted.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any, NamedTuple
from uuid import UUID, uuid4

from server.domain.access import Action, Forbidden, NotFound, Role
from server.domain.notifications import NewNotification
from server.domain.system_mail import Moment, render
from server.domain.workspace_lifecycle import (
    KEEP_EXPORT, ExportStatus, WorkspaceExport, check_confirm, download_token, export_file_name, export_key,
    verify_download,
)
from server.services.accounts import Caller
from server.services.jobs import JobKinds
from server.services.mail import Mail, Outbox
from server.services.records import workspace_role
from server.services.workspace_export import ExportBuilder

if TYPE_CHECKING:
    from server.services.ports.files import FileStore
    from server.services.ports.workspace_lifecycle import LifecycleBegin
    from server.sync.ports import DocumentStore

log = logging.getLogger(__name__)

EXPORT = "workspace.export"
EXPORT_EXPIRE = "workspace.export_expire"
DELETE = "workspace.delete"
CHUNK = 1 << 20
_READY_LINE = {"en": "Your export of “{name}” is ready to download until {until}: {link}",
               "de": "Ihr Export von „{name}“ steht bis {until} zum Herunterladen bereit: {link}"}


class Download(NamedTuple):
    """A ready export's ZIP: its name as downloaded, its size and its bytes, streamed."""

    file_name: str
    size: int
    chunks: AsyncIterator[bytes]


class WorkspaceLifecycle:
    """Export all data, download it by a signed link, delete the workspace; and their jobs."""

    def __init__(self, begin: LifecycleBegin, files: FileStore, documents: DocumentStore, outbox: Outbox,
                 download_key: bytes | None, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._begin, self._files, self._documents, self._outbox = begin, files, documents, outbox
        self._key, self.clock = download_key, clock

    # --- export ---------------------------------------------------------------------------

    async def request_export(self, caller: Caller, workspace: UUID, address: str) -> WorkspaceExport:
        async with self._begin() as (unit, rows):
            await workspace_role(unit, caller, workspace, Action.MANAGE_SETTINGS)  # owners and admins
            export = await rows.add_export(uuid4(), workspace, caller.id)
            await unit.jobs.enqueue(EXPORT, {"export": str(export.id)})
            await unit.audit.record("workspace.export_requested", actor=caller.id, workspace=workspace,
                                    address=address, export=export.id)
        return export

    async def latest_export(self, caller: Caller, workspace: UUID) -> WorkspaceExport | None:
        async with self._begin() as (unit, rows):
            await workspace_role(unit, caller, workspace, Action.MANAGE_SETTINGS)
            return await rows.latest_export(workspace)

    def link(self, export: WorkspaceExport) -> str | None:
        """The signed download path of a ready export (None without a secret key)."""
        if export.status != ExportStatus.READY or export.expires_at is None or self._key is None:
            return None
        return f"/api/exports/{download_token(self._key, export.id, export.expires_at)}"

    async def download(self, token: str) -> Download:
        """The ZIP a token names; ``NotFound`` when forged, expired or gone."""
        found = verify_download(self._key, token, self.clock()) if self._key else None
        async with self._begin() as (_, rows):
            export = await rows.export(found) if found else None
            name = await rows.workspace_name(export.workspace_id) if export else None
        if export is None or export.status != ExportStatus.READY or export.size is None:
            raise NotFound("no such export: the link is wrong or has expired")
        key = export_key(export.workspace_id, export.id)
        return Download(export_file_name(name or "workspace", export.created_at), export.size, self._files.open(key))

    async def build_export(self, export: UUID) -> None:
        """The ``workspace.export`` job: build, store, announce (a rerun of a finished one does nothing)."""
        async with self._begin() as (_, rows):
            found = await rows.export(export)
            if found is None or found.status not in (ExportStatus.QUEUED, ExportStatus.BUILDING):
                return
            await rows.set_export(export, ExportStatus.BUILDING)
        try:
            size = await self._store_zip(found)
        except Exception as error:  # the settings screen shows the reason; the job ends
            log.exception("workspace export %s failed", export)
            async with self._begin() as (_, rows):
                await rows.set_export(export, ExportStatus.FAILED, error=f"{type(error).__name__}: {error}"[:500])
            return
        await self._ready(found, size)

    async def _store_zip(self, export: WorkspaceExport) -> int:
        with tempfile.TemporaryFile() as out:
            async with self._begin() as (_, rows):
                name = await rows.workspace_name(export.workspace_id) or ""
                await ExportBuilder(self._documents, self._files).build(rows, export.workspace_id, name, out)
            size = out.tell()
            out.seek(0)
            await self._files.write(export_key(export.workspace_id, export.id), _chunks(out), "application/zip")
        return size

    async def _ready(self, export: WorkspaceExport, size: int) -> None:
        now = self.clock()
        until = now + KEEP_EXPORT
        async with self._begin() as (unit, rows):
            await rows.set_export(export.id, ExportStatus.READY, size=size, ready_at=now, expires_at=until)
            await unit.jobs.enqueue(EXPORT_EXPIRE, {"export": str(export.id)}, after=KEEP_EXPORT)
            ready = await rows.export(export.id)
            name = await rows.workspace_name(export.workspace_id) or ""
            account = await unit.users.by_id(export.requested_by) if export.requested_by else None
            link = self.link(ready) if ready else None
            if account is None or link is None:
                return
            locale = account.locale if account.locale in _READY_LINE else "en"
            said = {"name": name, "until": f"{until:%Y-%m-%d %H:%M} UTC", "link": self._outbox.link(link)}
            await unit.notifications.add(NewNotification(export.id, account.id, export.workspace_id,
                                                         _READY_LINE[locale].format_map(said)))
            await self._outbox.post(unit, Mail.of(account.email, render(
                "workspace_export_ready", locale, {"workspace": name, "until": Moment(until, "UTC")},
                self._outbox.link(link))))

    async def expire_export(self, export: UUID) -> None:
        """The ``workspace.export_expire`` job: delete the ZIP once expired (run early: wait again)."""
        async with self._begin() as (unit, rows):
            found = await rows.export(export)
            if found is None or found.status != ExportStatus.READY or found.expires_at is None:
                return
            left = found.expires_at - self.clock()
            if left.total_seconds() > 0:
                await unit.jobs.enqueue(EXPORT_EXPIRE, {"export": str(export)}, after=left)
                return
        await self._files.delete(export_key(found.workspace_id, found.id))
        async with self._begin() as (_, rows):
            await rows.set_export(export, ExportStatus.EXPIRED)

    # --- delete ---------------------------------------------------------------------------

    async def delete(self, caller: Caller, workspace: UUID, confirm: object) -> None:
        """Start deleting the workspace if the caller owns it and ``confirm`` is its name."""
        async with self._begin() as (unit, rows):
            role = await workspace_role(unit, caller, workspace, Action.VIEW)
            if role != Role.OWNER:
                raise Forbidden("only the workspace's owners may delete it")
            check_confirm(confirm, await rows.workspace_name(workspace) or "")
            members = [m.user.id for m in await unit.members.all(workspace)]
            reached = await rows.start_deletion(workspace)
            await unit.audit.record("workspace.deletion_started", actor=caller.id, deleted_workspace=workspace)
            await unit.jobs.enqueue(DELETE, {"workspace": str(workspace), "members": list(map(str, members))})
            for user in reached:
                await unit.audit.announce(user=user)

    async def remove(self, workspace: UUID, members: list[UUID]) -> dict[str, int]:
        """The ``workspace.delete`` job: remove everything left of a deleting workspace; what went."""
        async with self._begin() as (_, rows):
            if not await rows.deleting(workspace):
                return {}  # gone already (a rerun after the end), or never marked
            name = await rows.workspace_name(workspace) or ""
        done = {"files": await self._remove_files(workspace), "documents": await self._remove_documents(workspace),
                "rows": await self._remove_rows(workspace)}
        async with self._begin() as (unit, rows):
            await self._tell_members(unit, members, name)
            await rows.finish_deletion(workspace)
            await unit.audit.record("workspace.deleted", deleted_workspace=workspace, **done)
        return done

    async def _remove_files(self, workspace: UUID) -> int:
        """Bytes first, then the rows: a crash in between leaves rows whose bytes the next run deletes."""
        count = 0
        async with self._begin() as (_, rows):
            exports = await rows.export_keys(workspace)
        for _, key in exports:
            await self._files.delete(key)
        while True:
            async with self._begin() as (_, rows):
                batch = await rows.file_batch(workspace)
            if not batch:
                return count
            for _, key in batch:
                await self._files.delete(key)
            async with self._begin() as (_, rows):
                await rows.drop_files([file for file, _ in batch])
            count += len(batch)

    async def _remove_documents(self, workspace: UUID) -> int:
        count = 0
        async with self._begin() as (_, rows):
            await rows.drop_own_documents([f"workspace:{workspace}", f"dashboard:{workspace}"])
        while True:
            async with self._begin() as (_, rows):
                dropped = await rows.drop_documents(workspace)
            if not dropped:
                return count
            count += dropped

    async def _remove_rows(self, workspace: UUID) -> int:
        count = 0
        async with self._begin() as (_, rows):
            tables = await rows.workspace_tables()
        for table in (t for t in tables if t != "workspaces"):
            while True:
                async with self._begin() as (_, rows):
                    dropped = await rows.drop_rows(table, workspace)
                if not dropped:
                    break
                count += dropped
        return count

    async def _tell_members(self, unit: Any, members: list[UUID], name: str) -> None:
        for member in members:
            account = await unit.users.by_id(member)
            if account is not None and account.disabled_at is None:
                await self._outbox.post(unit, Mail.of(account.email, render(
                    "workspace_deleted", account.locale, {"workspace": name}, self._outbox.link("/"))))

    def register(self, kinds: JobKinds) -> None:
        """Add the export, expiry and deletion jobs to the worker's kinds."""

        @kinds.handle(EXPORT)
        async def export(payload: dict[str, Any]) -> None:
            await self.build_export(UUID(payload["export"]))

        @kinds.handle(EXPORT_EXPIRE)
        async def expire(payload: dict[str, Any]) -> None:
            await self.expire_export(UUID(payload["export"]))

        @kinds.handle(DELETE)
        async def delete(payload: dict[str, Any]) -> None:
            done = await self.remove(UUID(payload["workspace"]), [UUID(m) for m in payload.get("members", [])])
            log.info("workspace.delete: %s", done or "nothing left to delete")


async def _chunks(out: IO[bytes]) -> AsyncIterator[bytes]:
    while chunk := out.read(CHUNK):
        yield chunk
