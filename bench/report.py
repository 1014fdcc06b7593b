"""The printed report: one comparison table, Tandem's ratio to the best peer per row."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bench.servers import BASELINE, PEERS

# label, scenario, result key, which way is better, format, Tandem only
ROWS = [
    ("A10  edit->peer latency p50 (ms)", "A10", "p50_ms", "lower", "ms", False),
    ("A10  edit->peer latency p99 (ms)", "A10", "p99_ms", "lower", "ms", False),
    ("A100 edit->peer latency p50 (ms)", "A100", "p50_ms", "lower", "ms", False),
    ("A100 edit->peer latency p99 (ms)", "A100", "p99_ms", "lower", "ms", False),
    # F: A100's load with the writer and the readers on two nodes; beside A100, as its ratio
    ("F100 cross-node latency p50 (ms), 2 nodes + Redis", "F", "p50_ms", "lower", "ms", True),
    ("F100 cross-node latency p99 (ms), 2 nodes + Redis", "F", "p99_ms", "lower", "ms", True),
    ("F100 cross-node delivered (%)", "F", "delivered_fraction", "higher", "pct", True),
    ("A500 edit->peer latency p50 (ms)", "A500", "p50_ms", "lower", "ms", False),
    ("A500 edit->peer latency p99 (ms)", "A500", "p99_ms", "lower", "ms", False),
    ("A500 delivered (%)", "A500", "delivered_fraction", "higher", "pct", False),
    ("A500 server CPU per delivered update (us)", "A500", "server_cpu_us_per_delivered", "lower", "f1", False),
    ("B    updates accepted by the server /s", "B", "accepted_per_s", "higher", "int", False),
    ("B    updates delivered to 20 readers /s", "B", "delivered_per_s", "higher", "int", False),
    ("C    server RSS per connection (KiB)", "C", "rss_per_connection_kib", "lower", "f1", False),
    ("C    server CPU % (1 edit/s in each room)", "C", "server_cpu_pct", "lower", "f1", False),
    ("D    connect -> full state p50 (ms), in memory", "D", "warm_p50_ms", "lower", "ms", False),
    ("D cold  connect -> full state p50 (ms), from Postgres", "D", "cold_p50_ms", "lower", "ms", True),
    ("E    durable ack p50 (ms) at 1,000 updates/s", "E", "p50_ms", "lower", "ms", True),
    ("E    durable ack p99 (ms) at 1,000 updates/s", "E", "p99_ms", "lower", "ms", True),
]
# Tandem-only rows shown with their ratio to another of Tandem's rows: F (two nodes) against
# A100 (the same load on one node).
AGAINST = {"F": "A100"}


def fmt(value: float | None, kind: str) -> str:
    if value is None:
        return "lost"
    if kind == "ms":
        return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"
    if kind == "pct":
        return f"{100 * value:.1f}"
    if kind == "int":
        return f"{value:,.0f}"
    return f"{value:.1f}"


def cell(results: dict, server: str, scenario: str, key: str, kind: str) -> tuple[str, float | None]:
    r = results.get(server, {}).get(scenario)
    if r is None:
        return "-", None
    if not r.get("ok"):
        return "failed", None
    if key not in r:
        return "-", None
    value = r[key]
    if value is None and scenario.startswith("A") and key.startswith("p"):
        return "lost", None
    return fmt(value, kind), value


def ratio_text(tandem: float | None, best: float | None, better: str) -> str:
    if tandem is None or best is None or best == 0:
        return ""
    ratio = tandem / best
    if better == "lower":
        verdict = "par" if 0.9 <= ratio <= 1.1 else "behind" if ratio > 1 else "ahead"
    else:
        verdict = "par" if 0.9 <= ratio <= 1.1 else "behind" if ratio < 1 else "ahead"
    return f"x{ratio:.2f} {verdict}"


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    def line(r: list[str]) -> str:
        return "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)).rstrip()
    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), sep, *(line(r) for r in rows)])


def comparison(report: dict) -> str:
    results = report["results"]
    peers = [p for p in PEERS if p in results]
    baseline = BASELINE in results
    header = ["scenario / metric", "better", "tandem", *peers, "best peer", "tandem / best"]
    if baseline:
        header.append(f"({BASELINE})")
    rows = []
    for label, sc, key, better, kind, tandem_only in ROWS:
        if not any(sc in results.get(s, {}) for s in results):
            continue
        t_text, t_val = cell(results, "tandem", sc, key, kind)
        row = [label, better, t_text]
        vals = []
        for p in peers:
            text, val = ("n/a", None) if tandem_only else cell(results, p, sc, key, kind)
            row.append(text)
            if val is not None:
                vals.append((val, p))
        if tandem_only and sc in AGAINST:
            _, own = cell(results, "tandem", AGAINST[sc], key, kind)
            ratio = f"x{t_val / own:.2f} of {AGAINST[sc]}" if t_val is not None and own else ""
            row += ["Tandem only", ratio]
        elif tandem_only:
            row += ["Tandem only", ""]
        elif vals:
            best_val, best_peer = (min if better == "lower" else max)(vals)
            row += [f"{best_peer} {fmt(best_val, kind)}", ratio_text(t_val, best_val, better)]
        else:
            row += ["-", ""]
        if baseline:
            row.append("n/a" if tandem_only or sc == "D" else cell(results, BASELINE, sc, key, kind)[0])
        rows.append(row)
    return table(rows, header)


def loadgen_table(report: dict) -> str:
    """Per scenario and server: server CPU, load generator CPU, other processes' CPU (% of a core)."""
    results = report["results"]
    servers = list(results)
    order = ["C", "A10", "A100", "A500", "B", "D", "E", "F"]
    scenarios = [sc for sc in order if any(sc in results[s] for s in servers)]
    header = ["scenario", *servers]
    rows = []
    for sc in scenarios:
        row = [sc]
        for s in servers:
            r = results[s].get(sc)
            if r is None or not r.get("ok"):
                row.append("-" if r is None else "failed")
                continue
            server = _pct(r.get('server_cpu_pct'))
            if sc == "F":  # two nodes on core 0: the writer's node + the readers' node
                server = f"n1 {server} + n2 {_pct(r.get('server2_cpu_pct'))}"
            text = f"{server} | {_pct(r.get('loadgen_cpu_pct'))} | {_pct(r.get('foreign_cpu_pct'))}"
            if s == "tandem":
                text += f" | pg {r.get('pg_cpu_s', 0):.1f}s"
            if sc == "F":
                text += f" | redis {_pct(r.get('redis_cpu_pct'))}"
            row.append(text)
        rows.append(row)
    return table(rows, header)


