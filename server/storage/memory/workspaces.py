"""In-memory twins of the workspace ports (tables ``workspaces``, ``documents``, ``memberships``,
``invitations``, ``boards``, ``board_shares``), for unit tests of the services.

They read ``users`` from the account twins' table, as the SQL joins it; a board is reachable only
once its document is registered, as ``visible_boards`` and ``board_grant`` join ``documents``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

import msgspec

from server.domain.access import Role, ShareLevel
from server.domain.accounts import Account
from server.domain.boards import Board, BoardGrant, BoardKind, DocumentGrant, DocumentKind, Share, board_document
from server.domain.workspaces import (Member, MyWorkspace, PendingInvitation, Workspace, WorkspaceSettings,
                                      WorkspaceView)
from server.storage.memory.unit import MemoryDatabase


class _Document(msgspec.Struct, frozen=True):
    workspace: UUID
    board: UUID | None
    kind: DocumentKind


class _Membership(msgspec.Struct):
    role: Role
    created_at: datetime


class _Invitation(msgspec.Struct):
    invitation: PendingInvitation
    by: UUID
    accepted_by: UUID | None = None


class _Share(msgspec.Struct, frozen=True):
    access: ShareLevel
    by: UUID
    created_at: datetime


class _Tables:
    """The tables every workspace twin reads, bound once per unit of work."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db
        self.users: dict[UUID, Account] = db.table("users")
        self.workspaces: dict[UUID, Workspace] = db.table("workspaces")
        self.zones: dict[UUID, str | None] = db.table("workspace_zones")  # the column time_zone
        self.documents: dict[str, _Document] = db.table("documents")
        self.memberships: dict[tuple[UUID, UUID], _Membership] = db.table("memberships")
        self.invitations: dict[bytes, _Invitation] = db.table("invitations")
        self.boards: dict[UUID, Board] = db.table("boards")
        self.shares: dict[tuple[UUID, UUID], _Share] = db.table("board_shares")

    def role_of(self, workspace: UUID, user: UUID) -> Role | None:
        membership = self.memberships.get((workspace, user))
        return membership.role if membership else None

    def share_of(self, board: UUID | None, user: UUID) -> ShareLevel | None:
        share = self.shares.get((board, user)) if board is not None else None
        return share.access if share else None

    def is_guest(self, workspace: UUID, user: UUID) -> bool:
        return any(self.boards[b].workspace_id == workspace for (b, u) in self.shares if u == user)

    def grant_of(self, board: Board, user: UUID) -> BoardGrant:
        return BoardGrant(board, self.role_of(board.workspace_id, user), self.share_of(board.id, user))

    def registered(self, board: Board) -> bool:
        document = self.documents.get(board.document)
        return document is not None and document.kind == DocumentKind.BOARD


class MemoryWorkspaces(_Tables):
    """Implements ``Workspaces``."""

    async def add(self, name: str, time_zone: str | None = None) -> Workspace:
        workspace = Workspace(uuid4(), name, self.db.now())
        self.workspaces[workspace.id] = workspace
        self.zones[workspace.id] = time_zone
        return workspace

    async def settings(self, workspace: UUID) -> WorkspaceSettings | None:
        found = self.workspaces.get(workspace)
        return None if found is None else WorkspaceSettings(found.id, found.name, self.zones.get(workspace))

    async def change_settings(self, workspace: UUID, name: str, time_zone: str | None) -> None:
        if workspace in self.workspaces:
            self.workspaces[workspace] = msgspec.structs.replace(self.workspaces[workspace], name=name)
            self.zones[workspace] = time_zone

    async def of_user(self, user: UUID) -> list[MyWorkspace]:
        mine = [MyWorkspace(w.id, w.name, self.role_of(w.id, user)) for w in self.workspaces.values()
                if self.role_of(w.id, user) is not None or self.is_guest(w.id, user)]
        return sorted(mine, key=lambda w: (w.name, str(w.id)))

    async def workspace_view(self, workspace: UUID, user: UUID) -> WorkspaceView | None:
        found = self.workspaces.get(workspace)
        if found is None:
            return None
        return WorkspaceView(found.id, found.name, self.role_of(workspace, user), self.is_guest(workspace, user))

    async def lock(self, workspace: UUID) -> None:
        """Nothing to do: memory units of work already run one at a time."""

    async def add_document(self, name: str, workspace: UUID, board: UUID | None, kind: DocumentKind) -> None:
        if name in self.documents:
            raise KeyError(f"expected a new document name; {name!r} is registered")
        self.documents[name] = _Document(workspace, board, DocumentKind(kind))


