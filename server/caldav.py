"""``HttpCalendarServers``: a CalDAV calendar over plain WebDAV requests with httpx (issue 18 item 5).

Why not the ``caldav`` package: it is synchronous (each sync would hold a thread and its own
requests session), and what the sync needs is four requests, each a few lines of XML:

- ``REPORT sync-collection`` (RFC 6578) with the last token: the hrefs changed (with etags) and
  removed since; a ``valid-sync-token`` error (403/409) means the server forgot the token —
  ``TokenExpired`` — and a server without the report answers 403/405/501 — ``SyncUnsupported``;
- ``PROPFIND Depth: 1`` of ``getetag``: every resource and its etag (the fallback);
- ``REPORT calendar-multiget`` (RFC 4791 7.9): the texts of the hrefs that changed;
- ``PUT`` with ``If-Match`` / ``If-None-Match: *`` and ``DELETE`` with ``If-Match``: 412 is
  ``Changed`` (someone wrote it meanwhile; the next sync sees their version).

httpx is already a main dependency (webhooks), is async, and lets a request go to an address
checked in advance while TLS still verifies the URL's host (``sni_hostname``): the host is resolved
once, refused if any address is loopback, private or reserved (SSRF; ``allow_private`` for
on-premise servers and tests), and every request of the session goes to that address. Redirects
are not followed. XML is read with ``xml.etree`` (expat ≥ 2.4.1 refuses entity expansion bombs)
and answers are capped at ``MAX_BODY``.
"""

from __future__ import annotations

import asyncio
import socket
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from server.domain.caldav import Changes, Remote
from server.domain.webhooks import address_allowed
from server.services.ports.caldav import CalendarError, Changed, SyncUnsupported, TokenExpired

DAV, CALDAV, CS = "DAV:", "urn:ietf:params:xml:ns:caldav", "http://calendarserver.org/ns/"
MAX_BODY = 20 * 1024 * 1024
MULTIGET_BATCH = 50
TIMEOUT = 30.0
_XML = {"Content-Type": "application/xml; charset=utf-8"}


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _body(xml: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + xml).encode()


SYNC_REPORT = ('<d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level>'
               '<d:prop><d:getetag/></d:prop></d:sync-collection>')
PROPFIND_ETAGS = '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:resourcetype/></d:prop></d:propfind>'
PROPFIND_SELF = ('<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:displayname/>'
                 '<d:resourcetype/><c:supported-calendar-component-set/></d:prop></d:propfind>')
MULTIGET = ('<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/>'
            '<c:calendar-data/></d:prop>{hrefs}</c:calendar-multiget>')


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _parse(content: bytes) -> ET.Element:
    try:
        return ET.fromstring(content)
    except ET.ParseError as error:
        raise CalendarError(f"the server answered something that is not WebDAV XML ({error})") from None


def _status_ok(response: ET.Element) -> bool:
    status = response.findtext(_q(DAV, "status")) or ""
    for propstat in response.findall(_q(DAV, "propstat")):
        status = status or (propstat.findtext(_q(DAV, "status")) or "")
    return " 200 " in f"{status} " or not status


def _said(status: int) -> str:
    return {401: "the server refused the user name or password (401)",
            403: "the server does not allow this account to do that (403)",
            404: "there is no calendar at this address (404)",
            405: "this address is not a calendar collection (405)"}.get(status, f"the server answered {status}")


