"""Forgot your password, end to end through a real SMTP relay (aiosmtpd) and the in-process worker
(docs/accounts.md "Password reset"): the mail speaks the account's language and links to the app's
``/reset/<token>`` page on TANDEM_PUBLIC_URL; the token works once, within its time, and a reset
ends every session of the account. Requests are throttled per account and per address (429 with
Retry-After), and the answer is the same whether the account exists or not."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator
from email.message import EmailMessage
from uuid import UUID

import httpx
import pytest

from tests.support.accounts import AUTH, PASSWORD, sign_up, unique_email
from tests.support.crm import ok
from tests.support.servers import ROOT, InProcessServer, in_process_server, settings_for
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(120)

PUBLIC = "https://crm.tandem.test"
LINK = re.compile(re.escape(PUBLIC) + r"/reset/([A-Za-z0-9_-]+)")
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture(scope="module")
async def sink() -> AsyncIterator[SmtpSink]:
    async with SmtpSink() as running:
        yield running


@pytest.fixture(scope="module")
async def server(module_database_url: str, sink: SmtpSink) -> AsyncIterator[InProcessServer]:
    settings = settings_for(module_database_url, **AUTH, worker="on", smtp_url=sink.url, mail_from="crm@tandem.test",
                            public_url=PUBLIC, housekeeping_cron="")
    async with in_process_server(settings) as running:
        yield running


async def post_from(server: InProcessServer, address: str, path: str, body: dict) -> httpx.Response:
    """A POST from the loopback ``address`` (the throttle counts per address)."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=server.http_url, transport=transport) as http:
        return await http.post(path, json=body)


async def ask_reset(server: InProcessServer, email: str, address: str = "127.0.0.1") -> httpx.Response:
    return await post_from(server, address, "/api/auth/password-reset", {"email": email})


async def confirm(server: InProcessServer, token: str, password: str = NEW_PASSWORD) -> httpx.Response:
    return await post_from(server, "127.0.0.1", "/api/auth/password-reset/confirm",
                           {"token": token, "password": password})


async def sign_in(server: InProcessServer, email: str, password: str) -> httpx.Response:
    return await post_from(server, "127.0.0.1", "/api/auth/login", {"email": email, "password": password})


async def reset_mails(sink: SmtpSink, to: str, count: int = 1) -> list[EmailMessage]:
    return await eventually(lambda: (found := [m for m in sink.messages if m["To"] == to])
                            and len(found) >= count and found, what=f"{count} reset mail(s) to {to}")


def link_token(mail: EmailMessage) -> str:
    """The token of the mail's link, checked to be in the text and in the HTML's one anchor."""
    text, html = (mail.get_body((kind,)).get_content() for kind in ("plain", "html"))
    (token,) = set(LINK.findall(text))
    assert f'<a href="{PUBLIC}/reset/{token}">' in html and f"\n{token}\n" in text.replace("\r\n", "\n")
    return token


async def test_the_mailed_link_resets_once_and_signs_out_everywhere(server, sink):
    account = await sign_up(server.http_url, "Vergesslich")
    await ok(server, account, "PATCH", "/api/me", json={"locale": "de"})
    asked = await ask_reset(server, account.email)
    assert asked.status_code == 202 and asked.json() == {"mail_configured": True, "valid_minutes": 60}

    (mail,) = await reset_mails(sink, account.email)
    text = mail.get_body(("plain",)).get_content()
    assert mail["Subject"] == "Ihr Tandem-Passwort zurücksetzen" and "innerhalb von 60 Minuten" in text
    assert "Neues Passwort wählen: " + PUBLIC + "/reset/" in text
    token = link_token(mail)

    async with httpx.AsyncClient(base_url=server.http_url) as http:
        second = (await sign_in(server, account.email, PASSWORD)).json()["token"]
        assert (await confirm(server, token)).status_code == 204
        for session in (account.token, second):
            assert (await http.get("/api/me", headers={"Authorization": f"Bearer {session}"})).status_code == 401
    assert (await sign_in(server, account.email, NEW_PASSWORD)).status_code == 200
    assert (await sign_in(server, account.email, PASSWORD)).status_code == 401
    again = await confirm(server, token, "yet another passphrase")
    assert again.status_code == 400 and "unknown, used or expired" in again.json()["detail"]
    events = await audit_kinds(server, account.id)
    assert {"password.reset_requested", "password.reset"} <= events


