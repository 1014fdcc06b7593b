"""Leads through the API on a real Postgres (docs/leads.md): a web form's public endpoint —
browser posts and JSON, CORS for any origin and no cookies, the honeypot, the rate limits, bad
input answered 422 naming the field, a forged form id 404, the thank-you redirect only to the
form's own https URL — and converting a lead into a deal on the board, with the contact found by
e-mail, once (409 the second time).

Each test posts from loopback addresses of its own (127.0.4.x), as the throttle counts per address.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support.accounts import AUTH, team
from tests.support.crm import call, ok, projected, stages
from tests.support.servers import InProcessServer, in_process_server, settings_for


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, **AUTH)) as running:
        yield running


def visitor(server: InProcessServer, address: str) -> httpx.AsyncClient:
    """A browser on someone's site, signed in nowhere, at ``address``."""
    return httpx.AsyncClient(base_url=server.http_url, transport=httpx.AsyncHTTPTransport(local_address=address),
                             headers={"Origin": "https://www.customer.example"})


async def form_of(server: InProcessServer, **changes: Any):
    t = await team(server.http_url)
    form = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/lead-forms",
                    json={"name": "Contact us", "owner": t.member.id, **changes})
    return t, form


async def inbox(server: InProcessServer, t, **params: Any) -> dict:
    return await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/leads", params=params)


async def test_a_browser_post_makes_a_lead_and_is_sent_to_the_forms_own_thank_you_page(server):
    t, form = await form_of(server, redirect_url="https://www.customer.example/thanks",
                            fields=["person_name", "email", "organisation_name", "note"])
    assert f'action="{server.http_url}/f/{form["public_id"]}"' in form["snippet"] and 'name="website"' in form["snippet"]
    async with visitor(server, "127.0.4.1") as browser:
        posted = await browser.post(f"/f/{form['public_id']}?redirect=https://evil.example",
                                    data={"person_name": "Ann Lee", "email": "Ann@Acme.test",
                                          "organisation_name": "Acme", "note": "a demo, please",
                                          "redirect_url": "https://evil.example", "website": ""})
    assert posted.status_code == 303 and posted.headers["location"] == "https://www.customer.example/thanks"
    assert posted.headers["access-control-allow-origin"] == "*" and "set-cookie" not in posted.headers
    found = await inbox(server, t, source="web_form")
    [lead] = found["leads"]
    assert (lead["title"], lead["email"], lead["owner"], lead["status"], lead["form"]) == (
        "Acme · Ann Lee", "ann@acme.test", t.member.id, "new", form["id"])
    assert found["counts"] == {"new": 1}
    bell = await ok(server, t.member, "GET", "/api/me/notifications")
    assert any("New lead from the form Contact us: Acme · Ann Lee" in n["message"] for n in bell["notifications"])


