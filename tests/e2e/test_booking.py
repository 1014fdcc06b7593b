"""Booking links in Chromium (issue 18 item 6): the host sets up Settings › Booking; a signed-out
guest in New York opens /book/<slug> on a 390 px phone, sees free times in their own zone with the
host's named, picks one and books it; the host's calendar shows the meeting. Also the page in German.
The links list beside a team link: booking-links.png, booking-links-390.png, booking-links-de-390.png.
Screenshots: booking-settings.png, booking-settings-de-390.png, booking-390.png, booking-de-390.png."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4

import asyncpg
import pytest

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.support.waiting import eventually


@pytest.fixture(autouse=True)
async def fresh_booking_allowance(web_server, database_url):  # after the server migrated the database
    """Each test books as a fresh guest would: the browser's bookings all come from 127.0.0.1, and
    the throttle (5 an address, then a minute apart) counts them across the tests of this database."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("DELETE FROM auth_throttle WHERE scope = 'booking_address'")
    finally:
        await conn.close()


async def guest_page(chromium, web_server, path: str, *, locale: str = "en-US"):
    browser = await chromium.browser()
    context = await browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1,
                                        base_url=web_server.http_url, locale=locale,
                                        timezone_id="America/New_York")
    context.set_default_timeout(8_000)
    page = await context.new_page()
    await page.goto(path)
    return context, page


async def links_list(web_server, open_page, t, settings) -> None:
    """A team link beside the personal one: listed, each with its address (EN desktop and 390 px)."""
    crew_team = await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/teams",
                          json={"name": "Inside sales", "members": [t.owner.id, t.member.id]})
    await api(web_server.http_url, t.owner, "POST", "/api/me/booking/links", json={
        "board": t.board["id"], "slug": f"sales-{uuid4().hex[:6]}", "title": "Sales demo", "team": crew_team["id"],
        "time_zone": "Europe/Berlin", "durations": [30], "approval": True, "hours": [[["09:00", "17:00"]]] * 7})
    await settings.reload()
    rows = settings.get_by_test_id("booking-link")
    await rows.filter(has_text="Sales demo").filter(has_text="You confirm each booking").wait_for()
    assert [line.split("\n")[0] for line in await rows.all_inner_texts()] == ["Personal link", "Sales demo"]
    await settings.get_by_test_id("booking-links").screenshot(path=str(SCREENSHOTS / "booking-links.png"))
    narrow = await open_page(t.owner, f"/w/{t.workspace}/settings/booking", width=390, height=844)
    await narrow.get_by_test_id("booking-link").filter(has_text="Sales demo").wait_for()
    width = await narrow.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the links list scrolls sideways on a phone: {width}px"
    await narrow.get_by_test_id("booking-links").scroll_into_view_if_needed()
    await narrow.screenshot(path=str(SCREENSHOTS / "booking-links-390.png"))


async def test_a_host_makes_a_booking_page_and_a_guest_books_a_time_on_a_phone(web_server, open_page, chromium):
    t = await crew(web_server.http_url)
    slug = f"olivia-{uuid4().hex[:6]}"
    settings = await open_page(t.owner, f"/w/{t.workspace}/settings/booking")
    form = settings.get_by_test_id("booking-settings")
    await form.get_by_text("This server sends no e-mail").wait_for()  # no relay: said, not pretended
    await form.get_by_test_id("booking-links-empty").wait_for()
    await form.get_by_role("button", name="New personal link").click()
    await form.get_by_label("Address").fill(slug)
    await form.get_by_label("Your time zone").fill("Europe/Berlin")
    await form.get_by_label("60 min").check()
    await form.get_by_label("Saturday", exact=True).check()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await form.get_by_text("This server sends no e-mail").scroll_into_view_if_needed()  # its top
    await settings.screenshot(path=str(SCREENSHOTS / "booking-settings.png"))
    await form.get_by_role("button", name="Save").click()
    await form.get_by_test_id("booking-url").filter(has_text=f"/book/{slug}").wait_for()
    await links_list(web_server, open_page, t, settings)

    context, page = await guest_page(chromium, web_server, f"/book/{slug}")
    try:
        await page.get_by_role("heading", name="Book a meeting with Olivia Park").wait_for()
        await page.get_by_test_id("booking-zones").filter(has_text="America/New_York").filter(
            has_text="Europe/Berlin").wait_for()
        await page.get_by_role("button", name="60 min").click()
        slot = page.locator(".booking__slot").first
        await slot.wait_for()
        when = await slot.inner_text()
        await slot.click()
        await page.get_by_label("Your name").fill("Bo Guest")
        await page.get_by_label("Your e-mail").fill("bo@example.com")
        await page.get_by_label("What is it about? (optional)").fill("The renewal")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the booking page scrolls sideways on a phone: {width}px"
        await page.screenshot(path=str(SCREENSHOTS / "booking-390.png"), full_page=True)
        await page.get_by_role("button", name="Book this time").click()
        done = page.get_by_test_id("booking-done")
        await done.filter(has_text="You meet Olivia Park").filter(has_text=when).wait_for()
        await page.get_by_text("No confirmation e-mail is sent").wait_for()
    finally:
        await context.close()

    async def booked() -> bool:
        today = datetime.now(timezone.utc).date()
        found = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/calendar",
                          params={"start": today.isoformat(), "end": (today + timedelta(days=14)).isoformat()})
        return any(e["title"] == "Bo Guest · Olivia Park" and e["type"] == "meeting" for e in found["entries"])

    await eventually(booked, 10, what="the booked meeting on the host's calendar")


