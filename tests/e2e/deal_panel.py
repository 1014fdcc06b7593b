"""The deal panel as people use it in several tests: its address, and adding an activity there."""

from __future__ import annotations

from typing import Any

from tests.support.accounts import Team


def deal_path(t: Team, deal: str) -> str:
    """The app's address of ``deal``'s panel on the team's board."""
    return f"/w/{t.workspace}/boards/{t.board['id']}/deals/{deal}"


async def add_activity(page: Any, title: str, assign_to: str) -> Any:
    """Type ``title`` into the panel's "New activity" form, assign it, add it, and wait until it is
    listed; the form (a Playwright locator), for what the test does with it next."""
    form = page.get_by_role("form", name="New activity")
    await form.get_by_label("What needs doing").fill(title)
    await form.get_by_label("Assign to").first.select_option(label=assign_to)
    await form.get_by_role("button", name="Add").click()
    await page.get_by_test_id("activity").filter(has_text=title).wait_for()
    return form