def _pct(v: float | None) -> str:
    return f"{v:.0f}%" if isinstance(v, (int, float)) else "?"


def loadgen_summary(report: dict) -> str:
    results = report["results"]
    runs = [(r.get("loadgen_cpu_pct") or 0, s, sc) for s, per in results.items() for sc, r in per.items() if r.get("ok")]
    if not runs:
        return ""
    top = max(runs)
    tandem = max((x for x in runs if x[1] == "tandem"), default=None)
    text = f"Load generator: at most {top[0]:.0f}% of its core ({top[1]} {top[2]})"
    if tandem:
        text += f"; at most {tandem[0]:.0f}% against Tandem ({tandem[2]})"
    return text + "."


def notes(report: dict) -> list[str]:
    out = []
    results = report["results"]
    for s, per in results.items():
        for sc, r in per.items():
            if not r.get("ok"):
                out.append(f"{s} {sc}: failed: {r.get('error', '')[:200]}")
                continue
            if sc[0] in "AF" and r.get("delivered_fraction", 1) < 0.999:
                out.append(f"{s} {sc}: delivered {100 * r['delivered_fraction']:.1f}% of {int(r['expected']):,}"
                           f" edit deliveries within the drain time; {int(r.get('closed_readers', 0))} readers closed")
            if sc == "B" and r.get("closed_connections"):
                out.append(f"{s} B: {int(r['closed_connections'])} connections were closed by the server")
            if sc == "C" and r.get("delivered_fraction", 1) < 0.999:
                out.append(f"{s} C: delivered {100 * r['delivered_fraction']:.1f}% of the edits")
            if r.get("server_died"):
                out.append(f"{s} {sc}: the server process died during the run")
            elif r.get("server_healthy_after") is False:
                out.append(f"{s} {sc}: afterwards the server no longer synced a new client (restarted for the next row)")
            if s == "tandem" and r.get("disk_busy_max_ms", 0) >= 100:
                out.append(f"tandem {sc}: the disk was busy without a break for {r['disk_busy_max_ms']:,} ms during the run "
                           "(Postgres commits, and so durable acks, wait for it)")
            if r.get("foreign_cpu_pct", 0) > 15:
                out.append(f"{s} {sc}: other processes on this machine used {r['foreign_cpu_pct']:.0f}% of a core "
                           "during the run: treat this row as noisy")
    return out


