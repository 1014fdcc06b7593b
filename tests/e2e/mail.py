"""What the e-mail screens' tests share (issue 17)."""

from __future__ import annotations

from typing import Any

from tests.e2e.data import api


async def contact_at_globex(http_url: str, t: Any, first: str = "Ada", last: str = "Lovelace") -> str:
    """A contact with an address, at the organisation Globex (made by the team's member); its id."""
    base = f"/api/workspaces/{t.workspace}"
    organisation = await api(http_url, t.member, "POST", f"{base}/organisations", json={"name": "Globex"})
    contact = await api(http_url, t.member, "POST", f"{base}/contacts", json={
        "first_name": first, "last_name": last, "emails": [f"{first.lower()}@globex.test"],
        "organisation_id": organisation["id"]})
    return contact["id"]
