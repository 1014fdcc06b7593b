"""The ``CalendarServer`` port (server.services.ports.caldav) over its memory twin and a real Radicale
(tests/support/radicale.py) through ``HttpCalendarServers``: writes are conditional on the etag,
sync-collection reports what changed and what went since a token, a forgotten token says so, and
a listing gives every event's etag."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack

import pytest

from server.caldav import HttpCalendarServers
from server.services.ports.caldav import CalendarError, CalendarServer, Changed, TokenExpired
from server.storage.memory.caldav import MemoryCalendarServers
from tests.support.radicale import Radicale, event


@pytest.fixture(scope="module")
async def radicale() -> AsyncIterator[Radicale]:
    server = await Radicale().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["memory", "radicale"])
async def calendar(request, radicale) -> AsyncIterator[tuple[CalendarServer, Callable[[], None]]]:
    async with AsyncExitStack() as stack:
        if request.param == "memory":
            servers = MemoryCalendarServers()
            made = servers.add("https://dav.example.test/me/work/", "me", "secret")
            server = await stack.enter_async_context(servers.open("https://dav.example.test/me/work/", "me",
                                                                  "secret", False))
            yield server, made.forget_tokens
        else:
            url, user, password = await radicale.calendar()
            server = await stack.enter_async_context(HttpCalendarServers().open(url, user, password, True))
            yield server, lambda: radicale.forget_tokens(url)


def text(uid: str, summary: str) -> bytes:
    return event(uid, summary, "20261210T100000", "20261210T110000").encode()


async def test_a_new_event_is_listed_with_its_etag_and_read_back(calendar) -> None:
    server, _ = calendar
    href = server.path + "a.ics"
    etag = await server.put(href, text("a", "Call Ann"), None)
    listing = await server.listing()
    assert list(listing) == [href]
    assert etag is None or listing[href] == etag
    [found] = await server.fetch([href, server.path + "missing.ics"])
    assert found.href == href and b"SUMMARY:Call Ann" in found.ical.replace(b"\r\n", b"\n")


async def test_sync_collection_reports_changes_and_deletions_since_a_token(calendar) -> None:
    server, _ = calendar
    a, b = server.path + "a.ics", server.path + "b.ics"
    await server.put(a, text("a", "A"), None)
    first = await server.changes(None)
    assert set(first.changed) == {a} and first.deleted == []
    etag_b = await server.put(b, text("b", "B"), None)
    listing = await server.listing()
    await server.put(a, text("a", "A again"), listing[a])
    second = await server.changes(first.token)
    assert set(second.changed) == {a, b} and second.deleted == []
    assert etag_b is None or second.changed[b] == etag_b
    await server.delete(b, None)
    third = await server.changes(second.token)
    assert third.changed == {} and third.deleted == [b]
    assert (await server.changes(third.token)).changed == {}


async def test_writes_over_a_stale_etag_or_over_an_existing_event_are_refused(calendar) -> None:
    server, _ = calendar
    href = server.path + "a.ics"
    old = await server.put(href, text("a", "A"), None) or (await server.listing())[href]
    with pytest.raises(Changed):
        await server.put(href, text("a", "A twice"), None)
    await server.put(href, text("a", "B"), old)
    with pytest.raises(Changed):
        await server.put(href, text("a", "C"), old)
    with pytest.raises(Changed):
        await server.delete(href, old)
    await server.delete(href, (await server.listing())[href])
    await server.delete(href, None)  # gone already: fine
    assert await server.listing() == {}


async def test_a_token_the_server_forgot_is_refused_as_expired(calendar) -> None:
    server, forget = calendar
    await server.put(server.path + "a.ics", text("a", "A"), None)
    token = (await server.changes(None)).token
    await server.put(server.path + "b.ics", text("b", "B"), None)
    forget()
    with pytest.raises(TokenExpired):
        await server.changes(token)
    assert set((await server.changes(None)).changed) == {server.path + "a.ics", server.path + "b.ics"}


async def test_a_wrong_password_is_refused_in_words(radicale) -> None:
    url, user, _ = await radicale.calendar()
    with pytest.raises(CalendarError, match="user name or password"):
        async with HttpCalendarServers().open(url, user, "wrong", True) as server:
            await server.check()
    servers = MemoryCalendarServers()
    servers.add("https://dav.example.test/me/work/")
    with pytest.raises(CalendarError, match="user name or password"):
        async with servers.open("https://dav.example.test/me/work/", "me", "wrong", False):
            pass


async def test_a_loopback_calendar_is_refused_unless_allowed(radicale) -> None:
    url, user, password = await radicale.calendar()
    with pytest.raises(CalendarError, match="loopback, private or reserved"):
        async with HttpCalendarServers().open(url, user, password, False):
            pass
    async with HttpCalendarServers().open(url, user, password, True) as server:
        assert (await server.check()).endswith("work")


async def test_a_folder_that_is_no_calendar_is_refused(radicale) -> None:
    url, user, password = await radicale.calendar()
    home = url.rsplit("/", 2)[0] + "/"
    with pytest.raises(CalendarError, match="not a calendar"):
        async with HttpCalendarServers().open(home, user, password, True) as server:
            await server.check()
