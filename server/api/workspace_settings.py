"""``/api/workspaces/{id}/settings``: Settings › Workspace, the workspace's name and time zone."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, Request, get, patch
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from msgspec import UNSET, UnsetType

from server.api.auth import CallerDep, client_address
from server.domain.workspaces import WorkspaceSettings
from server.services.workspace_settings import WorkspaceSettingsService

WorkspaceSettingsDep = NamedDependency[WorkspaceSettingsService]


class WorkspaceSettingsAnswer(msgspec.Struct):
    """``time_zone``: the workspace's IANA zone, null for the server's default ``default_time_zone``
    (the weekly forecast snapshot is taken at Monday 00:00 in the zone in effect)."""

    id: UUID
    name: str
    time_zone: str | None
    default_time_zone: str


class WorkspaceSettingsChange(msgspec.Struct, forbid_unknown_fields=True):
    """A new name and/or time zone (null: the server's default); a field left out keeps its value."""

    # lengths are checked by the service, so a long value answers 422 naming its field, as a bad one does
    name: str | UnsetType = UNSET
    time_zone: str | None | UnsetType = UNSET


def _answer(settings: WorkspaceSettings, default_zone: str) -> WorkspaceSettingsAnswer:
    return WorkspaceSettingsAnswer(settings.id, settings.name, settings.time_zone, default_zone)


class WorkspaceSettingsController(Controller):
    path = "/api/workspaces/{workspace:uuid}/settings"
    tags = ["workspaces"]

    @get("/", summary="The workspace's name and time zone (members)")
    async def settings(self, workspace: FromPath[UUID], caller: CallerDep,
                       workspace_settings: WorkspaceSettingsDep) -> WorkspaceSettingsAnswer:
        found = await workspace_settings.settings(caller, workspace)
        return _answer(found, workspace_settings.default_zone)

    @patch("/", summary="Rename the workspace or change its time zone (owners and admins)")
    async def change(self, request: Request, workspace: FromPath[UUID], data: JSONBody[WorkspaceSettingsChange],
                     caller: CallerDep, workspace_settings: WorkspaceSettingsDep) -> WorkspaceSettingsAnswer:
        changed = await workspace_settings.change(caller, workspace, client_address(request), name=data.name,
                                                  time_zone=data.time_zone)
        return _answer(changed, workspace_settings.default_zone)
