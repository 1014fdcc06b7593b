"""``/api/workspaces``: workspaces, members, invitations and the audit log."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from server.api import types
from server.api.auth import CallerDep, client_address
from server.domain.access import Role
from server.domain.accounts import User
from server.domain.money import currency_for_locale
from server.services.workspaces import Workspaces

WorkspacesDep = NamedDependency[Workspaces]


def _workspace(workspace: UUID, name: str, role: Role | None) -> types.Workspace:
    return types.Workspace(workspace, name, role or "guest")


def _user(user: User) -> types.User:
    return types.User(user.id, user.email, user.name)


class WorkspaceController(Controller):
    path = "/api/workspaces"
    tags = ["workspaces"]

    @post("/", summary="Create a workspace; the caller becomes its owner")
    async def create(
        self, request: Request, data: JSONBody[types.NewWorkspace], caller: CallerDep, workspaces: WorkspacesDep
    ) -> types.Workspace:
        currency = data.currency or currency_for_locale(request.headers.get("accept-language"))
        workspace = await workspaces.create(caller, data.name, currency, data.time_zone)
        return _workspace(workspace.id, workspace.name, Role.OWNER)

    @get("/", summary="Workspaces the caller belongs to, or is a guest in")
    async def list_workspaces(self, caller: CallerDep, workspaces: WorkspacesDep) -> list[types.Workspace]:
        return [_workspace(w.id, w.name, w.role) for w in await workspaces.list(caller)]

    @get("/{workspace:uuid}/members", summary="Members and their roles")
    async def members(
        self, workspace: FromPath[UUID], caller: CallerDep, workspaces: WorkspacesDep
    ) -> list[types.Member]:
        return [types.Member(_user(m.user), m.role) for m in await workspaces.members(caller, workspace)]

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
        token, invitation, mailed = await workspaces.invite(caller, workspace, data.email, data.role,
                                                            client_address(request))
        return types.Invitation(invitation.id, invitation.email, invitation.role, invitation.expires_at, token,
                                mail_sent=mailed)

    @get("/{workspace:uuid}/audit", summary="Security events of the workspace and its members (admins)")
    async def audit(
        self, workspace: FromPath[UUID], caller: CallerDep, workspaces: WorkspacesDep,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> list[types.AuditEvent]:
        events = await workspaces.audit(caller, workspace, limit)
        return [types.AuditEvent(e.id, e.at, e.event, e.actor_id, e.subject_id, e.address, e.details) for e in events]


@post("/api/invitations/accept", tags=["workspaces"], status_code=200, summary="Accept an invitation")
async def accept_invitation(
    request: Request, data: JSONBody[types.AcceptInvitation], caller: CallerDep, workspaces: WorkspacesDep
) -> types.Membership:
    invitation = await workspaces.accept(caller, data.token, client_address(request))
    return types.Membership(invitation.workspace_id, invitation.role)
