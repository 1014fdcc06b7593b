"""Boards and sharing: create, list what the caller may see, share with guests, and decide
document access (``document_access``) for the HTTP API and the WebSocket handshake."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

from server.domain.access import Access, Action, Forbidden, NotFound, Role, ShareLevel, board_access, permit
from server.domain.accounts import User, check_name, normalise_email
from server.domain.boards import Board, BoardGrant, BoardKind, DocumentKind, GuestInvitation, Share
from server.domain.money import check_currency
from server.domain.system_mail import Moment, render
from server.documents.seed import board_seed
from server.services.projection import project_seed
from server.services.accounts import Caller
from server.services.credentials import hash_token, new_token
from server.services.mail import Mail, Outbox, time_zone_of
from server.services.currencies import money_of
from server.services.workspaces import role_of

if TYPE_CHECKING:
    from server.services.ports.unit import Begin, Unit


class BoardView(NamedTuple):
    """A board as one caller sees it: the board (with its ``document``), the caller's access, and
    the caller's role in its workspace (None for a guest, who reaches it by a share alone)."""

    board: Board
    access: Access
    role: Role | None


class Shared(NamedTuple):
    """What sharing with an e-mail address did: shared the board at once with its account
    (``user``), or, as it has none, invited it by link (``invitation`` and its ``token``, answered
    to the admin once, and ``mailed`` if it goes out by mail too)."""

    user: User | None
    invitation: GuestInvitation | None = None
    token: str | None = None
    mailed: bool = False


NO_INVITATION = "no such invitation (the link is unknown, was used or cancelled, or expired)"
WEEK = 7 * 24 * 3600.0


def guest_link(token: str) -> str:
    """The web app's page that signs a guest up from their invitation (``/guest/<token>``)."""
    return f"/guest/{token}"


def _seen(grant: BoardGrant | None) -> BoardView:
    """The board as the grant's holder sees it; ``NotFound`` for unknown and unreachable alike."""
    if grant is None:
        raise NotFound("no such board")
    return BoardView(grant.board, grant.access(), grant.role)


