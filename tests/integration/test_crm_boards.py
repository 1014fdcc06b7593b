"""Boards as a CRM: seeding once, concurrent moves, API edits reaching clients, tasks, history, reports.

Real Postgres, real sockets, one server for the module (authentication on).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import asyncpg
import pytest
from pycrdt import Array, Map

from client.crm import Board, open_board, open_note
from tests.support.accounts import AUTH, create_board, team
from tests.support.crm import call, ok, projected, stages
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, room_grace_seconds=0.3, **AUTH)) as running:
        yield running


def everywhere(board: Board) -> list[UUID]:
    """Every card id as the columns show them: each card should appear exactly once."""
    state = board.read()
    return [card.id for stage in state.ordered_stages() for card in state.column(stage.id)]


async def converged(*boards: Board, timeout: float = 10.0) -> None:
    async def same() -> bool:
        states = [b.read().cards for b in boards]
        return all(s == states[0] for s in states)

    await eventually(same, timeout)


async def test_a_new_board_is_seeded_once_and_reloading_it_never_seeds_again(server, database_url):
    t = await team(server.http_url)
    async with open_board(server.ws_url, t.board["id"], token=t.owner.token) as board:
        assert [s.name for s in board.stages()] == ["Lead in", "Qualified", "Proposal made", "Negotiation", "Won",
                                                    "Lost"]
    rooms = server.services.rooms
    await eventually(lambda: t.document not in rooms, timeout=5)  # unloaded after the grace
    async with open_board(server.ws_url, t.board["id"], token=t.member.token) as again:
        assert len(again.stages()) == 6 and len(again.doc.get("stages", type=Map)) == 6
    conn = await asyncpg.connect(database_url)
    try:
        first = await conn.fetchval("SELECT id FROM document_updates_v1 WHERE document = $1 ORDER BY id LIMIT 1",
                                    t.document)
        rows = await conn.fetchval("SELECT count(*) FROM document_updates_v1 WHERE document = $1", t.document)
    finally:
        await conn.close()
    assert first is not None and rows == 1, "the seed is the only row: opening and reloading wrote nothing"
    assert len(await stages(server, t.owner, t.workspace, t.board["id"])) == 6, "stages are projected at creation"


async def test_two_clients_moving_the_same_card_at_the_same_moment_end_with_it_once_in_one_place(server):
    t = await team(server.http_url)
    deal = await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/cards", json={"title": "Contested"})
    card = UUID(deal["id"])
    async with open_board(server.ws_url, t.board["id"], token=t.owner.token) as a, \
            open_board(server.ws_url, t.board["id"], token=t.member.token) as b:
        await eventually(lambda: card in a.read().cards and card in b.read().cards)
        qualified, negotiation = a.stage("Qualified").id, a.stage("Negotiation").id
        a.move(card, qualified)  # both before either hears of the other
        b.move(card, negotiation)
        await converged(a, b)
        for side in (a, b):
            assert everywhere(side).count(card) == 1 and len(everywhere(side)) == 1
        assert a.card(card).stage == b.card(card).stage in (qualified, negotiation)


async def test_many_concurrent_random_moves_by_three_clients_leave_every_card_exactly_once(server):
    t = await team(server.http_url)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    async with open_board(server.ws_url, t.board["id"], token=t.owner.token) as a, \
            open_board(server.ws_url, t.board["id"], token=t.member.token) as b, \
            open_board(server.ws_url, t.board["id"], token=t.owner.token) as c:
        cards = [a.add_deal(f"Deal {i}") for i in range(8)]
        await converged(a, b, c)
        stage_ids = [s.id for s in a.stages()]
        for _ in range(40):
            for side in (a, b, c):
                column = rng.choice(stage_ids)
                side.move(rng.choice(cards), column, rng.randint(0, len(side.column(column))))
            if rng.random() < 0.3:
                await asyncio.sleep(0)  # sometimes let some frames through between rounds
        await converged(a, b, c)
        for side in (a, b, c):
            shown = everywhere(side)
            assert sorted(shown) == sorted(cards), f"seed {seed}: a card is lost or shown twice"
        assert everywhere(a) == everywhere(b) == everywhere(c), f"seed {seed}: clients disagree on the order"


async def test_a_deal_moved_through_the_api_reaches_a_connected_client_exactly_once(server):
    t = await team(server.http_url)
    board_id = t.board["id"]
    async with open_board(server.ws_url, board_id, token=t.member.token) as client:
        deal = await ok(server, t.owner, "POST", f"/api/boards/{board_id}/cards",
                        json={"title": "Via API", "value": 900, "labels": ["hot", "q4"]})
        card = UUID(deal["id"])
        await eventually(lambda: card in client.read().cards)
        moves: list[str] = []
        entry = client.doc.get("cards", type=Map)[str(card)]
        subscription = entry.observe(lambda event: moves.extend(
            v["newValue"] for k, v in event.keys.items() if k == "stage"))
        target = client.stage("Proposal made").id
        moved = await ok(server, t.owner, "POST", f"/api/boards/{board_id}/cards/{card}/move",
                         json={"stage": str(target), "position": 0})
        assert moved["stage"] == str(target)
        await ok(server, t.owner, "PATCH", f"/api/boards/{board_id}/cards/{card}", json={"title": "Via API, later"})
        await eventually(lambda: client.card(card).title == "Via API, later")
        entry.unobserve(subscription)
        assert moves == [str(target)], "the move arrived once, before the later edit"
        assert everywhere(client) == [card] and client.card(card).labels == ("hot", "q4")


async def test_api_edits_validate_their_input_and_say_what_was_expected(server):
    t = await team(server.http_url)
    path = f"/api/boards/{t.board['id']}"
    deal = await ok(server, t.owner, "POST", f"{path}/cards", json={"title": "Checked"})
    cases = [
        ("POST", f"{path}/cards", {"title": ""}, 400, "expected a title of 1 to 500 characters"),
        ("POST", f"{path}/cards", {"title": "x", "value": -5}, 400, "value"),
        ("POST", f"{path}/cards", {"title": "x", "description": "not for deals"}, 400, "no field 'description'"),
        ("POST", f"{path}/cards", {"title": "x", "owner": str(uuid4())}, 400, "member of this workspace"),
        ("POST", f"{path}/cards/{deal['id']}/move", {"stage": str(uuid4())}, 400, "expected a stage of this board"),
        ("POST", f"{path}/cards/{uuid4()}/move", {"stage": str(uuid4())}, 404, "no such card"),
        ("PATCH", f"{path}/cards/{deal['id']}", {"status": "won"}, 400, "POST .../status"),
        ("POST", f"{path}/activities", {"type": "call", "title": "x", "due": "tomorrow"}, 400, "expected a date"),
        ("POST", f"{path}/activities", {"type": "nap", "title": "x"}, 400, "type"),
        ("POST", "/api/notes", {"subject_kind": "deal", "subject_id": str(uuid4()), "board": t.board["id"],
                                "title": "?"}, 400, "a deal on this board"),
    ]
    for method, url, payload, status, words in cases:
        response = await call(server, t.owner, method, url, json=payload)
        assert response.status_code == status, (url, payload, response.text)
        assert words in response.text, (url, payload, response.text)


async def test_a_task_assigned_on_a_board_shows_in_the_assignees_my_tasks_within_a_second(server):
    t = await team(server.http_url)
    async with open_board(server.ws_url, t.board["id"], token=t.owner.token, user=UUID(t.owner.id)) as board:
        deal = board.add_deal("Follow-up")
        started = time.monotonic()
        task = board.add_activity("todo", "Send the proposal", assignee=UUID(t.member.id), card=deal)

        async def listed() -> bool:
            mine = await ok(server, t.member, "GET", "/api/me/tasks", params={"scope": "open"})
            return any(item["id"] == str(task) for item in mine["unscheduled"])

        await eventually(listed, timeout=3)
        assert time.monotonic() - started < 1.5
        board.complete(task)
        await eventually(lambda: _gone(server, t, task), timeout=3)


async def _gone(server, t, task) -> bool:
    mine = await ok(server, t.member, "GET", "/api/me/tasks")
    return all(item["id"] != str(task) for bucket in ("overdue", "today", "upcoming", "unscheduled")
               for item in mine[bucket])


async def test_my_tasks_are_grouped_overdue_today_upcoming(server):
    t = await team(server.http_url)
    path = f"/api/boards/{t.board['id']}/activities"
    for title, due in (("Late", "2026-11-20"), ("Now", "2026-11-26T15:00:00Z"), ("Soon", "2026-12-01")):
        await ok(server, t.owner, "POST", path, json={"type": "call", "title": title, "due": due,
                                                      "assignee": t.viewer.id})
    await projected(server)
    mine = await ok(server, t.viewer, "GET", "/api/me/tasks", params={"today": "2026-11-26"})
    assert [[i["title"] for i in mine[b]] for b in ("overdue", "today", "upcoming")] == [["Late"], ["Now"], ["Soon"]]


async def test_a_deals_timeline_shows_creation_moves_value_changes_tasks_done_and_notes(server):
    t = await team(server.http_url)
    board_id = t.board["id"]
    deal = await ok(server, t.owner, "POST", f"/api/boards/{board_id}/cards", json={"title": "Story", "value": 100})
    card = deal["id"]
    qualified = next(s["stage"] for s in await stages(server, t.owner, t.workspace, board_id) if s["name"] == "Qualified")
    await ok(server, t.member, "POST", f"/api/boards/{board_id}/cards/{card}/move", json={"stage": qualified})
    await ok(server, t.owner, "PATCH", f"/api/boards/{board_id}/cards/{card}", json={"value": 250})
    task = await ok(server, t.owner, "POST", f"/api/boards/{board_id}/activities",
                    json={"type": "call", "title": "Discovery call", "card": card})
    await ok(server, t.member, "PATCH", f"/api/boards/{board_id}/activities/{task['id']}", json={"done": True})
    note = await ok(server, t.member, "POST", "/api/notes", json={"subject_kind": "deal", "subject_id": card,
                                                                  "board": board_id, "title": "Notes from the call"})
    await ok(server, t.owner, "POST", f"/api/boards/{board_id}/cards/{card}/status",
             json={"status": "lost", "lost_reason": "budget"})
    await projected(server)
    timeline = await ok(server, t.viewer, "GET", f"/api/deals/{board_id}/{card}/timeline")
    kinds = [(e["kind"], (e["author"] or {}).get("name")) for e in timeline["events"]]
    assert kinds == [("created", "Owner"), ("stage_changed", "Mia Member"), ("value_changed", "Owner"),
                     ("task_done", None), ("note_added", "Mia Member"), ("stage_changed", "Owner"),
                     ("status_changed", "Owner")]
    moved = timeline["events"][1]
    assert (moved["from_stage_name"], moved["to_stage_name"]) == ("Lead in", "Qualified")
    assert timeline["events"][4]["document"] == note["document"]
    assert timeline["deal"]["status"] == "lost" and timeline["deal"]["stage_name"] == "Lost"


async def test_deals_filter_by_owner_stage_and_status_and_the_report_weighs_them(server):
    t = await team(server.http_url)
    board_id, path = t.board["id"], f"/api/boards/{t.board['id']}/cards"
    names = {s["name"]: s["stage"] for s in await stages(server, t.owner, t.workspace, board_id)}
    await ok(server, t.owner, "POST", path, json={"title": "A", "value": 1000, "owner": t.member.id,
                                                  "stage": names["Negotiation"], "expected_close": "2027-01-10"})
    await ok(server, t.owner, "POST", path, json={"title": "B", "value": 400, "owner": t.owner.id})
    won = await ok(server, t.owner, "POST", path, json={"title": "C", "value": 50, "owner": t.member.id})
    await ok(server, t.owner, "POST", f"{path}/{won['id']}/status", json={"status": "won"})
    await projected(server)
    listing = f"/api/workspaces/{t.workspace}/deals"
    mine = await ok(server, t.member, "GET", listing, params={"owner": "me", "status": "open"})
    assert [d["title"] for d in mine] == ["A"] and mine[0]["stage_name"] == "Negotiation"
    assert [d["title"] for d in await ok(server, t.viewer, "GET", listing, params={"stage": names["Won"]})] == ["C"]
    report = await ok(server, t.viewer, "GET", f"/api/workspaces/{t.workspace}/pipeline-report",
                      params={"board": board_id})
    rows = {r["name"]: r for r in report["stages"]}
    assert rows["Negotiation"]["weighted"] == {"USD": 750.0} and rows["Lead in"]["count"] == 1
    assert {o["owner"]: o["win_rate"] for o in report["owners"]}[t.member.id] == 1.0
    assert report["forecast"] == [{"month": "2027-01", "count": 1, "value": {"USD": 1000.0},
                                   "weighted": {"USD": 750.0}, "converted": None}]


async def test_content_that_does_not_fit_is_skipped_with_a_warning_and_the_rest_is_projected(server, caplog):
    t = await team(server.http_url)
    async with open_board(server.ws_url, t.board["id"], token=t.owner.token) as board:
        stage = str(board.stages()[0].id)
        good, odd, nowhere = (str(uuid4()) for _ in range(3))
        with caplog.at_level(logging.WARNING, logger="server.services.projection"):
            with board.doc.transaction():
                cards = board.doc.get("cards", type=Map)
                cards[good] = Map({"title": "Fits", "stage": stage, "rank": "a0"})
                cards[odd] = Map({"title": "Odd", "stage": stage, "rank": "a1", "value": "lots",
                                  "labels": Array(["ok"])})
                cards[nowhere] = Map({"title": "No stage"})
                cards["junk"] = {"plain": "object"}
                board.doc.get("activities", type=Map)[str(uuid4())] = Map({"type": "nap", "title": "?"})
            deals = f"/api/workspaces/{t.workspace}/deals"
            found = await eventually(lambda: _titles(server, t, deals, {"Fits", "Odd"}), timeout=5)
        assert found == {"Fits", "Odd"}
        listed = {d["title"]: d for d in await ok(server, t.owner, "GET", deals)}
        assert listed["Odd"]["value"] is None and listed["Odd"]["labels"] == ["ok"]
        for words in ("value: expected a number, got 'lots'", f"cards.{nowhere}: no valid stage",
                      "cards.junk: expected a lower-case UUID key", "type: expected one of"):
            assert words in caplog.text
        later = await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/cards", json={"title": "Still fine"})
        assert later["title"] == "Still fine"


async def _titles(server, t, path, wanted) -> set[str] | None:
    titles = {d["title"] for d in await ok(server, t.owner, "GET", path)}
    return titles if wanted <= titles else None


async def test_project_boards_hold_work_items_and_notes_are_live_documents(server):
    t = await team(server.http_url)
    project = await create_board(server.http_url, t.owner, t.workspace, "Launch", "project")
    item = await ok(server, t.owner, "POST", f"/api/boards/{project['id']}/cards",
                    json={"title": "Write docs", "assignee": t.member.id, "due": "2026-12-01"})
    assert item["status"] == "todo"
    assert (await call(server, t.owner, "POST", f"/api/boards/{project['id']}/cards",
                       json={"title": "x", "value": 5})).status_code == 400
    await ok(server, t.member, "PATCH", f"/api/boards/{project['id']}/cards/{item['id']}", json={"status": "doing"})
    await projected(server)
    mine = await ok(server, t.member, "GET", "/api/me/tasks", params={"today": "2026-11-26"})
    assert [(i["kind"], i["title"], i["status"]) for i in mine["upcoming"]] == [("work_item", "Write docs", "doing")]
    who = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/contacts", json={"first_name": "Who"})
    note = await ok(server, t.owner, "POST", "/api/notes", json={"subject_kind": "contact", "subject_id": who["id"],
                                                                 "board": project["id"], "title": "Who", "text": "Hi."})
    async with open_note(server.ws_url, note["document"], token=t.member.token) as live:
        assert live.meta().title == "Who" and live.text() == "Hi."
        await ok(server, t.owner, "POST", f"/api/notes/{note['id']}/text", json={"text": "Added live."})
        await eventually(lambda: live.text() == "Hi.\n\nAdded live.")
        live.session.doc.get("meta", type=Map)["title"] = "Who, renamed"
        await eventually(lambda: _note_title(server, t, note["id"], "Who, renamed"))


async def _note_title(server, t, note, title) -> bool:
    return (await ok(server, t.owner, "GET", f"/api/notes/{note}"))["title"] == title


async def test_marking_a_deal_lost_over_the_api_closes_its_open_tasks_only_when_asked(server):
    t = await team(server.http_url)
    board_id = t.board["id"]
    cards = f"/api/boards/{board_id}/cards"
    kept = await ok(server, t.owner, "POST", cards, json={"title": "Kept"})
    closed = await ok(server, t.owner, "POST", cards, json={"title": "Closed"})
    tasks = {}
    for card, title, note in ((kept, "Call Kept", None), (closed, "Call Closed", "Ask for the budget"),
                              (closed, "Mail Closed", None)):
        tasks[title] = await ok(server, t.owner, "POST", f"/api/boards/{board_id}/activities",
                                json={"type": "call", "title": title, "card": card["id"], "note": note})
    await ok(server, t.owner, "POST", f"{cards}/{kept['id']}/status", json={"status": "lost"})
    await ok(server, t.owner, "POST", f"{cards}/{closed['id']}/status",
             json={"status": "lost", "lost_reason": "budget", "close_open_tasks": True})
    async with open_board(server.ws_url, board_id, token=t.owner.token) as live:
        entries = live.doc.get("activities", type=Map)
        seen = {title: dict(entries[task["id"]]) for title, task in tasks.items()}
    assert not seen["Call Kept"].get("done")  # the default keeps tasks open, as before the flag
    assert seen["Call Closed"]["done"] and seen["Mail Closed"]["done"]
    assert seen["Call Closed"]["note"] == "Ask for the budget\nClosed: the deal was marked lost."
    assert seen["Mail Closed"]["note"] == "Closed: the deal was marked lost."
