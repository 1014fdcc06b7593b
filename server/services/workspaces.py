"""Workspaces and their members: creation, listing, role changes, removal, invitations, audit.

Membership changes run under a per-workspace lock (the last-owner rule counts owners) and
announce the affected user, so their open sockets are re-checked on every node.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

from server.domain.access import Action, NotFound, Role, check_membership_change, permit
from server.domain.accounts import Conflict, check_name, normalise_email
from server.domain.accounts import AuditEvent
from server.domain.boards import DocumentKind, dashboard_document, workspace_document
from server.domain.money import FALLBACK, check_currency
from server.domain.permissions import InvalidSetting
from server.domain.system_mail import Moment, render
from server.domain.workspaces import (Member, MyWorkspace, PendingInvitation, Workspace, WorkspaceView,
                                      check_workspace_zone)
from server.services.accounts import Caller
from server.services.credentials import hash_token, new_token
from server.services.mail import Mail, Outbox, time_zone_of

if TYPE_CHECKING:
    from server.services.ports.unit import Begin, Unit

log = logging.getLogger(__name__)


class Invitation(NamedTuple):
    """A new invitation and its token (answered to the inviter once; ``mailed`` if it goes out by mail too)."""

    token: str
    invitation: PendingInvitation
    mailed: bool = False


def role_of(view: WorkspaceView | None) -> Role | None:
    """The caller's role from ``Workspaces.workspace_view``; raise ``NotFound`` if it is not theirs."""
    if view is None or (view.role is None and not view.guest):
        raise NotFound("no such workspace")
    return view.role


def creators_zone(raw: str | None) -> str | None:
    """The zone a new workspace takes from its creator's browser, or None (the server's default) when
    this server's tz database does not know it: onboarding must not stop at a zone only the browser
    knows (a newer tzdata, a link name). It can be set later in the workspace's settings."""
    try:
        return check_workspace_zone(raw)
    except InvalidSetting:
        log.warning("new workspace: time zone %r unknown to this server's tz database; using the default",
                    str(raw)[:64])
        return None


class Workspaces:
    """The workspace and membership use cases."""

    def __init__(self, begin: Begin, outbox: Outbox, *, invitation_ttl: float) -> None:
        self._begin, self._outbox, self._invitation_ttl = begin, outbox, invitation_ttl

    async def create(self, caller: Caller, name: str, currency: str = FALLBACK,
                     time_zone: str | None = None) -> Workspace:
        """A workspace owned by the caller; ``currency`` (ISO 4217) is its money's and ``time_zone``
        (IANA; None: the server's default) its weeks', both changeable later."""
        name = check_name(name, "workspace name")
        currency, time_zone = check_currency(currency), creators_zone(time_zone)
        async with self._begin() as unit:
            workspace = await unit.workspaces.add(name, time_zone)
            await unit.currencies.set_currency(workspace.id, currency, caller.id)
            await unit.members.add(workspace.id, caller.id, Role.OWNER)
            await unit.workspaces.add_document(workspace_document(workspace.id), workspace.id, None,
                                               DocumentKind.WORKSPACE)
            await unit.workspaces.add_document(dashboard_document(workspace.id), workspace.id, None,
                                               DocumentKind.DASHBOARD)
            await unit.audit.record("workspace.created", actor=caller.id, workspace=workspace.id, name=name)
        return workspace

    async def list(self, caller: Caller) -> list[MyWorkspace]:
        async with self._begin() as unit:
            return await unit.workspaces.of_user(caller.id)

    async def members(self, caller: Caller, workspace: UUID) -> Sequence[Member]:
        async with self._begin() as unit:
            permit(role_of(await unit.workspaces.workspace_view(workspace, caller.id)), Action.VIEW)
            return await unit.members.all(workspace)

    async def change_role(self, caller: Caller, workspace: UUID, user: UUID, role: Role, address: str) -> None:
        async with self._begin() as unit:
            current = await self._check_change(unit, caller, workspace, user, role)
            await unit.members.set_role(workspace, user, role)
            await unit.audit.record("member.role_changed", actor=caller.id, subject=user, workspace=workspace,
                                    address=address, before=current, after=role)
            await unit.audit.announce(user=user)

    async def remove_member(self, caller: Caller, workspace: UUID, user: UUID, address: str) -> None:
        async with self._begin() as unit:
            current = await self._check_change(unit, caller, workspace, user, None)
            await unit.members.remove(workspace, user)
            await unit.notifications.forget(workspace, user)  # they name the workspace's deals
            await unit.audit.record("member.removed", actor=caller.id, subject=user, workspace=workspace,
                                    address=address, role=current)
            await unit.audit.announce(user=user)

    async def _check_change(self, unit: Unit, caller: Caller, workspace: UUID, user: UUID, new: Role | None) -> Role:
        await unit.workspaces.lock(workspace)
        actor = role_of(await unit.workspaces.workspace_view(workspace, caller.id))
        current = await unit.members.role(workspace, user)
        if current is None:
            permit(actor, Action.MANAGE_MEMBERS)
            raise NotFound("no such member of this workspace")
        owners = await unit.members.count_owners(workspace)
        check_membership_change(actor, current, new, is_self=user == caller.id, owners=owners)
        return current

    async def invite(self, caller: Caller, workspace: UUID, email: str, role: Role, address: str) -> Invitation:
        """Create a one-time invitation for ``email`` and mail its token."""
        email = normalise_email(email)
        token, token_hash = new_token()
        async with self._begin() as unit:
            view = await unit.workspaces.workspace_view(workspace, caller.id)
            actor = role_of(view)
            check_membership_change(actor, None, role, is_self=False, owners=2)
            invitation = await unit.invitations.add(token_hash, workspace, email, role, caller.id,
                                                    self._invitation_ttl)
            await unit.audit.record("invitation.created", actor=caller.id, workspace=workspace, address=address,
                                    email=email, role=role)
            mailed = await self._mail_invitation(unit, caller, view, invitation, token)
        return Invitation(token, invitation, mailed)

    async def _mail_invitation(self, unit: Unit, caller: Caller, view: WorkspaceView | None,
                               invitation: PendingInvitation, token: str) -> bool:
        # Whoever is invited may have no account yet: the inviter's language, times in their zone.
        fields = {"inviter": caller.name, "workspace": view.name if view else "", "token": token,
                  "expires": Moment(invitation.expires_at, await time_zone_of(unit, caller.id))}
        return await self._outbox.post(unit, Mail.of(invitation.email, render(
            "workspace_invitation", caller.locale, fields, self._outbox.link(f"/invite/{token}"))))

    async def accept(self, caller: Caller, token: str, address: str) -> PendingInvitation:
        """Join the workspace of an invitation addressed to the caller's e-mail; usable once."""
        async with self._begin() as unit:
            invitation = await unit.invitations.take(hash_token(token), caller.id)
            if invitation is None or invitation.email != caller.email:
                raise NotFound("no such invitation for your e-mail address (or it was used, or it expired)")
            if not await unit.members.add(invitation.workspace_id, caller.id, invitation.role):
                raise Conflict("you are already a member of this workspace")
            await unit.audit.record("invitation.accepted", actor=caller.id, subject=caller.id, address=address,
                                    workspace=invitation.workspace_id, role=invitation.role)
            await unit.audit.announce(user=caller.id)
        return invitation

    async def audit(self, caller: Caller, workspace: UUID, limit: int) -> Sequence[AuditEvent]:
        async with self._begin() as unit:
            permit(role_of(await unit.workspaces.workspace_view(workspace, caller.id)), Action.READ_AUDIT)
            return await unit.audit.for_workspace(workspace, limit)
