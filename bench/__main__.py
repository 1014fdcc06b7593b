"""Tandem's benchmark: Tandem against y-websocket, Hocuspocus and pycrdt-websocket.

    bench/run                      every scenario, every server (under ~10 minutes)
    bench/run --quick              shorter runs (under ~2 minutes once installed)
    bench/run room                 issue (a): Tandem alone, one room: A100 latency + B throughput
    bench/run --scenarios A500,B --servers tandem,hocuspocus
    bench/run --profile            also py-spy Tandem during A500 and B (py-spy must be installed)
    bench/run --scenarios F        Tandem alone, two nodes through Redis: 1 writer on one, 100 readers on the other

Each server runs pinned to core 0 (``taskset -c 0``), the C load generator to core 1. Tandem
runs as deployed, with persistence on, against a scratch database on ``--database-url``'s
Postgres (dropped afterwards), or against its embedded Postgres if that one is unreachable.
Scenario F starts a private ``redis-server`` (not pinned) and two Tandem nodes on core 0 sharing
the scratch database and that Redis. See docs/performance.md for what each scenario measures.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.board import write_board
from bench.report import print_report, summarize_profile
from bench.servers import (
    ALL_SERVERS, BASELINE, BOOST, LOADGEN_CORE, ROOT, ScratchDatabase, Server, boost, install, log, make_redis,
    make_server, pinned, set_boost,
)

# C first: RSS measured on a fresh process; F last: it replaces the single node by two nodes.
SCENARIOS = ["C", "A10", "A100", "A500", "B", "D", "E", "F"]
TANDEM_ONLY = {"E", "F"}
F_READERS = 100  # scenario F: 1 writer on node 1 -> this many readers on node 2, at A's 200 updates/s
CLK_TCK = os.sysconf("SC_CLK_TCK")


class Profile:
    """Durations: ``full`` (the documented run) and ``quick``."""

    def __init__(self, quick: bool) -> None:
        self.name = "quick" if quick else "full"
        self.a_seconds = 1.5 if quick else 10      # A: 200 updates/s for this long
        self.drain = 2 if quick else 3           # A, E: wait this long after the last send
        self.b_warmup = 0.5 if quick else 2
        self.b_seconds = 1.5 if quick else 8       # B: measured window
        self.c_rooms = 1000
        self.c_active = 1 if quick else 5        # C: one edit per room per second for this long
        self.d_samples = 3 if quick else 15
        self.d_cold = 2 if quick else 5
        self.e_seconds = 1.5 if quick else 10      # E: 1,000 updates/s for this long


def scenario_args(sc: str, prof: Profile, run_id: str, server: Server, workdir: Path,
                  reader: Server | None = None) -> tuple[str, list[str], float]:
    """The load generator's scenario, its key=value arguments, and a time limit (s)."""
    doc = f"{sc.lower()}-{run_id}"
    if sc == "F":  # A100 across two nodes: the writer on ``server``, the readers on ``reader``
        assert reader is not None
        return "fanout", [f"doc={doc}", f"readers={F_READERS}", f"reader_port={reader.port}", "rate=200",
                          f"seconds={prof.a_seconds}", f"drain={prof.drain}"], prof.a_seconds + prof.drain + 60
    if sc.startswith("A"):
        n = int(sc[1:])
        return "fanout", [f"doc={doc}", f"readers={n}", "rate=200", f"seconds={prof.a_seconds}",
                          f"drain={prof.drain}"], prof.a_seconds + prof.drain + 60
    if sc == "B":
        return "throughput", [f"doc={doc}", "writers=20", "readers=20", "window=200", f"warmup={prof.b_warmup}",
                              f"seconds={prof.b_seconds}"], prof.b_warmup + prof.b_seconds + 60
    if sc == "C":
        return "rooms", [f"doc={doc}", f"rooms={prof.c_rooms}", f"active={prof.c_active}"], prof.c_active + 150
    if sc == "D":
        extra = [f"cold_samples={prof.d_cold}", f"health_port={server.port}"] if server.health else []
        return "bigdoc", [f"doc={doc}", f"board={workdir / 'board.bin'}", f"samples={prof.d_samples}", *extra], 300
    if sc == "E":
        return "durable", [f"doc={doc}", "rate=1000", f"seconds={prof.e_seconds}", f"drain={prof.drain}"], \
            prof.e_seconds + prof.drain + 60
    raise ValueError(sc)


