"""Automations (issue 16): event-to-action latency, jobs/s one worker sustains, and the room
benchmark with a rule firing next to it.

    .venv/bin/python -m bench.automations [--rates 100,1000] [--seconds 10,2] [--settle 0]
                                          [--jobs 20000] [--room-pairs 1] [--parts latency,jobs,room]
    .venv/bin/python -m bench.automations --parts latency --no-rules   # the same moves, no rule: the API alone
    .venv/bin/python -m bench.automations --parts latency --rates 100 --seconds 10 --profile /tmp/move.txt
        # py-spy samples the server while the moves are sent; prints where its time goes

1. Latency. Starts ``python -m server serve`` (TANDEM_WORKER=on: its in-process worker runs the
   automation jobs) on a scratch database, signs up, makes a workspace, a pipeline board and a
   rule deal_stage_entered(stage 2) -> create_task, creates the deals, then moves them into
   stage 2 through ``POST /api/boards/{id}/cards/{card}/move`` at each rate for a bounded time
   (one event per deal). An event's latency is from the move's 200 answer (client wall clock) to
   the rule's run row reaching ``succeeded`` (``automation_runs.finished_at``, written after the
   task is in the live board document; same host, same clock). Settling is a deliberate delay
   (TANDEM_AUTOMATION_SETTLE_SECONDS, 3 s by default); it is set to ``--settle`` (0) here, so
   the figure is the machinery's own latency: add the settle time for a deployment's.
2. Jobs/s. A ``python -m server worker`` (TANDEM_JOB_MODULES=bench.job_kinds) waits on a scratch
   database; N no-op jobs are committed in one transaction; timed from the commit to the queue
   holding none of them.
3. The sync hot path: ``bench/run room`` alone, then with the latency server of step 1 moving
   deals at 100 events/s in the background (another process on the same 2 cores: the load the
   rule adds to the machine, not to the room's process), alternating, ``--room-pairs`` times.
Loopback only; everything bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

import asyncpg
import httpx

from bench.projection_lag import FAST, ROOT, database, summary

from server.storage.jobs import PostgresJobs, queue_names


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PIDS: dict[str, int] = {}  # a started server's address -> its process id (for --profile)


@asynccontextmanager
async def server(url: str, **env: str) -> AsyncIterator[str]:
    port = free_port()
    full = {**os.environ, "DATABASE_URL": url, "PORT": str(port), "HOST": "127.0.0.1", "TANDEM_LOG_FORMAT": "logfmt",
            "TANDEM_WORKER": "on", **{f"TANDEM_{k.upper()}": str(v) for k, v in FAST.items()}, **env}
    log = os.environ.get("TANDEM_BENCH_SERVER_LOG")  # keep the server's log there (default: dropped)
    out = open(log, "ab") if log else subprocess.DEVNULL
    process = subprocess.Popen([sys.executable, "-m", "server", "serve"], cwd=ROOT, env=full,
                               stdout=out, stderr=subprocess.STDOUT)
    try:
        async with asyncio.timeout(60), httpx.AsyncClient() as http:
            while True:
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
        PIDS[f"127.0.0.1:{port}"] = process.pid
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(30)


PER_BOARD = 250  # deals per pipeline board: one board of thousands makes every edit slower (see performance.md)


class Board:
    def __init__(self, board: str, first: str, target: str, rule: str) -> None:
        self.id, self.first, self.target, self.rule = board, first, target, rule


class World:
    def __init__(self, http: httpx.AsyncClient, workspace: str, rules: bool = True) -> None:
        self.http, self.workspace, self.with_rules = http, workspace, rules
        self.boards: list[Board] = []
        self.cards: list[tuple[Board, str, str]] = []  # (board, card id, title) not yet moved

    @property
    def rules(self) -> list[uuid.UUID]:
        return [uuid.UUID(b.rule) for b in self.boards]


async def setup(http: httpx.AsyncClient, rules: bool = True) -> World:
    user = (await http.post("/api/auth/signup", json={"email": f"bench-{uuid.uuid4().hex[:8]}@example.com",
                                                      "password": "benchmark password", "name": "Bench"})).json()
    http.headers["Authorization"] = f"Bearer {user['token']}"
    workspace = (await http.post("/api/workspaces", json={"name": "Bench"})).json()["id"]
    return World(http, workspace, rules)


async def add_board(world: World) -> Board:
    """A pipeline board and its rule: a deal entering the second stage gets a task."""
    http, workspace = world.http, world.workspace
    board = (await http.post(f"/api/workspaces/{workspace}/boards",
                             json={"name": f"P{len(world.boards)}", "kind": "pipeline"})).json()
    report = (await http.get(f"/api/workspaces/{workspace}/pipeline-report", params={"board": board["id"]})).json()
    first, target = report["stages"][0]["stage"], report["stages"][1]["stage"]
    if not world.with_rules:
        world.boards.append(Board(board["id"], first, target, str(uuid.uuid4())))
        return world.boards[-1]
    rule = (await http.post(f"/api/workspaces/{workspace}/automations", json={
        "name": "Call when qualified", "trigger": {"type": "deal_stage_entered", "board": board["id"], "stage": target},
        "actions": [{"type": "create_task", "title": "Call {{deal.title}}", "assignee": "deal_owner",
                     "due_in_days": 1}]}))
    rule.raise_for_status()
    world.boards.append(Board(board["id"], first, target, rule.json()["id"]))
    return world.boards[-1]


async def make_deals(world: World, n: int, concurrency: int = 8) -> None:
    """``n`` deals, ``PER_BOARD`` to a board (new boards as needed), interleaved across the boards."""
    boards = [await add_board(world) for _ in range(-(-n // PER_BOARD))]
    counter = iter(range(n))
    made: list[tuple[Board, str, str]] = []

    async def one() -> None:
        for i in counter:
            board, title = boards[i % len(boards)], f"d-{uuid.uuid4().hex[:12]}"
            answer = await world.http.post(f"/api/boards/{board.id}/cards", json={"title": title, "value": i})
            answer.raise_for_status()
            made.append((board, answer.json()["id"], title))

    await asyncio.gather(*(one() for _ in range(concurrency)))
    world.cards.extend(made)


async def queue_empty(conn: asyncpg.Connection, kind: str) -> bool:
    """No job of ``kind`` waits or runs (one held as failed after its attempts does not count)."""
    return not await conn.fetchval(f"SELECT count(*) FROM {queue_names().queue_table} WHERE entrypoint = $1"
                                   " AND status::text IN ('queued', 'picked')", kind)


async def held_failed(conn: asyncpg.Connection) -> int:
    return await conn.fetchval(f"SELECT count(*) FROM {queue_names().queue_table}"
                               " WHERE entrypoint = 'automation.event' AND status::text = 'failed'")


async def wait_for(check, timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(every)
    return False


async def drive(world: World, rate: float, seconds: float, sent: dict[str, float] | None = None
                ) -> tuple[dict[str, float], int]:
    """Moves deals into the target stage at ``rate`` for ``seconds``; title -> answer time (epoch s),
    and into ``sent`` title -> the time the move was due to be sent (epoch s)."""
    answered: dict[str, float] = {}
    sent = {} if sent is None else sent
    failures = 0
    count = min(int(rate * seconds), len(world.cards))
    batch, world.cards = world.cards[:count], world.cards[count:]
    interval, start = 1 / rate, time.monotonic()

    async def move(board: Board, card: str, title: str) -> None:
        nonlocal failures
        try:
            answer = await world.http.post(f"/api/boards/{board.id}/cards/{card}/move", json={"stage": board.target})
            if answer.status_code == 200:
                answered[title] = time.time()
            else:
                failures += 1
        except httpx.HTTPError:
            failures += 1

    tasks = []
    for i, (board, card, title) in enumerate(batch):
        await asyncio.sleep(max(0.0, start + i * interval - time.monotonic()))
        sent[title] = time.time()
        tasks.append(asyncio.create_task(move(board, card, title)))
    await asyncio.gather(*tasks)
    return answered, failures


@asynccontextmanager
async def profiled(path: str | None, pid: int) -> AsyncIterator[None]:
    """py-spy samples process ``pid`` inside the block (``--profile``): its collapsed stacks go to
    ``path``, and where the time went is printed."""
    if not path:
        yield
        return
    spy_path = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    spy = subprocess.Popen([spy_path, "record", "--pid", str(pid), "--format", "raw", "--rate", "250",
                            "--nonblocking", "-o", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(60)
        print(hot_spots(Path(path)), flush=True)


_LINE = re.compile(r":\d+\)$")


def hot_spots(path: Path, top: int = 30) -> str:
    """The functions with the most samples, inclusive (anywhere on the stack) and self (on top)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = [_LINE.sub(")", f).replace(str(ROOT) + "/", "") for f in stack.split(";")]
        n = int(count)
        total += n
        inclusive.update({f: n for f in set(frames)})
        own[frames[-1]] += n
    rows = [f"profile: {total} samples ({path})", "  inclusive:"]
    rows += [f"    {100 * n / total:5.1f}%  {f[:150]}" for f, n in inclusive.most_common(top)]
    rows += ["  self:"] + [f"    {100 * n / total:5.1f}%  {f[:150]}" for f, n in own.most_common(top)]
    return "\n".join(rows)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time process ``pid`` has used (its threads included): a machine busy with
    other work stretches latencies, but hardly what one event costs the server."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def latency(conn: asyncpg.Connection, world: World, rate: float, seconds: float,
                  profile: str | None = None) -> str:
    started = time.monotonic()
    sent: dict[str, float] = {}
    address = str(world.http.base_url).removeprefix("http://").rstrip("/")
    cpu = cpu_seconds(PIDS[address])
    async with profiled(profile, PIDS[address]):
        answered, failures = await drive(world, rate, seconds, sent)
    sent_for = time.monotonic() - started
    titles = list(answered)
    if not world.with_rules:
        waits = [answered[t] - sent[t] for t in titles]
        await wait_for(lambda: queue_empty(conn, "automation.event"), timeout=120, every=0.2)
        used = cpu_seconds(PIDS[address]) - cpu
        return (f"{rate:.0f} moves/s offered for {seconds:.0f} s, NO rules: {len(answered) + failures} moves in "
                f"{sent_for:.1f} s ({(len(answered) + failures) / sent_for:.0f}/s achieved), {failures} failed; "
                f"server CPU {used:.1f} s = {1000 * used / max(len(answered), 1):.1f} ms per answered move\n  "
                + summary("move sent -> answered", waits))

    async def runs() -> list[asyncpg.Record]:
        return await conn.fetch("SELECT inputs->>'title' AS title, finished_at FROM automation_runs"
                                " WHERE rule_id = ANY($1::uuid[]) AND status = 'succeeded'"
                                " AND inputs->>'title' = ANY($2::text[])",
                                world.rules, titles)

    done: list[asyncpg.Record] = []

    sent_all = time.monotonic()

    async def all_done() -> bool:
        nonlocal done
        done = await runs()
        # An empty queue right after the last answer may only mean its projection has not run yet
        # (it waits up to a second when busy): the last moves' jobs are not queued before then.
        return len(done) >= len(titles) or (time.monotonic() - sent_all > 3
                                            and await queue_empty(conn, "automation.event"))

    await wait_for(all_done, timeout=600, every=0.2)
    used = cpu_seconds(PIDS[address]) - cpu
    lags = [max(0.0, row["finished_at"].timestamp() - answered[row["title"]]) for row in done]
    total = [row["finished_at"].timestamp() - sent[row["title"]] for row in done]
    return (f"{rate:.0f} events/s offered for {seconds:.0f} s: {len(answered) + failures} moves in {sent_for:.1f} s "
            f"({(len(answered) + failures) / sent_for:.0f}/s achieved), {failures} failed, "
            f"{len(done)}/{len(answered)} tasks made, {await held_failed(conn)} automation job(s) held as failed; "
            f"server CPU {used:.1f} s = {1000 * used / max(len(answered), 1):.1f} ms per answered move and its task\n  "
            + summary("move answered -> task made", lags)
            + "\n  " + summary("move sent -> task made (includes the move's own queueing)", total))


