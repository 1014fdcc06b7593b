"""System mail end to end (issue 17 item 1): invitations and password resets leave through the
SMTP relay of TANDEM_SMTP_URL — a real aiosmtpd on 127.0.0.1 — by ``mail.send`` jobs the in-process
worker runs, retried while the relay refuses. Without a relay the API says so (``mail_sent: false``,
``configured: false``) and nothing claims to have been mailed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.accounts import AUTH, create_workspace, sign_up, team, unique_email
from tests.support.crm import call, ok
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(120)

SENDER = "crm@tandem.test"


@pytest.fixture(scope="module")
async def sink() -> AsyncIterator[SmtpSink]:
    async with SmtpSink() as running:
        yield running


@pytest.fixture(scope="module")
async def mailing(database_url: str, sink: SmtpSink) -> AsyncIterator[InProcessServer]:
    settings = settings_for(database_url, **AUTH, worker="on", smtp_url=sink.url, mail_from=SENDER,
                            job_retry_seconds=0.1, job_retry_max_seconds=0.2, housekeeping_cron="")
    async with in_process_server(settings) as running:
        yield running


@pytest.fixture(scope="module")
async def silent(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, **AUTH, housekeeping_cron="")) as running:
        yield running


def mail_to(sink: SmtpSink, address: str) -> list:
    return [m for m in sink.messages if m["To"] == address]


def text_of(mail) -> str:
    """The text/plain part (system mail is multipart/alternative: text and HTML)."""
    return mail.get_body(("plain",)).get_content()


async def test_an_invitation_is_mailed_through_the_relay_with_its_token(mailing, sink):
    owner = await sign_up(mailing.http_url, "Owner")
    workspace = await create_workspace(mailing.http_url, owner)
    invitee = unique_email("invitee")
    made = await ok(mailing, owner, "POST", f"/api/workspaces/{workspace}/invitations", json={"email": invitee})
    assert made["mail_sent"] is True
    (mail,) = await eventually(lambda: mail_to(sink, invitee), what="the invitation in the SMTP sink")
    assert str(mail["From"]) == f"Tandem <{SENDER}>" and mail["Subject"].startswith("Owner invites you to ")
    assert made["token"] in text_of(mail) and mail["Message-ID"].endswith("@tandem.test>")
    status = await ok(mailing, owner, "GET", "/api/mail/status")
    assert status == {"configured": True, "sender": SENDER}


async def test_a_relay_refusing_for_a_while_is_retried_until_the_mail_is_sent_once(mailing, sink):
    t = await team(mailing.http_url)
    sink.refuse, refused_before = 2, sink.refused
    invitee = unique_email("retried")
    made = await ok(mailing, t.owner, "POST", f"/api/workspaces/{t.workspace}/invitations", json={"email": invitee})
    await eventually(lambda: mail_to(sink, invitee), timeout=15, what="the retried invitation")
    assert sink.refused - refused_before == 2 and len(mail_to(sink, invitee)) == 1
    assert made["token"] in text_of(mail_to(sink, invitee)[0])


async def test_a_password_reset_is_mailed_and_the_answer_says_mail_is_configured(mailing, sink):
    account = await sign_up(mailing.http_url, "Forgetful")
    response = await call(mailing, None, "POST", "/api/auth/password-reset", json={"email": account.email})
    assert response.status_code == 202 and response.json() == {"mail_configured": True, "valid_minutes": 60}
    (mail,) = await eventually(lambda: mail_to(sink, account.email), what="the reset mail")
    assert mail["Subject"] == "Reset your Tandem password"


async def test_a_board_shared_by_link_is_mailed_to_the_guest(mailing, sink):
    t = await team(mailing.http_url)
    guest = unique_email("guest")
    shared = await ok(mailing, t.owner, "POST", f"/api/boards/{t.board['id']}/shares",
                      json={"email": guest, "access": "read"})
    assert shared["mail_sent"] is True
    (mail,) = await eventually(lambda: mail_to(sink, guest), what="the guest's invitation")
    assert shared["invitation"]["link"] in text_of(mail)


async def test_without_a_relay_nothing_claims_to_be_mailed(silent):
    t = await team(silent.http_url)
    made = await ok(silent, t.owner, "POST", f"/api/workspaces/{t.workspace}/invitations",
                    json={"email": unique_email("nomail")})
    assert made["mail_sent"] is False and made["token"]
    shared = await ok(silent, t.owner, "POST", f"/api/boards/{t.board['id']}/shares",
                      json={"email": unique_email("noguest"), "access": "read"})
    assert shared["mail_sent"] is False and shared["invitation"]["link"]
    reset = await call(silent, None, "POST", "/api/auth/password-reset", json={"email": t.member.email})
    assert reset.status_code == 202 and reset.json() == {"mail_configured": False, "valid_minutes": 60}
    assert await ok(silent, t.owner, "GET", "/api/mail/status") == {"configured": False, "sender": None}
    assert silent.services.outbox.sent[-1].to == t.member.email  # the dev outbox still records it
