"""Attendees of an activity over HTTP (issue 18): colleagues and contacts, stored in SQL (never in
the board document a guest syncs); the calendar shows the activity to the users attending it;
guests see the users only and cannot name contacts; bad ids are refused by name.

Real Postgres, real sockets, one server for the module (authentication on).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from pycrdt import Map

from client.crm import open_board
from tests.support.accounts import AUTH, add_guest, sign_up, team
from tests.support.crm import call, ok, projected
from tests.support.servers import InProcessServer, in_process_server, settings_for


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, room_grace_seconds=0.3, **AUTH)) as running:
        yield running


TODAY = date.today()


async def test_attendees_are_set_and_read_and_the_calendar_shows_the_activity_to_them(server):
    t = await team(server.http_url)
    board = t.board["id"]
    ada = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/contacts", json={"first_name": "Ada"})
    demo = await ok(server, t.owner, "POST", f"/api/boards/{board}/activities",
                    json={"type": "meeting", "title": "Demo", "assignee": t.owner.id, "due": TODAY.isoformat()})
    url = f"/api/boards/{board}/activities/{demo['id']}/attendees"
    assert await ok(server, t.member, "GET", url) == {"users": [], "contacts": []}
    put = await ok(server, t.owner, "PUT", url, json={"users": [t.member.id], "contacts": [ada["id"]]})
    assert put == {"users": [t.member.id], "contacts": [ada["id"]]}
    assert await ok(server, t.viewer, "GET", url) == put
    await projected(server)
    week = {"start": (TODAY - timedelta(days=1)).isoformat(), "end": (TODAY + timedelta(days=1)).isoformat()}
    mine = await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/calendar", params=week)
    assert [e["title"] for e in mine["entries"]] == ["Demo"]  # Mia attends Olivia's meeting
    viewer = await ok(server, t.viewer, "GET", f"/api/workspaces/{t.workspace}/calendar", params=week)
    assert viewer["entries"] == []
    # the board document holds no attendee, so a guest syncing it learns no contact id
    async with open_board(server.ws_url, board, token=t.owner.token) as live:
        entry = dict(live.doc.get("activities", type=Map)[demo["id"]])
    assert ada["id"] not in repr(entry) and t.member.id not in repr(entry)
    # setting again replaces: Mia goes, the viewer comes
    again = await ok(server, t.owner, "PUT", url, json={"users": [t.viewer.id]})
    assert again == {"users": [t.viewer.id], "contacts": []}


async def test_guests_see_users_only_and_bad_attendees_are_refused_by_name(server):
    t = await team(server.http_url)
    board = t.board["id"]
    guest = await add_guest(server.http_url, t.owner, t.board, "edit")
    ada = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/contacts", json={"first_name": "Ada"})
    demo = await ok(server, t.owner, "POST", f"/api/boards/{board}/activities",
                    json={"type": "meeting", "title": "Demo", "assignee": t.owner.id})
    url = f"/api/boards/{board}/activities/{demo['id']}/attendees"
    await ok(server, t.owner, "PUT", url, json={"users": [t.member.id], "contacts": [ada["id"]]})
    assert await ok(server, guest, "GET", url) == {"users": [t.member.id], "contacts": []}
    refused = await call(server, guest, "PUT", url, json={"contacts": [ada["id"]]})
    assert refused.status_code == 422 and "contacts" in refused.text
    # a guest changing the users leaves the contacts they cannot see alone
    assert await ok(server, guest, "PUT", url, json={"users": [t.owner.id]}) == {"users": [t.owner.id], "contacts": []}
    assert await ok(server, t.owner, "GET", url) == {"users": [t.owner.id], "contacts": [ada["id"]]}
    stranger = await sign_up(server.http_url, "Stranger")
    for body, field, status in (({"users": [stranger.id]}, "users", 400), ({"contacts": [t.owner.id]}, "contacts", 422),
                                ({"users": ["nope"]}, "users", 400), ({"people": []}, "people", 400)):
        answer = await call(server, t.owner, "PUT", url, json=body)
        assert answer.status_code == status and field in answer.text, (body, answer.status_code, answer.text)
    assert (await call(server, t.viewer, "PUT", url, json={"users": []})).status_code == 403
    missing = f"/api/boards/{board}/activities/{ada['id']}/attendees"
    assert (await call(server, t.owner, "PUT", missing, json={"users": []})).status_code == 404


async def test_an_activity_on_an_organisation_shows_in_its_timeline_and_a_guest_cannot_name_one(server):
    t = await team(server.http_url)
    board = t.board["id"]
    guest = await add_guest(server.http_url, t.owner, t.board, "edit")
    acme = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/organisations", json={"name": "Acme"})
    made = await ok(server, t.owner, "POST", f"/api/boards/{board}/activities",
                    json={"type": "meeting", "title": "Acme quarterly", "organisation": acme["id"]})
    await projected(server)
    timeline = await ok(server, t.owner, "GET", f"/api/organisations/{acme['id']}/timeline")
    entries = timeline["items"]
    assert [e["title"] for e in entries if e["kind"] == "activity"] == ["Acme quarterly"]
    links = await ok(server, t.owner, "GET", f"/api/boards/{board}/links")
    assert any(link["entry_id"] == made["id"] and link["organisation"] == acme["id"] for link in links)
    refused = await call(server, guest, "POST", f"/api/boards/{board}/activities",
                         json={"type": "call", "title": "Sneaky", "organisation": acme["id"]})
    assert refused.status_code == 422 and "organisation" in refused.text
