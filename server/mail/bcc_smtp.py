"""The inbound SMTP listener of the workspace BCC addresses (issue 17 item 3; docs/email-automations.md)
and leads addresses (docs/leads.md): aiosmtpd on ``TANDEM_BCC_SMTP_PORT`` in the serving process's
event loop. It takes mail only for a recipient one of its desks knows — ``bcc+<token>@TANDEM_BCC_DOMAIN``
(the BCC desk: from a member, DATA 550 otherwise) or ``leads+<token>@…`` (the leads desk: from
anyone) — any other RCPT: 550, so it is no open relay — and hands the raw message to each desk's
``accept`` for the recipients it knew, which queues it for filing. Plain SMTP on port 25 from the
sender's mail provider; TLS and relaying are the operator's
MX in front of it, as for any mail server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from aiosmtpd.smtp import SMTP

from server.services.ports.email_automations import BccDesk

log = logging.getLogger(__name__)


class _Handler:
    def __init__(self, desks: Sequence[BccDesk]) -> None:
        self._desks = desks

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        for index, desk in enumerate(self._desks):
            workspace = await desk.recipient(address)
            if workspace is not None:
                envelope.rcpt_tos.append(address)
                envelope.__dict__.setdefault("workspaces", {}).setdefault(index, []).append(workspace)
                return "250 OK"
        return "550 5.1.1 no such BCC or leads address here"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Each desk takes its recipients' copy; refused (550) only if every desk refuses it."""
        raw = bytes(envelope.original_content or envelope.content)
        refusals = [await self._desks[index].accept(workspaces, raw)
                    for index, workspaces in envelope.__dict__.get("workspaces", {}).items()]
        if refusals and all(refused is not None for refused in refusals):
            log.info("bcc: refused a message: %s", refusals[0])
            return f"550 5.7.1 {refusals[0]}"
        return "250 OK filed"


class BccListener:
    """``async with BccListener(desks, host, port, limit):`` listens until the block ends; ``port``
    is the bound one (0 asks the system for a free port)."""

    def __init__(self, desks: Sequence[BccDesk], host: str, port: int, limit: int, hostname: str = "tandem") -> None:
        self._desks, self._host, self.port, self._limit, self._hostname = desks, host, port, limit, hostname
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> BccListener:
        handler = _Handler(self._desks)
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
