"""The slim stand-ins ``shed_handshake`` gives uvicorn's protocol: ``Inbox`` for its
``asyncio.Queue`` of ASGI events, ``Flag`` for its ``writable`` ``asyncio.Event``."""

from __future__ import annotations

import asyncio

import pytest

from server.api.raw_socket import RAW_SEND, Flag, Inbox, shed_handshake


async def test_the_inbox_hands_out_events_in_order_and_waits_when_empty():
    inbox = Inbox([1])
    inbox.put_nowait(2)
    assert inbox.qsize() == 2 and not inbox.empty()
    assert await inbox.get() == 1
    assert inbox.get_nowait() == 2
    assert inbox.empty()
    with pytest.raises(asyncio.QueueEmpty):
        inbox.get_nowait()
    getter = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    assert not getter.done()
    inbox.put_nowait(3)
    inbox.put_nowait(4)
    assert await getter == 3
    assert await inbox.get() == 4


async def test_an_event_woken_for_a_getter_cancelled_meanwhile_is_kept_for_the_next():
    inbox = Inbox()
    first = asyncio.ensure_future(inbox.get())
    second = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait("event")  # wakes the first getter...
    first.cancel()  # ...which is cancelled before it runs
    assert await second == "event"
    assert first.cancelled() and inbox.empty()


async def test_two_getters_get_one_event_each():
    inbox = Inbox()
    getters = [asyncio.ensure_future(inbox.get()) for _ in range(2)]
    await asyncio.sleep(0)
    inbox.put_nowait("a")
    inbox.put_nowait("b")
    assert sorted(await asyncio.gather(*getters)) == ["a", "b"]


async def test_a_cancelled_getter_leaves_nothing_behind():
    inbox = Inbox()
    getter = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    getter.cancel()
    await asyncio.sleep(0)
    inbox.put_nowait("event")
    assert inbox.get_nowait() == "event"


async def test_the_flag_waits_until_set_and_stays_set_until_cleared():
    flag = Flag(True)
    assert await flag.wait() is True
    flag.clear()
    waiters = [asyncio.ensure_future(flag.wait()) for _ in range(2)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters) and not flag.is_set()
    flag.set()
    assert await asyncio.gather(*waiters) == [True, True]
    assert flag.is_set()


async def test_a_cancelled_flag_waiter_is_forgotten():
    flag = Flag()
    waiter = asyncio.ensure_future(flag.wait())
    await asyncio.sleep(0)
    waiter.cancel()
    await asyncio.sleep(0)
    assert not flag._waiters
    flag.set()
    assert flag.is_set()


def test_a_scope_of_another_asgi_server_only_loses_its_request_headers():
    scope = {"type": "websocket", "headers": [(b"origin", b"https://example.com")], "state": {}}
    shed_handshake(scope)
    assert scope == {"type": "websocket", "headers": [], "state": {}}


class WebSocketsSansIOProtocol:
    """The shape ``shed_handshake`` looks for in uvicorn's protocol (matched by class name)."""

    def __init__(self) -> None:
        self.handshake_complete = True
        self.request, self.response = object(), object()
        self.queue: asyncio.Queue = asyncio.Queue()
        self.writable = asyncio.Event()
        self.writable.set()

    async def send(self, message: dict) -> None: ...


def scope_of(protocol: WebSocketsSansIOProtocol) -> dict:
    return {"type": "websocket", "headers": [], RAW_SEND: protocol.send}


async def test_events_queued_before_the_swap_come_out_of_the_inbox_in_order():
    protocol = WebSocketsSansIOProtocol()
    protocol.queue.put_nowait({"type": "websocket.receive", "bytes": b"1"})
    protocol.queue.put_nowait({"type": "websocket.disconnect", "code": 1000})
    shed_handshake(scope_of(protocol))
    assert protocol.request is None and protocol.response is None
    assert isinstance(protocol.queue, Inbox) and isinstance(protocol.writable, Flag) and protocol.writable.is_set()
    assert [await protocol.queue.get(), await protocol.queue.get()] == [
        {"type": "websocket.receive", "bytes": b"1"}, {"type": "websocket.disconnect", "code": 1000}]


async def test_a_queue_or_event_someone_waits_on_is_left_alone():
    protocol = WebSocketsSansIOProtocol()
    protocol.writable.clear()
    waiting = [asyncio.ensure_future(protocol.queue.get()), asyncio.ensure_future(protocol.writable.wait())]
    await asyncio.sleep(0)
    queue, writable = protocol.queue, protocol.writable
    shed_handshake(scope_of(protocol))
    assert protocol.queue is queue and protocol.writable is writable
    queue.put_nowait("event")
    writable.set()
    assert await asyncio.gather(*waiting) == ["event", True]


async def test_before_the_handshake_completes_nothing_of_the_protocol_is_touched():
    protocol = WebSocketsSansIOProtocol()
    protocol.handshake_complete = False
    request, queue = protocol.request, protocol.queue
    shed_handshake(scope_of(protocol))
    assert protocol.request is request and protocol.queue is queue