async def part_latency(args: argparse.Namespace) -> None:
    rates = [float(r) for r in args.rates.split(",")]
    seconds = [float(s) for s in args.seconds.split(",")]
    async with database() as url, server(url, TANDEM_AUTOMATION_SETTLE_SECONDS=str(args.settle)) as base, \
            httpx.AsyncClient(base_url=f"http://{base}", timeout=60,
                              limits=httpx.Limits(max_connections=200)) as http:
        conn = await asyncpg.connect(url)
        try:
            world = await setup(http, rules=not args.no_rules)
            total = sum(int(r * s) for r, s in zip(rates, seconds))
            t0 = time.monotonic()
            await make_deals(world, total)
            await wait_for(lambda: queue_empty(conn, "automation.event"), timeout=300, every=0.2)
            rules = "a rule each" if world.with_rules else "no rules"
            print(f"setup: {total} deals on {len(world.boards)} boards ({PER_BOARD} each, {rules}) made in "
                  f"{time.monotonic() - t0:.0f} s (their deal_created jobs drained); "
                  f"TANDEM_AUTOMATION_SETTLE_SECONDS={args.settle}; one server process, its in-process worker")
            for rate, secs in zip(rates, seconds):
                print(await latency(conn, world, rate, secs, args.profile), flush=True)
                await wait_for(lambda: queue_empty(conn, "automation.event"), timeout=120, every=0.2)
        finally:
            await conn.close()


