"""Connected mailboxes over the memory twins, with the mail servers faked: what connecting checks
and refuses (in words), who may see and change a mailbox, the first sync queued with it, and what
another member sees of the mail it files on a contact's timeline."""

from __future__ import annotations

from datetime import datetime, timezone
from uuid import UUID

import pytest

from server.domain.access import Forbidden, NotFound
from server.domain.accounts import Conflict, InvalidInput
from server.domain.mailboxes import Direction, Email, Endpoint, Filing, MailboxRefused, NewEmail, Tls, Visibility
from server.services.links import Links
from server.services.mail_sync import SYNC
from server.services.mailboxes import MailboxForm, Mailboxes
from server.services.ports.mailboxes import FolderState, MailServerError
from tests.unit.services.test_contacts import Crm


class Sealer:
    def seal(self, secret: bytes) -> bytes:
        return b"sealed:" + secret[::-1]

    def unseal(self, sealed: bytes) -> bytes:
        return sealed.removeprefix(b"sealed:")[::-1]


class Servers:
    """The network as a test wants it: ``refuse`` makes the IMAP sign-in fail with those words."""

    def __init__(self) -> None:
        self.refuse: str | None = None
        self.addresses = ["93.184.216.34"]  # a public address
        self.signed_in: list[tuple[str, str]] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        return self.addresses

    def imap(self, endpoint: Endpoint, username: str, password: str) -> Servers:
        self.signed_in.append(("imap", password))
        return self

    async def __aenter__(self) -> Servers:
        if self.refuse:
            raise MailServerError(self.refuse)
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def examine(self, folder: str) -> FolderState:
        return FolderState(1, 1, None, 0)

    async def check_smtp(self, endpoint: Endpoint, username: str, password: str) -> None:
        self.signed_in.append(("smtp", password))


def form(**changes) -> MailboxForm:
    values = dict(address="Mia@Example.test", imap_host="imap.example.test", imap_port=993, imap_tls=Tls.TLS,
                  smtp_host="smtp.example.test", smtp_port=465, smtp_tls=Tls.TLS, username="mia@example.test",
                  password="app password", visibility=Visibility.METADATA)
    return MailboxForm(**{**values, **changes})


@pytest.fixture
async def crm() -> Crm:
    return await Crm().start()


@pytest.fixture
def servers() -> Servers:
    return Servers()


@pytest.fixture
def boxes(crm: Crm, servers: Servers) -> Mailboxes:
    return Mailboxes(crm.begin, Sealer(), servers)


async def test_connecting_signs_in_to_both_servers_seals_the_password_and_queues_the_first_sync(crm, boxes, servers):
    box = await boxes.connect(crm.member, crm.workspace, form())
    assert (box.address, box.owner_id, box.secret) == ("mia@example.test", crm.member.id, b"sealed:drowssap ppa")
    assert servers.signed_in == [("imap", "app password"), ("smtp", "app password")]
    async with crm.begin() as unit:
        [job] = await unit.jobs.waiting(SYNC)
    assert (job.payload, job.dedupe_key) == ({"mailbox": str(box.id), "asked": True}, None)
    assert [m.id for m in await boxes.mine(crm.member, crm.workspace)] == [box.id]
    assert await boxes.mine(crm.colleague, crm.workspace) == []
    with pytest.raises(Conflict, match="address: mia@example.test is connected already"):
        await boxes.connect(crm.member, crm.workspace, form())


@pytest.mark.parametrize("changes, words", [
    ({"address": "not an address"}, "address: expected an e-mail address"),
    ({"imap_host": "imap example"}, "imap_host: expected a host name"),
    ({"smtp_port": 0}, "smtp_port: expected a port number between 1 and 65535"),
    ({"password": ""}, "password: expected 1-1000 characters"),
])
async def test_a_field_that_is_not_as_expected_is_named_and_nothing_is_stored(crm, boxes, servers, changes, words):
    with pytest.raises(InvalidInput, match=words):
        await boxes.connect(crm.member, crm.workspace, form(**changes))
    assert servers.signed_in == [] and await boxes.mine(crm.member, crm.workspace) == []