# --- CPU accounting -------------------------------------------------------------------------


def proc_cpu(pid: int | None) -> float:
    if not pid:
        return 0.0
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = data[data.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def database_backends_cpu(database: str | None) -> float:
    """CPU seconds of the Postgres backends serving ``database`` (Tandem's scratch database)."""
    if not database:
        return 0.0
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if cmd.startswith(b"postgres:") and database.encode() in cmd:
            total += proc_cpu(int(entry.name))
    return total


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / CLK_TCK


def children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def foreign_load(server: Server | None, seconds: float = 1.0) -> float:
    """% of one core used by processes other than ours over ``seconds``."""
    pid = server.pid if server and server.alive() else None
    db = server.database if server else None
    b0, s0, p0 = busy_seconds(), proc_cpu(pid), database_backends_cpu(db)
    time.sleep(seconds)
    b1, s1, p1 = busy_seconds(), proc_cpu(pid), database_backends_cpu(db)
    return max(0.0, 100 * ((b1 - b0) - (s1 - s0) - (p1 - p0)) / seconds)


class DiskWatch:
    """Samples the machine's disks every 50 ms while a scenario runs and keeps the longest
    stretch during which they were busy all the time (``io_ticks`` of /proc/diskstats): on this
    VM single writes sometimes take 100-400 ms, and every Postgres commit (Tandem's durable acks,
    scenario E) waits for its fsync behind them."""

    def __init__(self, every: float = 0.05) -> None:
        self.every = every
        self.busy_max_ms = 0.0
        self._stop = threading.Event()
        self._disks = {d.name for d in Path("/sys/block").iterdir()
                       if not d.name.startswith(("loop", "ram", "zram"))} if Path("/sys/block").exists() else set()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _io_ticks(self) -> int:
        total = 0
        with contextlib.suppress(OSError):
            for line in Path("/proc/diskstats").read_text().splitlines():
                f = line.split()
                if len(f) > 12 and f[2] in self._disks:
                    total += int(f[12])
        return total

    def _run(self) -> None:
        prev, t_prev, stretch = self._io_ticks(), time.monotonic(), 0.0
        while not self._stop.wait(self.every):
            cur, now = self._io_ticks(), time.monotonic()
            window = (now - t_prev) * 1e3
            if window > 0 and cur - prev >= 0.9 * window:
                stretch += window
                self.busy_max_ms = max(self.busy_max_ms, stretch)
            else:
                stretch = 0.0
            prev, t_prev = cur, now

    def __enter__(self) -> DiskWatch:
        if self._disks:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=1)


def wait_until_quiet(server: Server | None, max_wait: float) -> float:
    """Wait (up to ``max_wait`` s) until other processes use < 15% of a core; returns the last reading."""
    if max_wait <= 0:
        return foreign_load(server, 0.2)
    deadline = time.monotonic() + max_wait
    load = foreign_load(server, 0.5)
    warned = False
    while load >= 15 and time.monotonic() < deadline:
        if not warned:
            log(f"other processes use {load:.0f}% of a core; waiting up to {max_wait:.0f} s for quiet")
            warned = True
        load = foreign_load(server, 1.0)
    return load


def settle(server: Server, max_wait: float = 15) -> bool:
    """Wait until the server is idle again (its backlog gone); False if it stays busy."""
    deadline = time.monotonic() + max_wait
    while time.monotonic() < deadline:
        c0 = proc_cpu(server.pid)
        time.sleep(0.3)
        if proc_cpu(server.pid) - c0 < 0.03:
            return True
    return False


def healthy(server: Server, workdir: Path, run_id: str) -> bool:
    """Does a fresh client still get synced by ``server``?"""
    argv = pinned(LOADGEN_CORE, [str(workdir / "loadgen"), "probe", f"port={server.port}", f"path={server.path}",
                                 f"dialect={server.dialect}", f"doc=probe-{run_id}-{int(time.time() * 1000) % 100000}",
                                 "timeout=5", "quiet=1", "time_limit=10"])
    try:
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=20).stdout
    except subprocess.TimeoutExpired:
        return False
    return '"ok": true' in out