async def part_jobs(n: int) -> None:
    async with database() as url:
        subprocess.run([sys.executable, "-m", "server", "migrate"], cwd=ROOT, check=True,
                       env={**os.environ, "DATABASE_URL": url}, stdout=subprocess.DEVNULL)
        log = open(ROOT / ".bench-worker.log", "wb")
        worker = subprocess.Popen([sys.executable, "-m", "server", "worker"], cwd=ROOT, stdout=log,
                                  stderr=subprocess.STDOUT,
                                  env={**os.environ, "DATABASE_URL": url, "TANDEM_JOB_MODULES": "bench.job_kinds",
                                       "TANDEM_HOUSEKEEPING_CRON": ""})
        try:
            async def ready() -> bool:
                return b"is running jobs" in (ROOT / ".bench-worker.log").read_bytes()

            if not await wait_for(ready, timeout=60):
                raise RuntimeError("the worker did not start")
            conn = await asyncpg.connect(url)
            try:
                jobs = PostgresJobs(conn)
                async with conn.transaction():
                    for i in range(n):
                        await jobs.enqueue("bench.noop", {"n": i})
                committed = time.monotonic()
                drained = await wait_for(lambda: queue_empty(conn, "bench.noop"), timeout=600, every=0.02)
                took = time.monotonic() - committed
            finally:
                await conn.close()
            print(f"jobs/s: {n} no-op jobs committed at once, one `python -m server worker` "
                  f"(batch {os.environ.get('TANDEM_JOB_BATCH', 10)}) drained them in {took:.2f} s "
                  f"= {n / took:.0f} jobs/s"
                  + ("" if drained else " (NOT drained within 600 s)"))
        finally:
            worker.terminate()
            worker.wait(30)
            log.close()
            (ROOT / ".bench-worker.log").unlink(missing_ok=True)


