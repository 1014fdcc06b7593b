"""Booking links, part three (docs/booking.md) on a real Postgres: a personal link beside any number
of team links (listed, made, changed and deleted through the API), a team link offering each member
in their own working hours, the host's bell ringing for a booking request (confirmed or declined
from there), and migration 0044 keeping an existing team link a team link.

Each test speaks from loopback addresses of its own (127.0.2.x), as the throttle counts per address.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest

from server.storage.booking import PostgresBookingLinks
from server.storage.migrations import MIGRATIONS, migrate
from tests.integration.test_booking_flow import BERLIN, EVERY_DAY, book, day_after_tomorrow_at, offered, slug_of
from tests.support.accounts import AUTH, team
from tests.support.crm import call, ok
from tests.support.servers import InProcessServer, in_process_server, settings_for

MORNINGS = [[["09:00", "12:00"]]] * 7
AFTERNOONS = [[["13:00", "17:00"]]] * 7


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, **AUTH)) as running:
        yield running


def body(board: str, slug: str, **changes) -> dict:
    return {"board": board, "slug": slug, "time_zone": "Europe/Berlin", "durations": [30, 60], "min_notice": 0,
            "window_days": 30, "hours": EVERY_DAY, **changes}


async def a_team(server: InProcessServer, t, members: list[str]) -> str:
    made = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/teams",
                    json={"name": f"Sales {uuid4().hex[:6]}", "members": members})
    return made["id"]


async def test_one_user_keeps_a_personal_link_beside_a_team_link_each_booked_at_its_own_slug(server):
    t = await team(server.http_url)
    mine, shared = slug_of("anna"), slug_of("sales")
    crew = await a_team(server, t, [t.owner.id, t.member.id])
    personal = (await ok(server, t.owner, "PUT", "/api/me/booking", json=body(t.board["id"], mine)))["settings"]
    made = await ok(server, t.owner, "POST", "/api/me/booking/links",
                    json=body(t.board["id"], shared, team=crew, title="Sales demo", approval=True))
    assert made["team"] == crew and made["title"] == "Sales demo" and made["id"] != personal["id"]

    listed = await ok(server, t.owner, "GET", "/api/me/booking/links")
    assert [(s["slug"], s["team"]) for s in listed["links"]] == [(mine, None), (shared, crew)], "personal first"
    again = await call(server, t.owner, "POST", "/api/me/booking/links", json=body(t.board["id"], slug_of("two")))
    assert again.status_code == 409 and "personal link" in again.text, "one personal link per user"
    assert (await call(server, t.owner, "PUT", "/api/me/booking",
                       json=body(t.board["id"], mine, team=crew))).status_code == 422, "PUT /api/me/booking: personal"

    at = day_after_tomorrow_at(10)
    assert (await book(server, "127.0.2.10", mine, at, "Per Sonal")).json()["status"] == "confirmed"
    asked = await book(server, "127.0.2.11", shared, at, "Tea Mlink")
    assert asked.status_code == 201 and asked.json()["status"] == "requested", asked.text
    assert asked.json()["host_name"] == "Mia Member", "the owner is booked at 10 through their own link"
    assert (await ok(server, None, "GET", f"/api/booking/{shared}"))["title"] == "Sales demo"

    changed = await ok(server, t.owner, "PUT", f"/api/me/booking/links/{made['id']}",
                       json=body(t.board["id"], shared, team=crew, title="Demos", approval=False))
    assert (changed["id"], changed["title"], changed["approval"]) == (made["id"], "Demos", False)
    path = f"/api/me/booking/links/{made['id']}"
    assert (await call(server, t.member, "PUT", path, json=body(t.board["id"], shared))).status_code == 404
    assert (await call(server, t.member, "DELETE", path)).status_code == 404, "only its owner deletes it"
    assert (await call(server, t.owner, "DELETE", path)).status_code == 204
    assert [s["slug"] for s in (await ok(server, t.owner, "GET", "/api/me/booking"))["links"]] == [mine]
    assert (await call(server, None, "GET", f"/api/booking/{shared}")).status_code == 404
    requests = await ok(server, t.member, "GET", "/api/me/booking/requests")
    assert [r["guest_name"] for r in requests] == ["Tea Mlink"], "a deleted link's bookings stay"


async def test_a_team_link_offers_each_member_in_their_own_hours_and_a_slot_only_one_can_take_goes_to_them(server):
    t = await team(server.http_url)
    shared = slug_of("hours")
    await ok(server, t.owner, "PUT", "/api/me/booking", json=body(t.board["id"], slug_of("own"), hours=MORNINGS))
    await ok(server, t.member, "PUT", "/api/me/booking",
             json=body(t.board["id"], slug_of("mia"), hours=AFTERNOONS, time_zone="Europe/London"))
    crew = await a_team(server, t, [t.owner.id, t.member.id])
    await ok(server, t.owner, "POST", "/api/me/booking/links", json=body(t.board["id"], shared, team=crew))
    morning, berlin_afternoon, late = day_after_tomorrow_at(10), day_after_tomorrow_at(14), day_after_tomorrow_at(17, 30)
    shown = await offered(server, "127.0.2.20", shared, morning - timedelta(hours=2), late + timedelta(hours=2))
    assert morning in shown and berlin_afternoon in shown and late in shown, "13-17 London is 14-18 Berlin"
    assert day_after_tomorrow_at(12, 30) not in shown, "12:30 Berlin is nobody's working time"
    assert day_after_tomorrow_at(19) not in shown, "the link's own 09-17 is no member's hours"

    first = await book(server, "127.0.2.21", shared, morning, "Early Bird")
    assert first.status_code == 201 and first.json()["host_name"] == "Owner", first.text
    assert (await book(server, "127.0.2.22", shared, morning, "Second Early")).status_code == 409, \
        "Mia does not work at 10 Berlin"
    for i, at in enumerate((late, berlin_afternoon)):
        made = await book(server, f"127.0.2.{23 + i}", shared, at, f"Late{i} Owl")
        assert made.status_code == 201 and made.json()["host_name"] == "Mia Member", made.text


async def test_a_member_without_booking_settings_is_offered_in_the_team_links_hours(server):
    t = await team(server.http_url)
    shared = slug_of("nohours")
    await ok(server, t.owner, "PUT", "/api/me/booking", json=body(t.board["id"], slug_of("own"), hours=MORNINGS))
    crew = await a_team(server, t, [t.owner.id, t.member.id])
    await ok(server, t.owner, "POST", "/api/me/booking/links", json=body(t.board["id"], shared, team=crew))
    at = day_after_tomorrow_at(15)
    assert at in await offered(server, "127.0.2.30", shared, at, at + timedelta(hours=1))
    made = await book(server, "127.0.2.31", shared, at, "Pat Afternoon")
    assert made.status_code == 201 and made.json()["host_name"] == "Mia Member", made.text


async def test_a_booking_request_rings_the_hosts_bell_which_confirms_or_declines_it(server):
    t = await team(server.http_url)
    slug = slug_of("bell")
    await ok(server, t.owner, "PUT", "/api/me/booking", json=body(t.board["id"], slug, approval=True))
    first, second, third = day_after_tomorrow_at(10), day_after_tomorrow_at(12), day_after_tomorrow_at(14)
    for i, (at, name) in enumerate(((first, "Ann Bell"), (second, "Dan Bell"), (third, "Cy Cancel"))):
        assert (await book(server, f"127.0.2.{40 + i}", slug, at, name)).json()["status"] == "requested"

    bell = await ok(server, t.owner, "GET", "/api/me/notifications")
    rung = {n["message"].split(",")[0]: n for n in bell["notifications"] if n["kind"] == "booking_request"}
    assert set(rung) == {"Ann Bell", "Dan Bell", "Cy Cancel"} and bell["unread"] >= 3
    requests = {r["guest_name"]: r["id"] for r in await ok(server, t.owner, "GET", "/api/me/booking/requests")}
    assert {name: n["id"] for name, n in rung.items()} == requests, "a bell entry names its request by id"
    assert rung["Ann Bell"]["message"] == f"Ann Bell, {first.astimezone(BERLIN):%Y-%m-%d %H:%M} (Europe/Berlin)"
    assert not [n for n in (await ok(server, t.member, "GET", "/api/me/notifications"))["notifications"]
                if n["kind"] == "booking_request"], "only the host's bell rings"

    await ok(server, t.owner, "POST", f"/api/me/booking/requests/{rung['Ann Bell']['id']}/confirm")
    await ok(server, t.owner, "POST", f"/api/me/booking/requests/{rung['Dan Bell']['id']}/decline")
    after = {n["id"]: n for n in (await ok(server, t.owner, "GET", "/api/me/notifications"))["notifications"]}
    assert after[rung["Ann Bell"]["id"]]["read_at"] and after[rung["Dan Bell"]["id"]]["read_at"], \
        "an answered request's bell entry is read"
    assert after[rung["Cy Cancel"]["id"]]["read_at"] is None
    assert [r["guest_name"] for r in await ok(server, t.owner, "GET", "/api/me/booking/requests")] == ["Cy Cancel"]


async def test_a_cancelled_request_leaves_nothing_to_answer_in_the_bell(server):
    t = await team(server.http_url)
    slug = slug_of("bellx")
    await ok(server, t.owner, "PUT", "/api/me/booking", json=body(t.board["id"], slug, approval=True))
    made = await book(server, "127.0.2.50", slug, day_after_tomorrow_at(11), "Kim Cancel")
    token = made.json()["manage"]
    assert (await call(server, None, "DELETE", f"/api/booking-manage/{token}")).status_code == 204
    bell = (await ok(server, t.owner, "GET", "/api/me/notifications"))["notifications"]
    [rung] = [n for n in bell if n["kind"] == "booking_request"]
    assert rung["id"] == token.partition(".")[0] and rung["read_at"] is not None


async def test_migration_0044_keeps_a_team_link_a_team_link_and_ties_its_bookings_to_it(own_database_url, tmp_path):
    before = tmp_path / "before"
    before.mkdir()
    for path in sorted(Path(MIGRATIONS).glob("*.sql")):
        if path.name < "0044":
            shutil.copy(path, before / path.name)
    pool = await asyncpg.create_pool(own_database_url, min_size=1, max_size=2)
    try:
        await migrate(pool, before)
        owner, mia, workspace, board, crew, held = (uuid4() for _ in range(6))
        hours = json.dumps([[[540, 1020]]] * 7)
        async with pool.acquire() as conn:
            for user, name in ((owner, "Olga"), (mia, "Mia")):
                await conn.execute("INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, 'x')",
                                   user, f"{name.lower()}-{user.hex[:6]}@example.com", name)
            await conn.execute("INSERT INTO workspaces (id, name) VALUES ($1, 'Acme')", workspace)
            await conn.execute("INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, 'owner'), "
                               "($1, $3, 'member')", workspace, owner, mia)
            await conn.execute("INSERT INTO boards (id, workspace_id, name, kind) VALUES ($1, $2, 'Deals', 'pipeline')",
                               board, workspace)
            await conn.execute("INSERT INTO teams (id, workspace_id, name) VALUES ($1, $2, 'Sales')", crew, workspace)
            await conn.execute("INSERT INTO team_members (team_id, user_id, position) VALUES ($1, $2, 0), ($1, $3, 1)",
                               crew, owner, mia)
            await conn.execute(
                "INSERT INTO booking_links (user_id, workspace_id, board_id, slug, time_zone, durations, hours, "
                "team_id, approval) VALUES ($1, $2, $3, 'old-team', 'Europe/Berlin', '{30}', $4, $5, true)",
                owner, workspace, board, hours, crew)
            at = datetime(2031, 3, 3, 9, tzinfo=timezone.utc)
            await conn.execute(
                "INSERT INTO bookings (id, host_id, starts_at, ends_at, held_from, held_until, guest_name, "
                "guest_email, link_user, status) VALUES ($1, $2, $3, $4, $3, $4, 'Bo', 'bo@example.com', $5, "
                "'requested')", held, mia, at, at + timedelta(minutes=30), owner)

        assert await migrate(pool) == [p.name for p in sorted(Path(MIGRATIONS).glob("*.sql")) if p.name >= "0044"]

        async with pool.acquire() as conn:
            links = PostgresBookingLinks(conn)
            [kept] = await links.links_of(owner)
            assert (kept.slug, kept.team, kept.approval, kept.title, kept.durations) == \
                   ("old-team", crew, True, "", (30,))
            assert kept.hours[0] == ((540, 1020),) and await links.by_slug("old-team") == kept
            assert await links.of_user(owner) is None, "a team link is no personal link"
            found, _ = await links.get(held)
            assert (found.link_id, found.link_user, found.host) == (kept.id, owner, mia)
            assert set(await links.tally(kept.id)) == {mia}
            personal = kept._replace(id=uuid4(), slug="olga-own", team=None, approval=False)
            assert await links.put(personal), "a personal link beside it"
            assert [s.slug for s in await links.links_of(owner)] == ["olga-own", "old-team"]
    finally:
        await pool.close()
