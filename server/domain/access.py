"""Who may do what: roles, shares and the access decisions built from them. Pure functions.

A workspace *member* has one role: owner > admin > member > viewer. A *guest* has no role in
the workspace, only shares of single boards (read or edit). Access to a document is decided
from the role and the share of the board it hangs off::

    board_access(role, share) -> Access.READ | Access.WRITE      or raises NotFound

``NotFound`` covers "no such thing" and "not yours" alike, so that a guest cannot tell that a
board it was not given exists; ``Forbidden`` is for things the caller can see but not change
(a viewer writing, a member managing members).
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


class ShareLevel(enum.StrEnum):
    READ = "read"
    EDIT = "edit"


class Access(enum.IntEnum):
    READ = 1
    WRITE = 2


class Action(enum.StrEnum):
    """Workspace-level actions, each with the lowest role allowed to take it (``MINIMUM_ROLE``)."""

    VIEW = "view the workspace"
    CREATE_BOARD = "create boards"
    MANAGE_MEMBERS = "invite, change or remove members"
    SHARE_BOARDS = "share boards with guests"
    READ_AUDIT = "read the audit log"
    READ_CONTACTS = "see contacts and organisations"
    EDIT_CONTACTS = "change contacts, organisations and segments"
    MANAGE_FIELDS = "define custom fields"
    MANAGE_SETTINGS = "change the workspace's settings (currency, exchange rates)"
    MANAGE_BOARDS = "rename, archive or delete boards"


class AccessDenied(Exception):
    """The caller may not do this (base of ``NotFound`` and ``Forbidden``)."""


class NotFound(AccessDenied):
    """Unknown, or not visible to the caller: both answer the same (HTTP 404, close 4404)."""


class Forbidden(AccessDenied):
    """Visible to the caller, but the caller's role does not allow this (HTTP 403)."""


RANK = {Role.VIEWER: 1, Role.MEMBER: 2, Role.ADMIN: 3, Role.OWNER: 4}
MINIMUM_ROLE = {
    Action.VIEW: Role.VIEWER,
    Action.CREATE_BOARD: Role.MEMBER,
    Action.MANAGE_MEMBERS: Role.ADMIN,
    Action.SHARE_BOARDS: Role.ADMIN,
    Action.READ_AUDIT: Role.ADMIN,
    Action.READ_CONTACTS: Role.VIEWER,
    Action.EDIT_CONTACTS: Role.MEMBER,
    Action.MANAGE_FIELDS: Role.ADMIN,
    Action.MANAGE_SETTINGS: Role.ADMIN,
    Action.MANAGE_BOARDS: Role.ADMIN,
}
_ROLE_ACCESS = {Role.OWNER: Access.WRITE, Role.ADMIN: Access.WRITE, Role.MEMBER: Access.WRITE,
                Role.VIEWER: Access.READ}
_SHARE_ACCESS = {ShareLevel.EDIT: Access.WRITE, ShareLevel.READ: Access.READ}


def board_access(role: Role | None, share: ShareLevel | None) -> Access:
    """What a caller with ``role`` in the board's workspace and ``share`` of the board may do."""
    granted = [_ROLE_ACCESS[role]] if role is not None else []
    if share is not None:
        granted.append(_SHARE_ACCESS[share])
    if not granted:
        raise NotFound("no such board")
    return max(granted)


def require_write(access: Access, what: str = "this board") -> None:
    if access is not Access.WRITE:
        raise Forbidden(f"read-only access to {what}: expected edit access")


def permit(role: Role | None, action: Action) -> Role:
    """Return ``role`` if it may take ``action``; non-members get ``NotFound``, others ``Forbidden``."""
    if role is None:
        raise NotFound("no such workspace")
    needed = MINIMUM_ROLE[action]
    if RANK[role] < RANK[needed]:
        raise Forbidden(f"only a workspace {needed} or above may {action}; you are a {role}")
    return role


def check_membership_change(
    actor: Role | None, current: Role | None, new: Role | None, *, is_self: bool, owners: int
) -> None:
    """Raise unless ``actor`` may turn a member's role ``current`` into ``new``.

    ``current`` None is an invitation; ``new`` None is a removal. Admins manage members and
    viewers; only owners grant or take away admin and owner. Anyone may leave. A workspace
    always keeps at least one owner.
    """
    if current is Role.OWNER and new is not Role.OWNER and owners <= 1:
        raise Forbidden("a workspace keeps at least one owner: make someone else owner first")
    if is_self and new is None and actor is not None:
        return
    permit(actor, Action.MANAGE_MEMBERS)
    senior = {Role.ADMIN, Role.OWNER}
    if actor is not Role.OWNER and (current in senior or new in senior):
        raise Forbidden("only an owner may grant or change the admin and owner roles")