def clean(result: dict) -> bool:
    """Did the scenario leave the server as it found it (nothing failed, lost or closed)?"""
    return bool(result.get("ok")) and result.get("delivered_fraction", 1) >= 0.999 and \
        not result.get("closed_connections") and not result.get("closed_readers")


# --- running ------------------------------------------------------------------------------


def run_scenario(sc: str, server: Server, prof: Profile, run_id: str, workdir: Path, profiler: str | None,
                 profile_dir: Path | None, reader: Server | None = None, redis: Server | None = None) -> dict:
    """Run one scenario against ``server``; for F also against ``reader`` (the second node,
    where the readers connect) and ``redis`` (their CPU is measured, not counted as foreign)."""
    kind, args, limit = scenario_args(sc, prof, run_id, server, workdir, reader)
    extra_pids = [x.pid for x in (reader, redis) if x is not None]
    extra = ([f"server2_pid={reader.pid}"] if reader else []) + ([f"redis_pid={redis.pid}"] if redis else [])
    argv = pinned(LOADGEN_CORE, [str(workdir / "loadgen"), kind, f"port={server.port}", f"path={server.path}",
                                 f"dialect={server.dialect}", f"server_pid={server.pid}", f"time_limit={int(limit)}",
                                 *extra, *args])
    spies: list[tuple[subprocess.Popen, Path]] = []
    if profiler and profile_dir:
        profile_dir.mkdir(parents=True, exist_ok=True)
        for target in [server, *([reader] if reader else [])]:
            out = profile_dir / f"{target.name}-{sc}.raw.txt"
            spies.append((subprocess.Popen(pinned(LOADGEN_CORE, [
                profiler, "record", "--pid", str(target.pid), "--rate", "200", "--format", "raw", "--nonblocking",
                "--output", str(out)]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), out))
        time.sleep(0.5)
    b0, s0, p0, c0 = busy_seconds(), proc_cpu(server.pid), database_backends_cpu(server.database), children_cpu()
    x0 = sum(proc_cpu(pid) for pid in extra_pids)
    spy0 = sum(proc_cpu(spy.pid) for spy, _ in spies)
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, start_new_session=True)
    boost(proc.pid)
    with DiskWatch() as disk:
        try:
            stdout, _ = proc.communicate(timeout=limit + 30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise
    wall = time.monotonic() - t0
    b1, s1, p1, c1 = busy_seconds(), proc_cpu(server.pid), database_backends_cpu(server.database), children_cpu()
    x1 = sum(proc_cpu(pid) for pid in extra_pids)
    spy_cpu = sum(proc_cpu(spy.pid) for spy, _ in spies) - spy0
    for spy, _ in spies:
        spy.send_signal(signal.SIGINT)
    for spy, _ in spies:
        with contextlib.suppress(subprocess.TimeoutExpired):
            spy.wait(timeout=30)
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1]) if lines else {"ok": False, "error": f"load generator exited {proc.returncode}"}
    result["pg_cpu_s"] = p1 - p0
    result["disk_busy_max_ms"] = round(disk.busy_max_ms)
    result["loadgen_run_cpu_pct"] = 100 * (c1 - c0) / wall
    result["foreign_cpu_pct"] = max(0.0, 100 * ((b1 - b0) - (s1 - s0) - (x1 - x0) - (p1 - p0) - (c1 - c0) - spy_cpu)
                                    / wall)
    for _, raw in spies:
        if raw.exists():
            top = raw.with_name(raw.name.replace(".raw.txt", ".top.txt"))
            top.write_text(summarize_profile(raw))
            result.setdefault("profiles", []).append(str(top))
            result.setdefault("profile", str(top))
    return result


