"""The permission levels an admin sets for a workspace (``server.domain.permissions``): read,
change (audited), and the checks the contact, organisation and export use cases make with them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple
from uuid import UUID

from server.domain.access import Action, Role, permit
from server.domain.permissions import (
    DEFAULT, Permissions, may_change, may_delete, may_export, parse_permissions,
)
from server.services.accounts import Caller
from server.services.ports.unit import Begin, Unit
from server.services.workspaces import role_of


class PermissionsView(NamedTuple):
    permissions: Permissions
    role: Role


async def permissions_of(tx: Unit, workspace: UUID) -> Permissions:
    """The levels the workspace's admins set, or the defaults."""
    return await tx.permission_levels.of_workspace(workspace) or DEFAULT


async def caller_role(tx: Unit, caller: Caller, workspace: UUID) -> Role | None:
    """The caller's role (None for a guest); ``NotFound`` for strangers."""
    return role_of(await tx.workspaces.workspace_view(workspace, caller.id))


async def check_delete(tx: Unit, caller: Caller, workspace: UUID, owner: UUID | None, what: str) -> None:
    may_delete(await caller_role(tx, caller, workspace), await permissions_of(tx, workspace), owner=owner,
               caller=caller.id, what=what)


async def check_export(tx: Unit, caller: Caller, workspace: UUID) -> None:
    may_export(await caller_role(tx, caller, workspace), await permissions_of(tx, workspace))


class WorkspacePermissions:
    """Read and change a workspace's permission levels."""

    def __init__(self, begin: Begin) -> None:
        self._begin = begin

    async def get(self, caller: Caller, workspace: UUID) -> PermissionsView:
        """Every member may read the levels (the app shows them read-only); guests get 404."""
        async with self._begin() as tx:
            role = permit(await caller_role(tx, caller, workspace), Action.VIEW)
            return PermissionsView(await permissions_of(tx, workspace), role)

    async def change(self, caller: Caller, workspace: UUID, changes: Mapping[str, Any],
                     address: str) -> PermissionsView:
        async with self._begin() as tx:
            role = await caller_role(tx, caller, workspace)
            may_change(role)
            before = await permissions_of(tx, workspace)
            after = parse_permissions(before, changes)
            if after != before:
                await tx.permission_levels.set(workspace, after, caller.id)
                await tx.audit.record("workspace.permissions_changed", actor=caller.id, workspace=workspace,
                                      address=address, before=before._asdict(), after=after._asdict())
            return PermissionsView(after, role)
