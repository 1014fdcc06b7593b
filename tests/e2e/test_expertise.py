"""Expertise in Chromium (docs/expertise.md): an admin keeps the tag list in Settings › Expertise,
gives members theirs on Members & invites, and a deal whose label names a tag suggests the
colleague who has it (with room this week) first in the activity's assignee picker — chosen from
the keyboard; the team to-do filters by expertise. English at desktop width, German at 390 px."""

from __future__ import annotations

from typing import Any

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.e2e.deal_panel import deal_path


async def no_sideways_scroll(page: Any) -> bool:
    return await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


async def test_an_admin_keeps_expertise_and_the_deal_suggests_who_has_it(web_server, open_page):
    t = await crew(web_server.http_url)
    http, ws = web_server.http_url, f"/api/workspaces/{t.workspace}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page = await open_page(t.owner, f"/w/{t.workspace}/settings/expertise")
    await page.get_by_text("No expertise tags yet").wait_for()
    name = page.get_by_test_id("expertise-name")
    for tag in ("Französisch", "Maschinenbau", "Deutsch"):
        await name.fill(tag)
        await name.press("Enter")
        await page.locator(f"[data-testid=expertise-tag][data-name='{tag}']").wait_for()
    await name.fill("deutsch")
    await name.press("Enter")
    await page.get_by_role("alert").filter(has_text="already has an expertise tag").wait_for()
    await name.fill("")
    await page.screenshot(path=str(SCREENSHOTS / "settings-expertise.png"), full_page=True)
    tags = {x["name"]: x["id"] for x in (await api(http, t.owner, "GET", f"{ws}/expertise"))["tags"]}

    # Members & invites: the owner gives Mia French and mechanical engineering, from the keyboard
    await page.goto(f"/w/{t.workspace}/members")
    mia = page.get_by_test_id("member-expertise").and_(page.locator(f"[data-user='{t.member.id}']"))
    await mia.get_by_role("button", name="Edit expertise of Mia Chen").focus()
    await page.keyboard.press("Enter")
    for tag in ("Französisch", "Maschinenbau"):
        box = mia.get_by_role("checkbox", name=tag)
        await box.focus()
        await page.keyboard.press("Space")
        await mia.locator(".expertise-chip", has_text=tag).wait_for()
    await api(http, t.owner, "PUT", f"{ws}/expertise/members/{t.owner.id}", json={"tags": [tags["Deutsch"]]})
    await page.reload()
    await page.get_by_test_id("member-expertise").filter(has_text="Deutsch").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "members-expertise.png"), full_page=True)

    # a deal labelled "französisch": Mia comes first in the assignee picker, and says why
    deal = await api(http, t.owner, "POST", f"/api/boards/{t.board['id']}/cards",
                     json={"title": "Renault Trucks — Lyon", "labels": ["französisch"]})
    await page.goto(deal_path(t, deal["id"]))
    suggested = page.get_by_test_id("suggested-person")
    await suggested.filter(has_text="Mia Chen").wait_for()
    assert "has Französisch · 0 of 40 h booked" in await suggested.first.inner_text()
    picker = page.locator("#activity-assignee")
    assert "Mia Chen — has Französisch" in await picker.locator("optgroup[label='Suggested'] option").first.inner_text()
    await suggested.first.focus()
    await page.keyboard.press("Enter")
    assert await picker.input_value() == t.member.id
    needs = page.get_by_test_id("expertise-needs")
    await needs.locator("summary").click()
    await needs.get_by_role("checkbox", name="Maschinenbau").check()
    await page.get_by_test_id("expertise-suggestions").filter(has_text="Französisch, Maschinenbau").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "deal-suggested-assignee.png"), full_page=True)
    form = page.get_by_role("form", name="New activity")
    await form.get_by_label("What needs doing").fill("Call Lyon in French")
    await form.get_by_role("button", name="Add").click()
    await page.get_by_test_id("activity").filter(has_text="Call Lyon in French").wait_for()

    # the team to-do filtered by expertise keeps Mia's work and her load only
    await page.goto(f"/w/{t.workspace}/team-tasks")
    await page.get_by_test_id("expertise-filter").select_option(label="Maschinenbau")
    strip = page.get_by_test_id("workload")
    await strip.get_by_role("button").first.filter(has_text="Mia Chen").wait_for()
    assert await strip.get_by_role("button").count() == 1
    await page.get_by_test_id("team-task").filter(has_text="Call Lyon in French").wait_for()
    row = page.get_by_test_id("team-task").filter(has_text="Call Lyon in French").locator("select")
    await row.focus()  # the reassign select asks who should take it once focused
    first = row.locator("optgroup[label='Suggested'] option").first
    await first.wait_for(state="attached")
    assert (await first.inner_text()).startswith("Mia Chen — has Maschinenbau")
    await page.screenshot(path=str(SCREENSHOTS / "team-tasks-expertise.png"), full_page=True)

    # the rule builder: a task for every new deal, to the best match by expertise
    await page.goto(f"/w/{t.workspace}/settings/automations")
    await page.get_by_test_id("automation-name").fill("French deals")
    await page.get_by_test_id("automation-trigger").select_option("deal_created")
    await page.get_by_test_id("automation-add-action").select_option("create_task")
    await page.get_by_test_id("automation-person").select_option("by_expertise")
    chosen = page.get_by_test_id("automation-by-expertise")
    await chosen.get_by_role("checkbox", name="Deutsch").uncheck()  # the first tag, to start from
    await chosen.get_by_role("alert").filter(has_text="Choose at least one expertise tag").wait_for()
    await chosen.get_by_role("checkbox", name="Französisch").check()
    await chosen.scroll_into_view_if_needed()
    await page.screenshot(path=str(SCREENSHOTS / "automation-by-expertise.png"), full_page=True)
    await page.get_by_test_id("automation-save").click()
    await page.get_by_test_id("automation-row").filter(has_text="French deals").wait_for()
    [rule] = await api(http, t.owner, "GET", f"{ws}/automations")
    assert rule["actions"][0]["assignee"] == {"by_expertise": [tags["Französisch"]]}


