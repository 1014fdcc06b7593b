"""Which card changes become automation events (issue 16), over the memory twins, and how the
projection paces itself when its runs are slow: an event is queued only when an enabled rule of
its board has a trigger type the event's kind can fire; a busy document is projected less often,
but never later than half the settle time."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from uuid import uuid4

from server.domain.automations import NewRule
from server.domain.crm import CardEvent
from server.services.automation_events import EVENT, enqueue_events
from server.services.projection import MOST_DELAY, Projector, Tracker
from tests.unit.services.support import World

AT = datetime(2030, 1, 1, tzinfo=timezone.utc)


def rule(board: object, trigger: str, enabled: bool = True) -> NewRule:
    return NewRule("r", enabled, {"type": trigger, "board": str(board)}, [{"type": "add_label", "label": "x"}])


async def queued_kinds(world: World, workspace, board, *kinds: str) -> list[str]:
    card = uuid4()
    async with world.begin() as tx:
        await enqueue_events(tx, workspace, board, [CardEvent(card, kind, AT) for kind in kinds], None, 0)
        return sorted(job.payload["kind"] for job in await tx.jobs.waiting(EVENT) if job.payload["card"] == str(card))


async def test_an_event_is_queued_only_if_an_enabled_rule_of_its_board_could_fire_for_it():
    world, workspace, board, other = World(), uuid4(), uuid4(), uuid4()
    assert await queued_kinds(world, workspace, board, "created", "moved", "value", "status") == []
    async with world.begin() as tx:
        await tx.automation_rules.add(workspace, rule(board, "deal_stage_entered"), None)
        await tx.automation_rules.add(workspace, rule(board, "deal_created", enabled=False), None)
        await tx.automation_rules.add(workspace, rule(other, "field_changed"), None)
    assert await queued_kinds(world, workspace, board, "created", "moved", "value", "status") == ["moved"]
    async with world.begin() as tx:
        await tx.automation_rules.add(workspace, rule(board, "deal_won"), None)
    assert await queued_kinds(world, workspace, board, "created", "moved", "value", "status") == ["moved", "status"]
    assert await queued_kinds(world, workspace, other, "moved", "value", "title") == ["moved", "title", "value"]


def delay_after(projector: Projector, took: float) -> float:
    loop = asyncio.get_running_loop()
    tracker = Tracker("board:x", None, projector._schedule)
    tracker.took = took
    projector._schedule(tracker)
    assert tracker.handle is not None
    try:
        return tracker.handle.when() - loop.time()
    finally:
        tracker.handle.cancel()


async def test_a_document_whose_last_projection_was_slow_waits_longer_but_less_than_half_the_settle_time():
    projector = Projector(World().begin, delay=0.1, settle=3.0)
    assert abs(delay_after(projector, 0.01) - 0.1) < 0.02, "a quick run: the configured delay"
    assert abs(delay_after(projector, 0.2) - 0.6) < 0.02, "three times as long as the last run took"
    assert abs(delay_after(projector, 5.0) - MOST_DELAY) < 0.02
    assert abs(delay_after(Projector(World().begin, delay=0.1, settle=0.3), 5.0) - 0.15) < 0.02
    assert abs(delay_after(Projector(World().begin, delay=0.1), 0.2) - 0.6) < 0.02, "no automations: no settle"
