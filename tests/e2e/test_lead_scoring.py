"""Lead scores in Chromium (docs/lead-scoring.md): Settings › Lead scoring shows the default rules on the
first open with a live preview on a lead; after an admin's rule change the job rescores the inbox, each
lead's badge opens its explanation by pointer, keyboard and tap (Escape closes it), the inbox sorts and
filters by score, and the contact page carries its badge; screenshots in English, German and at 390 px."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx

from server.services import lead_scoring
from server.services.jobs import JobKinds
from server.storage.lead_scoring import PostgresLeadScores, PostgresScoringFacts, PostgresScoringRuleStore
from server.storage.unit import transactions
from server.worker import Worker
from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.support.servers import settings_for
from tests.support.waiting import eventually


@asynccontextmanager
async def scoring_worker(database_url: str) -> AsyncIterator[None]:
    """The lead scoring jobs' worker (the e2e server runs only the automations' kinds in process; the
    rest is ``python -m server worker``'s, as deployed)."""
    async with asyncpg.create_pool(database_url, min_size=1, max_size=3) as pool:
        kinds = JobKinds()
        lead_scoring.register(kinds, lead_scoring.LeadScoring(
            transactions(pool), PostgresScoringRuleStore(pool), PostgresLeadScores(pool), PostgresScoringFacts(pool)),
            sweep_cron="", daily_cron="")
        async with Worker(database_url, settings_for(database_url), "e2e-lead-scoring", kinds=kinds):
            yield


