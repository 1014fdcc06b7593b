"""The language a user chose follows them (issue 14): ``PATCH /api/me {locale}`` keeps it, ``GET /api/me``
and every later sign-in answer it, and only "en" and "de" are accepted; the note on tasks closed with a
lost deal is written in the caller's language."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pycrdt import Map

from client.crm import open_board
from tests.support.accounts import AUTH, PASSWORD, sign_up, team
from tests.support.crm import ok
from tests.support.servers import InProcessServer, module_server

server = module_server(**AUTH)


@pytest.fixture
async def http(server: InProcessServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.http_url) as client:
        yield client


async def test_a_chosen_locale_is_answered_by_me_and_by_every_later_sign_in(http, db):
    account = await sign_up(str(http.base_url), "Grete")
    assert (await http.get("/api/me", headers=account.headers)).json()["locale"] is None

    changed = await http.patch("/api/me", json={"locale": "de"}, headers=account.headers)
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"id": account.id, "email": account.email, "name": "Grete", "locale": "de"}
    assert await db.fetchval("SELECT locale FROM users WHERE id = $1::uuid", account.id) == "de"
    assert (await http.get("/api/me", headers=account.headers)).json()["locale"] == "de"

    async with httpx.AsyncClient(base_url=http.base_url) as elsewhere:  # another browser, no cookies
        signed_in = await elsewhere.post("/api/auth/login", json={"email": account.email, "password": PASSWORD})
    assert signed_in.status_code == 200 and signed_in.json()["user"]["locale"] == "de"

    assert (await http.patch("/api/me", json={"locale": "en"}, headers=account.headers)).json()["locale"] == "en"
    assert (await http.get("/api/me", headers=account.headers)).json()["locale"] == "en"


@pytest.mark.parametrize(("locale", "status"), [("fr", 422), ("DE", 422), ("de-DE", 422), ("", 422), ("x" * 10_000, 422),
                                                 (None, 400), (1, 400)])  # not a string: a malformed body, as everywhere
async def test_a_locale_other_than_en_or_de_answers_422_and_changes_nothing(http, db, locale, status):
    account = await sign_up(str(http.base_url), "Pat")
    await http.patch("/api/me", json={"locale": "de"}, headers=account.headers)
    refused = await http.patch("/api/me", json={"locale": locale}, headers=account.headers)
    assert refused.status_code == status, refused.text
    assert len(refused.text) < 1000
    assert await db.fetchval("SELECT locale FROM users WHERE id = $1::uuid", account.id) == "de"


async def test_changing_the_locale_needs_a_session(http):
    assert (await http.patch("/api/me", json={"locale": "de"})).status_code == 401


GERMAN_NOTE = "Geschlossen: Der Deal wurde als verloren markiert."
ENGLISH_NOTE = "Closed: the deal was marked lost."


async def test_tasks_closed_with_a_lost_deal_get_the_note_in_the_callers_language(server):
    t = await team(server.http_url)
    board = t.board["id"]
    await ok(server, t.owner, "PATCH", "/api/me", json={"locale": "de"})
    cases = [  # who, their browser's Accept-Language, the note expected
        (t.owner, "en-US,en;q=0.9", GERMAN_NOTE),  # the chosen language wins over the browser's
        (t.member, "de-AT,de;q=0.9,en;q=0.5", GERMAN_NOTE),  # never chose: the browser's
        (t.member, "fr-FR,fr;q=0.9", ENGLISH_NOTE),  # a language the app does not speak: English
        (t.member, None, ENGLISH_NOTE),
    ]
    tasks = []
    for i, (who, accept, _) in enumerate(cases):
        card = await ok(server, t.owner, "POST", f"/api/boards/{board}/cards", json={"title": f"Deal {i}"})
        task = await ok(server, t.owner, "POST", f"/api/boards/{board}/activities",
                        json={"type": "call", "title": f"Call {i}", "card": card["id"]})
        tasks.append(task["id"])
        headers = {"Accept-Language": accept} if accept else {}
        await ok(server, who, "POST", f"/api/boards/{board}/cards/{card['id']}/status", headers=headers,
                 json={"status": "lost", "close_open_tasks": True})
    async with open_board(server.ws_url, board, token=t.owner.token) as live:
        entries = live.doc.get("activities", type=Map)
        notes = [dict(entries[task])["note"] for task in tasks]
    assert notes == [expected for _, _, expected in cases]
