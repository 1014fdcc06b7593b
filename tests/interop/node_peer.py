"""Drive ``peer.mjs`` — a stock npm ``yjs`` + ``y-websocket`` client — from a test.

``await NodePeer.start(node, ws_url, document)`` runs one Node process with one
``WebsocketProvider``; its methods send one JSON command and await the JSON answer.
``until(probe, check)`` re-runs ``probe`` every time any peer reports a change (document,
awareness, sync state) until ``check`` holds, so tests wait for what they mean, never for a fixed
time — and a timeout says what was last seen.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

HERE = Path(__file__).resolve().parent
PEER = HERE / "peer.mjs"
HOW_TO_FIX = "run `cd tests/interop && npm ci` (needs Node >= 20 and npm on PATH)"
REQUIRED_MODULES = ("yjs", "y-websocket", "ws")
T = TypeVar("T")


def node_or_fail() -> str:
    """The ``node`` executable, or fail the test (never skip) saying how to fix it."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"`node` is not on PATH; install Node 20+, then {HOW_TO_FIX}", pytrace=False)
    missing = [name for name in REQUIRED_MODULES if not (HERE / "node_modules" / name / "package.json").is_file()]
    if missing:
        pytest.fail(
            f"tests/interop/node_modules lacks {', '.join(missing)}; {HOW_TO_FIX}", pytrace=False
        )
    return node


class PeerError(RuntimeError):
    """The Node process failed a command or went away."""


class NotMet(AssertionError):
    """A condition did not hold before its deadline."""


class Disconnected(AssertionError):
    """The server closed (or dropped) a stock peer's socket."""


class _Changes:
    """Counts change reports from every peer; waiters wake on any of them."""

    def __init__(self) -> None:
        self.count = 0
        self._condition: asyncio.Condition | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def condition(self) -> asyncio.Condition:
        loop = asyncio.get_running_loop()
        if self._condition is None or self._loop is not loop:
            self._condition, self._loop = asyncio.Condition(), loop
        return self._condition

    async def bump(self) -> None:
        async with self.condition:
            self.count += 1
            self.condition.notify_all()

    async def after(self, seen: int) -> None:
        async with self.condition:
            await self.condition.wait_for(lambda: self.count != seen)


CHANGES = _Changes()
ACTIVE: list[NodePeer] = []  # this test's peers (the fixture resets it); ``until`` watches them


async def until(
    probe: Callable[[], Awaitable[T]], check: Callable[[T], bool], *, timeout: float = 5, what: str = ""
) -> T:
    """Re-run ``probe`` after every change any peer reports until ``check(value)``; return the value.

    On timeout, fail with the last value seen. Fail at once if the server disconnected any of this
    test's peers: no test here gives it a reason to, and a stock provider that was disconnected
    reconnects and carries on, hiding the problem behind a later timeout.
    """
    last: Any = "<never probed>"
    try:
        async with asyncio.timeout(timeout):
            while True:
                seen = CHANGES.count
                last = await probe()
                # stdout is ordered: a disconnect that came before the answer is recorded by now
                assert_never_disconnected()
                if check(last):
                    return last
                await CHANGES.after(seen)
    except TimeoutError:
        raise NotMet(f"{what or 'condition'} not met within {timeout} s; last seen: {last!r}") from None


def assert_never_disconnected(peers: list[NodePeer] | None = None) -> None:
    """Fail if the server closed (or dropped) the socket of any of ``peers`` (default: all)."""
    for peer in ACTIVE if peers is None else peers:
        if peer.disconnects:
            raise Disconnected(f"the server disconnected {peer.name}: {peer.disconnects}")


StartPeer = Callable[..., Awaitable["NodePeer"]]  # the ``start_peer`` fixture