async def test_expertise_in_german_at_390_px(web_server, open_page):
    t = await crew(web_server.http_url)
    http, ws = web_server.http_url, f"/api/workspaces/{t.workspace}"
    fr = await api(http, t.owner, "POST", f"{ws}/expertise/tags", json={"name": "Französisch"})
    await api(http, t.owner, "POST", f"{ws}/expertise/tags", json={"name": "Region Süd"})
    await api(http, t.owner, "PUT", f"{ws}/expertise/members/{t.member.id}", json={"tags": [fr["id"]]})
    await api(http, t.owner, "PATCH", "/api/me", json={"locale": "de"})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/expertise", width=390, height=844, locale="de-DE")
    await page.get_by_test_id("expertise-tag").nth(1).wait_for()
    await page.get_by_role("heading", name="Fachgebiete").first.wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "settings-expertise-de-390.png"), full_page=True)
    assert await no_sideways_scroll(page)

    await page.goto(f"/w/{t.workspace}/members")
    await page.get_by_test_id("member-expertise").filter(has_text="Französisch").wait_for()
    await page.get_by_text("Keine Fachgebiete").first.wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "members-expertise-de-390.png"), full_page=True)
    assert await no_sideways_scroll(page)

    deal = await api(http, t.owner, "POST", f"/api/boards/{t.board['id']}/cards",
                     json={"title": "Peugeot Sochaux", "labels": ["Französisch"]})
    await page.goto(deal_path(t, deal["id"]))
    suggested = page.get_by_test_id("suggested-person").filter(has_text="Mia Chen")
    await suggested.wait_for()
    assert "hat Französisch · 0 von 40 Std. verplant" in await suggested.inner_text()
    await page.get_by_test_id("expertise-suggestions").scroll_into_view_if_needed()
    await page.screenshot(path=str(SCREENSHOTS / "deal-suggested-assignee-de-390.png"), full_page=False)
    assert await no_sideways_scroll(page)
