"""Workspaces, their members and invitations: the values the workspace repositories
(``server/services/ports/workspaces.py``) take and return. No I/O."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from server.domain.access import Role
from server.domain.accounts import User


class Workspace(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    created_at: datetime


class WorkspaceView(msgspec.Struct, frozen=True):
    """A workspace as one user relates to it: ``role`` None unless a member; ``guest`` if one of
    its boards is shared with them."""

    id: UUID
    name: str
    role: Role | None
    guest: bool


class MyWorkspace(msgspec.Struct, frozen=True):
    """A workspace in a user's list: ``role`` None where they are only a guest."""

    id: UUID
    name: str
    role: Role | None


class Member(msgspec.Struct, frozen=True):
    user: User
    role: Role
    joined_at: datetime


class PendingInvitation(msgspec.Struct, frozen=True):
    """An invitation to join ``workspace_id`` as ``role``, for whoever signs in as ``email``."""

    id: UUID
    workspace_id: UUID
    email: str
    role: Role
    expires_at: datetime
