"""Settings › Webhooks in Chromium (issue 16 item 5): an admin adds a webhook (URL and events as
checkboxes), sees the signing secret once, a contact made over the API is delivered to a real
receiver on 127.0.0.1 (failing once first), the delivery log shows both attempts, and the admin
disables and deletes it; the screen in German; members see no webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from cryptography.fernet import Fernet

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.support.accounts import AUTH
from tests.support.receiver import Receiver
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually


@pytest.fixture
async def web_server(database_url: str) -> AsyncIterator[InProcessServer]:
    """The e2e server with a worker running the deliveries, and receivers on loopback allowed."""
    settings = settings_for(database_url, room_grace_seconds=0.5, **AUTH, worker="on",
                            secret_key=Fernet.generate_key().decode(), webhooks_allow_private=True,
                            webhook_retry_seconds=0.2, webhook_retry_max_seconds=0.5, housekeeping_cron="")
    async with in_process_server(settings) as running:
        yield running


async def test_an_admin_adds_a_webhook_sees_its_secret_once_and_reads_its_delivery_log(web_server, open_page):
    t = await crew(web_server.http_url)
    path = f"/api/workspaces/{t.workspace}/webhooks"
    async with Receiver(fail_first=1) as receiver:
        page = await open_page(t.owner, f"/w/{t.workspace}/settings/webhooks")
        await page.get_by_text("No webhooks yet").wait_for()
        await page.get_by_label("Receiver URL").fill(receiver.url)
        await page.get_by_role("checkbox", name="contact.created").check()
        await page.get_by_role("checkbox", name="deal.stage_changed").check()
        await page.get_by_role("button", name="Add webhook").click()
        secret = await page.get_by_test_id("webhook-secret-value").text_content()
        assert secret and secret.startswith("whsec_")
        row = page.get_by_test_id("webhook-row")
        await row.get_by_test_id("webhook-state").filter(has_text="Enabled").wait_for()
        [hook] = await api(web_server.http_url, t.owner, "GET", path)
        assert hook["events"] == ["deal.stage_changed", "contact.created"] and "secret" not in hook

        await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/contacts",
                  json={"first_name": "Grace", "last_name": "Hopper"})

        async def delivered() -> bool:
            log = await api(web_server.http_url, t.owner, "GET", f"{path}/{hook['id']}/deliveries")
            return any(a["delivered"] for a in log)

        await eventually(delivered, timeout=30, what="the delivery")
        await row.get_by_role("button", name="Delivery log").click()
        attempts = page.get_by_test_id("webhook-attempt")
        await attempts.nth(1).wait_for()
        assert await attempts.nth(0).get_attribute("data-delivered") == "yes"
        assert await attempts.nth(1).get_attribute("data-delivered") == "no"
        await page.get_by_test_id("webhook-deliveries").get_by_text("Delivered").wait_for()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "webhooks.png"), full_page=True)

        await page.get_by_role("button", name="Done").click()
        assert await page.get_by_test_id("webhook-secret").count() == 0, "the secret is shown once"
        await row.get_by_role("button", name="Disable").click()
        await row.get_by_test_id("webhook-state").filter(has_text="Disabled").wait_for()

        german = await open_page(t.owner, f"/w/{t.workspace}/settings/webhooks", locale="de-DE")
        await german.get_by_role("button", name="Zustellprotokoll").wait_for()
        await german.get_by_test_id("webhook-state").filter(has_text="Deaktiviert").wait_for()
        await german.get_by_role("heading", name="Webhook hinzufügen").wait_for()

        member = await open_page(t.member, f"/w/{t.workspace}/settings/webhooks")
        await member.get_by_text("Only owners and admins manage webhooks.").wait_for()

        page.once("dialog", lambda dialog: dialog.accept())
        await row.get_by_role("button", name="Delete").click()
        await page.get_by_text("No webhooks yet").wait_for()
        assert await api(web_server.http_url, t.owner, "GET", path) == []
