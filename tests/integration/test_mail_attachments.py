"""Mail attachments from record files (docs/files.md) end to end: real Postgres, the in-process
worker, the data-folder file store, and aiosmtpd on 127.0.0.1 as the relay. The message that
arrives carries each file as a MIME attachment with its bytes intact; the total is capped; a file
the sender cannot read cannot be attached."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from tests.support.accounts import AUTH, sign_up, create_workspace, team
from tests.support.crm import call, ok
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(120)

SENDER = "crm@tandem.test"
CAP = 300 * 1024
PDF = b"%PDF-1.4\n" + os.urandom(150 * 1024) + b"\n%%EOF\n"


@pytest.fixture(scope="module")
async def relay() -> AsyncIterator[SmtpSink]:
    async with SmtpSink() as running:
        yield running


@pytest.fixture(scope="module")
async def server(database_url: str, relay: SmtpSink, tmp_path_factory) -> AsyncIterator[InProcessServer]:
    settings = settings_for(database_url, **AUTH, worker="on", smtp_url=relay.url, mail_from=SENDER,
                            files_url=f"file://{tmp_path_factory.mktemp('files')}", mail_attachments_max_bytes=CAP,
                            job_retry_seconds=0.1, job_retry_max_seconds=0.2, housekeeping_cron="",
                            mailbox_poll_cron="")
    async with in_process_server(settings) as running:
        yield running


async def a_contact_with_files(server, t, *files: tuple[str, bytes]) -> tuple[str, list[dict]]:
    contact = await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/contacts",
                       json={"first_name": "Ada", "emails": ["ada@globex.test"]})
    uploaded = [await ok(server, t.member, "POST", f"/api/contacts/{contact['id']}/files", params={"name": name},
                         content=data) for name, data in files]
    return contact["id"], uploaded


async def test_a_mail_carries_its_attachments_with_their_bytes_intact(server, relay):
    t = await team(server.http_url)
    notes = "Straße, Größe: 3 × 4\n".encode()
    contact, (offer, text) = await a_contact_with_files(server, t, ("Offer 2027.pdf", PDF), ("notes.txt", notes))
    await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/emails", json={
        "to": ["ada@globex.test"], "contact_id": contact, "subject": "With attachments",
        "body": "<p>See attached</p>", "attachments": [offer["id"], text["id"]]})
    (mail,) = await eventually(lambda: [m for m in relay.messages if m["Subject"] == "With attachments"],
                               what="the mail at the relay")
    attached = {part.get_filename(): part for part in mail.iter_attachments()}
    assert set(attached) == {"Offer 2027.pdf", "notes.txt"}
    assert attached["Offer 2027.pdf"].get_content_type() == "application/pdf"
    assert attached["Offer 2027.pdf"].get_payload(decode=True) == PDF
    assert attached["notes.txt"].get_payload(decode=True) == notes
    assert "See attached" in mail.get_body(("html",)).get_content()


async def test_attachments_over_the_total_cap_refuse_the_send_and_nothing_leaves(server, relay):
    t = await team(server.http_url)
    contact, files = await a_contact_with_files(server, t, ("a.pdf", PDF), ("b.pdf", PDF[::-1] + PDF[:10]))
    response = await call(server, t.member, "POST", f"/api/workspaces/{t.workspace}/emails", json={
        "to": ["ada@globex.test"], "contact_id": contact, "subject": "Too much", "body": "<p>x</p>",
        "attachments": [f["id"] for f in files]})
    assert response.status_code == 413 and "attachments" in response.json()["detail"]
    assert [m for m in relay.messages if m["Subject"] == "Too much"] == []


async def test_a_file_of_another_workspace_cannot_be_attached(server, relay):
    t = await team(server.http_url)
    stranger = await sign_up(server.http_url, "Stranger")
    elsewhere = await create_workspace(server.http_url, stranger, "Elsewhere")
    theirs = await ok(server, stranger, "POST", f"/api/workspaces/{elsewhere}/contacts",
                      json={"first_name": "Eve", "emails": ["eve@x.test"]})
    secret = await ok(server, stranger, "POST", f"/api/contacts/{theirs['id']}/files", params={"name": "s.txt"},
                      content=b"their secret")
    for who, workspace in ((t.member, t.workspace), (stranger, t.workspace)):
        response = await call(server, who, "POST", f"/api/workspaces/{workspace}/emails", json={
            "to": ["ada@globex.test"], "subject": "Steal", "body": "<p>x</p>", "attachments": [secret["id"]]})
        assert response.status_code == 404
    assert [m for m in relay.messages if m["Subject"] == "Steal"] == []
