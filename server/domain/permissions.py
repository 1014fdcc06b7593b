"""Permissions an admin sets per workspace: who may delete records, who may export. Pure functions.

Roles (``server.domain.access``) say who may *change* contacts and organisations; deleting them
and exporting the whole set are riskier, so each workspace chooses::

    delete: admins | members_own | members      (default members_own: a member deletes what they own)
    export: admins | members                    (default admins: no bulk export for members)

Owners and admins may always do both, and change the levels. Viewers never delete or export.
Erasing a contact's personal data (GDPR art. 17) cannot be undone and reaches into every board
and note, so it is for admins and owners only, whatever the delete level.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, NamedTuple
from uuid import UUID

from server.domain.access import RANK, Forbidden, NotFound, Role
from server.domain.accounts import InvalidInput


class DeleteLevel(enum.StrEnum):
    ADMINS = "admins"
    MEMBERS_OWN = "members_own"
    MEMBERS = "members"


class ExportLevel(enum.StrEnum):
    ADMINS = "admins"
    MEMBERS = "members"


class Permissions(NamedTuple):
    delete: DeleteLevel = DeleteLevel.MEMBERS_OWN
    export: ExportLevel = ExportLevel.ADMINS


DEFAULT = Permissions()
SETTINGS = {"delete": DeleteLevel, "export": ExportLevel}


class InvalidSetting(InvalidInput):
    """A permission setting or level that does not exist (HTTP 422, naming the ``field``)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _is_admin(role: Role) -> bool:
    return RANK[role] >= RANK[Role.ADMIN]


def _member(role: Role | None) -> Role:
    if role is None:
        raise NotFound("no such workspace")
    return role


def may_delete(role: Role | None, permissions: Permissions, *, owner: UUID | None, caller: UUID,
               what: str = "records") -> None:
    """Raise unless a caller with ``role`` may delete a record owned by ``owner``."""
    role = _member(role)
    if _is_admin(role):
        return
    level = permissions.delete
    if role is Role.MEMBER and (level is DeleteLevel.MEMBERS or (level is DeleteLevel.MEMBERS_OWN and owner == caller)):
        return
    if role is not Role.MEMBER:
        raise Forbidden(f"a workspace {role} may not delete {what}")
    if level is DeleteLevel.MEMBERS_OWN:
        raise Forbidden(f"this workspace lets members delete only {what} they own; you do not own this one")
    raise Forbidden(f"this workspace lets only admins and owners delete {what}; you are a {role}")


def may_export(role: Role | None, permissions: Permissions) -> None:
    role = _member(role)
    if _is_admin(role) or (role is Role.MEMBER and permissions.export is ExportLevel.MEMBERS):
        return
    who = "admins and owners" if permissions.export is ExportLevel.ADMINS else "members, admins and owners"
    raise Forbidden(f"this workspace lets only {who} export; you are a {role}")


def may_erase(role: Role | None) -> None:
    if not _is_admin(_member(role)):
        raise Forbidden(f"only a workspace admin or owner may erase a contact's personal data; you are a {role}")


def may_change(role: Role | None) -> None:
    if not _is_admin(_member(role)):
        raise Forbidden(f"only a workspace admin or owner may change its permissions; you are a {role}")


def what_role_may(role: Role, permissions: Permissions) -> dict[str, Any]:
    """What ``role`` may do under ``permissions``, for a client to show or hide its buttons."""
    admin, member = _is_admin(role), role is Role.MEMBER
    delete = "all" if admin or (member and permissions.delete is DeleteLevel.MEMBERS) else (
        "own" if member and permissions.delete is DeleteLevel.MEMBERS_OWN else "none")
    return {"delete": delete, "export": admin or (member and permissions.export is ExportLevel.MEMBERS),
            "erase": admin, "change_permissions": admin}


def parse_permissions(current: Permissions, changes: Mapping[str, Any]) -> Permissions:
    """``current`` with ``changes`` applied; an unknown setting or level raises ``InvalidSetting``."""
    unknown = sorted(set(changes) - set(SETTINGS))
    if unknown:
        raise InvalidSetting(f"expected settings among {', '.join(SETTINGS)}, got {', '.join(map(repr, unknown))}",
                             unknown[0])
    values = current._asdict()
    for name, value in changes.items():
        levels = SETTINGS[name]
        if not isinstance(value, str) or value not in [level.value for level in levels]:
            raise InvalidSetting(f"expected {name} to be one of {', '.join(levels)}, got {value!r}", name)
        values[name] = levels(value)
    return Permissions(**values)
