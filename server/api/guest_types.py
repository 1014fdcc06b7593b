"""Request and response bodies of sharing a board by link (guests invited by e-mail address)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from server.api.types import Share
from server.domain.access import ShareLevel


class GuestInvitation(msgspec.Struct):
    """A board shared by link with an address that has no account yet. ``link`` (the web app's
    ``/guest/<token>`` page) is answered once, to the admin who shared; it is mailed too when mail is configured."""

    id: UUID
    email: str
    access: ShareLevel
    invited_by: str | None
    created_at: datetime
    expires_at: datetime
    link: str | None = None


class Shared(msgspec.Struct):
    """What sharing did: ``share`` when the address has an account (shared at once), else
    ``invitation`` (the address was invited by link)."""

    share: Share | None
    invitation: GuestInvitation | None
    mail_sent: bool = False  # the invitation's link was mailed too (False: mail is not configured)


class InvitationToken(msgspec.Struct, forbid_unknown_fields=True):
    token: str


class InvitationPreview(msgspec.Struct):
    """What the guest's sign-up page shows before they have an account; ``has_account`` if the
    address has one by now (the page then asks them to sign in)."""

    email: str
    access: ShareLevel
    board_name: str
    workspace_name: str
    invited_by: str | None
    expires_at: datetime
    has_account: bool
