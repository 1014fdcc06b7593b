"""A real SMTP server on 127.0.0.1 for the mail tests: aiosmtpd (``pip install aiosmtpd``, in the
``test`` extra) on a free port, in the test's event loop, keeping every message it accepts.

``refuse`` makes it answer the next N messages with a temporary failure (451), as a relay under
load does; ``credentials`` makes it require AUTH with that user name and password.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
from email.message import EmailMessage
from typing import Any

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError as error:  # a missing service fails, saying how to get it
    raise RuntimeError("the mail tests need aiosmtpd: pip install -e '.[test]' (or scripts/test)") from error


class SmtpSink:
    """``async with SmtpSink() as sink:`` — ``sink.url`` for TANDEM_SMTP_URL, ``sink.messages``."""

    def __init__(self, *, credentials: tuple[str, str] | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.refuse = 0
        self.refused = 0
        self._credentials = credentials
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        auth = f"{self._credentials[0]}:{self._credentials[1]}@" if self._credentials else ""
        return f"smtp://{auth}127.0.0.1:{self.port}?starttls=off"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            self.refused += 1
            return "451 4.3.0 try again later"
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and self._credentials is not None and (
            data.login.decode(), data.password.decode()) == self._credentials
        return AuthResult(success=ok)

    def _protocol(self) -> SMTP:
        if self._credentials is None:
            return SMTP(self, hostname="sink.test")
        return SMTP(self, hostname="sink.test", auth_required=True, auth_require_tls=False,
                    authenticator=self._authenticate)

    async def __aenter__(self) -> SmtpSink:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