def print_report(report: dict, room: bool, profile) -> None:
    info, results = report["info"], report["results"]
    if room:
        a, b = results["tandem"].get("A100", {}), results["tandem"].get("B", {})
        print()
        print(f"Tandem, one room ({info['mode']} run, {info['date']}, {info['nproc']} x {info['cpu']}):")
        if a.get("ok"):
            print(f"  1 writer -> 100 readers at 200 updates/s: edit-to-peer latency p50 {fmt(a['p50_ms'], 'ms')} ms, "
                  f"p99 {fmt(a['p99_ms'], 'ms')} ms ({100 * a['delivered_fraction']:.1f}% delivered)")
        else:
            print(f"  A100 failed: {a.get('error')}")
        if b.get("ok"):
            print(f"  20 writers + 20 readers, writers as fast as they can: {b['accepted_per_s']:,.0f} updates/s "
                  f"accepted -> {b['delivered_per_s']:,.0f} updates/s delivered")
        else:
            print(f"  B failed: {b.get('error')}")
        print(f"  (load generator on its own core used {a.get('loadgen_cpu_pct', 0):.0f}% (A100) and "
              f"{b.get('loadgen_cpu_pct', 0):.0f}% (B) of it)")
        return
    print()
    print(f"Tandem benchmark ({info['mode']} run), {info['date']}")
    print(f"machine: {info['nproc']} cores, {info['cpu']}, Linux {info['kernel']}; servers pinned to core 0, "
          f"load generator (C, epoll) to core 1, both at {info.get('priority', 'normal priority')}")
    print(f"tandem {info['tandem']}; {info.get('postgres', '')}")
    shown = {"y-websocket": "y-websocket", "hocuspocus": "@hocuspocus/server", "pycrdt-websocket": "pycrdt-websocket"}
    peers = ", ".join(f"{pkg} {info[pkg]}" for name, pkg in shown.items() if name in results and pkg in info)
    print(f"peers: {peers}; node {info['node']}; {info.get('loadgen check', '')}")
    print(f"durations: A {profile.a_seconds} s at 200 updates/s; B {profile.b_seconds} s measured after "
          f"{profile.b_warmup} s; C {profile.c_rooms} rooms x 2, {profile.c_active} s of edits; D {profile.d_samples} "
          f"samples ({profile.d_cold} cold); E {profile.e_seconds} s")
    print()
    print(comparison(report))
    print()
    print("tandem / best: Tandem's value divided by the best peer's; 'behind' means worse by more than 10%.")
    if BASELINE in results:
        print(f"({BASELINE}): the load generator against a C relay that forwards frames without any CRDT work:")
        print("  the floor for latency and the ceiling for throughput that this load generator can show here.")
    if "F" in results.get("tandem", {}):
        print("F100: A100's load across two Tandem nodes (both on core 0, same database) relaying through a private")
        print("  redis-server, which is not pinned (it runs on whichever core is free); 'of A100' is the ratio to")
        print("  Tandem's single-node A100 row of the same run.")
    print()
    print("CPU during each measured window, % of one core: server (core 0) | load generator (core 1) |"
          " other processes on the machine (| CPU seconds of Tandem's Postgres backends)"
          + (" (F: node 1 + node 2 | ... | Redis)" if "F" in results.get("tandem", {}) else "") + ":")
    print(loadgen_table(report))
    print(loadgen_summary(report))
    extra = notes(report)
    if extra:
        print()
        print("notes:")
        for n in extra:
            print(f"  - {n}")
    print(f"\ntotal time {info['elapsed_s']} s")


def summarize_profile(raw: Path, top: int = 20) -> str:
    """Top functions by own and by total samples from a py-spy ``--format raw`` file."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        samples += n
        frames = [_frame(f) for f in stack.split(";")]
        if frames:
            own[frames[-1]] += n
        for f in set(frames):
            total[f] += n
    out = [f"{raw.name}: {samples} samples", "", "own time (self):"]
    out += [f"  {100 * n / samples:5.1f}%  {f}" for f, n in own.most_common(top)] if samples else []
    out += ["", "total time (inclusive):"]
    out += [f"  {100 * n / samples:5.1f}%  {f}" for f, n in total.most_common(top)] if samples else []
    return "\n".join(out) + "\n"


def _frame(frame: str) -> str:
    # "function (path/to/file.py:123)" -> "function (file.py)"
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    path = where.rsplit(":", 1)[0]
    parts = path.split("/")
    short = "/".join(parts[-2:]) if len(parts) > 1 else path
    return f"{name} ({short})" if where else name
