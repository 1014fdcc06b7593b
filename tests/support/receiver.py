"""A real HTTP receiver on 127.0.0.1 for webhook tests (issue 16)."""

from __future__ import annotations

import asyncio


class Receiver:
    """A minimal HTTP/1.1 receiver: records every request; answers ``fail_first`` 500s, then 204."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/hook"

    async def __aenter__(self) -> Receiver:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")[1:]
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append((headers, body))
            failing = len(self.requests) <= self.fail_first
            status = b"500 Internal Server Error" if failing else b"204 No Content"
            answer = b"receiver says no" if failing else b""
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: " + str(len(answer)).encode()
                         + b"\r\nConnection: close\r\n\r\n" + answer)
            await writer.drain()
        finally:
            writer.close()