async def test_a_refusal_is_answered_in_the_servers_words_and_nothing_is_stored(crm, boxes, servers):
    servers.refuse = "IMAP: the server refused the user name or password ([AUTHENTICATIONFAILED])"
    with pytest.raises(MailboxRefused, match="refused the user name or password"):
        await boxes.connect(crm.member, crm.workspace, form())
    servers.refuse, servers.addresses = None, ["127.0.0.1"]
    with pytest.raises(MailboxRefused, match="loopback, private or reserved address"):
        await boxes.connect(crm.member, crm.workspace, form())
    servers.addresses = []
    with pytest.raises(MailboxRefused, match="imap.example.test was not found"):
        await boxes.connect(crm.member, crm.workspace, form())
    assert await boxes.mine(crm.member, crm.workspace) == []


async def test_viewers_may_not_connect_and_strangers_are_told_nothing(crm, boxes):
    with pytest.raises(Forbidden):
        await boxes.connect(crm.viewer, crm.workspace, form())
    with pytest.raises(NotFound):
        await boxes.connect(crm.stranger, crm.workspace, form())


async def test_a_mailbox_is_its_owners_alone(crm, boxes):
    box = await boxes.connect(crm.member, crm.workspace, form())
    for other in (crm.owner, crm.colleague, crm.stranger):
        for attempt in (boxes.status(other, box.id), boxes.disconnect(other, box.id),
                        boxes.set_visibility(other, box.id, Visibility.EVERYTHING), boxes.resync(other, box.id, None)):
            with pytest.raises(NotFound, match="no such mailbox"):
                await attempt
    assert (await boxes.set_visibility(crm.member, box.id, Visibility.SUBJECT)).visibility is Visibility.SUBJECT
    await boxes.disconnect(crm.member, box.id)
    with pytest.raises(NotFound):
        await boxes.status(crm.member, box.id)


async def test_others_see_of_a_filed_mail_what_its_mailbox_shares_and_the_owner_sees_it_all(crm, boxes):
    box = await boxes.connect(crm.member, crm.workspace, form())
    ada_id = await _contact(crm)
    mail = Email("m1@x.test", "m1@x.test", None, [], "ada@x.test", "Ada", ["mia@example.test"], [], "Secret plan",
                 datetime(2030, 1, 2, tzinfo=timezone.utc), "the plan is", "the plan is ...", "")
    async with crm.begin() as unit:
        filed = await unit.email_messages.file(NewEmail(crm.workspace, box.id, crm.member.id, Direction.IN,
                                                        Visibility.METADATA, mail), Filing([ada_id]))
    links = Links(crm.begin)
    [mine] = await links.contact_timeline(crm.member, ada_id, 10, 0)
    [theirs] = await links.contact_timeline(crm.colleague, ada_id, 10, 0)
    assert (mine.title, mine.email.snippet, mine.email.visibility) == ("Secret plan", "the plan is", "everything")
    assert (theirs.title, theirs.email.snippet, theirs.email.visibility) == ("", "", "metadata")
    assert theirs.email.from_address == "ada@x.test" and theirs.actor == crm.member.id
    stored, seen = await boxes.email(crm.colleague, filed)
    assert seen is Visibility.METADATA and stored.id == filed
    await boxes.set_visibility(crm.member, box.id, Visibility.SUBJECT)
    [theirs] = await links.contact_timeline(crm.colleague, ada_id, 10, 0)
    assert (theirs.title, theirs.email.snippet) == ("Secret plan", "")
    with pytest.raises(NotFound, match="no such e-mail"):
        await boxes.email(crm.stranger, filed)


async def _contact(crm: Crm) -> UUID:
    from server.domain.contacts import ContactValues, Indexed

    values = ContactValues("Ada", "Lovelace", ["ada@x.test"], [], [], None, "", None, [], {}, {})
    async with crm.begin() as unit:
        return await unit.contacts.insert(crm.workspace, Indexed(values, values.sort_name(), values.lexemes(None)),
                                          None)
