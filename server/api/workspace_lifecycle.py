"""Leaving Tandem (docs/workspace-lifecycle.md): ``/api/workspaces/{id}/export`` (request and follow
"Export all data", owners and admins), ``GET /api/exports/{token}`` (the signed, expiring download
link: the token is the permission, so it works from the mail too; forged or expired: 404), and
``DELETE /api/workspaces/{id}?confirm=<its name>`` (owners)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Stream

from server.api.auth import CallerDep, client_address
from server.domain.access import NotFound
from server.domain.files import disposition
from server.domain.workspace_lifecycle import WorkspaceExport
from server.services.ports.files import FileMissing
from server.services.workspace_lifecycle import WorkspaceLifecycle

WorkspaceLifecycleDep = NamedDependency[WorkspaceLifecycle]


class ExportAnswer(msgspec.Struct):
    """An export: ``status`` queued, building, ready (``size`` in bytes, ``download_url`` until
    ``expires_at``), failed (``error`` says why) or expired."""

    id: UUID
    status: str
    created_at: datetime
    size: int | None
    error: str | None
    ready_at: datetime | None
    expires_at: datetime | None
    download_url: str | None


class LatestExport(msgspec.Struct):
    """The workspace's newest export, or null when none was ever asked for."""

    export: ExportAnswer | None


def _answer(export: WorkspaceExport, lifecycle: WorkspaceLifecycle) -> ExportAnswer:
    return ExportAnswer(export.id, export.status.value, export.created_at, export.size, export.error,
                        export.ready_at, export.expires_at, lifecycle.link(export))


class WorkspaceLifecycleController(Controller):
    tags = ["workspaces"]

    @post("/api/workspaces/{workspace:uuid}/export", status_code=202,
          summary="Export all the workspace's data as one ZIP, built by a job (owners and admins)")
    async def request_export(self, request: Request, workspace: FromPath[UUID], caller: CallerDep,
                             workspace_lifecycle: WorkspaceLifecycleDep) -> ExportAnswer:
        export = await workspace_lifecycle.request_export(caller, workspace, client_address(request))
        return _answer(export, workspace_lifecycle)

    @get("/api/workspaces/{workspace:uuid}/export", summary="The newest export and its status (owners and admins)")
    async def latest_export(self, workspace: FromPath[UUID], caller: CallerDep,
                            workspace_lifecycle: WorkspaceLifecycleDep) -> LatestExport:
        export = await workspace_lifecycle.latest_export(caller, workspace)
        return LatestExport(None if export is None else _answer(export, workspace_lifecycle))

    @get("/api/exports/{token:str}", summary="Download an export by its signed link (404: forged or expired)",
         response_description="the ZIP")
    async def download(self, token: FromPath[str], workspace_lifecycle: WorkspaceLifecycleDep) -> Stream:
        found = await workspace_lifecycle.download(token)
        try:
            first = await anext(found.chunks, b"")
        except FileMissing:
            raise NotFound("no such export: its ZIP was deleted") from None
        return Stream(_joined(first, found.chunks), media_type="application/zip",
                      headers={"Content-Disposition": disposition(found.file_name),
                               "Content-Length": str(found.size), "Cache-Control": "private, no-store",
                               "X-Content-Type-Options": "nosniff"})

    @delete("/api/workspaces/{workspace:uuid}", status_code=202,
            summary="Delete the workspace and everything in it (owners; ?confirm=<its name>)")
    async def delete_workspace(self, workspace: FromPath[UUID], confirm: FromQuery[str], caller: CallerDep,
                               workspace_lifecycle: WorkspaceLifecycleDep) -> None:
        await workspace_lifecycle.delete(caller, workspace, confirm)


async def _joined(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if first:
        yield first
    async for chunk in rest:
        yield chunk
