"""Settings › Workspace: a workspace's name and time zone. Every member reads them; owners and
admins change them (audited as ``workspace.changed``).

The time zone is an IANA name, or None for the server's default (``TANDEM_FORECAST_WEEK_ZONE``);
the weekly forecast snapshot counts the workspace's weeks from Monday 00:00 there (docs/forecast.md).
"""

from __future__ import annotations

from uuid import UUID

from msgspec import UNSET, UnsetType

from server.domain.access import Action, NotFound
from server.domain.workspaces import WorkspaceSettings, check_workspace_name, check_workspace_zone
from server.services.accounts import Caller
from server.services.ports.unit import Begin, Unit
from server.services.records import workspace_role


async def settings_of(unit: Unit, workspace: UUID) -> WorkspaceSettings:
    """The workspace's settings; ``NotFound`` if there is no such workspace."""
    found = await unit.workspaces.settings(workspace)
    if found is None:
        raise NotFound("no such workspace")
    return found


class WorkspaceSettingsService:
    """The workspace settings use cases."""

    def __init__(self, begin: Begin, default_zone: str = "UTC") -> None:
        self._begin = begin
        self.default_zone = default_zone  # where a workspace without a zone of its own counts its weeks

    async def settings(self, caller: Caller, workspace: UUID) -> WorkspaceSettings:
        async with self._begin() as unit:
            await workspace_role(unit, caller, workspace, Action.VIEW)
            return await settings_of(unit, workspace)

    async def change(self, caller: Caller, workspace: UUID, address: str, *, name: object = UNSET,
                     time_zone: object = UNSET) -> WorkspaceSettings:
        """Rename and/or move the workspace to another zone (None: the server's default); a field
        left out keeps its value."""
        async with self._begin() as unit:
            await workspace_role(unit, caller, workspace, Action.MANAGE_SETTINGS)
            before = await settings_of(unit, workspace)
            after = WorkspaceSettings(
                workspace, before.name if isinstance(name, UnsetType) else check_workspace_name(name),
                before.time_zone if isinstance(time_zone, UnsetType) else check_workspace_zone(time_zone))
            if after != before:
                await unit.workspaces.change_settings(workspace, after.name, after.time_zone)
                await unit.audit.record("workspace.changed", actor=caller.id, workspace=workspace, address=address,
                                        **_changes(before, after))
            return after


def _changes(before: WorkspaceSettings, after: WorkspaceSettings) -> dict[str, object]:
    """What the audit event says: each changed field's value before and after."""
    return {f"{field}_{side}": getattr(settings, field) for field in ("name", "time_zone")
            if getattr(before, field) != getattr(after, field)
            for side, settings in (("before", before), ("after", after))}