class Boards:
    """The board, share and document-access use cases."""

    def __init__(self, begin: Begin, outbox: Outbox | None = None, *, invitation_ttl: float = WEEK) -> None:
        self._begin, self._outbox, self._invitation_ttl = begin, outbox, invitation_ttl

    async def create(self, caller: Caller, workspace: UUID, name: str, kind: BoardKind,
                     currency: str | None = None) -> BoardView:
        """Register the board and its document, whose seed (settings, default stages) is its first log row."""
        name = check_name(name, "board name")
        currency = check_currency(currency) if currency is not None else None
        async with self._begin() as unit:
            role = permit(role_of(await unit.workspaces.workspace_view(workspace, caller.id)), Action.CREATE_BOARD)
            currency = currency or (await money_of(unit, workspace)).currency  # the workspace's, not USD
            board = await unit.boards.add(workspace, name, kind, caller.id)
            await unit.workspaces.add_document(board.document, workspace, board.id, DocumentKind.BOARD)
            seed = board_seed(board.id, board.kind, name, board.created_at, currency)
            await unit.projected_documents.seed(board.document, seed)
            await project_seed(unit, board.id, workspace, kind, seed)
            await unit.audit.record("board.created", actor=caller.id, workspace=workspace,
                                    board=board.id, name=name, kind=kind)
            return BoardView(board, Access.WRITE, role)

    async def visible(self, caller: Caller, workspace: UUID) -> list[BoardView]:
        """The boards of ``workspace`` the caller reaches: all for members, the shared ones for guests."""
        async with self._begin() as unit:
            role_of(await unit.workspaces.workspace_view(workspace, caller.id))
            grants = await unit.boards.visible(workspace, caller.id)
        return [_seen(grant) for grant in grants]

    async def get(self, caller: Caller, board: UUID) -> BoardView:
        # One statement on every board call's path: no BEGIN/COMMIT round trips around it.
        async with self._begin(autocommit=True) as unit:
            grant = await unit.boards.grant(board, caller.id)
        return _seen(grant)

    async def share(self, caller: Caller, board: UUID, email: str, level: ShareLevel, address: str) -> Shared:
        """Share the board with the account of ``email`` at once, or invite ``email`` by a one-time link."""
        email = normalise_email(email)
        async with self._begin() as unit:
            managed = await self._managed(unit, caller, board)
            account = await unit.users.by_email(email)
            if account is None:
                token, token_hash = new_token()
                invitation = await unit.guest_invitations.add(token_hash, board, email, level, caller.id,
                                                              self._invitation_ttl)
                await unit.audit.record("guest.invited", actor=caller.id, address=address,
                                        workspace=managed.workspace_id, board=board, email=email, access=level)
                mailed = await self._mail_invitation(unit, caller, invitation, token)
            else:
                await unit.shares.put(board, account.id, level, caller.id)
                await unit.audit.record("board.shared", actor=caller.id, subject=account.id, address=address,
                                        workspace=managed.workspace_id, board=board, access=level)
                await unit.audit.announce(user=account.id)
                return Shared(account.user)
        return Shared(None, invitation, token, mailed)

    async def _mail_invitation(self, unit: Unit, caller: Caller, invitation: GuestInvitation, token: str) -> bool:
        if self._outbox is None:
            return False
        # The guest has no account yet: the mail speaks the inviter's language, times in their zone.
        expires = Moment(invitation.expires_at, await time_zone_of(unit, caller.id))
        return await self._outbox.post(unit, Mail.of(invitation.email, render(
            "guest_invitation", caller.locale, {"inviter": caller.name, "board": invitation.board_name,
                                                "workspace": invitation.workspace_name, "expires": expires},
            self._outbox.link(guest_link(token)))))

    async def invitations(self, caller: Caller, board: UUID) -> list[GuestInvitation]:
        """The board's invitations by link not yet accepted (admins)."""
        async with self._begin() as unit:
            await self._managed(unit, caller, board)
            return await unit.guest_invitations.open(board)

    async def revoke(self, caller: Caller, board: UUID, invitation: UUID, address: str) -> None:
        """Cancel an invitation by link before it is accepted: its link stops working."""
        async with self._begin() as unit:
            managed = await self._managed(unit, caller, board)
            if not await unit.guest_invitations.revoke(board, invitation):
                raise NotFound("no open invitation of this board with that id")
            await unit.audit.record("guest.invitation_revoked", actor=caller.id, address=address,
                                    workspace=managed.workspace_id, board=board, invitation=invitation)

    async def invitation(self, token: str) -> GuestInvitation:
        """The open invitation of a link, for the page its guest signs up on (no session needed)."""
        async with self._begin(autocommit=True) as unit:
            found = await unit.guest_invitations.find(hash_token(token))
        if found is None:
            raise NotFound(NO_INVITATION)
        return found

    async def has_account(self, email: str) -> bool:
        async with self._begin(autocommit=True) as unit:
            return await unit.users.by_email(email) is not None

    async def accept(self, caller: Caller, token: str, address: str) -> BoardView:
        """Use an invitation by link addressed to the caller's e-mail: the board is shared with them."""
        async with self._begin() as unit:
            invitation = await unit.guest_invitations.take(hash_token(token), caller.id)
            if invitation is None:
                raise NotFound(NO_INVITATION)
            if invitation.email != caller.email:  # raising rolls the take back: the link still works
                raise Forbidden(f"this invitation is for {invitation.email}; you are signed in as {caller.email}")
            await unit.shares.put(invitation.board_id, caller.id, invitation.access, invitation.invited_by or caller.id)
            await unit.audit.record("guest.joined", actor=caller.id, subject=caller.id, address=address,
                                    workspace=invitation.workspace_id, board=invitation.board_id,
                                    access=invitation.access)
            await unit.audit.announce(user=caller.id)
            return _seen(await unit.boards.grant(invitation.board_id, caller.id))

    async def unshare(self, caller: Caller, board: UUID, user: UUID, address: str) -> None:
        async with self._begin() as unit:
            managed = await self._managed(unit, caller, board)
            if not await unit.shares.remove(board, user):
                raise NotFound("this board is not shared with that user")
            await unit.audit.record("board.unshared", actor=caller.id, subject=user, address=address,
                                    workspace=managed.workspace_id, board=board)
            await unit.audit.announce(user=user)

    async def shares(self, caller: Caller, board: UUID) -> list[Share]:
        async with self._begin() as unit:
            await self._managed(unit, caller, board)
            return await unit.shares.all(board)

    async def _managed(self, unit: Unit, caller: Caller, board: UUID) -> Board:
        """The board, if the caller may manage its shares (an admin or owner of its workspace)."""
        grant = await unit.boards.grant(board, caller.id)
        if grant is None:
            raise NotFound("no such board")
        grant.access()  # NotFound, the same as an unknown board, unless the caller reaches it at all
        if grant.role is None:
            raise Forbidden(f"only a workspace {Role.ADMIN} or above may {Action.SHARE_BOARDS}; you are a guest")
        permit(grant.role, Action.SHARE_BOARDS)
        return grant.board

    async def document_access(self, user: UUID, document: str) -> Access:
        """What ``user`` may do with ``document``; ``NotFound`` for unknown and forbidden alike."""
        async with self._begin(autocommit=True) as unit:
            grant = await unit.boards.document_grant(document, user)
        if grant is None:
            raise NotFound("no such document")
        try:
            access = board_access(grant.role, grant.share)
        except NotFound:
            raise NotFound("no such document") from None  # the same words for unknown and forbidden
        # The workspace document is written by the server alone (contact change notices).
        return Access.READ if grant.kind == DocumentKind.WORKSPACE else access
