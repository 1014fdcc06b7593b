"""The CRM's read side and notes over the memory twins: answers cover only boards the caller
reaches, guests see no record ids, and the report adds up the projected rows."""

from __future__ import annotations

from datetime import date, datetime, timezone
from uuid import uuid4

import pytest

from server.domain.access import NotFound, Role, ShareLevel
from server.domain.accounts import InvalidInput
from server.domain.boards import BoardKind
from server.domain.crm import CardEvent
from server.domain.projection import ActivityRecord, DealRecord, Table
from server.services.crm_reads import CrmReads
from tests.contract.test_contacts import person
from tests.unit.services.support import World
from tests.unit.services.test_workspaces import team

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)
TODAY = date(2030, 1, 10)


@pytest.fixture
async def world() -> World:
    return World()


async def pipeline(world: World, workspace, by, name: str = "Deals"):
    """A pipeline board made by ``Boards.create``: its document seeded, its stages projected."""
    view = await world.boards.create(by, workspace, name, BoardKind.PIPELINE)
    async with world.begin() as unit:
        stages, _, _ = await unit.board_reads.report(view.board.id)
    return view.board, stages


def kind(stages, wanted: str):
    """The first stage of kind ``wanted`` (open, won or lost)."""
    return next(s for s in stages if s.kind == wanted)


def deal(stage, title: str, **values) -> DealRecord:
    return DealRecord(uuid4(), title, 100.0, "EUR", None, None, None, None, "open", None, [], {}, stage, "m", T0, None,
                      T0, T0)._replace(**values)


def task(title: str, assignee, **values) -> ActivityRecord:
    return ActivityRecord(uuid4(), "call", title, assignee, None, None, False, None, None, None, None, T0,
                          None)._replace(**values)


async def project(world: World, board, workspace, table: Table, *records) -> None:
    async with world.begin() as unit:
        await unit.projection.upsert(table, board.id, workspace, list(records))


async def test_my_tasks_come_only_from_boards_i_still_reach_bucketed_by_due_date(world):
    workspace, people = await team(world, bob=Role.MEMBER)
    board, _ = await pipeline(world, workspace, people["owner"])
    bob = people["bob"]
    await project(world, board, workspace, Table.ACTIVITIES, task("late", bob.id, due_date=date(2030, 1, 2)),
                  task("today", bob.id, due_date=TODAY), task("someday", bob.id), task("owner's", people["owner"].id))
    reads = CrmReads(world.begin, world.boards)
    grouped = await reads.my_tasks(bob, TODAY)
    assert {bucket: [t["title"] for t in tasks] for bucket, tasks in grouped.items()} == {
        "overdue": ["late"], "today": ["today"], "upcoming": [], "unscheduled": ["someday"]}
    async with world.begin() as unit:
        await unit.members.remove(workspace, bob.id)
    assert all(tasks == [] for tasks in (await reads.my_tasks(bob, TODAY)).values())


async def test_a_guest_lists_the_deals_of_shared_boards_without_record_ids(world):
    workspace, people = await team(world)
    owner = people["owner"]
    shared, stages = await pipeline(world, workspace, owner, "Shared")
    private, private_stages = await pipeline(world, workspace, owner, "Private")
    guest = await world.sign_up("Guest")
    async with world.begin() as unit:
        await unit.shares.put(shared.id, guest.id, ShareLevel.READ, owner.id)
        contact = await unit.contacts.insert(workspace, person("Ann", "Lee"), owner.id)
    await project(world, shared, workspace, Table.DEALS, deal(stages[0].id, "visible", contact=contact))
    await project(world, private, workspace, Table.DEALS, deal(private_stages[0].id, "hidden"))
    reads = CrmReads(world.begin, world.boards)
    as_guest = await reads.deals(guest, workspace)
    as_owner = await reads.deals(owner, workspace)
    assert [(d["title"], d["contact"]) for d in as_guest] == [("visible", None)]
    assert {(d["title"], d["contact"]) for d in as_owner} == {("visible", contact), ("hidden", None)}
    stranger = await world.sign_up("Stranger")
    with pytest.raises(NotFound):
        await reads.deals(stranger, workspace)


async def test_the_report_adds_up_values_conversion_and_win_rates(world):
    workspace, people = await team(world, bob=Role.MEMBER)
    owner, bob = people["owner"], people["bob"]
    board, stages = await pipeline(world, workspace, owner)
    first, won, lost = kind(stages, "open"), kind(stages, "won"), kind(stages, "lost")
    open_deal = deal(first.id, "open", owner=bob.id, value=200.0, expected_close=date(2030, 3, 5))
    won_deal = deal(won.id, "won", owner=bob.id, status="won", value=1000.0)
    lost_deal = deal(lost.id, "lost", owner=owner.id, status="lost", value=50.0)
    await project(world, board, workspace, Table.DEALS, open_deal, won_deal, lost_deal)
    async with world.begin() as unit:
        await unit.projection.add_events(board.id, [
            CardEvent(d.id, "created", T0, owner.id, None, first.id) for d in (open_deal, won_deal, lost_deal)])
    report = await CrmReads(world.begin, world.boards).pipeline_report(owner, workspace, board.id)
    rows = {row["stage"]: row for row in report["stages"]}
    assert (rows[first.id]["count"], rows[first.id]["value"]) == (1, {"EUR": 200.0})
    assert rows[first.id]["weighted"] == {"EUR": round(200.0 * (first.probability or 0) / 100, 2)}
    assert (rows[first.id]["entered"], rows[first.id]["advanced"], rows[first.id]["lost"]) == (3, 1, 1)
    assert rows[first.id]["conversion"] == round(1 / 3, 4) and rows[won.id]["value"] == {"EUR": 1000.0}
    assert {o["owner"]: o["win_rate"] for o in report["owners"]} == {bob.id: 1.0, owner.id: 0.0}
    assert [(m["month"], m["count"]) for m in report["forecast"]] == [("2030-03", 1)]


async def test_the_report_is_for_pipelines_of_the_workspace_named(world):
    workspace, people = await team(world)
    owner = people["owner"]
    board, _ = await pipeline(world, workspace, owner)
    project_board = await world.boards.create(owner, workspace, "Work", BoardKind.PROJECT)
    reads = CrmReads(world.begin, world.boards)
    with pytest.raises(InvalidInput, match="expected a pipeline board"):
        await reads.pipeline_report(owner, workspace, project_board.board.id)
    with pytest.raises(NotFound, match="no such board"):
        await reads.pipeline_report(owner, uuid4(), board.id)


async def test_a_timeline_starts_with_creation_and_unknown_deals_are_not_found(world):
    workspace, people = await team(world)
    owner = people["owner"]
    board, stages = await pipeline(world, workspace, owner)
    first, won = kind(stages, "open"), kind(stages, "won")
    d = deal(won.id, "Big", created_by=owner.id, created_at=T0, status="won")
    await project(world, board, workspace, Table.DEALS, d)
    async with world.begin() as unit:
        await unit.projection.add_events(board.id, [CardEvent(d.id, "created", T0, owner.id, None, first.id),
                                                    CardEvent(d.id, "moved", T0, owner.id, first.id, won.id)])
    reads = CrmReads(world.begin, world.boards)
    timeline = await reads.timeline(owner, board.id, d.id)
    assert [e["kind"] for e in timeline["events"]] == ["created", "stage_changed"]
    assert timeline["events"][0]["author"] == {"id": owner.id, "name": "Owner"}
    with pytest.raises(NotFound, match="no such deal"):
        await reads.timeline(owner, board.id, uuid4())
