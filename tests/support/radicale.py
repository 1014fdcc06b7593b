"""A private Radicale CalDAV server on loopback for the calendar sync tests (issue 18 item 5):
Debian's ``radicale`` started as a subprocess with its own configuration in a temporary directory —
users from a plain htpasswd file, collections under the directory — and helpers that act as another
calendar app would (make a calendar, write, change and delete events) or as an administrator
(forget every sync-token). Fails, never skips, when the binary is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.processes import listening, terminate
from tests.support.services import free_port

RADICALE = "/usr/bin/radicale"
ACCOUNTS = 40
INSTALL = "install it with: apt-get install radicale (the tests start their own private server)"

CONFIG = """\
[server]
hosts = 127.0.0.1:{port}
[auth]
type = htpasswd
htpasswd_filename = {dir}/users
htpasswd_encryption = plain
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = {dir}/collections
[web]
type = none
[logging]
level = warning
"""


class Radicale:
    """One running Radicale; ``calendar()`` makes a fresh account and calendar per test."""

    def __init__(self) -> None:
        if not os.access(RADICALE, os.X_OK):
            pytest.fail(f"{RADICALE} is missing; {INSTALL}", pytrace=False)
        self.port = free_port()
        self.host = "127.0.0.1"
        self.dir = Path(tempfile.mkdtemp(prefix="tandem-radicale-"))
        self._accounts = [(f"u{uuid.uuid4().hex[:10]}", uuid.uuid4().hex) for _ in range(ACCOUNTS)]
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> Radicale:
        (self.dir / "users").write_text("".join(f"{name}:{password}\n" for name, password in self._accounts))
        (self.dir / "config").write_text(CONFIG.format(dir=self.dir, port=self.port))
        self.process = subprocess.Popen([RADICALE, "--config", str(self.dir / "config")], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        await listening(self.process, "radicale", self.host, self.port, 20)
        return self

    def halt(self) -> None:
        """Stop the server, keeping its calendars (``start`` again to resume)."""
        if self.process is not None:
            terminate(self.process)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            terminate(self.process)
            self.process = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def _client(self, user: str, password: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(auth=(user, password), timeout=20, trust_env=False)

    async def calendar(self, name: str = "work") -> tuple[str, str, str]:
        """A new account's new calendar: ``(url, user name, password)``."""
        if not self._accounts:
            pytest.fail(f"the test Radicale has only {ACCOUNTS} accounts; raise ACCOUNTS")
        user, password = self._accounts.pop()
        url = f"http://{self.host}:{self.port}/{user}/{name}/"
        async with self._client(user, password) as client:
            made = await client.request("MKCALENDAR", url)
        assert made.status_code == 201, made.text
        return url, user, password

    async def put(self, url: str, user: str, password: str, name: str, text: str) -> None:
        """Write (make or replace) the event resource ``name`` as another calendar app would."""
        async with self._client(user, password) as client:
            written = await client.put(url + name, content=text.encode(),
                                       headers={"Content-Type": "text/calendar; charset=utf-8"})
        assert written.status_code in (201, 204), written.text

    async def get(self, url: str, user: str, password: str, name: str) -> str | None:
        async with self._client(user, password) as client:
            found = await client.get(url + name)
        return found.text if found.status_code == 200 else None

    async def delete(self, url: str, user: str, password: str, name: str) -> None:
        async with self._client(user, password) as client:
            gone = await client.delete(url + name)
        assert gone.status_code in (200, 204), gone.text

    async def events(self, url: str, user: str, password: str) -> dict[str, str]:
        """Every event resource of the calendar: name -> text."""
        body = ('<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
                '<d:prop><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter>'
                '</c:calendar-query>')
        async with self._client(user, password) as client:
            found = await client.request("REPORT", url, content=body.encode(),
                                         headers={"Depth": "1", "Content-Type": "application/xml"})
        assert found.status_code == 207, found.text
        import xml.etree.ElementTree as ET
        out = {}
        for r in ET.fromstring(found.content).findall("{DAV:}response"):
            href = r.findtext("{DAV:}href") or ""
            data = r.findtext(".//{urn:ietf:params:xml:ns:caldav}calendar-data")
            if data:
                out[href.rstrip("/").rsplit("/", 1)[-1]] = data
        return out

    def forget_tokens(self, url: str) -> None:
        """As an administrator clearing the server's cache: every sync-token of the calendar so far
        is unknown to it (RFC 6578: the next sync-collection with one answers valid-sync-token)."""
        path = httpx.URL(url).path.strip("/")
        shutil.rmtree(self.dir / "collections" / "collection-root" / path / ".Radicale.cache" / "sync-token",
                      ignore_errors=True)


def event(uid: str, summary: str, start: str, end: str, *, tzid: str | None = "Europe/Berlin",
          extra: str = "", stamp: str = "20261201T080000Z", overrides: str = "") -> str:
    """A VCALENDAR with one VEVENT (``start``/``end`` as ``20261210T100000``; a date as ``20261210``
    makes it all-day), as a calendar app writes it."""
    if len(start) == 8:
        when = f"DTSTART;VALUE=DATE:{start}\r\nDTEND;VALUE=DATE:{end}\r\n"
    elif tzid:
        when = f"DTSTART;TZID={tzid}:{start}\r\nDTEND;TZID={tzid}:{end}\r\n"
    else:
        when = f"DTSTART:{start}Z\r\nDTEND:{end}Z\r\n"
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Other app//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:{stamp}\r\nLAST-MODIFIED:{stamp}\r\nSUMMARY:{summary}\r\n{when}{extra}"
            f"END:VEVENT\r\n{overrides}END:VCALENDAR\r\n")
