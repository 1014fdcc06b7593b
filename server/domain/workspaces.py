"""Workspaces, their members and invitations: the values the workspace repositories
(``server/services/ports/workspaces.py``) take and return. No I/O."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from server.domain.access import Role
from server.domain.accounts import MAX_NAME, User
from server.domain.permissions import InvalidSetting


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


class WorkspaceSettings(msgspec.Struct, frozen=True):
    """What owners and admins change in Settings › Workspace: ``time_zone`` None means the server's
    default zone (``TANDEM_FORECAST_WEEK_ZONE``)."""

    id: UUID
    name: str
    time_zone: str | None


def check_workspace_name(raw: object) -> str:
    """A workspace name, stripped; ``InvalidSetting`` naming ``name`` otherwise."""
    name = raw.strip() if isinstance(raw, str) else ""
    if not 1 <= len(name) <= MAX_NAME:
        raise InvalidSetting(f"name: expected 1 to {MAX_NAME} characters, got {len(name)}", "name")
    return name


def check_workspace_zone(raw: object) -> str | None:
    """An IANA time zone (``Europe/Berlin``), or None (the server's default) for None or "";
    ``InvalidSetting`` naming ``time_zone`` otherwise."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str) and 0 < len(raw) <= 64 and not raw.startswith(("/", ".")) and ".." not in raw:
        try:
            ZoneInfo(raw)
            return raw
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    raise InvalidSetting(f"time_zone: expected an IANA time zone such as Europe/Berlin, got {str(raw)[:64]!r}",
                         "time_zone")
