"""The inbound SMTP listener of the workspace BCC addresses (issue 17 item 3; docs/email-automations.md):
aiosmtpd on ``TANDEM_BCC_SMTP_PORT`` in the serving process's event loop. It takes mail only for a
known ``bcc+<token>@TANDEM_BCC_DOMAIN`` recipient (any other RCPT: 550, so it is no open relay) from
a member (DATA: 550 otherwise), and hands the raw message to ``BccDesk.accept``, which queues it for
filing. Plain SMTP on port 25 from the member's mail provider; TLS and relaying are the operator's
MX in front of it, as for any mail server.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.smtp import SMTP

from server.services.ports.email_automations import BccDesk

log = logging.getLogger(__name__)


class _Handler:
    def __init__(self, desk: BccDesk) -> None:
        self._desk = desk

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        workspace = await self._desk.recipient(address)
        if workspace is None:
            return "550 5.1.1 no such BCC address here"
        envelope.rcpt_tos.append(address)
        envelope.__dict__.setdefault("workspaces", []).append(workspace)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        refused = await self._desk.accept(envelope.__dict__.get("workspaces", []), bytes(raw))
        if refused is not None:
            log.info("bcc: refused a message: %s", refused)
            return f"550 5.7.1 {refused}"
        return "250 OK filed"


class BccListener:
    """``async with BccListener(desk, host, port, limit):`` listens until the block ends; ``port``
    is the bound one (0 asks the system for a free port)."""

    def __init__(self, desk: BccDesk, host: str, port: int, limit: int, hostname: str = "tandem") -> None:
        self._desk, self._host, self.port, self._limit, self._hostname = desk, host, port, limit, hostname
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> BccListener:
        handler = _Handler(self._desk)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(handler, hostname=self._hostname, data_size_limit=self._limit, decode_data=False),
            self._host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("bcc: listening for SMTP on %s:%d", self._host, self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
