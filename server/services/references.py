"""After a merge, point the board documents' references at the surviving contact.

Deals and activities name their contact inside board documents, which SQL transactions cannot
reach; so the merge commits first (``Contacts.merge``: one transaction, audited) and then each
board that the projection says refers to a merged contact gets one ``Room.change`` setting
``contact`` to the survivor, attributed to whoever merged. Until then — or if this fails — the
links of the survivor are still complete, because they are read through ``merged_into``
(``Links.of_contact``). Notes keep their subject id and are found the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING
from uuid import UUID

from pycrdt import Doc, Map

from server.documents import edits
from server.domain.boards import board_document
from server.domain.crm import now_utc

from server.services.ports.unit import Begin

if TYPE_CHECKING:
    from server.services.projection import Projector
    from server.sync.registry import Rooms

log = logging.getLogger(__name__)


class ContactReferences:
    """Rewrites ``contact`` of deals and activities on every board that names the merged contacts."""

    def __init__(self, begin: Begin, rooms: Rooms, projector: Projector) -> None:
        self._begin, self._rooms, self._projector = begin, rooms, projector

    async def repoint(self, author: UUID, losers: Sequence[UUID], survivor: UUID) -> int:
        """Point what names ``losers`` at ``survivor``; the number of entries changed. Never raises."""
        try:
            async with self._begin(autocommit=True) as tx:
                deals = await tx.links.deals_of(losers)
                activities = await tx.links.activities_of(losers)
            boards: dict[UUID, tuple[list[UUID], list[UUID]]] = {}
            for deal in deals:
                boards.setdefault(deal.board_id, ([], []))[0].append(deal.card_id)
            for activity in activities:
                boards.setdefault(activity.board_id, ([], []))[1].append(activity.activity_id)
            changed = 0
            for board, (cards, acts) in boards.items():
                changed += await self._repoint_board(board, cards, acts, author, survivor)
            return changed
        except Exception:
            log.exception("could not point references to %s at %s", list(losers), survivor)
            return 0

    async def _repoint_board(self, board: UUID, cards: list[UUID], activities: list[UUID], author: UUID,
                             survivor: UUID) -> int:
        room = await self._rooms.open(board_document(board))
        at, changed = now_utc(), 0

        def edit(doc: Doc) -> None:
            nonlocal changed
            present_cards, present_activities = doc.get("cards", type=Map), doc.get("activities", type=Map)
            for card in cards:
                if str(card) in present_cards:  # the projection may lag a deletion
                    edits.update_card(doc, "pipeline", card, {"contact": survivor}, at)
                    changed += 1
            for activity in activities:
                if str(activity) in present_activities:
                    edits.update_activity(doc, activity, {"contact": survivor}, at)
                    changed += 1

        with self._projector.authored(room, author):
            room.change(edit)
        return changed