def run_cross_node(prof: Profile, run_id: str, workdir: Path, database_url: str | None, database: str | None,
                   profiler: str | None, profile_dir: Path | None, quiet_wait: float) -> dict:
    """Scenario F: a private Redis (not pinned) and two Tandem nodes (core 0) on the same
    database and Redis; the writer on node 1, the readers on node 2."""
    logdir = workdir / "logs"
    redis = make_redis()
    nodes: list[Server] = []
    try:
        log(f"starting redis-server on 127.0.0.1:{redis.port} (not pinned, no persistence)")
        redis.start(logdir)
        url = f"redis://127.0.0.1:{redis.port}/0"
        for i in (1, 2):  # one after the other: the second finds the schema migrated
            node = make_server("tandem", workdir, database_url, database, redis_url=url, label=f"tandem-node{i}")
            log(f"starting tandem node {i} on 127.0.0.1:{node.port} (core 0, REDIS_URL={url})")
            node.start(logdir)
            nodes.append(node)
        foreign = wait_until_quiet(nodes[0], quiet_wait)
        log(f"tandem: scenario F (writer on node 1 :{nodes[0].port}, {F_READERS} readers on node 2 :{nodes[1].port})")
        r = run_scenario("F", nodes[0], prof, run_id, workdir, profiler, profile_dir, reader=nodes[1], redis=redis)
        r["foreign_before_pct"] = foreign
        for i, node in enumerate(nodes, 1):
            if not node.alive():
                r["server_died"] = True
                log(f"tandem node {i} died during F; see {node.log_path}")
        return r
    except RuntimeError as exc:
        log(str(exc))
        return {"ok": False, "error": f"could not start: {exc}"}
    finally:
        for node in nodes:
            node.stop()
        redis.stop()


