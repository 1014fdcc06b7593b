"""A TCP proxy in front of Postgres that a test can cut (Postgres down) or freeze (Postgres
accepts connections and bytes but never answers)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit, urlunsplit

from tests.support.services import free_port


class PostgresProxy:
    """Forwards a local port to the Postgres of ``url``; ``proxied_url`` points through it."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._url, self._target = parts, (parts.hostname or "127.0.0.1", parts.port or 5432)
        self.port = free_port()
        self.mode = "forward"  # or "down" (refuse and drop) or "frozen" (swallow everything)
        self._writers: set[asyncio.StreamWriter] = set()
        self._thawed = asyncio.Event()
        self._thawed.set()
        self._server: asyncio.Server | None = None

    @property
    def proxied_url(self) -> str:
        credentials = self._url.netloc.rpartition("@")[0]
        netloc = f"{credentials}@127.0.0.1:{self.port}" if credentials else f"127.0.0.1:{self.port}"
        return urlunsplit(self._url._replace(netloc=netloc))

    async def __aenter__(self) -> PostgresProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.cut()
        self._thawed.set()
        if self._server is not None:
            self._server.close()

    def cut(self) -> None:
        """Postgres is down: every connection drops, new ones are refused."""
        self.mode = "down"
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()

    def freeze(self) -> None:
        """Postgres hangs: connections stay open, nothing is answered."""
        self.mode = "frozen"
        self._thawed.clear()

    def restore(self) -> None:
        self.mode = "forward"
        self._thawed.set()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode == "down":
            writer.transport.abort()
            return
        self._writers.add(writer)
        await self._thawed.wait()  # a frozen Postgres accepts and says nothing
        if self.mode == "down":
            return
        up_reader, up_writer = await asyncio.open_connection(*self._target)
        self._writers.add(up_writer)
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self._thawed.wait()
                writer.write(data)
                await writer.drain()
        finally:
            writer.transport.abort()
