"""Tandem servers for tests: in-process (to look inside) and as a real subprocess (to kill)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
import uvicorn
from litestar import Litestar

from server.api.container import Services, services_of
from server.app import create_app
from server.settings import Settings
from server.sync.ports import Bus
from tests.support.services import free_port

ROOT = Path(__file__).resolve().parents[2]


class LoopbackUrls:
    """``ws_url`` and ``http_url`` of a server listening on 127.0.0.1:``port``."""

    port: int

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class InProcessServer(LoopbackUrls):
    app: Litestar
    port: int

    @property
    def services(self) -> Services:
        """The running app's services (rooms, store, committer, accounts, ...), to look inside."""
        return services_of(self.app)


# Whether in-process servers write broadcasts straight into uvicorn's transports (None: as their
# settings say). The ``write_path`` fixture (tests/conftest.py) sets it to run tests once per path.
direct_writes: bool | None = None


@asynccontextmanager
async def in_process_server(settings: Settings, bus: Bus | None = None) -> AsyncIterator[InProcessServer]:
    """Run ``create_app(settings)`` under uvicorn in this event loop, on a free port."""
    if direct_writes is not None:
        settings = msgspec.structs.replace(settings, direct_writes=direct_writes)
    app = create_app(settings, bus=bus)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        app, lifespan="on", log_level="warning",
        ws_max_size=max(settings.max_sync_bytes, settings.max_update_bytes) + 64,
        ws_per_message_deflate=False,
    )
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(30):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)  # polls under the deadline above: uvicorn has no start event to await
        yield InProcessServer(app, sock.getsockname()[1])
    finally:
        server.should_exit = True
        await task
        sock.close()


def module_server(**overrides: Any) -> Any:
    """A module-scoped ``server`` fixture: one in-process server for every test in the module, with
    ``settings_for(database_url, **overrides)``. In a test module: ``server = module_server(**AUTH)``."""

    @pytest.fixture(scope="module", name="server")
    async def server(database_url: str) -> AsyncIterator[InProcessServer]:
        async with in_process_server(settings_for(database_url, **overrides)) as running:
            yield running

    return server


class ChildProcess:
    """``python -m server <command>`` as a child process, its output in ``log``: start it, wait until
    ``ready()`` says it is up, then stop it cleanly or kill it."""

    command: str
    name: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    async def ready(self) -> bool:
        raise NotImplementedError

    async def _start(self, timeout: float) -> None:
        self.log.parent.mkdir(exist_ok=True)
        out = self.log.open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "server", self.command], cwd=ROOT, env=self.env,
                                        stdout=out, stderr=subprocess.STDOUT)
        async with asyncio.timeout(timeout):
            while not await self.ready():
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log}")
                await asyncio.sleep(0.05)  # polls under the deadline above (another process)

    def kill(self) -> None:
        """``kill -9``: no shutdown hook runs."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    async def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, as a platform does on deploy; wait for it to exit."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.to_thread(self.process.wait, timeout)


class ServerProcess(LoopbackUrls, ChildProcess):
    """``python -m server serve`` as a child process, as it runs in production."""

    command, name = "serve", "server"

    def __init__(self, database_url: str | None, **env: str) -> None:
        self.port = free_port()
        self.env = {**os.environ, "PORT": str(self.port), "HOST": "127.0.0.1", "TANDEM_AUTH": "off",
                    "TANDEM_SIGN_UPS_PER_ADDRESS": str(UNTHROTTLED_SIGN_UPS["sign_ups_per_address"]), **env}
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.log = ROOT / ".pytest-logs" / f"server-{self.port}.log"

    async def start(self, timeout: float = 60) -> ServerProcess:
        """Start it and wait until ``/health`` answers 200."""
        async with httpx.AsyncClient() as self._http:
            await self._start(timeout)
        return self

    async def ready(self) -> bool:
        try:
            return (await self._http.get(f"{self.http_url}/health")).status_code == 200
        except httpx.TransportError:
            return False


class WorkerProcess(ChildProcess):
    """``python -m server worker`` as a child process (the Procfile's ``worker``), to stop or kill;
    killed, its running jobs stay taken until their heartbeat is old."""

    command, name = "worker", "worker"
    _started = 0

    def __init__(self, database_url: str, **env: str) -> None:
        WorkerProcess._started += 1
        self.env = {**os.environ, "DATABASE_URL": database_url, **env}
        self.log = ROOT / ".pytest-logs" / f"worker-{os.getpid()}-{WorkerProcess._started}.log"

    async def start(self, timeout: float = 60) -> WorkerProcess:
        """Start it and wait for its line saying it runs jobs."""
        self.log.parent.mkdir(exist_ok=True)
        self.log.write_bytes(b"")
        await self._start(timeout)
        return self

    async def ready(self) -> bool:
        return b"is running jobs" in self.log.read_bytes()


# Every test signs up from 127.0.0.1 into one database per session: no per-address sign-up limit
# unless a test sets one (tests/integration/test_throttling.py).
UNTHROTTLED_SIGN_UPS: dict[str, object] = {"sign_ups_per_address": 1_000_000}


def settings_for(database_url: str, **overrides: object) -> Settings:
    """Settings for an engine test: authentication off unless the test turns it on."""
    return msgspec.structs.replace(Settings(database_url=database_url, auth=False),
                                   **{**UNTHROTTLED_SIGN_UPS, **overrides})
