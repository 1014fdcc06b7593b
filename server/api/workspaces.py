"""``/api/workspaces``: workspaces, members, invitations and the audit log."""

from __future__ import annotations

import json
from typing import Annotated
from uuid import UUID

import asyncpg
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from server.api import types
from server.api.auth import CallerDep, client_address
from server.domain.access import Role
from server.services.workspaces import Workspaces

WorkspacesDep = NamedDependency[Workspaces]


def _workspace(row: asyncpg.Record, role: str | None) -> types.Workspace:
    return types.Workspace(row["id"], row["name"], role or "guest")


class WorkspaceController(Controller):
    path = "/api/workspaces"
    tags = ["workspaces"]

    @post("/", summary="Create a workspace; the caller becomes its owner")
    async def create(
        self, data: JSONBody[types.NewWorkspace], caller: CallerDep, workspaces: WorkspacesDep
    ) -> types.Workspace:
        return _workspace(await workspaces.create(caller, data.name), Role.OWNER)

    @get("/", summary="Workspaces the caller belongs to, or is a guest in")
    async def list_workspaces(self, caller: CallerDep, workspaces: WorkspacesDep) -> list[types.Workspace]:
        return [_workspace(row, row["role"]) for row in await workspaces.list(caller)]

    @get("/{workspace:uuid}/members", summary="Members and their roles")
    async def members(
        self, workspace: FromPath[UUID], caller: CallerDep, workspaces: WorkspacesDep
    ) -> list[types.Member]:
        rows = await workspaces.members(caller, workspace)
        return [types.Member(types.User(r["id"], r["email"], r["name"]), Role(r["role"])) for r in rows]

    @patch("/{workspace:uuid}/members/{user:uuid}", summary="Change a member's role")
    async def change_role(
        self, request: Request, workspace: FromPath[UUID], user: FromPath[UUID], data: JSONBody[types.RoleChange],
        caller: CallerDep, workspaces: WorkspacesDep,
    ) -> types.Membership:
        await workspaces.change_role(caller, workspace, user, data.role, client_address(request))
        return types.Membership(workspace, data.role)

    @delete("/{workspace:uuid}/members/{user:uuid}", summary="Remove a member (or leave)")
    async def remove(
        self, request: Request, workspace: FromPath[UUID], user: FromPath[UUID], caller: CallerDep,
        workspaces: WorkspacesDep,
    ) -> None:
        await workspaces.remove_member(caller, workspace, user, client_address(request))

    @post("/{workspace:uuid}/invitations", summary="Invite an e-mail address with a one-time token")
    async def invite(
        self, request: Request, workspace: FromPath[UUID], data: JSONBody[types.NewInvitation],
        caller: CallerDep, workspaces: WorkspacesDep,
    ) -> types.Invitation:
        invitation = await workspaces.invite(caller, workspace, data.email, data.role, client_address(request))
        row = invitation.row
        return types.Invitation(row["id"], row["email"], data.role, row["expires_at"], invitation.token)

    @get("/{workspace:uuid}/audit", summary="Security events of the workspace and its members (admins)")
    async def audit(
        self, workspace: FromPath[UUID], caller: CallerDep, workspaces: WorkspacesDep,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> list[types.AuditEvent]:
        rows = await workspaces.audit(caller, workspace, limit)
        return [types.AuditEvent(r["id"], r["at"], r["event"], r["actor_id"], r["subject_id"], r["address"],
                                 json.loads(r["details"])) for r in rows]


@post("/api/invitations/accept", tags=["workspaces"], status_code=200, summary="Accept an invitation")
async def accept_invitation(
    request: Request, data: JSONBody[types.AcceptInvitation], caller: CallerDep, workspaces: WorkspacesDep
) -> types.Membership:
    invitation = await workspaces.accept(caller, data.token, client_address(request))
    return types.Membership(invitation["workspace_id"], Role(invitation["role"]))