async def test_the_booking_page_in_german_and_an_unknown_link(web_server, open_page, chromium):
    t = await crew(web_server.http_url)
    slug = f"mia-{uuid4().hex[:6]}"
    settings = await open_page(t.member, "/", width=390, height=844)
    await settings.evaluate(f"localStorage.setItem('tandem:locale:{t.member.id}', 'de')")
    await settings.goto(f"/w/{t.workspace}/settings/booking")
    form = settings.get_by_test_id("booking-settings")
    await form.get_by_text("Noch keine Buchungslinks.").wait_for()
    await form.get_by_role("button", name="Neuer persönlicher Link").focus()
    await settings.keyboard.press("Enter")  # reachable by keyboard
    await form.get_by_label("Adresse").fill(slug)
    await form.get_by_label("Eigene Zeitzone").fill("Europe/Berlin")
    width = await settings.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"Settings › Booking scrolls sideways on a phone: {width}px"
    await form.get_by_text("Arbeitszeiten").scroll_into_view_if_needed()
    await settings.screenshot(path=str(SCREENSHOTS / "booking-settings-de-390.png"))
    await form.get_by_role("button", name="Speichern").click()
    await form.get_by_test_id("booking-url").wait_for()
    await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/teams",
              json={"name": "Innendienst", "members": [t.owner.id, t.member.id]})
    await settings.reload()
    await form.get_by_role("button", name="Neuer Team-Link").click()
    await form.get_by_label("Adresse").fill(f"team-{slug}")
    await form.get_by_label("Titel (auf der Seite, optional)").fill("Demo mit dem Innendienst")
    await form.get_by_role("button", name="Speichern").click()
    rows = form.get_by_test_id("booking-link")
    await rows.filter(has_text="Demo mit dem Innendienst").filter(has_text="Team").wait_for()
    assert [line.split("\n")[0] for line in await rows.all_inner_texts()] == \
        ["Persönlicher Link", "Demo mit dem Innendienst"]
    width = await settings.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the German links list scrolls sideways on a phone: {width}px"
    await form.get_by_test_id("booking-links").scroll_into_view_if_needed()
    await settings.screenshot(path=str(SCREENSHOTS / "booking-links-de-390.png"))

    context, page = await guest_page(chromium, web_server, f"/book/{slug}", locale="de-DE")
    try:
        await page.get_by_role("heading", name="Termin mit Mia Chen buchen").wait_for()
        await page.locator(".booking__slot").first.click()
        await page.get_by_role("button", name="Diese Zeit buchen").wait_for()
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the German booking page scrolls sideways on a phone: {width}px"
        await page.screenshot(path=str(SCREENSHOTS / "booking-de-390.png"), full_page=True)
        await page.goto("/book/no-such-link")
        await page.get_by_role("heading", name="Keine Buchungsseite").wait_for()
    finally:
        await context.close()


async def test_a_guest_who_switches_the_page_to_german_is_written_to_in_german(web_server, chromium, database_url):
    """The page sends its language with the booking, so the guest's mails (now and when the host
    confirms, declines or the time moves) follow the page, not only the browser's Accept-Language."""
    t = await crew(web_server.http_url)
    slug = f"olivia-{uuid4().hex[:6]}"
    await api(web_server.http_url, t.owner, "POST", "/api/me/booking/links", json={
        "board": t.board["id"], "slug": slug, "time_zone": "Europe/Berlin", "durations": [30], "min_notice": 0,
        "window_days": 30, "hours": [[["00:00", "23:59"]]] * 7})
    context, page = await guest_page(chromium, web_server, f"/book/{slug}")  # an English browser
    try:
        await page.evaluate("localStorage.setItem('tandem:locale', 'de')")  # the page's own language switch
        await page.reload()
        await page.get_by_role("heading", name="Termin mit Olivia Park buchen").wait_for()
        await page.locator(".booking__slot").first.click()
        await page.get_by_label("Name", exact=True).fill("Bea Gast")
        await page.get_by_label("E-Mail-Adresse").fill("bea@example.com")
        await page.get_by_role("button", name="Diese Zeit buchen").click()
        await page.get_by_test_id("booking-done").wait_for()
    finally:
        await context.close()
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT guest_locale FROM bookings WHERE guest_email = 'bea@example.com'") == "de"
    finally:
        await conn.close()
