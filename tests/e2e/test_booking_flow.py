"""Booking links, part two, in Chromium (issue 18 item 6): a guest on a 390 px phone books, follows
the link on the done page, moves the meeting to another free time and cancels it (then the link
leads nowhere); a host with approval confirms a waiting booking from the bell, sees the rest in
Settings › Booking (English on a desktop, German at 390 px) and makes a team link beside their own; and the calendar's header keeps
prev / today / next on one line at 390 px. Screenshots: booking-manage-390.png,
booking-manage-de-390.png, booking-requests.png, booking-requests-de-390.png, calendar-header-390.png."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.e2e.test_booking import fresh_booking_allowance, guest_page  # noqa: F401 (an autouse fixture)
from tests.support.waiting import eventually

EVERY_DAY = [[["09:00", "17:00"]]] * 7


async def public(web_server, address: str, method: str, path: str, **kwargs: Any) -> Any:
    """A signed-out call from a loopback address of its own (the booking throttle counts per address)."""
    async with httpx.AsyncClient(base_url=web_server.http_url,
                                 transport=httpx.AsyncHTTPTransport(local_address=address)) as http:
        response = await http.request(method, path, **kwargs)
    assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


async def make_link(web_server, who, board: str, slug: str, **changes) -> None:
    await api(web_server.http_url, who, "PUT", "/api/me/booking", json={
        "board": board, "slug": slug, "time_zone": "Europe/Berlin", "durations": [30], "min_notice": 0,
        "hours": EVERY_DAY, **changes})


async def meetings(web_server, t) -> list[dict]:
    today = datetime.now(timezone.utc).date()
    found = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/calendar",
                      params={"start": today.isoformat(), "end": (today + timedelta(days=14)).isoformat()})
    return [e for e in found["entries"] if e["type"] == "meeting"]


async def test_a_guest_moves_and_then_cancels_their_meeting_from_the_link_on_the_done_page(web_server, chromium):
    t = await crew(web_server.http_url)
    slug = f"olivia-{uuid4().hex[:6]}"
    await make_link(web_server, t.owner, t.board["id"], slug)
    context, page = await guest_page(chromium, web_server, f"/book/{slug}")
    try:
        await page.locator(".booking__slot").first.click()
        await page.get_by_label("Your name").fill("Bo Guest")
        await page.get_by_label("Your e-mail").fill("bo@example.com")
        await page.get_by_role("button", name="Book this time").click()
        await page.get_by_test_id("booking-done").wait_for()
        await page.get_by_role("link", name="Cancel or reschedule").click()
        await page.get_by_role("heading", name="Your meeting with Olivia Park").wait_for()
        before = await page.get_by_test_id("booking-when").inner_text()

        await page.get_by_role("button", name="Reschedule").click()
        later = page.locator(".booking__slot:not([disabled])").nth(3)
        target = await later.inner_text()
        await later.click()
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the manage page scrolls sideways on a phone: {width}px"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "booking-manage-390.png"), full_page=True)
        await page.get_by_role("button", name="Move my meeting here").click()
        await page.get_by_test_id("booking-moved").filter(has_text=target).wait_for()
        assert await page.get_by_test_id("booking-when").inner_text() != before

        def shown_at(meeting: dict) -> bool:
            start = datetime.fromisoformat(meeting["start"]).astimezone(ZoneInfo("America/New_York"))
            return start.strftime("%I:%M") in target or start.strftime("%H:%M") in target

        async def moved():  # the calendar reads the projection, which may lag the move by up to a second
            found = await meetings(web_server, t)
            one = len(found) == 1 and found[0]["title"] == "Bo Guest · Olivia Park"
            return found if one and shown_at(found[0]) else None

        await eventually(moved, 10, what=f"the one meeting on the host's calendar, at {target}")

        page.once("dialog", lambda dialog: dialog.accept())
        await page.get_by_role("button", name="Cancel meeting").click()
        await page.get_by_test_id("booking-cancelled").filter(has_text="Olivia Park").wait_for()

        async def gone():
            return await meetings(web_server, t) == []

        await eventually(gone, 10, what="the cancelled meeting to leave the host's calendar")
        await page.reload()
        await page.get_by_role("heading", name="No booking here").wait_for()
    finally:
        await context.close()

    token = (await public(web_server, "127.0.2.1", "POST", f"/api/booking/{slug}", json={
        "start": (await _first_slot(web_server, slug)), "duration": 30, "name": "Cy Gast",
        "email": "cy@example.com"}))["manage"]
    context, page = await guest_page(chromium, web_server, f"/booking/{token}", locale="de-DE")
    try:
        await page.get_by_role("heading", name="Termin mit Olivia Park").wait_for()
        await page.get_by_role("button", name="Verschieben").click()
        await page.locator(".booking__slot:not([disabled])").first.click()
        await page.get_by_role("button", name="Termin hierhin verschieben").wait_for()
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the German manage page scrolls sideways on a phone: {width}px"
        await page.screenshot(path=str(SCREENSHOTS / "booking-manage-de-390.png"), full_page=True)
        await page.goto(f"/booking/{token[:-2]}xx")
        await page.get_by_role("heading", name="Keine Buchung").wait_for()
    finally:
        await context.close()


async def _first_slot(web_server, slug: str) -> str:
    now = datetime.now(timezone.utc)
    found = await public(web_server, "127.0.2.2", "GET", f"/api/booking/{slug}/slots", params={
        "from": now.isoformat(), "to": (now + timedelta(days=7)).isoformat(), "duration": "30"})
    return found["slots"][0]


async def test_a_host_confirms_a_waiting_booking_and_picks_round_robin(web_server, open_page):
    t = await crew(web_server.http_url)
    slug = f"ask-{uuid4().hex[:6]}"
    await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/teams",
              json={"name": "Inside sales", "members": [t.owner.id, t.member.id]})
    await make_link(web_server, t.owner, t.board["id"], slug, approval=True)
    for i, name in enumerate(("Ann Asker", "Dan Decline")):
        made = await public(web_server, f"127.0.2.{10 + i}", "POST", f"/api/booking/{slug}", json={
            "start": await _first_slot(web_server, slug), "duration": 30, "name": name,
            "email": f"{name.split()[0].lower()}@example.com", "note": "About the renewal"})
        assert made["status"] == "requested"

    page = await open_page(t.owner, f"/w/{t.workspace}")
    await page.get_by_test_id("notifications-bell").click()
    asked = page.get_by_test_id("notification").filter(has_text="Booking request:")
    ann = asked.filter(has_text="Ann Asker")
    await ann.wait_for()
    assert await asked.count() == 2
    await page.screenshot(path=str(SCREENSHOTS / "booking-request-bell.png"))
    await ann.get_by_test_id("bell-confirm").click()
    await ann.get_by_test_id("bell-confirm").wait_for(state="detached")  # answered: its entry is read
    await asked.filter(has_text="Dan Decline").get_by_role("link").click()
    await page.wait_for_url(f"**/w/{t.workspace}/settings/booking?request=*")
    requests = page.get_by_test_id("booking-requests")
    await requests.locator(".booking-requests__item--target").filter(has_text="Dan Decline").wait_for()
    assert await requests.get_by_text("Ann Asker").count() == 0

    async def confirmed():
        return [m["title"] for m in await meetings(web_server, t)] == ["Ann Asker · Olivia Park"]

    await eventually(confirmed, 10, what="the confirmed meeting on the host's calendar")
    await page.get_by_role("button", name="New team link").click()
    await page.get_by_test_id("booking-team").select_option(label="Inside sales")
    await page.get_by_label("Address").fill(f"team-{slug}")
    await page.get_by_test_id("booking-approval").check()
    await page.screenshot(path=str(SCREENSHOTS / "booking-requests.png"))
    await page.get_by_role("button", name="Save").click()
    await page.get_by_test_id("booking-link").filter(has_text="Team link · Inside sales").wait_for()
    links = (await api(web_server.http_url, t.owner, "GET", "/api/me/booking/links"))["links"]
    assert [(s["slug"], s["team"] is not None, s["approval"]) for s in links] == \
        [(slug, False, True), (f"team-{slug}", True, True)], "the team link beside the personal one"

    narrow = await open_page(t.owner, "/", width=390, height=844)
    await narrow.evaluate(f"localStorage.setItem('tandem:locale:{t.owner.id}', 'de')")
    await narrow.goto(f"/w/{t.workspace}/settings/booking")
    waiting = narrow.get_by_test_id("booking-requests")
    await waiting.get_by_role("heading", name="Wartet auf Bestätigung").wait_for()
    await waiting.get_by_text("Dan Decline").wait_for()
    width = await narrow.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the requests scroll sideways on a phone: {width}px"
    await narrow.screenshot(path=str(SCREENSHOTS / "booking-requests-de-390.png"))
    await waiting.get_by_role("button", name="Buchung von Dan Decline ablehnen").click()
    await waiting.get_by_text("Keine Buchung wartet auf Bestätigung.").wait_for()


async def test_at_390_px_the_calendar_header_keeps_prev_today_and_next_on_one_line(web_server, open_page):
    t = await crew(web_server.http_url)
    for locale in ("en-US", "de-DE"):
        page = await open_page(t.owner, f"/w/{t.workspace}/calendar", width=390, height=844, locale=locale)
        nav = page.get_by_test_id("calendar-nav")
        await nav.wait_for()
        for view in (("Week", "Woche"), ("Month", "Monat"), ("Day", "Tag")):
            await page.get_by_role("button", name=view[0] if locale == "en-US" else view[1], exact=True).click()
            buttons = nav.locator("button")
            boxes = [await buttons.nth(i).bounding_box() for i in range(3)]
            tops = {round(b["y"] + b["height"] / 2) for b in boxes}
            assert len(tops) == 1, f"prev / today / next wrap apart at 390 px ({locale}, {view[0]}): {boxes}"
            assert boxes[2]["x"] + boxes[2]["width"] <= 390, boxes
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the calendar scrolls sideways ({locale}, {view[0]}): {width}px"
        if locale == "en-US":
            await page.get_by_role("button", name="Week", exact=True).click()
            await page.screenshot(path=str(SCREENSHOTS / "calendar-header-390.png"))