class MemoryMembers(_Tables):
    """Implements ``Members``."""

    async def add(self, workspace: UUID, user: UUID, role: Role) -> bool:
        if (workspace, user) in self.memberships:
            return False
        self.memberships[workspace, user] = _Membership(Role(role), self.db.now())
        return True

    async def all(self, workspace: UUID) -> list[Member]:
        members = [Member(self.users[u].user, m.role, m.created_at)
                   for (w, u), m in self.memberships.items() if w == workspace]
        return sorted(members, key=lambda m: (m.joined_at, m.user.email))

    async def role(self, workspace: UUID, user: UUID) -> Role | None:
        return self.role_of(workspace, user)

    async def count_owners(self, workspace: UUID) -> int:
        return sum(1 for (w, _), m in self.memberships.items() if w == workspace and m.role == Role.OWNER)

    async def set_role(self, workspace: UUID, user: UUID, role: Role) -> None:
        if (workspace, user) in self.memberships:
            self.memberships[workspace, user].role = Role(role)

    async def remove(self, workspace: UUID, user: UUID) -> None:
        self.memberships.pop((workspace, user), None)


class MemoryInvitations(_Tables):
    """Implements ``Invitations``."""

    async def add(
        self, token_hash: bytes, workspace: UUID, email: str, role: Role, by: UUID, ttl: float
    ) -> PendingInvitation:
        invitation = PendingInvitation(uuid4(), workspace, email, Role(role), self.db.now() + timedelta(seconds=ttl))
        self.invitations[token_hash] = _Invitation(invitation, by)
        return invitation

    async def take(self, token_hash: bytes, user: UUID) -> PendingInvitation | None:
        row = self.invitations.get(token_hash)
        if row is None or row.accepted_by is not None or row.invitation.expires_at <= self.db.now():
            return None
        row.accepted_by = user
        return row.invitation


class MemoryBoards(_Tables):
    """Implements ``Boards``."""

    async def add(self, workspace: UUID, name: str, kind: BoardKind, by: UUID) -> Board:
        board_id = uuid4()
        board = Board(board_id, workspace, name, BoardKind(kind), self.db.now(), board_document(board_id))
        self.boards[board.id] = board
        return board

    async def visible(self, workspace: UUID, user: UUID) -> list[BoardGrant]:
        grants = [self.grant_of(b, user) for b in self.boards.values() if b.workspace_id == workspace
                  and self.registered(b)]
        reachable = [g for g in grants if g.role is not None or g.share is not None]
        return sorted(reachable, key=lambda g: (g.board.created_at, str(g.board.id)))

    async def grant(self, board: UUID, user: UUID) -> BoardGrant | None:
        found = self.boards.get(board)
        return self.grant_of(found, user) if found is not None and self.registered(found) else None

    async def document_grant(self, document: str, user: UUID) -> DocumentGrant | None:
        found = self.documents.get(document)
        if found is None:
            return None
        return DocumentGrant(document, found.workspace, found.board, found.kind,
                             self.role_of(found.workspace, user), self.share_of(found.board, user))

    async def rename(self, board: UUID, name: str) -> None:
        if board in self.boards:
            self.boards[board] = msgspec.structs.replace(self.boards[board], name=name)

    async def set_archived(self, board: UUID, archived: bool) -> None:
        found = self.boards.get(board)
        if found is not None:
            stamp = (found.archived_at or self.db.now()) if archived else None
            self.boards[board] = msgspec.structs.replace(found, archived_at=stamp)

    async def remove(self, board: UUID) -> None:
        """As ``ON DELETE CASCADE`` does: the board's documents and shares go with it."""
        self.boards.pop(board, None)
        for name in [n for n, d in self.documents.items() if d.board == board]:
            del self.documents[name]
        for key in [k for k in self.shares if k[0] == board]:
            del self.shares[key]


class MemoryShares(_Tables):
    """Implements ``Shares``."""

    async def put(self, board: UUID, user: UUID, access: ShareLevel, by: UUID) -> None:
        before = self.shares.get((board, user))
        created_at = before.created_at if before else self.db.now()
        self.shares[board, user] = _Share(ShareLevel(access), by, created_at)

    async def remove(self, board: UUID, user: UUID) -> bool:
        return self.shares.pop((board, user), None) is not None

    async def all(self, board: UUID) -> list[Share]:
        shares = [Share(self.users[u].user, s.access, s.created_at) for (b, u), s in self.shares.items() if b == board]
        return sorted(shares, key=lambda s: (s.created_at, s.user.email))