def machine_info() -> dict:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "server"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
        "node": subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip(),
        "python": platform.python_version(),
        "tandem": git + (" + uncommitted changes in server/" if dirty else ""),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", nargs="?", choices=["compare", "room"], default="compare",
                   help="compare (default): the peer comparison; room: Tandem alone, one room (A100 + B)")
    p.add_argument("--quick", action="store_true", help="short runs (< 2 minutes once installed)")
    p.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, of {','.join(SCENARIOS)}")
    p.add_argument("--servers", default=",".join(ALL_SERVERS), help=f"comma-separated, of {','.join(ALL_SERVERS)}")
    p.add_argument("--no-baseline", action="store_true", help=f"skip the {BASELINE} (the load generator's ceiling)")
    p.add_argument("--workdir", type=Path, help="install into and reuse this folder (default: a new temporary one)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, results.json, profiles)")
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/postgres"),
                   help="a Postgres where a scratch database may be created and dropped")
    p.add_argument("--json", type=Path, help="also write every raw result here")
    p.add_argument("--no-boost", action="store_true",
                   help="do not run the servers and the load generator at nice -15 (the default as root)")
    p.add_argument("--profile", action="store_true", help="py-spy Tandem during --profile-scenarios")
    p.add_argument("--profile-scenarios", default=None,
                   help="default: the scenarios named by --scenarios, or A500,B when --scenarios is not given")
    p.add_argument("--quiet-wait", type=float, default=None,
                   help="before each scenario, wait up to this many seconds for other processes on the machine "
                        "to go quiet (default 5, 0 with --quick)")
    args = p.parse_args(argv)
    if args.quiet_wait is None:
        args.quiet_wait = 0.0 if args.quick else 5.0
    if args.command == "room":
        args.servers, args.scenarios, args.no_baseline = "tandem", "A100,B", True
    if args.profile_scenarios is None:
        args.profile_scenarios = args.scenarios if args.scenarios != ",".join(SCENARIOS) else "A500,B"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    scenarios = [s.strip().upper() for s in args.scenarios.split(",") if s.strip()]
    for s in servers:
        if s not in ALL_SERVERS:
            raise SystemExit(f"unknown server {s!r}: expected some of {', '.join(ALL_SERVERS)}")
    for s in scenarios:
        if s not in SCENARIOS:
            raise SystemExit(f"unknown scenario {s!r}: expected some of {', '.join(SCENARIOS)}")
    scenarios = [s for s in SCENARIOS if s in scenarios]
    if len(os.sched_getaffinity(0)) < 2:
        raise SystemExit("needs two cores: the servers run on core 0, the load generator on core 1")
    prof = Profile(args.quick)
    set_boost(not args.no_boost)
    temporary = args.workdir is None
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tandem-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    profiler = None
    if args.profile:
        profiler = shutil.which("py-spy") or str(ROOT / ".venv" / "bin" / "py-spy")
        if not Path(profiler).exists():
            raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    started = time.monotonic()
    db: ScratchDatabase | None = None
    results: dict[str, dict[str, dict]] = {}
    try:
        versions = install(workdir, servers)
        if "D" in scenarios:
            write_board(workdir / "board.bin")
        database_url = None
        if "tandem" in servers:
            db = ScratchDatabase(args.database_url)
            try:
                database_url = db.create()
                versions["postgres"] = f"scratch database {db.name} on {args.database_url.rsplit('@', 1)[-1]}"
            except Exception as exc:  # no server there: Tandem starts its embedded Postgres
                log(f"no Postgres at {args.database_url} ({exc}); Tandem will use its embedded Postgres")
                db = None
                versions["postgres"] = "Tandem's embedded Postgres (pinned with it to core 0)"
        run_id = f"{int(time.time()) % 100000:05d}"
        order = servers + ([] if args.no_baseline else [BASELINE])
        for name in order:
            wanted = [s for s in scenarios if name == "tandem" or s not in TANDEM_ONLY]
            if not wanted:
                continue
            results[name] = {}
            server = make_server(name, workdir, database_url, db.name if db else None)
            try:
                for sc in wanted:
                    if name == BASELINE and sc == "D":
                        continue  # the relay keeps no document
                    if sc == "F":  # two nodes through Redis, instead of the single node
                        server.stop()
                        t_sc = time.monotonic()
                        profile_dir = workdir / "profiles" if profiler and \
                            sc in args.profile_scenarios.upper().split(",") else None
                        r = run_cross_node(prof, run_id, workdir, database_url, db.name if db else None,
                                           profiler if profile_dir else None, profile_dir, args.quiet_wait)
                        r["elapsed_s"] = round(time.monotonic() - t_sc, 1)
                        results[name][sc] = r
                        log(f"{name} F: done in {r['elapsed_s']} s" if r.get("ok") else
                            f"{name} F failed: {r.get('error')}")
                        continue
                    if not server.alive():
                        log(f"starting {name} on 127.0.0.1:{server.port} (core 0)")
                        try:
                            server.start(workdir / "logs")
                        except RuntimeError as exc:
                            log(str(exc))
                            results[name][sc] = {"ok": False, "error": f"could not start: {exc}"}
                            continue
                    foreign = wait_until_quiet(server, args.quiet_wait)
                    log(f"{name}: scenario {sc}")
                    t_sc = time.monotonic()
                    profile_dir = workdir / "profiles" if profiler and name == "tandem" and \
                        sc in args.profile_scenarios.upper().split(",") else None
                    try:
                        r = run_scenario(sc, server, prof, run_id, workdir, profiler if profile_dir else None,
                                         profile_dir)
                    except subprocess.TimeoutExpired:
                        r = {"ok": False, "error": "load generator timed out"}
                    r["foreign_before_pct"] = foreign
                    r["elapsed_s"] = round(time.monotonic() - t_sc, 1)
                    results[name][sc] = r
                    log(f"{name} {sc}: done in {r['elapsed_s']} s" if r.get("ok") else
                        f"{name} {sc} failed: {r.get('error')}")
                    if not server.alive():
                        log(f"{name} died during {sc}; see {server.log_path}")
                        r["server_died"] = True
                    elif not clean(r) or not settle(server) or not healthy(server, workdir, run_id):
                        # a backlog, lost clients or a wedged server must not leak into the next run
                        ok = healthy(server, workdir, run_id)
                        r["server_healthy_after"] = ok
                        log(f"{name} after {sc}: {'still serving' if ok else 'NOT serving any more'}; restarting it")
                        server.stop()
            finally:
                server.stop()
        info = machine_info()
        info.update(versions)
        info["mode"] = prof.name
        info["priority"] = "nice -15 (process and autogroup)" if BOOST else "normal priority"
        info["elapsed_s"] = round(time.monotonic() - started)
        report = {"info": info, "results": results}
        (workdir / "results.json").write_text(json.dumps(report, indent=2))
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
        print_report(report, room=args.command == "room", profile=prof)
    finally:
        if db is not None:
            db.drop()
        if temporary and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif temporary:
            log(f"kept {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
