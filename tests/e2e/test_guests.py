"""Guests in the browser (issue 14, item 5): an admin shares a board with a partner who has no
account; the partner signs up from the link and lands on the board; a guest's shell shows only
their boards and says so; a link to anything not shared says "not shared with you". In English
at desktop width and in German on a 390 px phone."""

from __future__ import annotations

from typing import Any

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import SAMPLE_DEALS, add_deals, api, crew
from tests.support.accounts import create_board, unique_email

PASSWORD = "partner-password-2026"


async def anonymous_page(chromium, web_server, *, locale: str = "en-US", width: int = 1440, height: int = 900) -> Any:
    """A browser context signed in as nobody (a partner opening the mailed link)."""
    browser = await chromium.browser()
    context = await browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1,
                                        base_url=web_server.http_url, locale=locale, timezone_id="Europe/Berlin")
    context.set_default_timeout(8_000)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return page


async def test_a_partner_invited_by_link_signs_up_and_lands_on_the_shared_board(chromium, web_server, open_page):
    t = await crew(web_server.http_url)
    await add_deals(web_server.http_url, t.owner, t.board["document"], SAMPLE_DEALS[:4])
    hidden = await create_board(web_server.http_url, t.owner, t.workspace, "Internal hiring", "project")
    email = unique_email("gil")

    owner = await open_page(t.owner, f"/w/{t.workspace}/boards/{t.board['id']}")
    await owner.get_by_role("button", name="Share", exact=True).click()
    dialog = owner.get_by_role("dialog")
    await dialog.get_by_test_id("guest-scope").filter(
        has_text="they cannot see contacts or other boards").wait_for()
    await dialog.get_by_label("E-mail").fill(email)
    await dialog.get_by_role("button", name="Share", exact=True).click()
    link = await dialog.get_by_label(f"Invitation link for {email}").input_value()
    assert "/guest/" in link
    await dialog.get_by_test_id("pending-invitations").filter(has_text=email).wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await owner.screenshot(path=str(SCREENSHOTS / "guest-share.png"))

    guest = await anonymous_page(chromium, web_server)
    try:
        await guest.goto(link)
        card = guest.get_by_test_id("guest-invite")
        await card.get_by_role("heading", name="Olivia Park shared “Sales pipeline” with you").wait_for()
        await card.get_by_test_id("guest-scope").filter(has_text="nothing else in their workspace").wait_for()
        assert await card.get_by_label("E-mail").input_value() == email
        assert await card.get_by_label("E-mail").get_attribute("readonly") is not None
        await card.get_by_label("Your name").fill("Gil Partner")
        await card.get_by_label("Password").fill(PASSWORD)
        await guest.screenshot(path=str(SCREENSHOTS / "guest-invite.png"))
        await card.get_by_role("button", name="Create account and open the board").click()

        await guest.wait_for_url(f"**/w/{t.workspace}/boards/{t.board['id']}")
        await guest.get_by_role("heading", name="Sales pipeline", exact=True).wait_for()
        await guest.locator('[data-testid="card"]').first.wait_for()
        await guest.get_by_test_id("guest-note").filter(
            has_text="You are a guest of Northwind Sales: you see the boards shared with you.").wait_for()
        nav = guest.get_by_role("complementary", name="Workspace navigation")
        for hidden_link in ("Contacts", "Organisations", "Members", "Report", "Settings"):
            assert await nav.get_by_role("link", name=hidden_link).count() == 0, hidden_link
        assert await nav.get_by_role("link", name="Internal hiring").count() == 0
        assert await guest.get_by_role("search").count() == 0
        await guest.goto(f"/w/{t.workspace}")
        await guest.get_by_test_id("board-tile").first.wait_for()
        await guest.screenshot(path=str(SCREENSHOTS / "guest-shell.png"))

        for path in (f"/w/{t.workspace}/contacts", f"/w/{t.workspace}/boards/{hidden['id']}",
                     f"/w/{t.workspace}/organisations/{t.board['id']}", f"/w/{t.workspace}/report"):
            await guest.goto(path)
            await guest.get_by_role("heading", name="Not shared with you").wait_for()
            body = await guest.get_by_test_id("not-shared").inner_text()
            assert "no such document" not in body and "not available" not in body, body
        await guest.get_by_role("link", name="Your shared boards").click()
        await guest.get_by_test_id("board-tile").first.wait_for()

        await guest.goto(link)  # the link is used: it says so plainly
        await guest.get_by_role("heading", name="This invitation link no longer works").wait_for()
        assert guest.errors == []
    finally:
        await guest.context.close()

    await owner.reload()
    await owner.get_by_role("button", name="Share", exact=True).click()
    await owner.get_by_role("dialog").get_by_text("Gil Partner").wait_for()
    assert await owner.get_by_test_id("pending-invitations").count() == 0


async def test_german_partner_on_a_phone_signs_up_and_sees_only_their_board(chromium, web_server):
    t = await crew(web_server.http_url)
    email = unique_email("petra")
    shared = await api(web_server.http_url, t.owner, "POST", f"/api/boards/{t.board['id']}/shares",
                       json={"email": email, "access": "read"})
    guest = await anonymous_page(chromium, web_server, locale="de-DE", width=390, height=844)
    try:
        await guest.goto(shared["invitation"]["link"])
        card = guest.get_by_test_id("guest-invite")
        await card.get_by_role("heading", name="Olivia Park hat „Sales pipeline“ geteilt").wait_for()
        await card.get_by_text("Zugriff: Board ansehen.").wait_for()
        await card.get_by_label("Name", exact=True).fill("Petra Partner")
        await card.get_by_label("Passwort").fill(PASSWORD)
        await guest.screenshot(path=str(SCREENSHOTS / "guest-invite-de.png"))
        width = await guest.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways at 390 px ({width} px wide)"
        await card.get_by_role("button", name="Konto anlegen und Board öffnen").click()
        await guest.wait_for_url(f"**/w/{t.workspace}/boards/{t.board['id']}")
        await guest.get_by_role("heading", name="Sales pipeline", exact=True).wait_for()
        await guest.get_by_test_id("guest-note").filter(
            has_text="Gastzugang bei Northwind Sales: sichtbar sind nur die geteilten Boards.").wait_for()
        await guest.screenshot(path=str(SCREENSHOTS / "guest-shell-de.png"))
        await guest.goto(f"/w/{t.workspace}/contacts")
        await guest.get_by_role("heading", name="Nicht geteilt").wait_for()
        assert guest.errors == []
    finally:
        await guest.context.close()


async def test_a_cancelled_invitation_link_says_it_no_longer_works(chromium, web_server, open_page):
    t = await crew(web_server.http_url)
    email = unique_email("late")
    owner = await open_page(t.owner, f"/w/{t.workspace}/boards/{t.board['id']}")
    await owner.get_by_role("button", name="Share", exact=True).click()
    dialog = owner.get_by_role("dialog")
    await dialog.get_by_label("E-mail").fill(email)
    await dialog.get_by_role("button", name="Share", exact=True).click()
    link = await dialog.get_by_label(f"Invitation link for {email}").input_value()
    await dialog.get_by_role("button", name=f"Cancel the invitation of {email}").click()
    await owner.get_by_text("its link no longer works").wait_for()
    await dialog.get_by_test_id("pending-invitations").wait_for(state="detached")
    guest = await anonymous_page(chromium, web_server)
    try:
        await guest.goto(link)
        await guest.get_by_role("heading", name="This invitation link no longer works").wait_for()
    finally:
        await guest.context.close()
