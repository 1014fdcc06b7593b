"""An organisation's links and the timelines of contacts and organisations over HTTP: notes about an
organisation are listed (they were invisible: ``/links`` answered 404), an organisation's page has
its own and its people's deals, and a timeline is everything that touched the record, newest first,
in pages, within the record's workspace only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.accounts import AUTH, Account, Team, team
from tests.support.crm import call, projected
from tests.support.servers import InProcessServer, module_server


server = module_server(**AUTH)


@pytest.fixture
async def t(server: InProcessServer) -> Team:
    return await team(server.http_url)


async def ok(server: InProcessServer, who: Account, method: str, path: str, **kwargs: Any) -> Any:
    response = await call(server, who, method, path, **kwargs)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def acme_and_ada(server: InProcessServer, t: Team) -> tuple[str, str]:
    base = f"/api/workspaces/{t.workspace}"
    acme = await ok(server, t.member, "POST", f"{base}/organisations", json={"name": "Acme Rockets"})
    ada = await ok(server, t.member, "POST", f"{base}/contacts",
                   json={"first_name": "Ada", "last_name": "Lovelace", "organisation_id": acme["id"]})
    return acme["id"], ada["id"]


async def test_an_organisations_notes_and_deals_are_listed_on_its_links(server, t):
    acme, ada = await acme_and_ada(server, t)
    board = t.board["id"]
    note = await ok(server, t.member, "POST", "/api/notes", json={
        "subject_kind": "organisation", "subject_id": acme, "board": board, "title": "Account plan"})
    await ok(server, t.member, "POST", f"/api/boards/{board}/cards", json={"title": "Rockets", "organisation": acme})
    await ok(server, t.member, "POST", f"/api/boards/{board}/cards", json={"title": "Ada's engines", "contact": ada})
    await ok(server, t.member, "POST", f"/api/boards/{board}/cards", json={"title": "Someone else's"})
    await projected(server)

    links = await ok(server, t.viewer, "GET", f"/api/organisations/{acme}/links")
    assert [n["document"] for n in links["notes"]] == [note["document"]], "a note about the organisation is listed"
    assert sorted(d["title"] for d in links["deals"]) == ["Ada's engines", "Rockets"], "its own and its people's"
    assert (await ok(server, t.viewer, "GET", f"/api/organisations/{acme}"))["notes_count"] == 1

    stranger = await team(server.http_url)
    hidden = await call(server, stranger.owner, "GET", f"/api/organisations/{acme}/links")
    assert hidden.status_code == 404, "another workspace's organisation answers like a missing one"
    hidden = await call(server, stranger.owner, "GET", f"/api/organisations/{acme}/timeline")
    assert hidden.status_code == 404


async def test_a_timeline_lists_deals_activities_and_notes_newest_first_in_pages(server, t):
    acme, ada = await acme_and_ada(server, t)
    board = t.board["id"]
    deal = await ok(server, t.member, "POST", f"/api/boards/{board}/cards", json={"title": "Engines", "contact": ada})
    deal_id = deal.get("id") or deal.get("card_id")
    await ok(server, t.member, "POST", f"/api/boards/{board}/activities",
             json={"type": "call", "title": "Call about the engines", "card": deal_id})
    await ok(server, t.member, "POST", "/api/notes", json={
        "subject_kind": "contact", "subject_id": ada, "board": board, "title": "Met at the salon"})
    await ok(server, t.member, "POST", f"/api/boards/{board}/activities",
             json={"type": "meeting", "title": "Meet Ada", "contact": ada})
    await ok(server, t.member, "POST", f"/api/boards/{board}/cards", json={"title": "Acme renewal",
                                                                            "organisation": acme})
    await ok(server, t.member, "POST", "/api/notes", json={
        "subject_kind": "organisation", "subject_id": acme, "board": board, "title": "Account plan"})
    await projected(server)

    timeline = await ok(server, t.viewer, "GET", f"/api/contacts/{ada}/timeline")
    assert [(e["kind"], e["title"]) for e in timeline["items"]] == [
        ("activity", "Meet Ada"), ("note", "Met at the salon"), ("activity", "Call about the engines"),
        ("deal", "Engines")], "newest first; the deal's own activity too; not the organisation's"
    assert timeline["next_offset"] is None
    first = timeline["items"][0]
    assert first["actor_id"] == t.member.id and first["type"] == "meeting" and first["done"] is False
    assert timeline["items"][3]["card_id"] == deal_id and timeline["items"][3]["board_id"] == board

    page = await ok(server, t.viewer, "GET", f"/api/contacts/{ada}/timeline", params={"limit": 3})
    assert page["next_offset"] == 3 and page["items"] == timeline["items"][:3]
    rest = await ok(server, t.viewer, "GET", f"/api/contacts/{ada}/timeline", params={"limit": 3, "offset": 3})
    assert rest["items"] == timeline["items"][3:] and rest["next_offset"] is None

    org = await ok(server, t.viewer, "GET", f"/api/organisations/{acme}/timeline")
    assert [e["title"] for e in org["items"]] == [
        "Account plan", "Acme renewal", "Meet Ada", "Met at the salon", "Call about the engines", "Engines"]
    assert org["items"][2]["contact_id"] == ada, "an entry of one of its people says whose it is"
