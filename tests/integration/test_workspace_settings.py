"""Settings › Workspace over HTTP and real Postgres: members read the name and time zone, owners and
admins change them (403 for members, 404 for guests and strangers, 422 naming the field), the
creator's browser zone at creation, the audit event; and the weekly forecast snapshot taken at
Monday 00:00 in each workspace's own zone (Berlin and New York), once a week each.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timezone
from uuid import UUID

import asyncpg
import pytest

from server.services.forecast import take_snapshots
from server.storage.forecast import PostgresForecastReads, PostgresForecastSnapshots
from tests.support.accounts import AUTH, add_guest, sign_up, team
from tests.support.crm import call, ok
from tests.support.servers import InProcessServer, in_process_server, settings_for


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, **AUTH)) as running:
        yield running


def settings_path(workspace: str) -> str:
    return f"/api/workspaces/{workspace}/settings"


async def test_members_read_the_name_and_zone_and_the_owner_changes_both(server):
    t = await team(server.http_url)
    read = await ok(server, t.viewer, "GET", settings_path(t.workspace))
    assert read == {"id": t.workspace, "name": "Acme", "time_zone": None, "default_time_zone": "UTC"}
    changed = await ok(server, t.owner, "PATCH", settings_path(t.workspace),
                       json={"name": " Acme GmbH ", "time_zone": "Europe/Berlin"})
    assert (changed["name"], changed["time_zone"]) == ("Acme GmbH", "Europe/Berlin")
    listed = await ok(server, t.member, "GET", "/api/workspaces")
    assert [w["name"] for w in listed if w["id"] == t.workspace] == ["Acme GmbH"], "the switcher's list"
    back = await ok(server, t.owner, "PATCH", settings_path(t.workspace), json={"time_zone": None})
    assert (back["name"], back["time_zone"]) == ("Acme GmbH", None), "a field left out keeps its value"
    log = await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/audit")
    changes = [e["details"] for e in log if e["event"] == "workspace.changed"]
    assert {"name_before": "Acme", "name_after": "Acme GmbH", "time_zone_before": None,
            "time_zone_after": "Europe/Berlin"} in changes
    assert {"time_zone_before": "Europe/Berlin", "time_zone_after": None} in changes


async def test_members_may_not_change_and_guests_and_strangers_do_not_see_the_workspace(server):
    t = await team(server.http_url)
    guest = await add_guest(server.http_url, t.owner, t.board, "edit")
    stranger = await sign_up(server.http_url, "Stranger")
    refused = await call(server, t.member, "PATCH", settings_path(t.workspace), json={"name": "Mine"})
    assert refused.status_code == 403 and "admin" in refused.json()["detail"]
    for outsider in (guest, stranger):
        assert (await call(server, outsider, "GET", settings_path(t.workspace))).status_code == 404
        assert (await call(server, outsider, "PATCH", settings_path(t.workspace), json={"name": "X"})).status_code == 404
    assert (await ok(server, t.owner, "GET", settings_path(t.workspace)))["name"] == "Acme"


@pytest.mark.parametrize(("body", "field"), [
    ({"name": ""}, "name"), ({"name": "x" * 101}, "name"), ({"time_zone": "Europe/Atlantis"}, "time_zone"),
    ({"time_zone": "../etc/localtime"}, "time_zone"), ({"name": "x" * 5000}, "name"),
    ({"time_zone": "Europe/" + "x" * 300}, "time_zone"),
], ids=["empty name", "long name", "unknown zone", "a path", "a very long name", "a very long zone"])
async def test_bad_values_are_refused_with_422_naming_the_field(server, body, field):
    t = await team(server.http_url)
    refused = await call(server, t.owner, "PATCH", settings_path(t.workspace), json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == field and "expected" in refused.json()["detail"]


async def test_a_new_workspace_takes_the_zone_its_creator_sends(server):
    owner = await sign_up(server.http_url, "Greta")
    made = await ok(server, owner, "POST", "/api/workspaces", json={"name": "Vertrieb", "time_zone": "Europe/Berlin"})
    assert (await ok(server, owner, "GET", settings_path(made["id"])))["time_zone"] == "Europe/Berlin"


async def test_a_zone_the_server_does_not_know_leaves_a_new_workspace_on_the_default(server, caplog):
    """A browser's zone this server's tz database lacks must not stop onboarding: NULL, and a warning."""
    owner = await sign_up(server.http_url, "Gustav")
    made = await ok(server, owner, "POST", "/api/workspaces", json={"name": "X", "time_zone": "Mars/Olympus_Mons"})
    assert (await ok(server, owner, "GET", settings_path(made["id"])))["time_zone"] is None
    assert any("Mars/Olympus_Mons" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


async def test_the_snapshot_is_taken_after_monday_midnight_in_each_workspaces_zone(server, database_url):
    zones = {"berlin": "Europe/Berlin", "new_york": "America/New_York", "plain": None}
    owner = await sign_up(server.http_url, "Zoe")
    ids = {}
    for name, zone in zones.items():
        made = await ok(server, owner, "POST", "/api/workspaces", json={"name": name, "time_zone": zone})
        ids[name] = UUID(made["id"])
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        reads, snapshots = PostgresForecastReads(pool), PostgresForecastSnapshots(pool)

        async def weeks_at(hour: int, day: int = 1) -> dict[str, list[date]]:
            await take_snapshots(reads, snapshots, datetime(2030, 9, day, hour, 5, tzinfo=timezone.utc), "UTC")
            await take_snapshots(reads, snapshots, datetime(2030, 9, day, hour, 5, tzinfo=timezone.utc), "UTC")
            return {n: [w.week for w in await snapshots.weeks(i)] for n, i in ids.items()}

        last, this = date(2030, 8, 26), date(2030, 9, 2)
        # 2030-09-01 is a Sunday; Berlin is UTC+2 (summer time), New York UTC-4
        assert await weeks_at(21) == {"berlin": [last], "new_york": [last], "plain": [last]}
        assert await weeks_at(22) == {"berlin": [this, last], "new_york": [last], "plain": [last]}
        assert await weeks_at(0, day=2) == {"berlin": [this, last], "new_york": [last], "plain": [this, last]}
        assert await weeks_at(3, day=2) == {"berlin": [this, last], "new_york": [last], "plain": [this, last]}
        assert await weeks_at(4, day=2) == {"berlin": [this, last], "new_york": [this, last], "plain": [this, last]}
    finally:
        await pool.close()
