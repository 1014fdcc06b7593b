"""The ``tandem`` command line: ``serve`` (default), ``migrate``, ``compact``.

    python -m server serve              # embedded Postgres unless DATABASE_URL is set
    python -m server migrate            # apply schema/migrations and exit
    python -m server worker             # run background jobs (server/worker.py) until SIGTERM
    python -m server compact [DOC ...]  # compact the named documents (default: all with a log)
    python -m server disable-user EMAIL # disable an account: its sessions and open sockets end
    python -m server project rebuild    # rebuild the SQL projection of every board and note document
    python -m server seed-demo          # fill a demo workspace through the API (server/demo.py; --url, --locale de)
    python -m server openapi            # print the OpenAPI document (as /schema/openapi.json) and exit
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import uuid
from contextlib import AsyncExitStack

import asyncpg
import msgspec
import uvicorn

from server.app import create_app, database_url
from server.logs import configure_logging
from server.settings import Settings, load_settings
from server.storage.documents import PostgresDocumentStore
from server.storage.migrations import migrate
from server.storage.pool import create_pool

NODE_ID = uuid.uuid4().hex[:12]  # names this process in logs, metrics and bus messages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tandem", description="Tandem collaborative CRM server")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the HTTP and WebSocket server (the default)")
    sub.add_parser("migrate", help="apply pending SQL migrations and exit")
    sub.add_parser("worker", help="run background jobs until SIGTERM (serve runs one too on the embedded database)")
    compact = sub.add_parser("compact", help="compact document logs into snapshots")
    compact.add_argument("documents", nargs="*", help="document names (default: every document with a log)")
    disable = sub.add_parser("disable-user", help="disable an account; its sessions and sockets end")
    disable.add_argument("email")
    reset = sub.add_parser("reset-link", help="print a one-time password reset link for an account (no mail needed)")
    reset.add_argument("email")
    project = sub.add_parser("project", help="the SQL projection of board and note documents")
    project.add_argument("action", choices=["rebuild"], help="rebuild: project every stored document again")
    project.add_argument("--fresh", action="store_true", help="empty each board's rows first, then refill them")
    demo = sub.add_parser("seed-demo", help="fill a realistic demo workspace through the API (refuses a second time)")
    demo.add_argument("--seed", type=int, default=7, help="the same seed makes the same demo (default 7)")
    demo.add_argument("--password", default="tandem-demo-2026", help="everyone's password (default tandem-demo-2026)")
    demo.add_argument("--force-new", action="store_true",
                      help="if the demo exists, seed another with fresh e-mails (owner-2@demo.tandem.test, ...)")
    demo.add_argument("--url", help="fill the running server at this address (e.g. http://127.0.0.1:8000) "
                                    "instead of the database directly")
    demo.add_argument("--locale", choices=["en", "de"], default="en",
                      help="the demo's language: en (default) or de (German companies, people and texts, euros)")
    sub.add_parser("openapi", help="print the OpenAPI document (as served at /schema/openapi.json) and exit")
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.command == "openapi":
        return _print_openapi(settings)
    # seed-demo prints a summary; the app's INFO lines (each mail, each projection) would bury it.
    configure_logging(settings.log_format, NODE_ID, logging.WARNING if args.command == "seed-demo" else logging.INFO)
    if args.command == "migrate":
        return asyncio.run(_with_pool(settings, _migrate))
    if args.command == "worker":
        return asyncio.run(_worker(settings))
    if args.command == "compact":
        return asyncio.run(_with_pool(settings, lambda pool: _compact(pool, args.documents)))
    if args.command == "project":
        return asyncio.run(_with_pool(settings, lambda pool: _rebuild(pool, args.fresh)))
    if args.command == "seed-demo":
        from server.demo import run as seed_demo

        return asyncio.run(seed_demo(settings, seed=args.seed, password=args.password, force_new=args.force_new,
                                     url=args.url, locale=args.locale))
    if args.command == "disable-user":
        return asyncio.run(_with_pool(settings, lambda pool: _disable_user(pool, settings, args.email)))
    if args.command == "reset-link":
        return asyncio.run(_with_pool(settings, lambda pool: _reset_link(pool, settings, args.email)))
    return serve(settings)


def _print_openapi(settings: Settings) -> int:
    """The API's contract without a server or a database: the web app's types are generated from it."""
    schema = create_app(settings, node=NODE_ID).openapi_schema.to_schema()
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(schema), indent=2).decode() + "\n")
    return 0


def serve(settings: Settings) -> int:
    print(f"Tandem is starting on http://{settings.host}:{settings.port}", flush=True)
    config = uvicorn.Config(
        create_app(settings, node=NODE_ID),
        host=settings.host,
        port=settings.port,
        ws_max_size=max(settings.max_sync_bytes, settings.max_update_bytes) + 64,
        # Per-message deflate would compress every broadcast once per recipient; the hot path
        # encodes a frame once and writes the same bytes to every socket.
        ws_per_message_deflate=False,
        ws_ping_interval=20,
        ws_ping_timeout=20,
        timeout_graceful_shutdown=10,
        log_level="info",
        log_config=None,  # keep the structured handler configure_logging installed
        access_log=False,
        lifespan="on",
    )
    uvicorn.Server(config).run()
    return 0


async def _with_pool(settings: Settings, action) -> int:
    async with AsyncExitStack() as stack:
        pool = await create_pool(await database_url(settings, stack), max_size=2)
        stack.push_async_callback(pool.close)
        return await action(pool)


async def _worker(settings: Settings) -> int:
    from server.worker import run_worker

    async with AsyncExitStack() as stack:
        url = await database_url(settings, stack)
        pool = await create_pool(url, max_size=2)
        try:
            await migrate(pool)  # the queue's tables, if the worker starts before any server
        finally:
            await pool.close()
        return await run_worker(settings, url, NODE_ID)


async def _migrate(pool: asyncpg.Pool) -> int:
    applied = await migrate(pool)
    print(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")
    return 0


async def _compact(pool: asyncpg.Pool, documents: list[str]) -> int:
    await migrate(pool)
    store = PostgresDocumentStore(pool)
    for document in documents or await store.documents_with_logs():
        print(f"{document}: compacted {await store.compact(document)} row(s) into its snapshot")
    return 0


async def _disable_user(pool: asyncpg.Pool, settings: Settings, email: str) -> int:
    from server.services.accounts import Accounts, Policy
    from server.services.credentials import Passwords
    from server.services.mail import LoggingOutbox
    from server.storage.unit import transactions

    await migrate(pool)
    policy, passwords = Policy.of(settings), Passwords.of(settings)
    accounts = Accounts(transactions(pool), passwords, LoggingOutbox(), policy)
    user = await accounts.user_id(email)
    if user is None:
        print(f"no account with the e-mail {email!r}", file=sys.stderr)
        return 2
    await accounts.disable(user)
    print(f"disabled {email}: its sessions are revoked and open sockets close on every node")
    return 0


async def _reset_link(pool: asyncpg.Pool, settings: Settings, email: str) -> int:
    """For a server without mail: the link an administrator hands to whoever forgot their password."""
    from server.services.accounts import Accounts, Policy
    from server.services.credentials import Passwords
    from server.services.mail import LoggingOutbox
    from server.storage.unit import transactions

    await migrate(pool)
    policy = Policy.of(settings)
    outbox = LoggingOutbox(public_url=settings.public_url)
    accounts = Accounts(transactions(pool), Passwords.of(settings), outbox, policy)
    link = await accounts.operator_reset(email)
    if link is None:
        print(f"no enabled account with the e-mail {email!r}", file=sys.stderr)
        return 2
    where = "" if settings.public_url else " (on this server's address: TANDEM_PUBLIC_URL is not set)"
    print(f"{link}{where}\nit works once, for {accounts.reset_minutes} minutes, and signs {email} out everywhere")
    return 0


async def _rebuild(pool: asyncpg.Pool, fresh: bool) -> int:
    from server.services.projection import Projector
    from server.storage.unit import transactions

    await migrate(pool)
    done = await Projector(transactions(pool)).rebuild(fresh=fresh)
    changed = [p for p in done if p.upserted or p.deleted or p.events]
    for p in changed:
        print(f"{p.document}: {p.upserted} row(s) written, {p.deleted} deleted, {p.events} history event(s) added")
    print(f"projected {len(done)} document(s); {len(changed)} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
