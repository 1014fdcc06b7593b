"""System mail in each recipient's language, with the link to what it is about (docs/email.md
"System mail"): a German user's notification, digest, invitation and password reset arrive in German,
an English user's in English — through a real SMTP relay (aiosmtpd) and the in-process worker, as
multipart/alternative with the absolute link on TANDEM_PUBLIC_URL in both parts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from email.message import EmailMessage

import pytest

from server.services.notify import DIGEST
from server.storage.unit import transactions
from tests.integration.test_mentions_and_follows import deal_and_note, mention
from tests.support.accounts import AUTH, Account, sign_up, team, unique_email
from tests.support.crm import call, ok, projected
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(180)

SENDER = "crm@tandem.test"
PUBLIC = "https://crm.tandem.test"


@pytest.fixture(scope="module")
async def sink() -> AsyncIterator[SmtpSink]:
    async with SmtpSink() as running:
        yield running


@pytest.fixture(scope="module")
async def server(module_database_url: str, sink: SmtpSink) -> AsyncIterator[InProcessServer]:
    settings = settings_for(module_database_url, **AUTH, worker="on", smtp_url=sink.url, mail_from=SENDER,
                            public_url=PUBLIC, housekeeping_cron="")
    async with in_process_server(settings) as running:
        yield running


async def speaks(server: InProcessServer, who: Account, locale: str) -> None:
    assert (await ok(server, who, "PATCH", "/api/me", json={"locale": locale}))["locale"] == locale


async def mailed(sink: SmtpSink, to: str, what: str, subject: str = "") -> EmailMessage:
    """The one mail to ``to`` whose subject starts with ``subject`` (a team's members got their invitation)."""
    found = await eventually(lambda: [m for m in sink.messages if m["To"] == to and m["Subject"].startswith(subject)],
                             what=what)
    assert len(found) == 1, [m["Subject"] for m in found]
    return found[0]


async def unread(server: InProcessServer, who: Account) -> list:
    return (await ok(server, who, "GET", "/api/me/notifications"))["notifications"]


def parts(mail: EmailMessage) -> tuple[str, str]:
    """The text and the HTML of a multipart/alternative system mail."""
    assert mail.get_content_type() == "multipart/alternative"
    text, html = (mail.get_body((kind,)).get_content().replace("\r\n", "\n") for kind in ("plain", "html"))
    return text, html


async def test_a_mention_by_mail_speaks_each_users_language_and_links_to_the_deal(server, sink):
    t = await team(server.http_url)
    await speaks(server, t.member, "de")
    for who in (t.member, t.viewer):
        await ok(server, who, "PUT", "/api/me/notification-settings",
                 json={"channels": {"mentioned": "email"}, "time_zone": "Europe/Berlin"})
    card, note = await deal_and_note(server, t.owner, t.board)
    await mention(server, t.owner, note["document"], t.member, t.viewer)
    await projected(server)
    deal = f"{PUBLIC}/w/{t.workspace}/boards/{t.board['id']}/deals/{card['id']}"

    german = await mailed(sink, t.member.email, "the German mention", "Tandem:")
    text, html = parts(german)
    assert german["Subject"] == f"Tandem: {t.owner.name} hat Sie erwähnt in: “Call notes”"
    assert f"In Tandem öffnen: {deal}\n" in text and "Eingegangen am " in text and "(Europe/Berlin)" in text
    assert f'<a href="{deal}">In Tandem öffnen</a>' in html

    english = await mailed(sink, t.viewer.email, "the English mention", "Tandem:")
    text, html = parts(english)
    assert english["Subject"] == f"Tandem: {t.owner.name} mentioned you in: “Call notes”"
    assert f"Open it in Tandem: {deal}\n" in text and f'<a href="{deal}">Open it in Tandem</a>' in html


async def test_a_german_users_digest_is_german_with_a_link_per_notification(server, sink):
    t = await team(server.http_url)
    await speaks(server, t.member, "de")
    await ok(server, t.member, "PUT", "/api/me/notification-settings",
             json={"channels": {}, "digest": "hourly", "time_zone": "Europe/Berlin"})
    card, note = await deal_and_note(server, t.owner, t.board)
    await mention(server, t.owner, note["document"], t.member)
    await projected(server)
    await eventually(lambda: unread(server, t.member), what="the mention")
    async with transactions(server.services.pool)() as tx:
        await tx.jobs.enqueue(DIGEST, {})

    digest = await mailed(sink, t.member.email, "the German digest", "Tandem:")
    text, html = parts(digest)
    deal = f"{PUBLIC}/w/{t.workspace}/boards/{t.board['id']}/deals/{card['id']}"
    assert digest["Subject"] == "Tandem: 1 ungelesene Benachrichtigung"
    assert text.startswith(f"Hallo {t.member.name},\n\n1 ungelesene Benachrichtigung seit Ihrer letzten")
    assert f"- {t.owner.name} hat Sie erwähnt in: “Call notes” — " in text and f"\n  {deal}\n" in text
    assert f'<li><a href="{deal}">' in html and f'<a href="{PUBLIC}/">Tandem öffnen</a>' in html


async def test_invitations_speak_the_inviters_language_and_link_to_the_invitation(server, sink):
    t = await team(server.http_url)
    await speaks(server, t.owner, "de")
    invitee, guest = unique_email("eingeladen"), unique_email("gast")
    made = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/invitations", json={"email": invitee})
    text, html = parts(mail := await mailed(sink, invitee, "the German invitation"))
    assert mail["Subject"].startswith(f"{t.owner.name} lädt Sie zu ") and "Arbeitsbereich" in text
    assert f"Einladung annehmen: {PUBLIC}/invite/{made['token']}\n" in text
    assert f'<a href="{PUBLIC}/invite/{made["token"]}">Einladung annehmen</a>' in html

    shared = await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/shares",
                      json={"email": guest, "access": "read"})
    text, _ = parts(mail := await mailed(sink, guest, "the German guest invitation"))
    assert mail["Subject"].endswith("“ mit Ihnen geteilt")
    assert f"Einladung öffnen: {PUBLIC}{shared['invitation']['link']}\n" in text

    english = unique_email("invited")
    await speaks(server, t.owner, "en")
    made = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/invitations", json={"email": english})
    text, _ = parts(mail := await mailed(sink, english, "the English invitation"))
    assert mail["Subject"].startswith(f"{t.owner.name} invites you to ")
    assert f"Accept the invitation: {PUBLIC}/invite/{made['token']}\n" in text


async def test_a_password_reset_is_in_the_accounts_language(server, sink):
    account = await sign_up(server.http_url, "Vergesslich")
    await speaks(server, account, "de")
    assert (await call(server, None, "POST", "/api/auth/password-reset", json={"email": account.email})).status_code == 202
    text, html = parts(mail := await mailed(sink, account.email, "the German reset"))
    assert mail["Subject"] == "Ihr Tandem-Passwort zurücksetzen" and "Minuten" in text and "<script" not in html
