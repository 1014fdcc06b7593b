"""The servers under test: how to install, start (pinned to core 0), probe and stop each one.

Everything a peer needs is installed into the run's temporary work folder: npm packages from
``bench/node/package-lock.json`` (``npm ci``), pycrdt-websocket into its own venv, and the C
load generator compiled with gcc. Nothing is installed into the project or globally.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
SERVER_CORE = "0"
LOADGEN_CORE = "1"

PEERS = ["y-websocket", "hocuspocus", "pycrdt-websocket"]
ALL_SERVERS = ["tandem", *PEERS]
BASELINE = "null-relay"


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The machine may be shared: with root, the servers and the load generator run at nice -15, so
# that other processes on their cores get only the time they leave (CFS weight about 28:1).
BOOST = ["nice", "-n", "-15"] if os.geteuid() == 0 else []


def set_boost(on: bool) -> None:
    BOOST[:] = (["nice", "-n", "-15"] if os.geteuid() == 0 else []) if on else []


def boost(pid: int) -> None:
    """Raise the CPU share of ``pid``'s scheduler autogroup (its own session: started with
    ``start_new_session``). With ``kernel.sched_autogroup_enabled``, nice only ranks processes
    within one session's group; the group's own nice is what weighs against other sessions."""
    if not BOOST:
        return
    try:
        Path(f"/proc/{pid}/autogroup").write_text("-15")
    except OSError:
        pass


def pinned(core: str, argv: list[str]) -> list[str]:
    """``argv`` pinned to ``core`` (and boosted); nice and taskset exec, so the pid is argv's."""
    return [*BOOST, "taskset", "-c", core, *argv]


# --- installation ---------------------------------------------------------------------------


def install(workdir: Path, servers: list[str]) -> dict[str, str]:
    """Install what ``servers`` need into ``workdir``; returns versions for the report."""
    versions: dict[str, str] = {}
    node = workdir / "node"
    node.mkdir(parents=True, exist_ok=True)
    for f in (BENCH / "node").iterdir():
        if f.is_file():
            shutil.copy2(f, node / f.name)
    lock = (BENCH / "node" / "package-lock.json").read_bytes()
    stamp = node / "node_modules" / ".bench-lock"
    if not stamp.exists() or stamp.read_bytes() != lock:
        log("installing npm packages (npm ci) ...")
        run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], cwd=node)
        stamp.write_bytes(lock)
    for pkg in ("yjs", "ws", "y-websocket", "@hocuspocus/server"):
        versions[pkg] = _npm_version(node, pkg)
    log("compiling the load generator (gcc -O2) ...")
    run(["gcc", "-O2", "-Wall", "-o", str(workdir / "loadgen"), str(BENCH / "loadgen" / "loadgen.c"), "-lm"])
    check = run(["node", "yjs-check.mjs", str(workdir / "loadgen")], cwd=node, capture=True)
    versions["loadgen check"] = check.strip()
    log(check.strip())
    if "pycrdt-websocket" in servers:
        venv = workdir / "pyvenv"
        req = BENCH / "python" / "requirements-pycrdt-websocket.txt"
        stamp = venv / ".bench-req"
        if not stamp.exists() or stamp.read_bytes() != req.read_bytes():
            log("installing pycrdt-websocket into its own venv ...")
            run([_base_python(), "-m", "venv", "--clear", str(venv)])
            run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                 "-r", str(req)])
            stamp.write_bytes(req.read_bytes())
        shutil.copy2(BENCH / "python" / "pycrdt_websocket_app.py", workdir / "pycrdt_websocket_app.py")
        out = run([str(venv / "bin" / "python"), "-c",
                   "import importlib.metadata as m; print(m.version('pycrdt-websocket'), m.version('uvicorn'))"],
                  capture=True).split()
        versions["pycrdt-websocket"], versions["uvicorn (pycrdt-websocket)"] = out[0], out[1]
    return versions


def _npm_version(node: Path, pkg: str) -> str:
    import json
    try:
        return json.loads((node / "node_modules" / pkg / "package.json").read_text())["version"]
    except OSError:
        return "?"


def _base_python() -> str:
    return getattr(sys, "_base_executable", None) or shutil.which("python3") or sys.executable


def run(argv: list[str], cwd: Path | None = None, capture: bool = False) -> str:
    proc = subprocess.run(argv, cwd=cwd, text=True, stdout=subprocess.PIPE if capture else sys.stderr,
                          stderr=subprocess.PIPE if capture else None, timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr or ''}")
    return proc.stdout or ""


# --- Postgres for Tandem -----------------------------------------------------------------------


