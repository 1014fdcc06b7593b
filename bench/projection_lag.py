"""Projection lag: how long after a board edit the SQL tables show it, under a steady stream of edits.

    python bench/projection_lag.py [--boards 4] [--deals 50] [--clients 4] [--rate 50] [--seconds 20]

Starts ``python -m server serve`` as a child process on a free loopback port (a throwaway
database on the local Postgres, or ``DATABASE_URL``), creates pipeline boards with deals,
connects Python clients (real sockets) and has them move deals and retitle them with a marker
at a steady total rate. A poller reads the ``deals`` table every 10 ms; an edit's lag is from
the client making it to the first poll that shows its marker (or a later marker of the same
deal). Also printed: the server's projection count and mean time from ``/metrics``. Bounded in
time; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from client.crm import Board, open_board  # noqa: E402

METRICS_TOKEN = "bench-metrics"  # /metrics answers only this bearer token (TANDEM_METRICS_TOKEN)
ADMIN_URL = os.environ.get("TANDEM_BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
FAST = {"argon2_time_cost": 1, "argon2_memory_kib": 1024, "argon2_parallelism": 1}


@asynccontextmanager
async def database() -> AsyncIterator[str]:
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    name = f"tandem_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@asynccontextmanager
async def server(url: str, delay: float) -> AsyncIterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "PORT": str(port), "HOST": "127.0.0.1", "TANDEM_LOG_FORMAT": "logfmt",
           "TANDEM_PROJECTION_DELAY_SECONDS": str(delay), "TANDEM_METRICS_TOKEN": METRICS_TOKEN,
           **{f"TANDEM_{k.upper()}": str(v) for k, v in FAST.items()}}
    process = subprocess.Popen([sys.executable, "-m", "server", "serve"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        async with asyncio.timeout(60), httpx.AsyncClient() as http:
            while True:
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(30)


async def projection_metrics(base: str) -> dict[str, float]:
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"http://{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})).text
    values = {}
    for line in text.splitlines():
        name, _, rest = line.partition("{")
        if name in ("tandem_projections_total", "tandem_projection_seconds_total", "tandem_projection_failures_total"):
            values[name] = float(rest.rsplit(" ", 1)[1])
    return values


async def setup(base: str, boards: int, deals: int) -> tuple[str, list[str]]:
    async with httpx.AsyncClient(base_url=f"http://{base}") as http:
        user = (await http.post("/api/auth/signup", json={"email": f"bench-{uuid.uuid4().hex[:8]}@example.com",
                                                          "password": "benchmark password", "name": "Bench"})).json()
        http.headers["Authorization"] = f"Bearer {user['token']}"
        workspace = (await http.post("/api/workspaces", json={"name": "Bench"})).json()["id"]
        ids = []
        for b in range(boards):
            board = (await http.post(f"/api/workspaces/{workspace}/boards", json={"name": f"P{b}", "kind": "pipeline"}))
            ids.append(board.json()["id"])
            for d in range(deals):
                await http.post(f"/api/boards/{ids[-1]}/cards", json={"title": "m-0", "value": 100 + d})
    return user["token"], ids


class Marks:
    """Sent markers per deal (``m-<n>``) and when each was first seen in SQL."""

    def __init__(self) -> None:
        self.sent: dict[str, list[float]] = {}  # card -> send time of marker n (index n-1)
        self.seen: dict[str, int] = {}  # card -> highest marker seen
        self.lags: list[float] = []

    def send(self, card: str) -> str:
        times = self.sent.setdefault(card, [])
        times.append(time.monotonic())
        return f"m-{len(times)}"

    def observe(self, card: str, title: str, now: float) -> None:
        n = int(title[2:]) if title.startswith("m-") else 0
        for i in range(self.seen.get(card, 0), n):
            self.lags.append(now - self.sent[card][i])
        self.seen[card] = max(n, self.seen.get(card, 0))


async def edit(boards: list[Board], marks: Marks, rate: float, seconds: float, rng: random.Random) -> int:
    count, interval, deadline = 0, 1 / rate, time.monotonic() + seconds
    next_at = time.monotonic()
    while time.monotonic() < deadline:
        board = rng.choice(boards)
        state = board.read()
        card = rng.choice(list(state.cards))
        stage = rng.choice(state.ordered_stages()[:4])
        board.move(card, stage.id, rng.randint(0, len(state.column(stage.id))))
        board.update(card, title=marks.send(str(card)))
        count += 1
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    return count


async def poll(url: str, boards: list[str], marks: Marks, stop: asyncio.Event) -> None:
    conn = await asyncpg.connect(url)
    ids = [uuid.UUID(b) for b in boards]
    try:
        while not stop.is_set():
            rows = await conn.fetch("SELECT card_id, title FROM deals WHERE board_id = ANY($1::uuid[])", ids)
            now = time.monotonic()
            for row in rows:
                marks.observe(str(row["card_id"]), row["title"], now)
            await asyncio.sleep(0.01)
    finally:
        await conn.close()


def summary(name: str, values: list[float]) -> str:
    if not values:
        return f"{name}: no samples"
    ordered = sorted(values)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return (f"{name}: n={len(values)} p50={p(0.50):.0f} ms p90={p(0.90):.0f} ms p99={p(0.99):.0f} ms "
            f"max={ordered[-1] * 1000:.0f} ms mean={statistics.mean(values) * 1000:.0f} ms")


async def main(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    async with database() as url, server(url, args.delay) as base:
        token, board_ids = await setup(base, args.boards, args.deals)
        async with AsyncExitStack() as stack:
            clients = [await stack.enter_async_context(open_board(f"ws://{base}", board_ids[i % len(board_ids)],
                                                                  token=token)) for i in range(args.clients)]
            marks, stop = Marks(), asyncio.Event()
            poller = asyncio.create_task(poll(url, board_ids, marks, stop))
            started = time.monotonic()
            sent = sum(await asyncio.gather(*(edit([c], marks, args.rate / args.clients, args.seconds, rng)
                                               for c in clients)))
            settle = time.monotonic() + 30
            while sum(len(v) for v in marks.sent.values()) > len(marks.lags) and time.monotonic() < settle:
                await asyncio.sleep(0.05)
            stop.set()
            await poller
            unseen = sum(len(v) for v in marks.sent.values()) - len(marks.lags)
            if unseen:
                print(f"WARNING: {unseen} edit(s) never showed in SQL within 30 s")
            elapsed = time.monotonic() - started
        m = await projection_metrics(base)
        count = m.get("tandem_projections_total", 0)
        print(f"projection lag: {args.boards} boards x {args.deals} deals, {args.clients} clients, "
              f"{sent} edits (move + retitle) in {elapsed:.1f} s = {sent / elapsed:.0f} edits/s; "
              f"TANDEM_PROJECTION_DELAY_SECONDS={args.delay}")
        print(summary("client edit -> visible in SQL", marks.lags))
        print(f"server: {count:.0f} projections, {m.get('tandem_projection_failures_total', 0):.0f} failures, "
              f"mean {m.get('tandem_projection_seconds_total', 0) / max(count, 1) * 1000:.1f} ms each")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=int, default=4)
    parser.add_argument("--deals", type=int, default=50)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rate", type=float, default=50.0, help="edits per second, all clients together")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--delay", type=float, default=0.1, help="the server's projection delay (seconds)")
    asyncio.run(main(parser.parse_args()))