async def test_an_english_account_gets_the_english_mail(server, sink):
    account = await sign_up(server.http_url, "Forgetful")
    assert (await ask_reset(server, account.email)).status_code == 202
    (mail,) = await reset_mails(sink, account.email)
    text = mail.get_body(("plain",)).get_content()
    assert mail["Subject"] == "Reset your Tandem password" and "within 60 minutes" in text
    assert f"Choose a new password: {PUBLIC}/reset/{link_token(mail)}" in text


async def test_an_expired_token_is_refused_and_the_password_stays(server, sink):
    account = await sign_up(server.http_url, "Late")
    await ask_reset(server, account.email)
    token = link_token((await reset_mails(sink, account.email))[0])
    async with server.services.pool.acquire() as conn:
        await conn.execute("UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE user_id = $1",
                           UUID(account.id))
    refused = await confirm(server, token)
    assert refused.status_code == 400 and "expired" in refused.json()["detail"]
    assert (await sign_in(server, account.email, PASSWORD)).status_code == 200


async def test_a_newer_link_used_makes_the_older_one_useless(server, sink):
    account = await sign_up(server.http_url, "Twice")
    await ask_reset(server, account.email)
    await ask_reset(server, account.email)
    older, newer = (link_token(m) for m in await reset_mails(sink, account.email, 2))
    assert (await confirm(server, newer)).status_code == 204
    assert (await confirm(server, older, "the older link's password")).status_code == 400
    assert (await sign_in(server, account.email, NEW_PASSWORD)).status_code == 200


async def test_a_short_password_is_refused_before_the_token_is_used(server, sink):
    account = await sign_up(server.http_url, "Short")
    await ask_reset(server, account.email)
    token = link_token((await reset_mails(sink, account.email))[0])
    short = await confirm(server, token, "short")
    assert short.status_code == 400 and "expected a password of 10 to" in short.json()["detail"]
    assert (await confirm(server, token)).status_code == 204


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(server, sink):
    ghost = unique_email("ghost")
    asked = await ask_reset(server, ghost)
    assert asked.status_code == 202 and asked.json() == {"mail_configured": True, "valid_minutes": 60}
    known = await sign_up(server.http_url, "Known")
    await ask_reset(server, known.email)
    await reset_mails(sink, known.email)  # mailed after the ghost's request: the ghost's would be there by now
    assert not [m for m in sink.messages if m["To"] == ghost]


async def test_requests_for_one_account_are_throttled_with_retry_after(server, sink):
    account = await sign_up(server.http_url, "Impatient")
    answers = [await ask_reset(server, account.email, f"127.0.4.{n}") for n in range(1, 5)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    refused = answers[-1]
    assert int(refused.headers["Retry-After"]) >= 1 and "too many password reset requests" in refused.text
    await reset_mails(sink, account.email, 3)
    assert len([m for m in sink.messages if m["To"] == account.email]) == 3


async def test_requests_from_one_address_are_throttled_whatever_the_account(server):
    answers = [(await ask_reset(server, unique_email("spray"), "127.0.5.1")).status_code for _ in range(31)]
    assert answers == [202] * 30 + [429]
    assert (await ask_reset(server, unique_email("spray"), "127.0.5.2")).status_code == 202


async def reset_link_cli(database_url: str, email: str) -> tuple[int, str, str]:
    """``python -m server reset-link <email>`` as an operator of a server without mail runs it."""
    env = {**os.environ, "DATABASE_URL": database_url, "TANDEM_PUBLIC_URL": PUBLIC}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "server", "reset-link", email, cwd=ROOT,
                                                   env=env, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


async def test_an_operator_prints_a_reset_link_when_no_mail_leaves(server, module_database_url):
    account = await sign_up(server.http_url, "No Mail")
    code, out, err = await reset_link_cli(module_database_url, account.email.upper())
    assert code == 0, err
    (token,) = LINK.findall(out)
    assert "works once, for 60 minutes" in out
    assert (await confirm(server, token)).status_code == 204
    assert (await sign_in(server, account.email, NEW_PASSWORD)).status_code == 200
    code, _, err = await reset_link_cli(module_database_url, unique_email("nobody"))
    assert code == 2 and "no enabled account" in err


async def audit_kinds(server: InProcessServer, user: str) -> set[str]:
    async with server.services.pool.acquire() as conn:
        rows = await conn.fetch("SELECT event FROM audit_events WHERE subject_id = $1", UUID(user))
    return {row["event"] for row in rows}
