"""The sequences API over HTTP (issue 17 item 6): who may do what, bad input answered 4xx naming the
field (never a 500), enrolling (a mailbox and unsubscribe links needed: 409 saying so), stopping
and resuming, and the public unsubscribe link — a page to confirm, a POST that unsubscribes, a
forged or altered token 404. The worker is off: nothing is sent here (tests/integration/test_sequences.py
sends against real servers)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import asyncpg
import pytest
from cryptography.fernet import Fernet

from server.domain.mailboxes import Endpoint, NewMailbox, Tls
from server.domain.sequences import unsubscribe_key, unsubscribe_token
from server.storage.mailboxes import PostgresMailboxes
from tests.support.accounts import AUTH, team
from tests.support.crm import call, ok
from tests.support.servers import InProcessServer, in_process_server, settings_for

pytestmark = pytest.mark.timeout(120)

KEY = Fernet.generate_key().decode()


@pytest.fixture(scope="module")
async def server(module_database_url: str) -> AsyncIterator[InProcessServer]:
    settings = settings_for(module_database_url, **AUTH, worker="off", secret_key=KEY,
                            public_url="https://crm.example.test")
    async with in_process_server(settings) as running:
        yield running


async def mailbox_for(database_url: str, workspace: str, user: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await PostgresMailboxes(conn).connect(NewMailbox(
            UUID(workspace), UUID(user), "mia@mail.test", Endpoint("imap.mail.test", 993, Tls.TLS),
            Endpoint("smtp.mail.test", 465, Tls.TLS), "mia", b"sealed"))
    finally:
        await conn.close()


async def a_sequence(server: InProcessServer, t) -> tuple[str, dict]:
    base = f"/api/workspaces/{t.workspace}"
    templates = await ok(server, t.member, "GET", f"{base}/email-templates")
    made = await ok(server, t.member, "POST", f"{base}/sequences", json={
        "name": "Onboarding", "steps": [{"template_id": templates[0]["id"]},
                                        {"template_id": templates[1]["id"], "delay_days": 2, "delay_hours": 4}],
        "window": {"start_hour": 9, "end_hour": 17, "weekdays": [4, 0, 1], "time_zone": "Europe/Berlin"}})
    return base, made


async def test_members_keep_sequences_viewers_read_them_and_bad_input_is_named(server):
    t = await team(server.http_url)
    base, made = await a_sequence(server, t)
    assert made["window"] == {"start_hour": 9, "end_hour": 17, "weekdays": [0, 1, 4], "time_zone": "Europe/Berlin"}
    assert [s["delay_days"] for s in made["steps"]] == [0, 2]
    assert [s["id"] for s in await ok(server, t.viewer, "GET", f"{base}/sequences")] == [made["id"]]
    viewer = await call(server, t.viewer, "POST", f"{base}/sequences", json={"name": "X", "steps": made["steps"]})
    assert viewer.status_code == 403
    step = made["steps"][0]
    for body, status, named in [
        ({"name": "Onboarding", "steps": [step]}, 409, "name"),
        ({"name": "B", "steps": []}, 400, "steps"),
        ({"name": "B", "steps": [{"template_id": str(uuid4())}]}, 400, "steps[1].template_id"),
        ({"name": "B", "steps": [step], "window": {"time_zone": "Mars/Base"}}, 400, "window.time_zone"),
        ({"name": "B", "steps": [step], "window": {"start_hour": 20, "end_hour": 8}}, 400, "window"),
        ({"name": "B", "steps": [{"template_id": "not-an-id"}]}, 400, "template_id"),
        ({"name": "B"}, 400, "steps"),
    ]:
        answer = await call(server, t.member, "POST", f"{base}/sequences", json=body)
        assert answer.status_code == status and named in answer.text, (body, answer.status_code, answer.text)
    other = await team(server.http_url)
    assert (await call(server, other.member, "GET", f"/api/workspaces/{other.workspace}/sequences/{made['id']}")
            ).status_code == 404


async def test_enrolling_needs_the_callers_mailbox_and_lists_who_could_not_be_added(server, module_database_url):
    t = await team(server.http_url)
    base, made = await a_sequence(server, t)
    ann = await ok(server, t.member, "POST", f"{base}/contacts", json={"first_name": "Ann", "emails": ["Ann@Client.test"]})
    nomail = await ok(server, t.member, "POST", f"{base}/contacts", json={"first_name": "No", "last_name": "Mail"})
    path = f"{base}/sequences/{made['id']}/enrolments"
    refused = await call(server, t.member, "POST", path, json={"contact_ids": [ann["id"]]})
    assert refused.status_code == 409 and "mailbox" in refused.text
    await mailbox_for(module_database_url, t.workspace, t.member.id)
    answer = await ok(server, t.member, "POST", path, json={"contact_ids": [ann["id"], nomail["id"], str(uuid4()),
                                                                            ann["id"]]})
    (enrolled,) = answer["enrolled"]
    assert (enrolled["address"], enrolled["state"], enrolled["step"], enrolled["reason"]) == (
        "ann@client.test", "active", 0, None)
    assert sorted(s["reason"] for s in answer["skipped"]) == ["no_email", "not_found"]
    again = await ok(server, t.member, "POST", path, json={"contact_ids": [ann["id"]]})
    assert [s["reason"] for s in again["skipped"]] == ["already_enrolled"]
    assert (await call(server, t.viewer, "POST", path, json={"contact_ids": [ann["id"]]})).status_code == 403
    assert (await call(server, t.member, "POST", path, json={"contact_ids": []})).status_code == 400
    assert (await call(server, t.member, "POST", path, json={"contact_ids": [ann["id"]],
                                                              "board_id": str(uuid4())})).status_code == 400
    listed = await ok(server, t.viewer, "GET", f"{base}/enrolments?contact={ann['id']}")
    assert [e["id"] for e in listed] == [enrolled["id"]]
    assert [e["id"] for e in await ok(server, t.viewer, "GET", f"{base}/enrolments?sequence={made['id']}")] == [
        enrolled["id"]]

    cap = f"{base}/sequence-sending"
    assert await ok(server, t.member, "GET", cap) == {"mailbox": "mia@mail.test", "per_hour": None, "default": 30}
    assert await ok(server, t.member, "PUT", cap, json={"per_hour": 12}) == {
        "mailbox": "mia@mail.test", "per_hour": 12, "default": 30}
    assert (await ok(server, t.member, "GET", cap))["per_hour"] == 12
    for bad in ({"per_hour": 0}, {"per_hour": 5000}, {"per_hour": "many"}, {}):
        answer = await call(server, t.member, "PUT", cap, json=bad)
        assert answer.status_code == 400 and "per_hour" in answer.text, (bad, answer.text)
    assert (await ok(server, t.owner, "GET", cap))["mailbox"] is None  # the owner has no mailbox here
    assert (await call(server, t.owner, "PUT", cap, json={"per_hour": 3})).status_code == 409

    resume = await call(server, t.member, "POST", f"{base}/enrolments/{enrolled['id']}/resume")
    assert resume.status_code == 409 and "paused" in resume.text
    stopped = await ok(server, t.member, "POST", f"{base}/enrolments/{enrolled['id']}/stop")
    assert (stopped["state"], stopped["reason"]) == ("stopped", "stopped_by_member")
    assert (await call(server, t.viewer, "POST", f"{base}/enrolments/{enrolled['id']}/stop")).status_code == 403


async def test_the_unsubscribe_link_asks_then_unsubscribes_and_a_forged_one_is_404(server, module_database_url):
    t = await team(server.http_url)
    base, made = await a_sequence(server, t)
    await mailbox_for(module_database_url, t.workspace, t.member.id)
    bo = await ok(server, t.member, "POST", f"{base}/contacts", json={"first_name": "Bo", "emails": ["bo@client.test"]})
    answer = await ok(server, t.member, "POST", f"{base}/sequences/{made['id']}/enrolments",
                      json={"contact_ids": [bo["id"]]})
    enrolment = UUID(answer["enrolled"][0]["id"])
    token = unsubscribe_token(unsubscribe_key(KEY), enrolment)
    page = await call(server, None, "GET", f"/u/{token}")
    assert page.status_code == 200 and "bo@client.test" in page.text and 'method="post"' in page.text
    listed = await ok(server, t.member, "GET", f"{base}/enrolments?contact={bo['id']}")
    assert listed[0]["state"] == "active"  # looking (or a link scanner's GET) unsubscribes nobody
    for forged in [unsubscribe_token(unsubscribe_key("another key"), enrolment), token[:-2] + "xx",
                   unsubscribe_token(unsubscribe_key(KEY), uuid4()), "nonsense"]:
        assert (await call(server, None, "POST", f"/u/{forged}")).status_code == 404
        assert (await call(server, None, "GET", f"/u/{forged}")).status_code == 404
    done = await call(server, None, "POST", f"/u/{token}", content="List-Unsubscribe=One-Click",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200 and "no more" in done.text
    listed = await ok(server, t.member, "GET", f"{base}/enrolments?contact={bo['id']}")
    assert (listed[0]["state"], listed[0]["reason"]) == ("stopped", "unsubscribed")
    again = await ok(server, t.member, "POST", f"{base}/sequences/{made['id']}/enrolments",
                     json={"contact_ids": [bo["id"]]})
    assert [s["reason"] for s in again["skipped"]] == ["unsubscribed"]


async def test_without_a_public_address_no_one_is_enrolled(module_database_url):
    settings = settings_for(module_database_url, **AUTH, worker="off", secret_key=KEY)
    async with in_process_server(settings) as bare:
        t = await team(bare.http_url)
        base, made = await a_sequence(bare, t)
        await mailbox_for(module_database_url, t.workspace, t.member.id)
        ann = await ok(bare, t.member, "POST", f"{base}/contacts", json={"first_name": "A", "emails": ["a@b.test"]})
        refused = await call(bare, t.member, "POST", f"{base}/sequences/{made['id']}/enrolments",
                             json={"contact_ids": [ann["id"]]})
        assert refused.status_code == 409 and "TANDEM_PUBLIC_URL" in refused.text


async def test_erasing_a_contact_deletes_its_enrolments(server, module_database_url):
    t = await team(server.http_url)
    base, made = await a_sequence(server, t)
    await mailbox_for(module_database_url, t.workspace, t.member.id)
    cy = await ok(server, t.member, "POST", f"{base}/contacts", json={"first_name": "Cy", "emails": ["cy@client.test"]})
    await ok(server, t.member, "POST", f"{base}/sequences/{made['id']}/enrolments", json={"contact_ids": [cy["id"]]})
    await ok(server, t.owner, "POST", f"{base}/contacts/{cy['id']}/erase")
    assert await ok(server, t.owner, "GET", f"{base}/enrolments?sequence={made['id']}") == []
    conn = await asyncpg.connect(module_database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM sequence_enrolments WHERE address = 'cy@client.test'") == 0
    finally:
        await conn.close()


async def test_a_meeting_the_contact_books_stops_their_sequence(server, module_database_url):
    from tests.integration.test_booking import EVERY_DAY, guest, iso, tomorrow_at

    t = await team(server.http_url)
    base, made = await a_sequence(server, t)
    await mailbox_for(module_database_url, t.workspace, t.member.id)
    dee = await ok(server, t.member, "POST", f"{base}/contacts", json={"first_name": "Dee", "emails": ["dee@client.test"]})
    await ok(server, t.member, "POST", f"{base}/sequences/{made['id']}/enrolments", json={"contact_ids": [dee["id"]]})
    slug = f"mia-{uuid4().hex[:8]}"
    await ok(server, t.member, "PUT", "/api/me/booking", json={
        "board": t.board["id"], "slug": slug, "time_zone": "Europe/Berlin", "durations": [30], "min_notice": 0,
        "window_days": 30, "hours": EVERY_DAY})
    async with guest(server, "127.0.0.23") as browser:
        booked = await browser.post(f"/api/booking/{slug}", json={
            "start": iso(tomorrow_at(11)), "duration": 30, "name": "Dee Client", "email": "dee@client.test"})
        assert booked.status_code == 201, booked.text
    (enrolment,) = await ok(server, t.member, "GET", f"{base}/enrolments?contact={dee['id']}")
    assert (enrolment["state"], enrolment["reason"]) == ("stopped", "meeting_booked")