async def test_json_posts_and_preflights_answer_any_origin_and_without_a_redirect_a_browser_gets_thanks(server):
    t, form = await form_of(server)
    async with visitor(server, "127.0.4.2") as browser:
        preflight = await browser.options(f"/f/{form['public_id']}", headers={
            "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
        assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"
        assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
        made = await browser.post(f"/f/{form['public_id']}", json={"email": "bo@site.test", "note": "hi"})
        assert made.status_code == 201 and made.json() == {"received": True}
        assert made.headers["access-control-allow-origin"] == "*"
        thanked = await browser.post(f"/f/{form['public_id']}", data={"person_name": "Cy"})
        assert thanked.status_code == 200 and "Thank you" in thanked.text
    assert sorted(x["title"] for x in (await inbox(server, t))["leads"]) == ["Cy", "bo@site.test"]


async def test_the_honeypot_bad_input_forged_ids_and_big_posts_are_refused_as_they_should(server):
    t, form = await form_of(server, redirect_url="https://www.customer.example/thanks")
    token = form["public_id"]
    async with visitor(server, "127.0.4.3") as browser:
        bot = await browser.post(f"/f/{token}", data={"person_name": "Bot", "website": "http://spam.example"})
        assert bot.status_code == 303  # answered like a person, kept nowhere
        bad = await browser.post(f"/f/{token}", json={"person_name": "Di", "email": "not an address"})
        assert bad.status_code == 422 and bad.json()["field"] == "email" and "e-mail" in bad.json()["detail"]
        assert bad.headers["access-control-allow-origin"] == "*"
        empty = await browser.post(f"/f/{token}", data={"note": "nothing to reach me by"})
        assert empty.status_code == 422 and empty.json()["field"] == "person_name"
        forged = await browser.post(f"/f/{token[:-4]}AAAA", data={"person_name": "Ed"})
        assert forged.status_code == 404 and forged.json()["detail"] == "no such form"
        huge = await browser.post(f"/f/{token}", data={"person_name": "F", "note": "x" * 20_000})
        assert huge.status_code == 413
        odd = await browser.post(f"/f/{token}", content=b"<xml/>", headers={"Content-Type": "application/xml"})
        assert odd.status_code == 422 and odd.json()["field"] == "body"
    assert (await inbox(server, t))["leads"] == []


async def test_an_address_is_rate_limited_but_another_address_still_gets_through(server):
    t, form = await form_of(server)
    async with visitor(server, "127.0.4.4") as browser:
        answers = [(await browser.post(f"/f/{form['public_id']}", json={"person_name": f"P{n}"})).status_code
                   for n in range(11)]
    assert answers[:10] == [201] * 10 and answers[10] == 429
    async with visitor(server, "127.0.4.5") as browser:
        assert (await browser.post(f"/f/{form['public_id']}", json={"person_name": "Q"})).status_code == 201
    assert len((await inbox(server, t, limit=50))["leads"]) == 11


async def test_a_redirect_must_be_the_forms_own_https_url(server):
    t = await team(server.http_url)
    refused = await call(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/lead-forms",
                         json={"name": "Contact us", "redirect_url": "http://www.customer.example/thanks"})
    assert refused.status_code == 422 and refused.json()["field"] == "redirect_url"
    member = await call(server, t.member, "POST", f"/api/workspaces/{t.workspace}/lead-forms", json={"name": "Mine"})
    assert member.status_code == 403


async def test_converting_a_lead_links_the_existing_contact_and_puts_the_deal_on_the_board_once(server):
    t = await team(server.http_url)
    ann = await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/contacts",
                   json={"first_name": "Ann", "emails": ["ann@acme.test"]})
    lead = await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/leads",
                    json={"person_name": "Ann Lee", "email": "ann@acme.test", "organisation_name": "Acme",
                          "value": 1500, "currency": "EUR", "title": "Acme rollout"})
    await projected(server)
    stage = (await stages(server, t.member, t.workspace, t.board["id"]))[1]["stage"]
    done = await ok(server, t.member, "POST", f"/api/leads/{lead['id']}/convert",
                    json={"board": t.board["id"], "stage": stage})
    assert done["status"] == "converted" and done["contact"] == ann["id"] and done["board"] == t.board["id"]
    again = await call(server, t.owner, "POST", f"/api/leads/{lead['id']}/convert", json={"board": t.board["id"]})
    assert again.status_code == 409 and "converted already" in again.json()["detail"]
    await projected(server)
    deals = await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/deals", params={"board": t.board["id"]})
    [deal] = [d for d in deals if d["id"] == done["deal"]]
    assert (deal["title"], deal["value"], deal["stage"], deal["contact"], deal["organisation"]) == (
        "Acme rollout", 1500, stage, ann["id"], done["organisation"])
    back = await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/leads",
                    params={"status": "converted", "deal": done["deal"]})
    assert [x["id"] for x in back["leads"]] == [lead["id"]]
    viewer = await call(server, t.viewer, "POST", f"/api/workspaces/{t.workspace}/leads/archive",
                        json={"leads": [lead["id"]]})
    assert viewer.status_code == 403
