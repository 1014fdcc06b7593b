"""The ``mail.send`` job over the twins: which relay a message leaves through, and the text part."""

from __future__ import annotations

import uuid

import msgspec
import pytest

from server.domain.mailboxes import Endpoint, NewMailbox, Tls
from server.domain.sending import Envelope, text_of, thread_references
from server.services.sending import MailSender
from server.storage.memory.relay import MemoryRelay, MemoryRelays
from server.storage.memory.unit import MemoryDatabase, memory_begin

MAIL = Envelope(sender="mia@own.test", to=("bo@example.test",), subject="Hi", text="Hello", message_id="<a@own.test>")


class Sealer:
    def seal(self, secret: bytes) -> bytes:
        return secret[::-1]

    def unseal(self, sealed: bytes) -> bytes:
        return sealed[::-1]


async def mailbox(begin) -> uuid.UUID:
    async with begin() as unit:
        workspace = (await unit.workspaces.add("Acme")).id
        owner = (await unit.users.add("mia@example.test", "Mia", "x")).id
        made = await unit.mailboxes.connect(NewMailbox(
            workspace, owner, "mia@own.test", Endpoint("imap.own.test", 993, Tls.TLS),
            Endpoint("smtp.own.test", 465, Tls.TLS), "mia", Sealer().seal(b"app password")))
    return made.id


def payload(mailbox: uuid.UUID | None) -> dict:
    return {"envelope": msgspec.to_builtins(MAIL), "mailbox": str(mailbox) if mailbox else None}


async def test_a_mail_naming_a_mailbox_leaves_through_its_server_with_its_unsealed_password():
    begin, system, relays = memory_begin(MemoryDatabase()), MemoryRelay(), MemoryRelays()
    box = await mailbox(begin)
    await MailSender(begin, system, relays, Sealer()).send(payload(box))
    assert relays.relays[("smtp.own.test", 465, "mia")].delivered == [MAIL]
    assert relays.passwords[("smtp.own.test", 465, "mia")] == "app password" and system.delivered == []


async def test_a_disconnected_mailbox_sends_nothing_and_no_relay_is_an_error_to_retry():
    begin, system, relays = memory_begin(MemoryDatabase()), MemoryRelay(), MemoryRelays()
    await MailSender(begin, system, relays, Sealer()).send(payload(uuid.uuid4()))
    assert relays.relays == {} and system.delivered == []
    with pytest.raises(RuntimeError, match="TANDEM_SMTP_URL"):
        await MailSender(begin, None, relays, Sealer()).send(payload(None))
    await MailSender(begin, system, relays, Sealer()).send(payload(None))
    assert system.delivered == [MAIL]


def test_the_text_part_keeps_paragraphs_lines_and_link_addresses():
    assert text_of('<p>Hi <b>Bo</b> &amp; co,</p><ul><li>one</li><li>two</li></ul><p>see <a href="https://a.test/x">'
                   'this</a><br>bye</p>') == "Hi Bo & co,\n\none\ntwo\n\nsee this (https://a.test/x)\nbye\n"


def test_a_reply_references_its_parents_references_then_the_parent():
    assert thread_references("<p@x>", ("<r@x>",)) == ("<r@x>", "<p@x>")
    assert thread_references(None, ()) == ()
