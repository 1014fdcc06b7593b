"""Currencies: ISO 4217 codes only (422 naming the field), the workspace currency that new boards
take (chosen from the creator's locale at creation), and exchange rates the pipeline report
converts with, never adding currencies without a rate.

Real Postgres, one server for the module (authentication on).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.accounts import AUTH, Account, create_board, sign_up, team
from tests.support.crm import call, ok, projected
from tests.support.servers import InProcessServer, in_process_server, settings_for


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, **AUTH)) as running:
        yield running


async def new_workspace(server: InProcessServer, owner: Account, **body: str) -> dict:
    headers = {"Accept-Language": body.pop("language")} if "language" in body else {}
    return await ok(server, owner, "POST", "/api/workspaces", json={"name": "Vertrieb", **body}, headers=headers)


async def test_a_deal_in_a_currency_that_does_not_exist_is_refused_with_422_naming_the_field(server):
    t = await team(server.http_url)
    cards = f"/api/boards/{t.board['id']}/cards"
    for code in ("XXXX", "EURO", "eur", "ABC"):
        refused = await call(server, t.owner, "POST", cards, json={"title": "Acme", "value": 10, "currency": code})
        assert refused.status_code == 422, (code, refused.text)
        assert refused.json()["field"] == "currency" and "ISO 4217" in refused.json()["detail"]
    deal = await ok(server, t.owner, "POST", cards, json={"title": "Acme", "value": 10, "currency": "CHF"})
    assert deal["currency"] == "CHF"
    changed = await call(server, t.owner, "PATCH", f"{cards}/{deal['id']}", json={"currency": "XXXX"})
    assert changed.status_code == 422 and changed.json()["field"] == "currency"
    board = await call(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/boards",
                       json={"name": "B", "kind": "pipeline", "currency": "DOLLARS"})
    assert board.status_code == 422 and board.json()["field"] == "currency"


async def test_a_workspace_created_from_a_german_browser_counts_in_euros_and_its_new_boards_too(server):
    owner = await sign_up(server.http_url, "Greta")
    workspace = await new_workspace(server, owner, language="de-DE,de;q=0.9,en;q=0.8")
    settings = await ok(server, owner, "GET", f"/api/workspaces/{workspace['id']}/currency")
    assert settings["currency"] == "EUR" and settings["rates"] == [] and "EUR" in settings["common"]
    board = await create_board(server.http_url, owner, workspace["id"])
    deal = await ok(server, owner, "POST", f"/api/boards/{board['id']}/cards", json={"title": "Müller", "value": 5})
    assert deal["currency"] == "EUR", "new boards take the workspace currency, not USD"
    chosen = await new_workspace(server, owner, currency="GBP", language="de-DE")
    assert (await ok(server, owner, "GET", f"/api/workspaces/{chosen['id']}/currency"))["currency"] == "GBP"


async def test_only_admins_change_the_currency_and_rates_must_be_positive_iso_codes(server):
    t = await team(server.http_url)
    path = f"/api/workspaces/{t.workspace}/currency"
    assert (await call(server, t.member, "PATCH", path, json={"currency": "EUR"})).status_code == 403
    assert (await ok(server, t.member, "GET", path))["currency"] == "USD"
    for rates, field in (({"XXXX": 1.1}, "rates.XXXX"), ({"EUR": 0}, "rates.EUR"), ({"EUR": -2}, "rates.EUR"),
                         ({"USD": 1.0}, "rates.USD")):
        refused = await call(server, t.owner, "PATCH", path, json={"rates": rates})
        assert refused.status_code == 422 and refused.json()["field"] == field, refused.text
    saved = await ok(server, t.owner, "PATCH", path, json={"rates": {"EUR": 1.08, "GBP": 1.27}})
    assert saved["rates"] == [{"currency": "EUR", "rate": 1.08}, {"currency": "GBP", "rate": 1.27}]
    switched = await ok(server, t.owner, "PATCH", path, json={"currency": "EUR"})
    assert switched == {**saved, "currency": "EUR", "rates": []}, "rates into the old currency are dropped"


async def test_the_pipeline_report_sums_per_currency_and_converts_only_where_a_rate_is_set(server):
    t = await team(server.http_url)
    cards = f"/api/boards/{t.board['id']}/cards"
    for title, value, currency in (("Berlin", 1_000_000, "EUR"), ("Boston", 275_600, "USD"), ("Leeds", 1_000, "GBP")):
        await ok(server, t.owner, "POST", cards, json={"title": title, "value": value, "currency": currency})
    await projected(server)
    report = f"/api/workspaces/{t.workspace}/pipeline-report"
    first = (await ok(server, t.owner, "GET", report, params={"board": t.board["id"]}))["stages"][0]
    assert first["value"] == {"EUR": 1_000_000, "USD": 275_600, "GBP": 1_000}, "never one number of mixed money"
    assert first["converted"] is None, "no rates: nothing is converted"
    await ok(server, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/currency", json={"rates": {"EUR": 1.1}})
    first = (await ok(server, t.owner, "GET", report, params={"board": t.board["id"]}))["stages"][0]
    assert first["converted"]["currency"] == "USD"
    assert first["converted"]["value"] == 1_375_600, "EUR 1,000,000 at 1.1 plus USD 275,600"
    assert first["converted"]["unconverted"] == {"GBP": 1_000}, "a currency without a rate is kept apart"
