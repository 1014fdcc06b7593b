"""``create_app(settings)``: the one composition root that picks and wires concrete adapters.

Start-up: database (embedded Postgres unless ``DATABASE_URL``) → migrations → group committer →
rooms → ready. Shutdown (SIGTERM): close every socket with 1012 *service restart*, commit
everything queued, close the pool — nothing accepted is lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import asyncpg
from litestar import Litestar

from server.api.health import health
from server.api.sync import sync_socket
from server.protocol.close_codes import CloseCode
from server.settings import Settings, load_settings
from server.storage.documents import PostgresDocumentStore
from server.storage.embedded import start_embedded_postgres
from server.storage.migrations import migrate
from server.sync.persistence import GroupCommitter
from server.sync.registry import Rooms
from server.sync.room import Limits

log = logging.getLogger(__name__)


async def database_url(settings: Settings) -> str:
    """The configured ``DATABASE_URL``, or the embedded Postgres's (started if needed)."""
    if settings.database_url:
        return settings.database_url
    return await asyncio.to_thread(start_embedded_postgres, settings.data_dir)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            pool = await asyncpg.create_pool(await database_url(settings), min_size=1, max_size=8)
            stack.push_async_callback(pool.close)
            await migrate(pool)
            store = PostgresDocumentStore(pool)
            committer = await stack.enter_async_context(GroupCommitter(
                store,
                window=settings.commit_window_seconds,
                retry=settings.commit_retry_seconds,
                compact_after_rows=settings.compact_after_rows,
            ))
            limits = Limits(settings.max_update_bytes, settings.max_sync_bytes, settings.max_awareness_bytes)
            app.state.rooms = Rooms(store, committer, limits, grace=settings.room_grace_seconds)
            app.state.store = store
            app.state.committer = committer
            app.state.ready = True
            try:
                yield
            finally:
                app.state.ready = False
                app.state.rooms.close_all(CloseCode.SERVICE_RESTART, "server restarting; reconnect")

    app = Litestar(route_handlers=[health, sync_socket], lifespan=[lifespan], debug=False)
    app.state.settings = settings
    app.state.ready = False
    return app
