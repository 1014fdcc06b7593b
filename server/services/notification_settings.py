"""A user's notification settings, following deals, and who a note may @mention (issue 18 item 3).

Each user reads and changes only their own settings. Following a deal needs only to reach its
board (a viewer or a read-only guest may follow); the people a note may mention are the board's
workspace members and the users it is shared with — the only ones a mention can notify.
"""

from __future__ import annotations

from typing import Any, NamedTuple
from uuid import UUID

from server.domain.access import NotFound
from server.domain.accounts import User
from server.domain.notification_settings import NotificationPrefs, checked, follows
from server.services.accounts import Caller
from server.services.boards import Boards
from server.services.ports.unit import Begin


class Following(NamedTuple):
    following: bool
    owner: bool  # the caller owns the deal (and so follows it unless they chose not to)


class NotificationSettingsService:
    """The signed-in user's notification settings and followed deals."""

    def __init__(self, begin: Begin, boards: Boards, mail_configured: bool) -> None:
        self._begin, self._boards = begin, boards
        self.mail_configured = mail_configured  # e-mail and digests leave only with TANDEM_SMTP_URL

    async def settings(self, caller: Caller) -> NotificationPrefs:
        async with self._begin(autocommit=True) as tx:
            return await tx.notification_settings.get(caller.id)

    async def change(self, caller: Caller, channels: dict[str, Any], digest: str, digest_hour: int,
                     time_zone: str) -> NotificationPrefs:
        """Replace the caller's settings (``InvalidInput`` naming a wrong field)."""
        prefs = checked(channels, digest, digest_hour, time_zone)
        async with self._begin() as tx:
            await tx.notification_settings.put(caller.id, prefs)
        return prefs

    async def following(self, caller: Caller, board: UUID, card: UUID) -> Following:
        await self._boards.get(caller, board)  # NotFound unless the caller reaches the board
        async with self._begin() as tx:
            return await self._following(tx, caller, board, card)

    async def follow(self, caller: Caller, board: UUID, card: UUID, follow: bool) -> Following:
        """Follow the deal, or stop following it."""
        await self._boards.get(caller, board)
        async with self._begin() as tx:
            await self._following(tx, caller, board, card)  # NotFound for a deal not on the board
            await tx.deal_follows.set(board, card, caller.id, follow)
            return await self._following(tx, caller, board, card)

    async def _following(self, tx: Any, caller: Caller, board: UUID, card: UUID) -> Following:
        deal = await tx.board_reads.deal(board, card)
        if deal is None:
            raise NotFound("no such deal on this board")
        choices = await tx.deal_follows.choices(board, card)
        return Following(follows(caller.id, deal.owner_id, choices), deal.owner_id == caller.id)

    async def mentionable(self, caller: Caller, board: UUID) -> list[User]:
        """Who a note on ``board`` may mention: its workspace's members and whom it is shared with,
        by name, the caller left out."""
        view = await self._boards.get(caller, board)
        async with self._begin(autocommit=True) as tx:
            members = [m.user for m in await tx.members.all(view.board.workspace_id)]
            shared = [s.user for s in await tx.shares.all(board)]
        people = {u.id: u for u in [*members, *shared] if u.id != caller.id}
        return sorted(people.values(), key=lambda u: (u.name.casefold(), str(u.id)))