class NodePeer:
    """One Node process holding one ``WebsocketProvider`` on ``document``."""

    def __init__(self, process: asyncio.subprocess.Process, name: str) -> None:
        self.process = process
        self.name = name
        self.client_id: int | None = None
        self.stderr = bytearray()
        self.disconnects: list[dict[str, Any]] = []  # closes the provider did not ask for
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._ready = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read_stdout())
        self._stderr_reader = asyncio.create_task(self._read_stderr())

    @classmethod
    async def start(cls, node: str, ws_url: str, document: str, *, name: str = "peer") -> NodePeer:
        process = await asyncio.create_subprocess_exec(
            node, str(PEER), ws_url, document,
            cwd=HERE,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        peer = cls(process, name)
        ACTIVE.append(peer)
        try:
            async with asyncio.timeout(10):
                peer.client_id = (await peer._ready)["clientID"]
        except BaseException:
            await peer.kill()
            raise
        return peer

    # --- commands ----------------------------------------------------------------------------

    async def command(self, op: str, timeout: float = 10, **args: Any) -> dict[str, Any]:
        if self.process.returncode is not None:
            raise PeerError(f"{self.name} has exited ({self.process.returncode}){self._stderr_tail()}")
        ident = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps({"id": ident, "op": op, **args}) + "\n").encode())
        try:
            async with asyncio.timeout(timeout):
                answer = await future
        finally:
            self._pending.pop(ident, None)
        if not answer.get("ok"):
            raise PeerError(f"{self.name}: {op} failed: {answer.get('error')}{self._stderr_tail()}")
        return answer

    async def synced(self, timeout: float = 10) -> None:
        """Wait until the provider emitted ``sync(true)``; on timeout, say what it did see."""
        try:
            await self.command("synced", timeout=timeout + 1, timeout_ms=int(timeout * 1000))
        except (PeerError, TimeoutError) as exc:
            status = await self.command("status")
            received = await self.received()
            raise NotMet(f"{self.name} never synced: {status}, {received}{self._stderr_tail()}") from exc

    async def set(self, map: str, key: str, value: Any) -> None:
        await self.command("set", map=map, key=key, value=value)

    async def insert(self, text: str, index: int, value: str) -> None:
        await self.command("insert", text=text, index=index, value=value)

    async def map(self, name: str) -> dict[str, Any]:
        return (await self.command("dump", maps=[name]))["maps"][name]

    async def text(self, name: str) -> str:
        return (await self.command("dump", texts=[name]))["texts"][name]

    async def dump(self, maps: list[str] = [], texts: list[str] = []) -> dict[str, Any]:  # noqa: B006
        answer = await self.command("dump", maps=maps, texts=texts)
        return {"maps": answer["maps"], "texts": answer["texts"]}

    async def set_awareness(self, state: dict[str, Any] | None) -> None:
        await self.command("awareness", state=state)

    async def peers(self) -> dict[int, Any]:
        return {int(k): v for k, v in (await self.command("peers"))["peers"].items()}

    async def received(self) -> dict[str, Any]:
        return await self.command("received")

    async def disconnect(self) -> None:
        await self.command("disconnect")

    async def connect(self) -> None:
        await self.command("connect")

    async def close(self) -> None:
        """Destroy the provider as an app does on unmount, and let the process exit."""
        if self.process.returncode is None:
            await self.command("close")
            async with asyncio.timeout(5):
                await self.process.wait()
        await self._stop_readers()

    async def kill(self) -> None:
        """SIGKILL: the socket just drops, no goodbye is sent."""
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        await self._stop_readers()

    # --- plumbing ----------------------------------------------------------------------------

    async def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            try:
                message = json.loads(raw)
            except ValueError:
                self.stderr += b"[stdout, not JSON] " + raw
                continue
            if "id" in message:
                future = self._pending.get(message["id"])
                if future is not None and not future.done():
                    future.set_result(message)
            elif message.get("event") == "ready" and not self._ready.done():
                self._ready.set_result(message)
            elif message.get("event") == "change":
                await CHANGES.bump()
            elif message.get("event") == "disconnect":
                self.disconnects.append({"code": message["code"], "reason": message["reason"]})
                await CHANGES.bump()
        # EOF: the process is gone; wake every waiter.
        await self.process.wait()
        error = PeerError(f"{self.name} exited ({self.process.returncode}){self._stderr_tail()}")
        for future in [*self._pending.values(), self._ready]:
            if not future.done():
                future.set_exception(error)
        await CHANGES.bump()

    async def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            self.stderr += raw

    async def _stop_readers(self) -> None:
        for task in (self._reader, self._stderr_reader):
            try:
                async with asyncio.timeout(2):
                    await task
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
        if self._ready.done() and not self._ready.cancelled():
            self._ready.exception()  # mark retrieved
        elif not self._ready.done():
            self._ready.cancel()

    def _stderr_tail(self) -> str:
        text = self.stderr.decode(errors="replace").strip()
        return f"\n--- {self.name} stderr ---\n{text[-2000:]}" if text else ""
