"""The team to-do list and the workload over HTTP (issue 18): everyone's activities on the boards
the caller reaches, filtered; reassigning one from the list; members only; and the projection
telling the workspace feed (``activities:<board>``) so open lists refetch.

Real Postgres, real sockets, one server for the module (authentication on).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone

import pytest
from pycrdt import Map

from client import connect
from tests.support.accounts import AUTH, add_guest, team
from tests.support.crm import call, ok, projected
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, room_grace_seconds=0.3, **AUTH)) as running:
        yield running


TODAY = date.today()


async def test_the_team_list_filters_everyones_activities_and_the_workload_counts_the_week(server):
    t = await team(server.http_url)
    board = t.board["id"]
    acts = f"/api/boards/{board}/activities"
    deal = await ok(server, t.owner, "POST", f"/api/boards/{board}/cards", json={"title": "Acme"})
    start = datetime.combine(TODAY, datetime.min.time(), timezone.utc) + timedelta(hours=23)
    await ok(server, t.owner, "POST", acts, json={"type": "call", "title": "Late call", "assignee": t.owner.id,
                                                  "due": (TODAY - timedelta(days=1)).isoformat(), "card": deal["id"]})
    await ok(server, t.owner, "POST", acts, json={"type": "meeting", "title": "Demo", "assignee": t.member.id,
                                                  "due": start.isoformat(), "end": (start + timedelta(minutes=90)).isoformat()})
    await ok(server, t.owner, "POST", acts, json={"type": "todo", "title": "Someday", "assignee": t.member.id})
    await ok(server, t.owner, "POST", acts, json={"type": "todo", "title": "Finished", "assignee": t.member.id,
                                                  "due": TODAY.isoformat(), "done": True})
    await projected(server)
    base = f"/api/workspaces/{t.workspace}/team-tasks?today={TODAY.isoformat()}"
    every = await ok(server, t.member, "GET", base)
    assert [x["title"] for x in every["tasks"]] == ["Late call", "Demo", "Someday"]
    late = every["tasks"][0]
    assert (late["assignee_name"], late["card_title"], late["overdue"], late["board_name"]) == (
        "Owner", "Acme", True, t.board["name"])
    mine = await ok(server, t.member, "GET", f"{base}&assignee=me")
    assert [x["title"] for x in mine["tasks"]] == ["Demo", "Someday"]
    undated = await ok(server, t.member, "GET", f"{base}&assignee={t.member.id}&due=none")
    assert [x["title"] for x in undated["tasks"]] == ["Someday"]
    calls = await ok(server, t.member, "GET", f"{base}&type=call&due=overdue")
    assert [x["title"] for x in calls["tasks"]] == ["Late call"]
    with_done = await ok(server, t.member, "GET", f"{base}&done=true&due=today")
    assert sorted(x["title"] for x in with_done["tasks"]) == ["Demo", "Finished"]
    loads = {w["name"]: w for w in every["workload"]}
    assert (loads["Owner"]["overdue"], loads["Mia Member"]["hours"]) == (1, 1.5)
    assert loads["Mia Member"]["this_week"] == 1 and loads["Vic Viewer"]["this_week"] == 0


async def test_reassigning_from_the_list_moves_the_load_and_the_feed_says_activities_changed(server):
    t = await team(server.http_url)
    board = t.board["id"]
    made = await ok(server, t.owner, "POST", f"/api/boards/{board}/activities",
                    json={"type": "todo", "title": "Quote", "assignee": t.owner.id, "due": TODAY.isoformat()})
    await projected(server)
    async with connect(server.ws_url, f"workspace:{t.workspace}", token=t.owner.token) as session:
        changes = session.doc.get("changes", type=Map)
        key = f"activities:{board}"
        await session.wait_for(lambda: key in changes, timeout=10)  # noted when the activity was made
        before = changes[key]
        await ok(server, t.owner, "PATCH", f"/api/boards/{board}/activities/{made['id']}",
                 json={"assignee": t.member.id})
        await session.wait_for(lambda: changes.get(key) != before, timeout=10)  # and again now

        async def moved() -> dict | None:  # the stamp may be a late one of the creation: the move's follows
            answer = await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/team-tasks?today={TODAY}")
            loads = {w["name"]: w["this_week"] for w in answer["workload"]}
            return answer if (loads["Owner"], loads["Mia Member"]) == (0, 1) else None

        answer = await eventually(moved, timeout=10, what="the load moved to Mia")
        stamp = changes[key]
        assert stamp != before
    assert answer["tasks"][0]["assignee_name"] == "Mia Member"


async def test_guests_and_outsiders_get_no_team_list_and_bad_filters_are_named(server):
    t = await team(server.http_url)
    guest = await add_guest(server.http_url, t.owner, t.board, "edit")
    url = f"/api/workspaces/{t.workspace}/team-tasks"
    assert (await call(server, guest, "GET", url)).status_code == 404
    for query, field in (("due=soon", "due"), ("assignee=bob", "assignee"), ("type=lunch", "type"),
                         ("today=yesterday", "today")):
        refused = await call(server, t.owner, "GET", f"{url}?{query}")
        assert refused.status_code == 400 and field in refused.text, refused.text
