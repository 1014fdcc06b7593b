"""The language a user chose follows them (issue 14): ``PATCH /api/me {locale}`` keeps it, ``GET /api/me``
and every later sign-in answer it, and only "en" and "de" are accepted."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.accounts import AUTH, PASSWORD, sign_up
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
