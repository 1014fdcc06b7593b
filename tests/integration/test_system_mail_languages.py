"""System mail in each recipient's language, with the link to what it is about (docs/email.md
"System mail"): a German user's notification, digest, invitation and password reset arrive in German,
an English user's in English — through a real SMTP relay (aiosmtpd) and the in-process worker, as
multipart/alternative with the absolute link on TANDEM_PUBLIC_URL in both parts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import httpx
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
BERLIN = ZoneInfo("Europe/Berlin")


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
    """The one mail to ``to`` whose subject starts with ``subject`` (a team's members got their invitation).
    A long ASCII subject arrives folded onto its own line, hence the strip."""
    try:
        found = await eventually(lambda: [m for m in sink.messages if m["To"] == to
                                          and m["Subject"].strip().startswith(subject)], what=what)
    except TimeoutError:
        raise AssertionError(f"{what}: to {to} only {[m['Subject'] for m in sink.messages if m['To'] == to]}")
    assert len(found) == 1, [m["Subject"] for m in found]
    return found[0]


async def unread(server: InProcessServer, who: Account) -> list:
    return (await ok(server, who, "GET", "/api/me/notifications"))["notifications"]


def parts(mail: EmailMessage) -> tuple[str, str]:
    """The text and the HTML of a system mail: multipart/alternative (in multipart/mixed with an .ics)."""
    assert mail.get_content_type() in ("multipart/alternative", "multipart/mixed")
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
    asked = await call(server, None, "POST", "/api/auth/password-reset", json={"email": account.email})
    assert asked.status_code == 202
    text, html = parts(mail := await mailed(sink, account.email, "the German reset"))
    assert mail["Subject"] == "Ihr Tandem-Passwort zurücksetzen" and "Minuten" in text and "<script" not in html


def day_after_tomorrow_at(hour: int) -> datetime:
    day = (datetime.now(BERLIN) + timedelta(days=2)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN).astimezone(timezone.utc)


async def book(server: InProcessServer, slug: str, at: datetime, name: str, email: str, address: str,
               **extra: Any) -> httpx.Response:
    """A guest books from their own loopback address (the throttle counts per address)."""
    headers = extra.pop("headers", {})
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=server.http_url, transport=transport, headers=headers) as browser:
        return await browser.post(f"/api/booking/{slug}", json={
            "start": at.isoformat(), "duration": 30, "name": name, "email": email, **extra})


async def test_a_guest_hears_in_the_pages_language_and_the_host_in_theirs(server, sink):
    t = await team(server.http_url)
    await speaks(server, t.owner, "de")
    slug = f"sprache-{unique_email('x').split('@')[0][-8:]}"
    await ok(server, t.owner, "PUT", "/api/me/booking", json={
        "board": t.board["id"], "slug": slug, "time_zone": "Europe/Berlin", "durations": [30], "min_notice": 0,
        "window_days": 30, "hours": [[["09:00", "17:00"]]] * 7, "approval": True})
    jana, eve = unique_email("jana"), unique_email("eve")
    wrong = await book(server, slug, day_after_tomorrow_at(9), "Fran", unique_email("fran"), "127.0.2.1", locale="fr")
    assert wrong.status_code == 422 and "locale: expected 'en' or 'de'" in wrong.text
    asked = await book(server, slug, day_after_tomorrow_at(10), "Jana Gast", jana, "127.0.2.2", locale="de")
    assert asked.status_code == 201, asked.text
    manage = asked.json()["manage"]
    text, html = parts(mail := await mailed(sink, jana, "the German request", "Angefragt:"))
    assert mail["Subject"].startswith("Angefragt: Jana Gast · Owner, ") and mail["Subject"].endswith("(Europe/Berlin)")
    assert "für 30 Minuten" in text and f"Absagen oder verschieben: {PUBLIC}/booking/" in text
    assert f'<a href="{PUBLIC}/booking/' in html and manage.rsplit("/", 1)[-1] in text
    host = await mailed(sink, t.owner.email, "the host's German request", "Terminanfrage: Jana Gast")
    request = (await ok(server, t.owner, "GET", "/api/me/booking/requests"))[0]["id"]
    assert f"Bestätigen oder ablehnen: {PUBLIC}/w/{t.workspace}/settings/booking?request={request}\n" in parts(host)[0]

    english = await book(server, slug, day_after_tomorrow_at(11), "Eve Guest", eve, "127.0.2.3",
                         headers={"Accept-Language": "en-GB,en;q=0.9,de;q=0.5"})
    assert english.status_code == 201, english.text
    text, _ = parts(await mailed(sink, eve, "the English request", "Requested:"))
    assert "for 30 minutes" in text and "Cancel or reschedule: " in text

    requests = {r["guest_name"]: r["id"] for r in await ok(server, t.owner, "GET", "/api/me/booking/requests")}
    await ok(server, t.owner, "POST", f"/api/me/booking/requests/{requests['Jana Gast']}/decline")
    await ok(server, t.owner, "POST", f"/api/me/booking/requests/{requests['Eve Guest']}/confirm")
    text, html = parts(await mailed(sink, jana, "the German decline", "Abgesagt:"))
    assert "Owner kann am " in text and f'<a href="{PUBLIC}/book/{slug}">Andere Zeit buchen</a>' in html
    booked = await mailed(sink, eve, "the English confirmation", "Booked: Eve Guest · Owner")
    assert "The attached invite.ics adds it to a calendar." in parts(booked)[0]
    assert [p.get_filename() for p in booked.iter_attachments()] == ["invite.ics"]
    host = await mailed(sink, t.owner.email, "the host's German confirmation", "Neue Buchung: Eve Guest")
    assert f"Kalender öffnen: {PUBLIC}/w/{t.workspace}/calendar\n" in parts(host)[0]