async def test_scores_explain_themselves_in_the_inbox_and_settings(web_server, open_page, database_url):
    t = await crew(web_server.http_url)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = f"/api/workspaces/{t.workspace}"
    for body in ({"person_name": "Ann Lee", "organisation_name": "Acme", "email": "ann@acme.de"},
                 {"person_name": "Bo Berg", "organisation_name": "Globex", "email": "bo@gmail.com"},
                 {"person_name": "Cy Doe", "organisation_name": "Initech", "email": "cy@initech.de"}):
        await api(web_server.http_url, t.member, "POST", f"{base}/leads", json=body)

    page = await open_page(t.owner, f"/w/{t.workspace}/settings/lead-scoring")
    settings = page.get_by_test_id("lead-scoring-settings")
    await settings.get_by_test_id("scoring-rule").first.wait_for()
    assert await settings.get_by_test_id("scoring-rule").count() == 11  # the defaults, stored on this first open
    await page.get_by_test_id("scoring-preview-score").wait_for()
    await page.get_by_test_id("rule-points-0").fill("20")
    rules = (await api(web_server.http_url, t.owner, "GET", f"{base}/lead-scoring/rules"))["rules"]
    rules.append({"kind": "fit", "points": 35, "field": "email_domain", "op": "one_of", "values": ["acme.de"]})
    rules.append({"kind": "fit", "points": 20, "field": "organisation", "op": "is_set"})
    async with httpx.AsyncClient(base_url=web_server.http_url, headers=t.owner.headers) as http:
        refused = await http.put(f"{base}/lead-scoring/rules",
                                 json={"rules": [{"kind": "fit", "points": 150, "field": "source", "op": "is_set"}]})
    assert (refused.status_code, refused.json()["field"]) == (422, "rules[0].points")
    await api(web_server.http_url, t.owner, "PUT", f"{base}/lead-scoring/rules", json={"rules": rules})
    await page.reload()
    await settings.get_by_test_id("scoring-rule").nth(12).wait_for()
    await page.get_by_test_id("scoring-preview-score").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "lead-scoring-settings.png"), full_page=True)
    await page.get_by_test_id("scoring-preview").scroll_into_view_if_needed()
    await page.get_by_test_id("scoring-preview-score").filter(has_text="would score").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "lead-scoring-preview.png"))

    async def scored() -> bool:
        found = await api(web_server.http_url, t.owner, "GET", f"{base}/lead-scoring/scores",
                          params={"min_score": 1})
        return len(found) == 3 and found[0]["score"] == 55

    async with scoring_worker(database_url):
        await eventually(scored, timeout=30, what="the rule change's rescoring job")
    inbox = await open_page(t.owner, f"/w/{t.workspace}/leads")
    await inbox.get_by_test_id("lead-sort").select_option("score")
    first = inbox.get_by_test_id("lead-row").first
    await first.filter(has_text="Ann Lee").wait_for()
    badge = first.get_by_test_id("lead-score")
    await badge.filter(has_text="55").wait_for()
    await badge.focus()  # the keyboard opens it
    explanation = first.get_by_test_id("score-explanation")
    await explanation.get_by_text("E-mail domain is acme.de").wait_for()
    await explanation.get_by_text("Organisation is set").wait_for()
    await explanation.get_by_text("Total: 55").wait_for()
    await inbox.screenshot(path=str(SCREENSHOTS / "lead-scoring-inbox.png"), full_page=True)
    await inbox.keyboard.press("Escape")
    await explanation.wait_for(state="hidden")
    await inbox.get_by_test_id("lead-min-score").select_option("40")
    await eventually(lambda: _rows(inbox, 1), timeout=10, what="only the lead of 40 or more")

    german = await open_page(t.member, f"/w/{t.workspace}/leads", locale="de-DE")
    await german.get_by_test_id("lead-sort").select_option("score")
    row = german.get_by_test_id("lead-row").filter(has_text="Bo Berg")
    await row.get_by_test_id("lead-score").filter(has_text="10").hover()
    await row.get_by_test_id("score-explanation").get_by_text("Warum").wait_for()
    await german.screenshot(path=str(SCREENSHOTS / "lead-scoring-inbox-de.png"), full_page=True)
    settings_de = await open_page(t.member, f"/w/{t.workspace}/settings/lead-scoring", locale="de-DE")
    await settings_de.get_by_text("Nur Admins ändern die Bewertungsregeln.").wait_for()
    await settings_de.get_by_test_id("scoring-preview-score").wait_for()
    await settings_de.screenshot(path=str(SCREENSHOTS / "lead-scoring-settings-de.png"), full_page=True)

    narrow = await open_page(t.member, f"/w/{t.workspace}/leads", width=390, height=844)
    narrow_row = narrow.get_by_test_id("lead-row").filter(has_text="Ann Lee")
    await narrow_row.get_by_test_id("lead-score").filter(has_text="55").click()  # a tap
    await narrow_row.get_by_test_id("score-explanation").get_by_text("Total: 55").wait_for()
    width = await narrow.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the inbox is {width} px wide at 390 px"
    await narrow.screenshot(path=str(SCREENSHOTS / "lead-scoring-inbox-390.png"), full_page=True)
    narrow_settings = await open_page(t.owner, f"/w/{t.workspace}/settings/lead-scoring", width=390, height=844)
    await narrow_settings.get_by_test_id("scoring-rule").first.wait_for()
    width = await narrow_settings.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the settings are {width} px wide at 390 px"
    await narrow_settings.screenshot(path=str(SCREENSHOTS / "lead-scoring-settings-390.png"), full_page=True)

    contact = await api(web_server.http_url, t.owner, "POST", f"{base}/contacts",
                        json={"first_name": "Dee", "last_name": "Vo", "emails": ["dee@acme.de"]})
    async with scoring_worker(database_url):  # the new contact's mark queued its scoring
        async def contact_scored() -> bool:
            return bool(await api(web_server.http_url, t.owner, "GET", f"{base}/lead-scoring/scores",
                                  params={"kind": "contact", "ids": [contact["id"]]}))
        await eventually(contact_scored, timeout=30, what="the new contact's score")
    person = await open_page(t.owner, f"/w/{t.workspace}/contacts/{contact['id']}")
    await person.get_by_test_id("contact-score").filter(has_text="35").focus()
    await person.get_by_test_id("score-explanation").get_by_text("E-mail domain is acme.de").wait_for()
    await person.screenshot(path=str(SCREENSHOTS / "lead-scoring-contact.png"))


async def _rows(page, n: int) -> bool:
    return await page.get_by_test_id("lead-row").count() == n
