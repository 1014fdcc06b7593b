"""``AioImapServers``: the mail servers as connected mailboxes see them (``MailServers``), over
aioimaplib (IMAP, asyncio) and aiosmtplib (the SMTP sign-in check).

Read-only by construction: a folder is opened with ``EXAMINE`` (with ``CONDSTORE`` when the server
offers it, for HIGHESTMODSEQ), and messages are read with ``UID FETCH … BODY.PEEK[]``, which never
sets ``\\Seen``. aioimaplib's ``examine`` does not enter the selected state (only ``select`` does),
and it has no STARTTLS: both are done here on its protocol object, the way its own ``select`` and
``IMAP4_SSL`` do them. Every failure becomes a ``MailServerError`` that says in words what went
wrong, for the mailbox's status line; the password never appears in one.
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import aioimaplib
import aiosmtplib

from server.domain.mailboxes import Endpoint, Tls
from server.services.ports.mailboxes import FetchedMessage, Folder, FolderState, MailServerError

_CODE = re.compile(rb"\[(UIDVALIDITY|UIDNEXT|HIGHESTMODSEQ) (\d+)\]")
_EXISTS = re.compile(rb"^(\d+) EXISTS")
_FETCH = re.compile(rb"^\d+ FETCH \(")
_UID = re.compile(rb"UID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def uid_set(uids: Sequence[int]) -> str:
    """``1,2,3,7`` as ``1:3,7``: a FETCH of thousands of UIDs stays one short line."""
    parts: list[str] = []
    ordered = sorted(set(uids))
    start = prev = ordered[0]
    for uid in ordered[1:] + [0]:
        if uid == prev + 1:
            prev = uid
            continue
        parts.append(str(start) if start == prev else f"{start}:{prev}")
        start = prev = uid
    return ",".join(parts)


def _words(error: BaseException, what: str, endpoint: Endpoint) -> MailServerError:
    where = f"{endpoint.host}:{endpoint.port}"
    if isinstance(error, MailServerError):
        return error
    if isinstance(error, socket.gaierror):
        return MailServerError(f"{what}: the host {endpoint.host} was not found")
    if isinstance(error, ConnectionRefusedError):
        return MailServerError(f"{what}: nothing accepts connections at {where} (check host and port)")
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        return MailServerError(f"{what}: the secure connection to {where} failed ({error.__class__.__name__}: "
                               f"{getattr(error, 'reason', None) or error}); check the TLS choice and port")
    if isinstance(error, TimeoutError | asyncio.TimeoutError | aioimaplib.CommandTimeout):
        return MailServerError(f"{what}: {where} did not answer in time")
    if isinstance(error, OSError):
        return MailServerError(f"{what}: could not connect to {where} ({error.strerror or error})")
    return MailServerError(f"{what}: {where} answered unexpectedly ({error.__class__.__name__}: {error})")


def _text(response: Any) -> str:
    lines = [line.decode("utf-8", "replace") for line in response.lines if isinstance(line, bytes | bytearray)]
    return (lines[-1] if lines else "").strip()[:300]


class _Session:
    """Implements ``ImapSession`` (and ``ImapSessionOpener``: it is its own context manager)."""

    def __init__(self, endpoint: Endpoint, username: str, password: str, timeout: float) -> None:
        self._endpoint, self._username, self._password, self._timeout = endpoint, username, password, timeout
        self._client: aioimaplib.IMAP4 | None = None

    async def __aenter__(self) -> _Session:
        e = self._endpoint
        try:
            if e.tls is Tls.TLS:
                self._client = aioimaplib.IMAP4_SSL(e.host, e.port, timeout=self._timeout,
                                                     ssl_context=ssl.create_default_context())
            else:
                self._client = aioimaplib.IMAP4(e.host, e.port, timeout=self._timeout)
            await self._client.wait_hello_from_server()
            if e.tls is Tls.STARTTLS:
                await self._starttls()
            answer = await self._client.login(aioimaplib.quoted(self._username), self._password)
        except Exception as error:  # noqa: BLE001 - every failure is told in words
            await self._drop()
            raise _words(error, "IMAP", e) from None
        if answer.result != "OK":
            await self._drop()
            raise MailServerError(f"IMAP: the server refused the user name or password ({_text(answer)})")
        return self

    async def _starttls(self) -> None:
        client = self._client
        assert client is not None
        protocol = client.protocol
        answer = await asyncio.wait_for(
            protocol.execute(aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)), self._timeout)
        if answer.result != "OK":
            raise MailServerError(f"IMAP: the server did not start TLS ({_text(answer)}); choose another TLS setting")
        loop = asyncio.get_running_loop()
        transport = await loop.start_tls(protocol.transport, protocol, ssl.create_default_context(),
                                         server_hostname=self._endpoint.host)
        protocol.transport = transport
        await asyncio.wait_for(protocol.capability(), self._timeout)

    async def _drop(self) -> None:
        if self._client is not None and self._client.protocol.transport is not None:
            self._client.protocol.transport.close()
        self._client = None

    async def __aexit__(self, *exc: object) -> None:
        client = self._client
        if client is None:
            return
        try:
            await asyncio.wait_for(client.logout(), 5)
        except Exception:  # noqa: BLE001 - leaving anyway
            pass
        await self._drop()

    def _imap(self) -> aioimaplib.IMAP4:
        assert self._client is not None, "use the session inside `async with`"
        return self._client

    async def examine(self, folder: str) -> FolderState:
        client = self._imap()
        protocol = client.protocol
        args = [aioimaplib.quoted(folder)] + (["(CONDSTORE)"] if client.has_capability("CONDSTORE") else [])
        try:
            answer = await asyncio.wait_for(
                protocol.execute(aioimaplib.Command("EXAMINE", protocol.new_tag(), *args, loop=protocol.loop)),
                self._timeout)
        except Exception as error:  # noqa: BLE001
            raise _words(error, "IMAP", self._endpoint) from None
        if answer.result != "OK":
            raise MailServerError(f"IMAP: the folder {folder!r} cannot be opened ({_text(answer)})")
        protocol.state = aioimaplib.SELECTED  # as ``select`` does: EXAMINE selects the folder, read-only
        codes: dict[bytes, int] = {}
        exists = 0
        for line in answer.lines:
            if isinstance(line, bytes | bytearray):
                codes.update((k, int(v)) for k, v in _CODE.findall(line))
                if m := _EXISTS.match(line):
                    exists = int(m.group(1))
        if b"UIDVALIDITY" not in codes:
            raise MailServerError(f"IMAP: the server gave no UIDVALIDITY for {folder!r}")
        return FolderState(codes[b"UIDVALIDITY"], codes.get(b"UIDNEXT"), codes.get(b"HIGHESTMODSEQ"), exists)

    async def uids_after(self, last_uid: int, since: date | None) -> list[int]:
        criteria = [f"UID {last_uid + 1}:*"]
        if since is not None:
            criteria.append(f"SINCE {since.day}-{_MONTHS[since.month - 1]}-{since.year}")
        try:
            answer = await self._imap().uid_search(*criteria, charset=None)
        except Exception as error:  # noqa: BLE001
            raise _words(error, "IMAP", self._endpoint) from None
        if answer.result != "OK":
            raise MailServerError(f"IMAP: the search for new messages failed ({_text(answer)})")
        found: list[int] = []
        for line in answer.lines[:-1]:  # the untagged "SEARCH 1 2 3" (aioimaplib drops the word); last: the status
            words = bytes(line).removeprefix(b"SEARCH").split()
            if words and all(word.isdigit() for word in words):
                found += [int(word) for word in words]
        # "UID n:*" always matches the highest UID, even below n (RFC 3501 6.4.8): keep only new ones
        return sorted(uid for uid in set(found) if uid > last_uid)

    async def fetch(self, uids: Sequence[int]) -> AsyncIterator[FetchedMessage]:
        if not uids:
            return
        try:
            answer = await self._imap().uid("fetch", uid_set(uids), "(UID INTERNALDATE BODY.PEEK[])")
        except Exception as error:  # noqa: BLE001
            raise _words(error, "IMAP", self._endpoint) from None
        if answer.result != "OK":
            raise MailServerError(f"IMAP: fetching messages failed ({_text(answer)})")
        for uid, arrived, raw in _messages(answer.lines):
            yield FetchedMessage(uid, raw, arrived)


    async def folders(self) -> list[Folder]:
        try:
            answer = await self._imap().list('""', "*")
        except Exception as error:  # noqa: BLE001
            raise _words(error, "IMAP", self._endpoint) from None
        if answer.result != "OK":
            raise MailServerError(f"IMAP: listing the folders failed ({_text(answer)})")
        return list_folders(answer.lines[:-1])

    async def idle(self, seconds: float) -> bool:
        client = self._imap()
        if not client.has_capability("IDLE"):
            return False
        arrived = False
        try:
            idling = await client.idle_start(timeout=seconds)
            while not arrived:
                pushed = await client.wait_server_push(timeout=seconds + self._timeout)
                if pushed == aioimaplib.STOP_WAIT_SERVER_PUSH:  # idle_start's timer: time is up
                    break
                arrived = any(b"EXISTS" in bytes(line) for line in pushed if isinstance(line, bytes | bytearray))
            client.idle_done()
            await asyncio.wait_for(idling, self._timeout)
        except Exception as error:  # noqa: BLE001
            raise _words(error, "IMAP", self._endpoint) from None
        return arrived


_LIST = re.compile(rb'^\(([^)]*)\) (?:"(?:[^"\\]|\\.)*"|NIL) (.*)$')


def list_folders(lines: Sequence[Any]) -> list[Folder]:
    """The folders of LIST answers ``(\\HasNoChildren \\Sent) "/" "Sent Items"`` (aioimaplib drops the
    word LIST): each name as the server spells it (quoted, an atom, or a literal on the next line)
    and its attributes, lower case."""
    found: list[Folder] = []
    pending: bytes | None = None  # the attributes of a line whose name comes as a literal
    for line in lines:
        if isinstance(line, bytearray):
            if pending is not None:
                found.append(Folder(bytes(line).decode("utf-8", "replace"), _attributes(pending)))
            pending = None
            continue
        m = _LIST.match(bytes(line))
        if m is None:
            continue
        name = m.group(2)
        if re.fullmatch(rb"\{\d+\+?\}", name):
            pending = m.group(1)
        elif name.startswith(b'"') and name.endswith(b'"') and len(name) >= 2:
            text = re.sub(rb"\\(.)", rb"\1", name[1:-1])
            found.append(Folder(text.decode("utf-8", "replace"), _attributes(m.group(1))))
        else:
            found.append(Folder(name.decode("utf-8", "replace"), _attributes(m.group(1))))
    return found


def _attributes(text: bytes) -> frozenset[str]:
    return frozenset(word.decode("ascii", "replace").lower() for word in text.split())


def _messages(lines: list[Any]) -> list[tuple[int, datetime | None, bytes]]:
    """``(uid, INTERNALDATE, bytes)`` of each FETCH response: its head line, then its literal."""
    found: list[tuple[int, datetime | None, bytes]] = []
    head: bytes | None = None
    for line in lines:
        if isinstance(line, bytes) and _FETCH.match(line):
            head = line
        elif isinstance(line, bytearray) and head is not None:
            uid = _UID.search(head)
            if uid is not None:
                found.append((int(uid.group(1)), _internaldate(head), bytes(line)))
            head = None
    return found


def _internaldate(head: bytes) -> datetime | None:
    m = _INTERNALDATE.search(head)
    if m is None:
        return None
    try:
        day, clock = m.group(1).decode().strip().split(" ", 1)
        d, mon, y = day.split("-")
        return parsedate_to_datetime(f"{d} {mon} {y} {clock}").astimezone(UTC)
    except (ValueError, TypeError, IndexError):
        return None


class AioImapServers:
    """Implements ``server.services.ports.mailboxes.MailServers``."""

    def __init__(self, timeout: float = 20.0) -> None:
        self._timeout = timeout

    async def resolve(self, host: str, port: int) -> list[str]:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror:
            return []
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    def imap(self, endpoint: Endpoint, username: str, password: str) -> _Session:
        return _Session(endpoint, username, password, self._timeout)

    async def check_smtp(self, endpoint: Endpoint, username: str, password: str) -> None:
        smtp = aiosmtplib.SMTP(hostname=endpoint.host, port=endpoint.port, timeout=self._timeout,
                               use_tls=endpoint.tls is Tls.TLS, start_tls=endpoint.tls is Tls.STARTTLS)
        try:
            await smtp.connect()
            await smtp.login(username, password)
        except aiosmtplib.SMTPAuthenticationError as error:
            raise MailServerError(f"SMTP: the server refused the user name or password ({error.message[:200]})") \
                from None
        except aiosmtplib.SMTPException as error:
            cause = error.__cause__ if isinstance(error.__cause__, OSError) else None
            raise _words(cause or MailServerError(f"SMTP: {error}"), "SMTP", endpoint) from None
        except Exception as error:  # noqa: BLE001
            raise _words(error, "SMTP", endpoint) from None
        finally:
            if smtp.is_connected:
                try:
                    await smtp.quit()
                except Exception:  # noqa: BLE001
                    smtp.close()