class HttpCalendarServer:
    """Implements ``CalendarServer`` for the collection at ``url`` in one httpx session."""

    def __init__(self, client: httpx.AsyncClient, url: str) -> None:
        self._client = client
        self._url = url
        self.path = urlsplit(url).path

    async def _send(self, method: str, href: str, body: bytes | None = None,
                    headers: dict[str, str] | None = None) -> httpx.Response:
        url = urljoin(self._url, href)
        try:
            request = self._client.build_request(method, url, content=body, headers=headers or {})
            response = await self._client.send(request, stream=True)
            try:
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > MAX_BODY:
                        raise CalendarError(f"the server's answer is larger than {MAX_BODY // 1048576} MB")
                    chunks.append(chunk)
                response._content = b"".join(chunks)
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            raise CalendarError(f"the server did not answer within {TIMEOUT:.0f} s") from None
        except httpx.HTTPError as error:
            raise CalendarError(f"could not reach the server ({error.__class__.__name__}: {error})") from None
        if response.status_code in (401, 407):
            raise CalendarError(_said(401))
        if 300 <= response.status_code < 400:
            raise CalendarError(f"the server redirects to {response.headers.get('location', '?')}; "
                                "enter that address instead")
        return response

    async def check(self) -> str:
        response = await self._send("PROPFIND", self._url, _body(PROPFIND_SELF), {**_XML, "Depth": "0"})
        if response.status_code != 207:
            raise CalendarError(_said(response.status_code))
        root = _parse(response.content)
        kinds = root.find(f".//{_q(DAV, 'resourcetype')}")
        if kinds is None or kinds.find(_q(CALDAV, "calendar")) is None:
            raise CalendarError("this address is a WebDAV folder, not a calendar: open the calendar itself")
        components = [c.get("name") for c in root.iter(_q(CALDAV, "comp"))]
        if components and "VEVENT" not in components:
            raise CalendarError("this calendar holds no events (VEVENT), only " + ", ".join(filter(None, components)))
        return (root.findtext(f".//{_q(DAV, 'displayname')}") or "").strip() or unquote(self.path.rstrip("/")
                                                                                          .rsplit("/", 1)[-1])

    async def changes(self, token: str | None) -> Changes:
        response = await self._send("REPORT", self._url, _body(SYNC_REPORT.format(token=_escape(token or ""))),
                                    {**_XML, "Depth": "1"})
        if response.status_code in (403, 409) and b"valid-sync-token" in response.content:
            raise TokenExpired("the server no longer knows the sync-token")
        if response.status_code in (400, 403, 405, 415, 501):
            raise SyncUnsupported(f"the calendar does not answer sync-collection ({response.status_code})")
        if response.status_code != 207:
            raise CalendarError(_said(response.status_code))
        root = _parse(response.content)
        new_token = root.findtext(_q(DAV, "sync-token"))
        if not new_token:
            raise SyncUnsupported("the calendar answered sync-collection without a sync-token")
        changed: dict[str, str | None] = {}
        deleted = []
        for r in root.findall(_q(DAV, "response")):
            href = self._own(r.findtext(_q(DAV, "href")))
            if href is None:
                continue
            status = r.findtext(_q(DAV, "status")) or ""
            if " 404" in status:
                deleted.append(href)
            elif href.endswith(".ics") or r.find(f".//{_q(DAV, 'getetag')}") is not None:
                changed[href] = r.findtext(f".//{_q(DAV, 'getetag')}")
        return Changes(new_token, changed, deleted)

    async def listing(self) -> dict[str, str | None]:
        response = await self._send("PROPFIND", self._url, _body(PROPFIND_ETAGS), {**_XML, "Depth": "1"})
        if response.status_code != 207:
            raise CalendarError(_said(response.status_code))
        found: dict[str, str | None] = {}
        for r in _parse(response.content).findall(_q(DAV, "response")):
            href = self._own(r.findtext(_q(DAV, "href")))
            kinds = r.find(f".//{_q(DAV, 'resourcetype')}")
            if href is None or (kinds is not None and kinds.find(_q(DAV, "collection")) is not None):
                continue
            if _status_ok(r):
                found[href] = r.findtext(f".//{_q(DAV, 'getetag')}")
        return found

    async def fetch(self, hrefs: Sequence[str]) -> list[Remote]:
        found = []
        for i in range(0, len(hrefs), MULTIGET_BATCH):
            batch = "".join(f"<d:href>{_escape(h)}</d:href>" for h in hrefs[i:i + MULTIGET_BATCH])
            response = await self._send("REPORT", self._url, _body(MULTIGET.format(hrefs=batch)),
                                        {**_XML, "Depth": "1"})
            if response.status_code != 207:
                raise CalendarError(_said(response.status_code))
            for r in _parse(response.content).findall(_q(DAV, "response")):
                href = self._own(r.findtext(_q(DAV, "href")))
                data = r.findtext(f".//{_q(CALDAV, 'calendar-data')}")
                if href is not None and data and _status_ok(r):
                    found.append(Remote(href, r.findtext(f".//{_q(DAV, 'getetag')}"), data.encode()))
        return found

    async def put(self, href: str, ical: bytes, etag: str | None) -> str | None:
        condition = {"If-Match": etag} if etag else {"If-None-Match": "*"}
        response = await self._send("PUT", href, ical, {"Content-Type": "text/calendar; charset=utf-8", **condition})
        if response.status_code == 412:
            raise Changed(f"the event {href} changed on the server meanwhile")
        if response.status_code not in (200, 201, 204):
            raise CalendarError(f"writing an event: {_said(response.status_code)}")
        return response.headers.get("etag")

    async def delete(self, href: str, etag: str | None) -> None:
        response = await self._send("DELETE", href, None, {"If-Match": etag} if etag else {})
        if response.status_code == 412:
            raise Changed(f"the event {href} changed on the server meanwhile")
        if response.status_code not in (200, 204, 404, 410):
            raise CalendarError(f"deleting an event: {_said(response.status_code)}")

    def _own(self, href: str | None) -> str | None:
        """``href`` as a path inside the collection (None for the collection itself or elsewhere)."""
        if not href:
            return None
        path = urlsplit(href.strip()).path
        if path.rstrip("/") == self.path.rstrip("/") or not path.startswith(self.path.rstrip("/") + "/"):
            return None
        return path


class HttpCalendarServers:
    """Implements ``CalendarServers``: one httpx session per sync, pinned to a checked address."""

    @asynccontextmanager
    async def open(self, url: str, username: str, password: str, allow_private: bool
                   ) -> AsyncIterator[HttpCalendarServer]:
        target = httpx.URL(url)
        host = target.host
        port = target.port or (443 if target.scheme == "https" else 80)
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror:
            raise CalendarError(f"the host {host} was not found") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise CalendarError(f"the host {host} was not found")
        if not allow_private and not all(address_allowed(a) for a in addresses):
            raise CalendarError(f"the host {host} is at a loopback, private or reserved address, which this server "
                                "does not connect to (TANDEM_CALDAV_ALLOW_PRIVATE=1 allows it)")
        pinned = target.copy_with(host=addresses[0])
        extensions = {"sni_hostname": host} if target.scheme == "https" else {}
        headers = {"Host": host if target.port is None else f"{host}:{target.port}", "User-Agent": "Tandem CalDAV"}

        async def pin(request: httpx.Request) -> None:
            request.url = request.url.copy_with(host=pinned.host)
            request.extensions = {**request.extensions, **extensions}

        async with httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=TIMEOUT, headers=headers,
                                     auth=httpx.BasicAuth(username, password),
                                     event_hooks={"request": [pin]}) as client:
            yield HttpCalendarServer(client, url)
