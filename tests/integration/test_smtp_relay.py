"""``AioSmtpRelay`` against aiosmtpd on 127.0.0.1: AUTH with the URL's credentials, and what a
wrong password or a closed port does (``SmtpRefused``, which the job queue retries)."""

from __future__ import annotations

import socket

import pytest

from server.domain.sending import Envelope
from server.mail.smtp import AioSmtpRelay, SmtpRefused, parse_smtp_url
from tests.support.smtp import SmtpSink

MAIL = Envelope(sender="crm@tandem.test", to=("bo@example.com",), subject="Hi", text="Hello",
                message_id="<a@tandem.test>")


async def test_the_urls_user_and_password_sign_in_and_a_wrong_password_is_refused():
    async with SmtpSink(credentials=("crm@tandem.test", "p@ss word")) as sink:
        good = sink.url.replace("crm@tandem.test:p@ss word@", "crm%40tandem.test:p%40ss%20word@")
        await AioSmtpRelay(parse_smtp_url(good), timeout=10).deliver(MAIL)
        assert [m["Message-ID"] for m in sink.messages] == ["<a@tandem.test>"]
        bad = good.replace("p%40ss%20word", "wrong")
        # aiosmtpd leaves a failed AUTH unanswered: the relay's timeout ends the wait, as a refusal.
        with pytest.raises(SmtpRefused, match="127.0.0.1"):
            await AioSmtpRelay(parse_smtp_url(bad), timeout=1).deliver(MAIL)
        assert len(sink.messages) == 1


async def test_a_closed_port_is_a_refusal_naming_the_server():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(SmtpRefused, match=f"127.0.0.1:{port}"):
        await AioSmtpRelay(parse_smtp_url(f"smtp://127.0.0.1:{port}?starttls=off"), timeout=5).deliver(MAIL)
