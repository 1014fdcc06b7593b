"""Mailbox sync (issue 17): IMAP import throughput and the time from a message arriving to it
showing on the contact's timeline.

    python bench/imap_import.py [--messages 10000] [--batch 100] [--latency 100] [--poll 1.0]

Starts a private Dovecot on loopback (tests/support/dovecot.py; Debian's dovecot-imapd) and uses a
throwaway database on the local Postgres (TANDEM_TEST_ADMIN_URL, as the tests do). Puts
``--messages`` messages into one mailbox with IMAP APPEND (4 connections; not timed), each from
one of 200 contacts, then times one ``MailSync.sync`` of the whole mailbox: connect, EXAMINE,
UID SEARCH, UID FETCH BODY.PEEK[] in batches, parse, file (messages/s). Then, with a poller
running a sync every ``--poll`` seconds (what the mailbox.poll schedule does, at a finer grain
than its one-minute cron), APPENDs ``--latency`` messages one at a time and measures from the
APPEND to the first read of the contact's timeline (the same query the API runs, every 10 ms)
that shows it: p50/p99 (``--idle 50``: runs that wait in IMAP IDLE instead of polling). Also the
bare cost of one sync run that finds one new message.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from server.domain.contacts import ContactValues, Indexed  # noqa: E402
from server.domain.mailboxes import Endpoint, NewMailbox, Tls, Visibility  # noqa: E402
from server.mail.imap import AioImapServers  # noqa: E402
from server.sealing import FernetSealer  # noqa: E402
from server.services.mail_sync import MailSync, SyncPolicy  # noqa: E402
from server.storage.migrations import migrate  # noqa: E402
from server.storage.unit import transactions  # noqa: E402
from tests.support.dovecot import Dovecot  # noqa: E402
from tests.support.services import create_database, drop_database  # noqa: E402

CONTACTS = 200
BODY = ("Thanks for the call today. As discussed, here is the summary of the proposal and the next steps "
        "for the rollout in your team. ") * 8  # ~1 KB, a typical business mail


def mail(i: int, to: str, sender: str, thread: int | None = None) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, to, f"Proposal {i}"
    m["Message-ID"] = f"<bench-{i}-{uuid4().hex[:8]}@client.test>"
    m["Date"] = format_datetime(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i))
    if thread is not None:
        m["References"] = f"<root-{thread}@client.test>"
    m.set_content(f"{BODY}\n-- message {i}")
    return bytes(m)


async def append_all(dovecot: Dovecot, user: str, password: str, messages: list[bytes], clients: int = 4) -> None:
    async def one(part: list[bytes]) -> None:
        imap = await dovecot.client(user, password)
        try:
            for raw in part:
                await imap.append(raw, mailbox="INBOX")
        finally:
            await imap.logout()

    await asyncio.gather(*(one(messages[k::clients]) for k in range(clients)))


def person(i: int) -> Indexed:
    values = ContactValues(f"Person{i}", "Bench", [f"p{i}@client.test"], [], [], None, "", None, [], {}, {})
    return Indexed(values, values.sort_name(), values.lexemes(None))


async def main(args: argparse.Namespace) -> None:
    dovecot = await Dovecot().start()
    url = await create_database()
    pool = await asyncpg.create_pool(url, min_size=2, max_size=8)
    try:
        await migrate(pool)
        begin = transactions(pool)
        workspace, owner = uuid4(), uuid4()
        await pool.execute("INSERT INTO workspaces (id, name) VALUES ($1, 'bench')", workspace)
        await pool.execute("INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, 'Bench', 'x')",
                           owner, f"{owner}@bench.test")
        await pool.execute("INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, 'member')",
                           workspace, owner)
        user, password = dovecot.user()
        sealer = FernetSealer(Fernet.generate_key().decode())
        async with begin() as tx:
            contacts = [await tx.contacts.insert(workspace, person(i), None) for i in range(CONTACTS)]
            box = await tx.mailboxes.connect(NewMailbox(
                workspace, owner, user, Endpoint(dovecot.host, dovecot.port, Tls.NONE),
                Endpoint(dovecot.host, 25, Tls.NONE), user, sealer.seal(password.encode()), Visibility.SUBJECT))
        rng = random.Random(7)
        messages = [mail(i, user, f"p{rng.randrange(CONTACTS)}@client.test", rng.randrange(2000))
                    for i in range(args.messages)]
        started = time.perf_counter()
        await append_all(dovecot, user, password, messages)
        print(f"setup: {args.messages} messages APPENDed in {time.perf_counter() - started:.1f} s "
              f"({sum(map(len, messages)) / args.messages / 1024:.1f} KiB each)")

        sync = MailSync(begin, sealer, AioImapServers(timeout=60), SyncPolicy(batch=args.batch, allow_private=True))
        started = time.perf_counter()
        report = await sync.sync(box.id)
        took = time.perf_counter() - started
        print(f"import: {report.filed} of {report.read} messages filed in {took:.2f} s = "
              f"{report.filed / took:.0f} messages/s (batch {args.batch})")
        started = time.perf_counter()
        again = await sync.sync(box.id)
        print(f"a sync with nothing new: {(time.perf_counter() - started) * 1000:.1f} ms ({again})")

        if args.latency:
            await latency(args, dovecot, user, password, sync, begin, workspace, contacts, box.id)
    finally:
        await pool.close()
        await drop_database(url)
        dovecot.stop()


async def latency(args, dovecot, user, password, sync, begin, workspace: UUID, contacts: list[UUID],
                  box: UUID) -> None:
    imap = await dovecot.client(user, password)
    costs = []
    for i in range(10):  # one sync run finding one new message, run right after the APPEND
        await imap.append(mail(900_000 + i, user, "p0@client.test"), mailbox="INBOX")
        started = time.perf_counter()
        await sync.sync(box)
        costs.append(time.perf_counter() - started)
    print(f"one sync run that files one new message: median {statistics.median(costs) * 1000:.1f} ms")

    stop = asyncio.Event()
    if args.idle:  # one run after another, each waiting in IMAP IDLE after reading
        sync = MailSync(begin, sync._sealer, AioImapServers(timeout=60),
                        SyncPolicy(batch=args.batch, allow_private=True, idle=args.idle))

    async def poller() -> None:
        while not stop.is_set():
            await sync.sync(box)
            if args.idle:
                continue
            try:
                await asyncio.wait_for(stop.wait(), args.poll)
            except TimeoutError:
                pass

    polling = asyncio.create_task(poller())
    seen: list[float] = []
    rng = random.Random(11)
    try:
        for i in range(args.latency):
            await asyncio.sleep(rng.uniform(0, args.poll))  # arrive at any point of the poll cycle
            contact = rng.randrange(CONTACTS)
            raw = mail(950_000 + i, user, f"p{contact}@client.test")  # newer than all before: first on the timeline
            subject = f"Proposal {950_000 + i}"
            started = time.perf_counter()
            await imap.append(raw, mailbox="INBOX")
            while True:
                async with begin() as tx:
                    entries = await tx.email_messages.timeline(workspace, [contacts[contact]], None, 3)
                if any(e.title == subject for e in entries):
                    break
                await asyncio.sleep(0.01)
            seen.append(time.perf_counter() - started)
    finally:
        stop.set()
        await polling
        await imap.logout()
    seen.sort()
    p99 = seen[min(len(seen) - 1, int(len(seen) * 0.99))]
    how = f"in IMAP IDLE ({args.idle:g} s a run)" if args.idle else f"polling every {args.poll:g} s"
    print(f"APPEND to the contact's timeline, {how} ({len(seen)} messages): "
          f"p50 {statistics.median(seen) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {seen[-1] * 1000:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--latency", type=int, default=100)
    parser.add_argument("--poll", type=float, default=1.0)
    parser.add_argument("--idle", type=float, default=0.0, help="seconds a sync waits in IMAP IDLE (0: poll)")
    asyncio.run(main(parser.parse_args()))