class ScratchDatabase:
    """A throwaway database on the Postgres at ``base_url`` (dropped at the end)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.name = f"tandem_bench_{os.getpid()}_{int(time.time())}"
        self.url: str | None = None

    def create(self) -> str:
        import asyncpg

        async def go() -> None:
            conn = await asyncpg.connect(self.base_url, timeout=5)
            try:
                await conn.execute(f'CREATE DATABASE "{self.name}"')
            finally:
                await conn.close()

        asyncio.run(go())
        head, _, _ = self.base_url.rpartition("/")
        self.url = f"{head}/{self.name}"
        return self.url

    def drop(self) -> None:
        if self.url is None:
            return
        import asyncpg

        async def go() -> None:
            conn = await asyncpg.connect(self.base_url, timeout=5)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            finally:
                await conn.close()

        with contextlib.suppress(Exception):
            asyncio.run(go())
        self.url = None


# --- servers --------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    argv: list[str]
    port: int
    path: str  # URL path template with {doc}
    dialect: str = "y"
    cwd: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    http_ready: str | None = None  # GET this path until 200; else wait for the port
    health: bool = False  # Tandem's /health (room count) for scenario D cold
    database: str | None = None  # Tandem's database name, to account its backends' CPU
    core: str | None = SERVER_CORE  # None: not pinned and not boosted (Redis for scenario F)
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, logdir: Path) -> None:
        logdir.mkdir(parents=True, exist_ok=True)
        self.log_path = logdir / f"{self.name}.log"
        logf = open(self.log_path, "ab")
        env = {**os.environ, **self.env}
        argv = pinned(self.core, self.argv) if self.core is not None else self.argv
        self.proc = subprocess.Popen(argv, cwd=self.cwd, env=env, stdout=logf,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        if self.core is not None:
            boost(self.proc.pid)
        logf.close()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
            if self._ready():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not become ready in 90 s; see {self.log_path}")

    def _ready(self) -> bool:
        try:
            if self.http_ready:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", self.http_ready)
                ok = c.getresponse().status == 200
                c.close()
                return ok
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = None
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.proc = None


def make_redis() -> Server:
    """A private Redis for scenario F: no persistence, on a free port, neither pinned nor boosted
    (like the machine's Postgres it runs on whichever core is free)."""
    redis = shutil.which("redis-server")
    if redis is None:
        raise RuntimeError("scenario F needs redis-server on PATH")
    port = free_port()
    return Server("redis", [redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                            "--protected-mode", "no"], port, "/", core=None)


def make_server(name: str, workdir: Path, database_url: str | None, database: str | None,
                redis_url: str | None = None, label: str | None = None) -> Server:
    """``redis_url`` (Tandem only): relay to other nodes through that Redis (scenario F);
    ``label`` names the server's log file (tandem-node1, tandem-node2)."""
    port = free_port()
    node = workdir / "node"
    if name == "tandem":
        python = ROOT / ".venv" / "bin" / "python"
        env = {
            "PORT": str(port), "HOST": "127.0.0.1",
            # Small, so scenario D cold can wait for the board's room to unload.
            "TANDEM_ROOM_GRACE_SECONDS": "1",
            # No sessions: the peers have none either (auth is checked once per connection).
            "TANDEM_AUTH": "off",
            # Scenario B's writers exceed the per-socket abuse limit on purpose.
            "TANDEM_MESSAGES_PER_SECOND": "0",
        }
        if database_url:
            env["DATABASE_URL"] = database_url
        else:
            env["TANDEM_DATA_DIR"] = str(workdir / "tandem-data")  # embedded Postgres
        # Single node: the in-process bus, whatever the caller's environment says.
        env["REDIS_URL"] = redis_url or ""
        return Server(label or name, [str(python if python.exists() else sys.executable), "-m", "server", "serve"], port,
                      "/sync/{doc}", cwd=ROOT, env=env, http_ready="/health", health=True, database=database)
    if name == "y-websocket":
        return Server(name, ["node", "node_modules/y-websocket/bin/server.js"], port, "/{doc}", cwd=node,
                      env={"HOST": "127.0.0.1", "PORT": str(port)}, http_ready="/")
    if name == "hocuspocus":
        return Server(name, ["node", "hocuspocus-server.mjs", str(port)], port, "/{doc}", dialect="hocuspocus",
                      cwd=node, http_ready="/")
    if name == "pycrdt-websocket":
        return Server(name, [str(workdir / "pyvenv" / "bin" / "python"), "-m", "uvicorn",
                             "pycrdt_websocket_app:app", "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning"], port, "/{doc}", cwd=workdir)
    if name == BASELINE:
        return Server(name, [str(workdir / "loadgen"), "relay", f"port={port}"], port, "/{doc}")
    raise ValueError(f"unknown server {name}")
