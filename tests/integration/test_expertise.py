"""Expertise over HTTP (docs/expertise.md): admins manage the tag list, members set their own
tags, "who should take this" ranks members, the team to-do filters by expertise, and an
automation's create_task goes to the best match at run time — or, with nobody matching, to the
deal's owner with a note in the run's log.

Real Postgres; one server for the module whose in-process worker runs the automation jobs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.accounts import AUTH, add_member, team
from tests.support.crm import call, ok, projected
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
async def server(module_database_url: str) -> AsyncIterator[InProcessServer]:
    settings = settings_for(module_database_url, **AUTH, worker="on", automation_settle_seconds=0.5,
                            automation_sweep_cron="", housekeeping_cron="")
    async with in_process_server(settings) as running:
        yield running


async def test_admins_keep_the_tag_list_and_members_set_their_own_tags(server):
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}/expertise"
    fr = await ok(server, t.owner, "POST", f"{base}/tags", json={"name": "  Französisch "})
    assert fr["name"] == "Französisch"
    mb = await ok(server, t.owner, "POST", f"{base}/tags", json={"name": "Maschinenbau"})
    twice = await call(server, t.owner, "POST", f"{base}/tags", json={"name": "französisch"})
    assert twice.status_code == 409 and "already has an expertise tag" in twice.text
    empty = await call(server, t.owner, "POST", f"{base}/tags", json={"name": "  "})
    assert empty.status_code == 400 and "name" in empty.text
    by_member = await call(server, t.member, "POST", f"{base}/tags", json={"name": "Spanisch"})
    assert by_member.status_code == 403

    mine = await ok(server, t.member, "PUT", f"{base}/members/{t.member.id}", json={"tags": [mb["id"], fr["id"]]})
    assert mine == {"user": t.member.id, "tags": [fr["id"], mb["id"]]}, "in the list's order"
    theirs = await call(server, t.member, "PUT", f"{base}/members/{t.owner.id}", json={"tags": [fr["id"]]})
    assert theirs.status_code == 403
    await ok(server, t.owner, "PUT", f"{base}/members/{t.viewer.id}", json={"tags": [fr["id"]]})
    unknown = await call(server, t.owner, "PUT", f"{base}/members/{t.viewer.id}",
                         json={"tags": ["00000000-0000-0000-0000-000000000000"]})
    assert unknown.status_code == 400 and "tags" in unknown.text

    renamed = await ok(server, t.owner, "PUT", f"{base}/tags/{mb['id']}", json={"name": "Maschinenbau & Anlagen"})
    assert renamed["name"] == "Maschinenbau & Anlagen"
    seen = await ok(server, t.viewer, "GET", base)
    assert [x["name"] for x in seen["tags"]] == ["Französisch", "Maschinenbau & Anlagen"]
    assert {m["user"]: m["tags"] for m in seen["members"]} == {t.member.id: [fr["id"], mb["id"]],
                                                                t.viewer.id: [fr["id"]]}
    await ok_status(server, t.owner, "DELETE", f"{base}/tags/{mb['id']}", 204)
    after = await ok(server, t.owner, "GET", base)
    assert {m["user"]: m["tags"] for m in after["members"]} == {t.member.id: [fr["id"]], t.viewer.id: [fr["id"]]}


async def test_who_should_take_this_ranks_members_and_explains_itself(server):
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}/expertise"
    max_ = await add_member(server.http_url, t.owner, t.workspace, "member", "Max Member")
    fr = await ok(server, t.owner, "POST", f"{base}/tags", json={"name": "Französisch"})
    mb = await ok(server, t.owner, "POST", f"{base}/tags", json={"name": "Maschinenbau"})
    await ok(server, t.owner, "PUT", f"{base}/members/{t.member.id}", json={"tags": [fr["id"], mb["id"]]})
    await ok(server, t.owner, "PUT", f"{base}/members/{max_.id}", json={"tags": [fr["id"]]})
    await ok(server, t.owner, "PUT", f"{base}/members/{t.viewer.id}", json={"tags": [fr["id"], mb["id"]]})

    both = await ok(server, t.owner, "GET", f"{base}/suggest?tags={fr['id']},{mb['id']}")
    assert both["complete"] is True and [s["person"] for s in both["suggestions"]] == [t.member.id], \
        "a viewer takes no work"
    assert both["suggestions"][0]["reason"] == "has Französisch, Maschinenbau; 0 of 40 h booked"
    by_words = await ok(server, t.owner, "GET", f"{base}/suggest?word=FRANZÖSISCH&word=Hot%20lead")
    assert [x["name"] for x in by_words["wanted"]] == ["Französisch"]
    assert {s["person"] for s in by_words["suggestions"]} == {t.member.id, max_.id}
    card = await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/cards",
                    json={"title": "Renault", "labels": ["maschinenbau", "Hot"]})
    await projected(server)

    async def from_the_deal() -> dict:
        found = await ok(server, t.owner, "GET", f"{base}/suggest?board={t.board['id']}&card={card['id']}"
                                                 f"&tags={fr['id']}")
        return found if found["wanted"] and len(found["wanted"]) == 2 else {}

    deal = await eventually(from_the_deal, timeout=10.0, every=0.1, what="the deal's labels projected")
    assert [s["person"] for s in deal["suggestions"]] == [t.member.id], "its label names Maschinenbau"
    stranger = await call(server, t.owner, "GET", f"{base}/suggest?board={t.board['id']}&card={fr['id']}")
    assert stranger.status_code == 404
    bad = await call(server, t.owner, "GET", f"{base}/suggest?tags=nope")
    assert bad.status_code == 400 and "tags" in bad.text

    tasks = await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/team-tasks?expertise={mb['id']}")
    assert {w["person"] for w in tasks["workload"]} == {t.member.id, t.viewer.id}, "those with Maschinenbau"


async def test_an_automation_assigns_by_expertise_and_falls_back_to_the_deal_owner(server):
    t = await team(server.http_url)
    ws = f"/api/workspaces/{t.workspace}"
    fr = await ok(server, t.owner, "POST", f"{ws}/expertise/tags", json={"name": "Französisch"})
    nobody = await ok(server, t.owner, "POST", f"{ws}/expertise/tags", json={"name": "Japanisch"})
    await ok(server, t.owner, "PUT", f"{ws}/expertise/members/{t.member.id}", json={"tags": [fr["id"]]})
    trigger = {"type": "deal_created", "board": t.board["id"]}
    rule = await ok(server, t.owner, "POST", f"{ws}/automations", json={
        "name": "French calls", "trigger": trigger,
        "actions": [{"type": "create_task", "title": "Call {{deal.title}}", "assignee": {"by_expertise": [fr["id"]]}},
                    {"type": "create_task", "title": "Japanese call",
                     "assignee": {"by_expertise": [nobody["id"]]}}]})
    assert rule["actions"][0]["assignee"] == {"by_expertise": [fr["id"]]}
    theirs = await call(server, t.owner, "POST", f"{ws}/automations", json={
        "name": "Another's tag", "trigger": trigger,
        "actions": [{"type": "create_task", "title": "x", "assignee": {"by_expertise": [t.workspace]}}]})
    assert theirs.status_code == 422 and theirs.json()["field"] == "actions[0].assignee.by_expertise[0]"
    await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/cards", json={"title": "Renault", "owner": t.owner.id})

    async def finished() -> list[dict[str, Any]]:
        runs = await ok(server, t.owner, "GET", rule["runs"])
        return [r for r in runs if r["status"] == "succeeded"]

    [run] = await eventually(finished, timeout=30.0, every=0.1, what="the rule's run")
    first, second = (r["result"] for r in run["results"])
    assert first["assignee"] == t.member.id and first["note"].startswith("by expertise: ")
    assert "has Französisch" in first["note"]
    assert second["assignee"] == t.owner.id, "the deal's owner"
    assert second["note"] == "no member has Japanisch; assigned to the deal owner"


async def ok_status(server: InProcessServer, who, method: str, path: str, status: int) -> None:
    answer = await call(server, who, method, path)
    assert answer.status_code == status, answer.text
