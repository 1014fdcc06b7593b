"""E-mail templates in Chromium (issue 17 items 1-2), on a server without TANDEM_SMTP_URL:
Settings › E-mail templates (the defaults, editing, a preview against a contact listing what is
missing), and the plain "mail is not configured" notices on it and on an invitation. English at
desktop width, German at 390 px."""

from __future__ import annotations

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import crew
from tests.e2e.mail import contact_at_globex


async def test_templates_are_edited_and_previewed_and_the_screen_says_mail_is_not_configured(web_server, open_page):
    t = await crew(web_server.http_url)
    await contact_at_globex(web_server.http_url, t)
    page = await open_page(t.member, f"/w/{t.workspace}/settings/email-templates")
    await page.get_by_test_id("mail-not-configured").wait_for()
    rows = page.get_by_test_id("template-row")
    await rows.filter(has_text="Welcome").wait_for()
    assert await rows.count() == 4
    await rows.filter(has_text="Follow-up").click()
    await page.get_by_test_id("template-subject").fill("Following up with {{ organisation.name }}")
    await page.get_by_role("button", name="Save template").click()
    await page.get_by_text("Template “Follow-up” saved.").first.wait_for()
    await page.get_by_test_id("preview-contact").select_option(label="Ada Lovelace")
    await page.get_by_test_id("preview-subject").filter(has_text="Following up with Globex").wait_for()
    missing = page.get_by_test_id("preview-missing")
    await missing.filter(has_text="deal.title").wait_for()
    assert "contact.first_name" not in (await missing.text_content() or "")
    assert "Hello Ada" in (await page.get_by_test_id("preview-body").inner_html())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "email-templates.png"), full_page=True)

    viewer = await open_page(t.viewer, f"/w/{t.workspace}/settings/email-templates")
    await viewer.get_by_test_id("template-row").first.wait_for()
    assert await viewer.get_by_role("button", name="Save template").count() == 0

    german = await open_page(t.member, f"/w/{t.workspace}/settings/email-templates", width=390, height=844,
                             locale="de-DE")
    await german.get_by_text("E-Mail-Versand ist auf diesem Server nicht eingerichtet.").wait_for()
    await german.get_by_role("heading", name="Vorschau").wait_for()
    assert await german.evaluate("document.querySelector('.email-templates__editor').scrollWidth <= 358")
    await german.screenshot(path=str(SCREENSHOTS / "email-templates-de-390.png"), full_page=True)

    members = await open_page(t.owner, f"/w/{t.workspace}/members")
    await members.get_by_label("E-mail").fill("newcomer@northwind.test")
    await members.get_by_role("button", name="Create invitation").click()
    notice = members.get_by_test_id("invite-mailed")
    await notice.filter(has_text="mail is not configured on this server").wait_for()
    assert await notice.get_attribute("data-mailed") == "no"
    await members.screenshot(path=str(SCREENSHOTS / "invite-mail-not-configured.png"))
