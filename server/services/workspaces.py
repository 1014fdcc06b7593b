"""Workspaces and their members: creation, listing, role changes, removal, invitations, audit.

Membership changes run under a per-workspace lock (the last-owner rule counts owners) and
announce the affected user, so their open sockets are re-checked on every node.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

from server.domain.access import Action, NotFound, Role, check_membership_change, permit
from server.domain.accounts import Conflict, check_name, normalise_email
from server.domain.boards import DocumentKind, workspace_document
from server.services.accounts import Caller
from server.services.credentials import hash_token, new_token
from server.services.mail import Mail, Outbox

if TYPE_CHECKING:
    import asyncpg
    from server.storage.unit import Begin, Tx


class Invitation(NamedTuple):
    token: str
    row: asyncpg.Record


def role_of(view: asyncpg.Record | None) -> Role | None:
    """The caller's role from a ``workspace_view`` row; raise ``NotFound`` if it is not theirs."""
    if view is None or (view["role"] is None and not view["guest"]):
        raise NotFound("no such workspace")
    return Role(view["role"]) if view["role"] else None


class Workspaces:
    """The workspace and membership use cases."""

    def __init__(self, begin: Begin, outbox: Outbox, *, invitation_ttl: float) -> None:
        self._begin, self._outbox, self._invitation_ttl = begin, outbox, invitation_ttl

    async def create(self, caller: Caller, name: str) -> asyncpg.Record:
        name = check_name(name, "workspace name")
        async with self._begin() as tx:
            workspace = await tx.workspaces.insert_workspace(name)
            await tx.workspaces.insert_member(workspace["id"], caller.id, Role.OWNER)
            await tx.workspaces.insert_document(workspace_document(workspace["id"]), workspace["id"], None,
                                                DocumentKind.WORKSPACE)
            await tx.accounts.audit("workspace.created", actor=caller.id, workspace=workspace["id"], name=name)
        return workspace

    async def list(self, caller: Caller) -> list[asyncpg.Record]:
        async with self._begin() as tx:
            return await tx.workspaces.workspaces_of(caller.id)

    async def members(self, caller: Caller, workspace: UUID) -> list[asyncpg.Record]:
        async with self._begin() as tx:
            permit(role_of(await tx.workspaces.workspace_view(workspace, caller.id)), Action.VIEW)
            return await tx.workspaces.members(workspace)

    async def change_role(self, caller: Caller, workspace: UUID, user: UUID, role: Role, address: str) -> None:
        async with self._begin() as tx:
            current = await self._check_change(tx, caller, workspace, user, role)
            await tx.workspaces.set_role(workspace, user, role)
            await tx.accounts.audit("member.role_changed", actor=caller.id, subject=user, workspace=workspace,
                                    address=address, before=current, after=role)
            await tx.accounts.announce(user=user)

    async def remove_member(self, caller: Caller, workspace: UUID, user: UUID, address: str) -> None:
        async with self._begin() as tx:
            current = await self._check_change(tx, caller, workspace, user, None)
            await tx.workspaces.delete_member(workspace, user)
            await tx.accounts.audit("member.removed", actor=caller.id, subject=user, workspace=workspace,
                                    address=address, role=current)
            await tx.accounts.announce(user=user)

    async def _check_change(self, tx: Tx, caller: Caller, workspace: UUID, user: UUID, new: Role | None) -> Role:
        await tx.workspaces.lock(workspace)
        actor = role_of(await tx.workspaces.workspace_view(workspace, caller.id))
        current = await tx.workspaces.member_role(workspace, user)
        if current is None:
            permit(actor, Action.MANAGE_MEMBERS)
            raise NotFound("no such member of this workspace")
        owners = await tx.workspaces.count_owners(workspace)
        check_membership_change(actor, Role(current), new, is_self=user == caller.id, owners=owners)
        return Role(current)

    async def invite(self, caller: Caller, workspace: UUID, email: str, role: Role, address: str) -> Invitation:
        """Create a one-time invitation for ``email`` and mail its token."""
        email = normalise_email(email)
        token, token_hash = new_token()
        async with self._begin() as tx:
            actor = role_of(await tx.workspaces.workspace_view(workspace, caller.id))
            check_membership_change(actor, None, role, is_self=False, owners=2)
            row = await tx.workspaces.insert_invitation(
                token_hash, workspace, email, role, caller.id, self._invitation_ttl)
            await tx.accounts.audit("invitation.created", actor=caller.id, workspace=workspace, address=address,
                                    email=email, role=role)
        self._outbox.send(Mail(email, "You are invited to a Tandem workspace",
                               f"Accept with this token before {row['expires_at']:%Y-%m-%d %H:%M} UTC: {token}"))
        return Invitation(token, row)

    async def accept(self, caller: Caller, token: str, address: str) -> asyncpg.Record:
        """Join the workspace of an invitation addressed to the caller's e-mail; usable once."""
        async with self._begin() as tx:
            invitation = await tx.workspaces.take_invitation(hash_token(token), caller.id)
            if invitation is None or invitation["email"] != caller.email:
                raise NotFound("no such invitation for your e-mail address (or it was used, or it expired)")
            if not await tx.workspaces.insert_member(invitation["workspace_id"], caller.id, invitation["role"]):
                raise Conflict("you are already a member of this workspace")
            await tx.accounts.audit("invitation.accepted", actor=caller.id, subject=caller.id, address=address,
                                    workspace=invitation["workspace_id"], role=invitation["role"])
            await tx.accounts.announce(user=caller.id)
        return invitation

    async def audit(self, caller: Caller, workspace: UUID, limit: int) -> list[asyncpg.Record]:
        async with self._begin() as tx:
            permit(role_of(await tx.workspaces.workspace_view(workspace, caller.id)), Action.READ_AUDIT)
            return await tx.workspaces.audit_for_workspace(workspace, limit)
