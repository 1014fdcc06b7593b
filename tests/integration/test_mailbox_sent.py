"""The Sent folder (brief J) against Dovecot and Postgres: mail a member sends from their own client
(a client APPENDs its copy to Sent) is filed as outgoing under the contacts it went to — once, after
any number of syncs; never a second copy of mail Tandem sent itself (same Message-ID); its own
cursor, renumbered by a new UIDVALIDITY, forgotten by a re-sync; and the timelines it lands on are
announced to the live feed."""

from __future__ import annotations

from datetime import datetime, timezone
from uuid import uuid4

import pytest

from server.domain.mailboxes import Direction, Email, Filing, NewEmail, Visibility
from server.services.ports.mailbox_folders import SENT
from server.services.timeline_feed import FEED
from tests.integration.test_mailbox_sync import dovecot, filed, mailbox, message, pool, setting  # noqa: F401

pytestmark = pytest.mark.timeout(120)


async def test_a_mail_appended_to_sent_is_filed_once_as_outgoing_after_two_syncs(pool, dovecot):
    s = await setting(pool, dovecot)
    await dovecot.create(s.user, s.password, "Gesendet")  # SPECIAL-USE \Sent in the test server's config
    await dovecot.create(s.user, s.password, "Sent")  # a decoy by name: the marked one wins
    await dovecot.append(s.user, s.password, message(s.user, "Ann Client <ann@client.test>", "Our offer",
                                                     "own-client@mail.test"), folder="Gesendet")
    first = await s.sync.sync(s.box)
    second = await s.sync.sync(s.box)
    assert (first.filed, first.read) == (1, 1) and (second.filed, second.read) == (0, 0)
    [row] = await filed(pool, s.workspace)
    assert (row["message_id"], row["direction"], row["subject"], row["imap_uid"]) == (
        "own-client@mail.test", "out", "Our offer", 1)
    links = await pool.fetch("SELECT contact_id, organisation_id, card_id FROM email_links WHERE email_id = $1",
                             row["id"])
    assert {tuple(r) for r in links} == {(s.ann, None, None), (None, s.acme, None), (None, None, s.deal)}
    async with s.begin() as tx:
        cursor = await tx.mailbox_folders.get(s.box, SENT)
        jobs = await tx.jobs.waiting(FEED)
    assert (cursor.name, cursor.last_uid, cursor.imported) == ("Gesendet", 1, 1)
    assert (await mailbox(s)).imported == 1  # counted with the mailbox's filed mail
    assert [sorted(j.payload["keys"]) for j in jobs] == [sorted([
        f"timeline:contact:{s.ann}", f"timeline:organisation:{s.acme}", f"timeline:deal:{s.deal}"])]


async def test_mail_tandem_sent_is_not_filed_again_from_sent(pool, dovecot):
    s = await setting(pool, dovecot)
    sent = Email("tandem-sent@mail.test", "tandem-sent@mail.test", None, [], s.user, "Me", ["ann@client.test"], [],
                 "Sent from Tandem", datetime.now(timezone.utc), "Hi", "Hi", "<p>Hi</p>")
    async with s.begin() as tx:
        assert await tx.email_messages.file(NewEmail(s.workspace, s.box, s.owner, Direction.OUT, Visibility.EVERYTHING,
                                                     sent), Filing(contacts=[s.ann])) is not None
    await dovecot.create(s.user, s.password, "Gesendet")
    await dovecot.append(s.user, s.password,  # the SMTP server's copy in Sent, and one written in the member's client
                         message(s.user, "ann@client.test", "Sent from Tandem", "tandem-sent@mail.test"),
                         message(s.user, "ann@client.test", "From my phone", "phone@mail.test"), folder="Gesendet")
    report = await s.sync.sync(s.box)
    assert (report.filed, report.read) == (1, 2)
    assert sorted(r["message_id"] for r in await filed(pool, s.workspace)) == ["phone@mail.test",
                                                                               "tandem-sent@mail.test"]


async def test_a_common_name_is_used_without_special_use_and_no_sent_folder_is_no_error(pool, dovecot):
    s = await setting(pool, dovecot)
    assert (await s.sync.sync(s.box)).filed == 0  # no Sent folder at all: INBOX syncs, nothing fails
    assert (await mailbox(s)).last_error is None
    await dovecot.create(s.user, s.password, "Gesendete Elemente")
    await dovecot.append(s.user, s.password, message(s.user, "ann@client.test", "Angebot", "de@mail.test"),
                         folder="Gesendete Elemente")
    assert (await s.sync.sync(s.box)).filed == 1
    async with s.begin() as tx:
        assert (await tx.mailbox_folders.get(s.box, SENT)).name == "Gesendete Elemente"


async def test_a_new_uidvalidity_on_sent_reads_it_again_and_files_nothing_twice(pool, dovecot):
    s = await setting(pool, dovecot)
    await dovecot.create(s.user, s.password, "Gesendet")
    await dovecot.append(s.user, s.password, *(message(s.user, "ann@client.test", f"Out {i}", f"out{i}@mail.test")
                                               for i in range(3)), folder="Gesendet")
    assert (await s.sync.sync(s.box)).filed == 3
    dovecot.renumber(s.user, 777, folder="Gesendet")
    await dovecot.append(s.user, s.password, message(s.user, "ann@client.test", "Out 3", "out3@mail.test"),
                         folder="Gesendet")
    report = await s.sync.sync(s.box)
    assert (report.filed, report.read) == (1, 4)  # read from UID 1 again under the new value, deduped
    assert len(await filed(pool, s.workspace)) == 4
    async with s.begin() as tx:
        cursor = await tx.mailbox_folders.get(s.box, SENT)
        await tx.mailbox_sync.restart(s.box, None)
        await tx.mailbox_folders.restart(s.box)  # what Re-sync does (services/mailboxes.py)
    assert (cursor.uidvalidity, cursor.last_uid, cursor.imported) == (777, 4, 4)
    assert await s.sync.sync(s.box) == (0, 4)  # a re-sync reads Sent again too, and files nothing twice


async def test_mail_in_sent_to_no_contact_is_not_kept_and_sent_mail_stops_no_sequence(pool, dovecot):
    s = await setting(pool, dovecot)
    seen: list[int] = []

    async def hook(tx, box, raws):
        seen.append(len(raws))

    s.sync._on_mail = hook  # the sequences' reply check is for INBOX: one's own reply is no reply
    await dovecot.create(s.user, s.password, "Gesendet")
    await dovecot.append(s.user, s.password, message(s.user, "friend@private.test", "Dinner", "dinner@mail.test"),
                         message(s.user, "ann@client.test", "Re: offer", "re@mail.test", in_reply_to=str(uuid4())),
                         folder="Gesendet")
    report = await s.sync.sync(s.box)
    assert (report.filed, report.read) == (1, 2) and seen == []
