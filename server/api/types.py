"""Request and response bodies of the accounts, workspaces and boards API (msgspec Structs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from server.domain.access import Role, ShareLevel
from server.domain.boards import BoardKind


class SignUp(msgspec.Struct, forbid_unknown_fields=True):
    email: str
    password: str
    name: str


class SignIn(msgspec.Struct, forbid_unknown_fields=True):
    email: str
    password: str


class User(msgspec.Struct):
    id: UUID
    email: str
    name: str


class Me(msgspec.Struct):
    """The signed-in user; ``locale`` is the language they chose in the app ("en", "de"), null if never."""

    id: UUID
    email: str
    name: str
    locale: str | None


class MeChange(msgspec.Struct, forbid_unknown_fields=True):
    """``locale``: "en" or "de" (anything else answers 422)."""

    locale: str


class Session(msgspec.Struct):
    """A new session: ``token`` for ``Authorization: Bearer`` or ``?token=``; the cookies are set too."""

    token: str
    user: Me
    expires_at: datetime
    csrf_token: str


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    current_password: str
    new_password: str


class ResetRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: str


class ResetConfirm(msgspec.Struct, forbid_unknown_fields=True):
    token: str
    password: str


class NewWorkspace(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    # ISO 4217; if absent, the one the caller's Accept-Language suggests (de-DE: EUR), else USD
    currency: str | None = None
    # IANA zone (the creator's browser's); if absent, the server's default (Settings › Workspace)
    time_zone: str | None = None


class Workspace(msgspec.Struct):
    id: UUID
    name: str
    role: Literal["owner", "admin", "member", "viewer", "guest"]


class Member(msgspec.Struct):
    user: User
    role: Role


class RoleChange(msgspec.Struct, forbid_unknown_fields=True):
    role: Role


class NewInvitation(msgspec.Struct, forbid_unknown_fields=True):
    email: str
    role: Role = Role.MEMBER


class Invitation(msgspec.Struct):
    """A one-time invitation; ``token`` is also mailed to ``email`` when ``mail_sent`` (else mail
    is not configured on this server: hand the link over yourself)."""

    id: UUID
    email: str
    role: Role
    expires_at: datetime
    token: str
    mail_sent: bool = False


class ResetRequested(msgspec.Struct):
    """A reset was asked for: if the account exists, its token is mailed — only when
    ``mail_configured`` (else no mail leaves this server: an administrator must help). The mailed
    link works for ``valid_minutes``. The answer is the same whether the account exists or not."""

    mail_configured: bool
    valid_minutes: int


class AcceptInvitation(msgspec.Struct, forbid_unknown_fields=True):
    token: str


class Membership(msgspec.Struct):
    workspace_id: UUID
    role: Role


class NewBoard(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    kind: BoardKind
    currency: str | None = None  # pipelines: the default currency of new deals (ISO 4217; USD if unset)


class Board(msgspec.Struct):
    """A board; open ``document`` at ``/sync/{document}``. ``access`` is the caller's."""

    id: UUID
    workspace_id: UUID
    name: str
    kind: BoardKind
    document: str
    access: Literal["read", "write"]
    created_at: datetime
    archived_at: datetime | None = None  # archived: hidden from the boards list, kept, restorable


class NewShare(msgspec.Struct, forbid_unknown_fields=True):
    email: str
    access: ShareLevel


class Share(msgspec.Struct):
    user: User
    access: ShareLevel


class AuditEvent(msgspec.Struct):
    id: int
    at: datetime
    event: str
    actor_id: UUID | None
    subject_id: UUID | None
    address: str | None
    details: dict[str, Any]
