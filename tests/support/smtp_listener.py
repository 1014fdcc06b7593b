"""A server whose inbound SMTP listener (the BCC and leads addresses, ``server/mail/bcc_smtp.py``)
listens on loopback, with a worker and a secret key, and no cron jobs of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from cryptography.fernet import Fernet

from tests.support.accounts import AUTH
from tests.support.servers import InProcessServer, in_process_server, settings_for


@asynccontextmanager
async def listening_server(database_url: str, domain: str, port: int) -> AsyncIterator[InProcessServer]:
    settings = settings_for(database_url, **AUTH, worker="on", secret_key=Fernet.generate_key().decode(),
                            bcc_domain=domain, bcc_smtp_port=port, bcc_smtp_host="127.0.0.1", housekeeping_cron="",
                            mailbox_poll_cron="", automation_sweep_cron="")
    async with in_process_server(settings) as running:
        yield running