async def churn(world: World, rate: float, stop: asyncio.Event) -> int:
    """Moves the deals into the rule's stage and out again at ``rate`` until ``stop``: every
    other move is an event the rule runs for. How many moves answered 200."""
    ok, i, start = 0, 0, time.monotonic()
    cards = [(board, card) for board, card, _ in world.cards]
    inside: set[str] = set()

    async def move(board: Board, card: str, stage: str) -> None:
        nonlocal ok
        try:
            answer = await world.http.post(f"/api/boards/{board.id}/cards/{card}/move", json={"stage": stage})
            ok += answer.status_code == 200  # read ok after the await: it changed meanwhile
        except httpx.HTTPError:
            pass

    tasks = []
    while not stop.is_set():
        board, card = cards[i % len(cards)]
        stage = board.first if card in inside else board.target
        inside.symmetric_difference_update({card})
        tasks.append(asyncio.create_task(move(board, card, stage)))
        i += 1
        await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
    await asyncio.gather(*tasks)
    return ok


def room() -> str:
    out = subprocess.run([str(ROOT / "bench" / "run"), "room"], cwd=ROOT, capture_output=True, text=True,
                         timeout=900).stdout
    lines = out.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Tandem, one room")), None)
    return "\n    ".join(lines[start:start + 5]) if start is not None else out[-2000:]


async def part_room(pairs: int, settle: float) -> None:
    for pair in range(pairs):
        print(f"room pair {pair + 1}: without automations\n    {await asyncio.to_thread(room)}", flush=True)
        async with database() as url, server(url, TANDEM_AUTOMATION_SETTLE_SECONDS=str(settle)) as base, \
                httpx.AsyncClient(base_url=f"http://{base}", timeout=60) as http:
            world = await setup(http)
            await make_deals(world, 300)
            conn = await asyncpg.connect(url)
            await wait_for(lambda: queue_empty(conn, "automation.event"), timeout=300, every=0.2)
            stop = asyncio.Event()
            background = asyncio.create_task(churn(world, 100, stop))
            result = await asyncio.to_thread(room)
            stop.set()
            moves = await background
            fired = await conn.fetchval("SELECT count(*) FROM automation_runs WHERE rule_id = ANY($1::uuid[])",
                                        world.rules)
            await conn.close()
        print(f"room pair {pair + 1}: with a rule firing at 100 events/s in another server process "
              f"({moves} moves, {fired} runs)\n    {result}", flush=True)


async def main(args: argparse.Namespace) -> None:
    parts = set(args.parts.split(","))
    if "latency" in parts:
        await part_latency(args)
    if "jobs" in parts:
        await part_jobs(args.jobs)
    if "room" in parts:
        await part_room(args.room_pairs, args.settle)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="latency,jobs,room")
    parser.add_argument("--rates", default="100,1000", help="events/s, comma-separated")
    parser.add_argument("--seconds", default="10,2", help="seconds at each rate")
    parser.add_argument("--settle", type=float, default=0.0, help="TANDEM_AUTOMATION_SETTLE_SECONDS")
    parser.add_argument("--jobs", type=int, default=20000)
    parser.add_argument("--no-rules", action="store_true", help="latency part without rules: the moves alone")
    parser.add_argument("--room-pairs", type=int, default=1)
    parser.add_argument("--profile", help="latency part: py-spy the server while the moves are sent (raw stacks here)")
    asyncio.run(main(parser.parse_args()))
