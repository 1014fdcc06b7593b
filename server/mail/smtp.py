"""``AioSmtpRelay``: sends an ``Envelope`` to an SMTP server with aiosmtplib (asyncio).

The system relay is configured by one URL, ``TANDEM_SMTP_URL`` (docs/email.md):

- ``smtp://user:pass@host:587`` — plain connection upgraded with STARTTLS when the server offers it;
- ``smtp://…?starttls=required`` — refuse to send unless STARTTLS succeeds;
- ``smtp://…?starttls=off`` — never upgrade (a relay on localhost or a private network);
- ``smtps://user:pass@host:465`` — implicit TLS from the first byte.

User name and password are percent-decoded (an ``@`` in a user name is ``%40``). Certificates are
validated, always.
"""

from __future__ import annotations

from typing import Literal, NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from server.domain.sending import Envelope, mime

Tls = Literal["tls", "starttls", "auto", "none"]
_STARTTLS: dict[str, Tls] = {"required": "starttls", "1": "starttls", "on": "starttls",
                             "auto": "auto", "off": "none", "0": "none"}


class SmtpServer(NamedTuple):
    """Where and how to connect: ``tls`` is implicit TLS, required STARTTLS, STARTTLS when
    offered (``auto``) or none."""

    host: str
    port: int
    tls: Tls
    username: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpServer:
    """``TANDEM_SMTP_URL`` as an ``SmtpServer``; raises ``ValueError`` saying what was expected."""
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ValueError(f"TANDEM_SMTP_URL: expected smtp://[user:password@]host[:port][?starttls=required|auto|off] "
                         f"or smtps://…, got scheme {parts.scheme!r}")
    options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if parts.scheme == "smtps":
        tls: Tls = "tls"
    else:
        choice = options.get("starttls", "auto").lower()
        if choice not in _STARTTLS:
            raise ValueError(f"TANDEM_SMTP_URL: starttls expected required, auto or off, got {choice!r}")
        tls = _STARTTLS[choice]
    try:
        port = parts.port or (465 if tls == "tls" else 587)
    except ValueError:
        raise ValueError("TANDEM_SMTP_URL: expected a port number between 1 and 65535") from None
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return SmtpServer(parts.hostname, port, tls, username, password)


class SmtpRefused(RuntimeError):
    """The SMTP server refused the message, or could not be reached: worth retrying later."""


class AioSmtpRelay:
    """Implements ``server.services.ports.sending.MailRelay`` over one SMTP server."""

    def __init__(self, server: SmtpServer, *, timeout: float = 30.0) -> None:
        self._server, self._timeout = server, timeout

    async def deliver(self, envelope: Envelope) -> None:
        server = self._server
        try:
            await aiosmtplib.send(
                mime(envelope), sender=envelope.sender, recipients=[*envelope.to, *envelope.cc],
                hostname=server.host, port=server.port, username=server.username, password=server.password,
                use_tls=server.tls == "tls",
                start_tls={"starttls": True, "none": False}.get(server.tls),  # None: when offered
                timeout=self._timeout)
        except (aiosmtplib.SMTPException, OSError) as error:
            raise SmtpRefused(f"SMTP {server.host}:{server.port}: {error}") from error


def system_relay(smtp_url: str, mail_from: str) -> tuple[AioSmtpRelay, str] | None:
    """The relay and sender of ``TANDEM_SMTP_URL`` / ``TANDEM_MAIL_FROM``; None when mail is not
    configured. Exits at start on a malformed URL or a missing sender, rather than at the first mail."""
    if not smtp_url:
        return None
    try:
        server = parse_smtp_url(smtp_url)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    if "@" not in mail_from:
        raise SystemExit(f"TANDEM_MAIL_FROM: expected the address system mail is sent from (with TANDEM_SMTP_URL), "
                         f"got {mail_from!r}")
    return AioSmtpRelay(server), mail_from.strip()


class AioSmtpRelays:
    """Implements ``server.services.ports.sending.MailRelays``: one ``AioSmtpRelay`` per mailbox's server."""

    def connect(self, host: str, port: int, tls: str, username: str, password: str) -> AioSmtpRelay:
        mode: Tls = "tls" if tls == "tls" else "starttls" if tls == "starttls" else "none"
        return AioSmtpRelay(SmtpServer(host, port, mode, username, password))
