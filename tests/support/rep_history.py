"""A deal history written straight into the projection tables (deals, card_events, activities),
as the projection would have written it, for the rep comparison's tests (integration and e2e):
stage letters L Q P N W X are the seeded pipeline's Lead in, Qualified, Proposal made,
Negotiation, Won and Lost."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from uuid import UUID, uuid4

import asyncpg


class Deal(NamedTuple):
    title: str
    owner: UUID
    value: float
    visits: list[tuple[str, datetime]]  # (stage letter, entered)
    closed: tuple[str, datetime, str | None] | None = None  # (won or lost, when, lost reason)
    activities: tuple[tuple[str, datetime], ...] = ()  # (type, created and done at)


async def write_deals(conn: asyncpg.Connection, board: UUID, workspace: UUID, deals: list[Deal]) -> dict[str, UUID]:
    """Each deal with its stage visits, status change and done activities; answers title -> card id."""
    rows = await conn.fetch("SELECT stage_id FROM board_stages WHERE board_id = $1 ORDER BY position", board)
    stages = dict(zip("LQPNWX", (r["stage_id"] for r in rows), strict=True))
    cards = {}
    for deal in deals:
        card = cards[deal.title] = uuid4()
        status = deal.closed[0] if deal.closed else "open"
        await conn.execute(
            "INSERT INTO deals (board_id, card_id, workspace_id, title, value, currency, owner_id, status, stage_id,"
            " rank, created_at, moved_at, lost_reason) VALUES ($1, $2, $3, $4, $5, 'EUR', $6, $7, $8, 'a', $9, $10,"
            " $11)", board, card, workspace, deal.title, deal.value, deal.owner, status, stages[deal.visits[-1][0]],
            deal.visits[0][1], deal.visits[-1][1], deal.closed[2] if deal.closed else None)
        previous = None
        for i, (stage, when) in enumerate(deal.visits):
            await conn.execute(
                "INSERT INTO card_events (board_id, card_id, kind, at, from_stage, to_stage) VALUES ($1, $2, $3, $4,"
                " $5, $6)", board, card, "moved" if i else "created", when, previous, stages[stage])
            previous = stages[stage]
        if deal.closed:
            await conn.execute("INSERT INTO card_events (board_id, card_id, kind, at, old_status, new_status)"
                               " VALUES ($1, $2, 'status', $3, 'open', $4)", board, card, deal.closed[1], status)
        for kind, when in deal.activities:
            await conn.execute(
                "INSERT INTO activities (board_id, activity_id, workspace_id, type, title, assignee_id, done, done_at,"
                " card_id, created_at) VALUES ($1, $2, $3, $4, $4, $5, true, $6, $7, $6)",
                board, uuid4(), workspace, kind, deal.owner, when, card)
    return cards
