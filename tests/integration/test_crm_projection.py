"""The SQL projection: rebuilt from the stored documents it gives identical tables; two nodes
editing one board record each change once, by its author."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import AsyncExitStack
from uuid import UUID

import asyncpg

from client.crm import open_board
from server.fanout.memory import MemoryBroker, MemoryBus
from tests.support.accounts import AUTH, create_board, team
from tests.support.crm import ok, projected, snapshot
from tests.support.servers import ROOT, in_process_server, settings_for
from tests.support.waiting import eventually


def rebuild(database_url: str, *flags: str) -> str:
    """``python -m server project rebuild`` as an operator runs it."""
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, "-m", "server", "project", "rebuild", *flags], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def busy_boards(server) -> tuple[list[str], object]:
    """A pipeline and a project board with deals moved, valued, won and lost, tasks, notes, edits by clients."""
    t = await team(server.http_url)
    pipeline = t.board["id"]
    project = (await create_board(server.http_url, t.owner, t.workspace, "Launch", "project"))["id"]
    cards = f"/api/boards/{pipeline}/cards"
    a = await ok(server, t.owner, "POST", cards, json={"title": "A", "value": 10, "owner": t.member.id})
    b = await ok(server, t.member, "POST", cards, json={"title": "B", "value": 20, "labels": ["x"],
                                                        "fields": {"source": "web"}})
    await ok(server, t.owner, "PATCH", f"{cards}/{a['id']}", json={"value": 15, "expected_close": "2027-02-01"})
    await ok(server, t.owner, "POST", f"{cards}/{a['id']}/status", json={"status": "won"})
    await ok(server, t.member, "POST", f"{cards}/{b['id']}/status", json={"status": "lost", "lost_reason": "price"})
    await ok(server, t.owner, "POST", f"/api/boards/{pipeline}/activities",
             json={"type": "meeting", "title": "Demo", "due": "2026-12-02T10:00:00Z", "card": a["id"],
                   "assignee": t.member.id})
    await ok(server, t.owner, "POST", "/api/notes", json={"subject_kind": "deal", "subject_id": a["id"],
                                                          "board": pipeline, "title": "Won it"})
    await ok(server, t.owner, "POST", f"/api/boards/{project}/cards", json={"title": "Ship", "assignee": t.owner.id})
    async with open_board(server.ws_url, pipeline, token=t.member.token, user=UUID(t.member.id)) as board:
        c = board.add_deal("C", value=5)
        board.move(c, board.stage("Negotiation").id)
        board.update(c, value=7)
        task = board.add_activity("todo", "Chase", assignee=UUID(t.owner.id), card=c)
        board.complete(task)
        await board.session.durable()
    await projected(server)
    return [pipeline, project], t


async def test_rebuilding_the_projection_gives_identical_tables(database_url):
    async with in_process_server(settings_for(database_url, **AUTH)) as server:
        boards, _ = await busy_boards(server)
    before = await snapshot(database_url, boards)
    assert len(before["deals"]) == 3 and len(before["work_items"]) == 1 and len(before["activities"]) == 2
    assert len(before["card_events"]) >= 10 and not any(row[-1] for row in before["card_events"]), \
        "live history needs no reconciling"
    rebuild(database_url)
    assert await snapshot(database_url, boards) == before
    rebuild(database_url, "--fresh")
    assert await snapshot(database_url, boards) == before


async def test_a_lost_projection_is_rebuilt_and_missing_history_reconciled(database_url):
    async with in_process_server(settings_for(database_url, **AUTH)) as server:
        boards, _ = await busy_boards(server)
    before = await snapshot(database_url, boards)
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("DELETE FROM deals WHERE board_id = $1", UUID(boards[0]))
        await conn.execute("DELETE FROM activities WHERE board_id = $1", UUID(boards[0]))
        moved = await conn.fetchval("DELETE FROM card_events WHERE id = (SELECT max(id) FROM card_events "
                                    "WHERE board_id = $1 AND kind = 'moved') RETURNING card_id", UUID(boards[0]))
    finally:
        await conn.close()
    output = rebuild(database_url)
    assert f"board:{boards[0]}" in output
    after = await snapshot(database_url, boards)
    for table in ("board_stages", "deals", "work_items", "activities", "notes"):
        assert after[table] == before[table], table
    reconciled = [row for row in after["card_events"] if row[-1]]
    assert [(row[0], row[1], row[2]) for row in reconciled] == [(UUID(boards[0]), moved, "moved")]


async def test_two_nodes_editing_one_board_record_each_change_once_with_its_author(database_url):
    broker = MemoryBroker()
    async with AsyncExitStack() as stack:
        a, b = [await stack.enter_async_context(in_process_server(settings_for(database_url, **AUTH),
                                                                  bus=MemoryBus(broker))) for _ in range(2)]
        t = await team(a.http_url)
        on_a = await stack.enter_async_context(open_board(a.ws_url, t.board["id"], token=t.owner.token))
        on_b = await stack.enter_async_context(open_board(b.ws_url, t.board["id"], token=t.member.token))
        cards = [on_a.add_deal(f"Deal {i}") for i in range(4)]
        await eventually(lambda: all(c in on_b.read().cards for c in cards))
        stages = [s.id for s in on_a.stages()[:4]]
        for i, card in enumerate(cards):
            (on_a if i % 2 else on_b).move(card, stages[1 + i % 3])
        await ok(b, t.owner, "POST", f"/api/boards/{t.board['id']}/cards/{cards[0]}/move",
                 json={"stage": str(stages[0])})
        await eventually(lambda: on_a.read().cards == on_b.read().cards)
        await on_a.session.durable()
        await on_b.session.durable()
        await projected(a, b)
        rows = (await snapshot(database_url, [t.board["id"]]))["card_events"]
    kinds = [(row[1], row[2]) for row in rows]
    assert sorted(k for _, k in kinds) == ["created"] * 4 + ["moved"] * 5, "every change once, none twice"
    authors = {(row[1], row[4]) for row in rows if row[2] == "moved"}
    member, owner = UUID(t.member.id), UUID(t.owner.id)
    assert authors == {(cards[0], member), (cards[1], owner), (cards[2], member), (cards[3], owner),
                       (cards[0], owner)}
