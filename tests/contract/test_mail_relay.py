"""The ``MailRelay`` contract over the memory twin and ``AioSmtpRelay`` talking to a real SMTP
server (aiosmtpd) on 127.0.0.1: what is delivered is what was given, threading headers included,
and a refusal raises (so the job is retried)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from server.domain.sending import Envelope, mime
from server.mail.smtp import AioSmtpRelay, SmtpRefused, parse_smtp_url
from server.storage.memory.relay import MemoryRelay, RelayRefused
from tests.support.smtp import SmtpSink

ENVELOPE = Envelope(sender="crm@tandem.test", sender_name="Ada via Tandem", to=("bo@example.com",),
                    cc=("cy@example.com",), subject="Grüße — offer", text="Hello Bo", html="<p>Hello <b>Bo</b></p>",
                    reply_to="ada@example.com", message_id="<m2@tandem.test>", in_reply_to="<m1@example.com>",
                    references=("<m0@example.com>", "<m1@example.com>"))


class _Smtp:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink, self.relay = sink, AioSmtpRelay(parse_smtp_url(sink.url), timeout=10)
        self.failure: type[Exception] = SmtpRefused

    def refuse_next(self) -> None:
        self.sink.refuse = 1

    def arrived(self) -> list[tuple[Any, list[str]]]:
        return list(zip(self.sink.messages, self.sink.recipients))


class _Memory:
    def __init__(self) -> None:
        self.relay = MemoryRelay()
        self.failure: type[Exception] = RelayRefused

    def refuse_next(self) -> None:
        self.relay.refuse = 1

    def arrived(self) -> list[tuple[Any, list[str]]]:
        return [(mime(e), [*e.to, *e.cc]) for e in self.relay.delivered]


@pytest.fixture(params=["memory", "smtp"])
async def relay(request) -> AsyncIterator[Any]:
    if request.param == "memory":
        yield _Memory()
        return
    async with SmtpSink() as sink:
        yield _Smtp(sink)


async def test_a_delivered_message_keeps_its_headers_recipients_and_both_bodies(relay):
    await relay.relay.deliver(ENVELOPE)
    ((message, recipients),) = relay.arrived()
    assert sorted(recipients) == ["bo@example.com", "cy@example.com"]
    assert (str(message["From"]), message["To"], message["Cc"], message["Reply-To"]) == (
        "Ada via Tandem <crm@tandem.test>", "bo@example.com", "cy@example.com", "ada@example.com")
    assert (message["Subject"], message["Message-ID"], message["In-Reply-To"], message["References"]) == (
        "Grüße — offer", "<m2@tandem.test>", "<m1@example.com>", "<m0@example.com> <m1@example.com>")
    assert message.get_body(("plain",)).get_content().strip() == "Hello Bo"
    assert message.get_body(("html",)).get_content().strip() == "<p>Hello <b>Bo</b></p>"


async def test_a_refused_message_raises_and_the_next_try_delivers(relay):
    relay.refuse_next()
    with pytest.raises(relay.failure):
        await relay.relay.deliver(ENVELOPE)
    assert relay.arrived() == []
    await relay.relay.deliver(ENVELOPE)
    assert len(relay.arrived()) == 1
