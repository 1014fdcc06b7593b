"""Activities outside a deal in Chromium (issue 18): one made on a contact's page shows in its list
(live, through the workspace feed) and in the calendar; one made in the calendar belongs to no
deal and shows there at once."""

from __future__ import annotations

from datetime import datetime, timezone

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew


async def test_an_activity_made_on_a_contact_and_one_made_in_the_calendar(web_server, open_page):
    t = await crew(web_server.http_url)
    ada = await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/contacts",
                    json={"first_name": "Ada", "last_name": "Lovelace"})
    page = await open_page(t.owner, f"/w/{t.workspace}/contacts/{ada['id']}")
    section = page.get_by_role("region", name="Activities")
    await section.get_by_text("No activities with this contact yet.").wait_for()
    form = section.get_by_role("form", name="New activity")
    await form.get_by_label("What needs doing").fill("Call Ada about the renewal")
    await form.get_by_label("Time (empty: all day)").fill("16:00")
    await form.get_by_role("button", name="Add activity").click()
    await section.get_by_text("Call Ada about the renewal").wait_for(timeout=15_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await section.screenshot(path=str(SCREENSHOTS / "contact-activity.png"))

    calendar = await open_page(t.owner, f"/w/{t.workspace}/calendar")
    await calendar.get_by_test_id("calendar-entry").filter(has_text="Call Ada about the renewal").first.wait_for()
    await calendar.get_by_role("button", name="New activity").click()
    new = calendar.get_by_role("form", name="New activity")
    await new.get_by_label("What needs doing").fill("Plan the quarter")
    await new.get_by_role("button", name="Add activity").click()
    await calendar.get_by_test_id("calendar-entry").filter(has_text="Plan the quarter").first.wait_for(timeout=15_000)
    today = datetime.now(timezone.utc).date().isoformat()
    found = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/calendar",
                      params={"start": today, "end": today})
    plan = next(e for e in found["entries"] if e["title"] == "Plan the quarter")
    assert plan["card"] is None and plan["all_day"]
    linked = await api(web_server.http_url, t.owner, "GET", f"/api/contacts/{ada['id']}/links")
    assert [a["title"] for a in linked["activities"]] == ["Call Ada about the renewal"]


async def test_an_activity_made_on_an_organisations_page_shows_in_its_timeline(web_server, open_page):
    t = await crew(web_server.http_url)
    acme = await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/organisations",
                     json={"name": "Acme Rockets"})
    page = await open_page(t.owner, f"/w/{t.workspace}/organisations/{acme['id']}", locale="de-DE")
    form = page.get_by_role("form", name="Neue Aktivität")
    await form.get_by_label("Was ist zu tun").fill("Quartalsgespräch mit Acme")
    await form.get_by_role("button", name="Aktivität hinzufügen").click()
    await page.get_by_text("Quartalsgespräch mit Acme").first.wait_for(timeout=15_000)
    links = await api(web_server.http_url, t.owner, "GET", f"/api/boards/{t.board['id']}/links")
    assert [link["organisation"] for link in links if link["entry_kind"] == "activity"] == [acme["id"]]
