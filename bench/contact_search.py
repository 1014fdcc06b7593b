"""Contact search at 100,000 contacts: p50/p99 through the HTTP API and directly in SQL.

    .venv/bin/python -m bench.contact_search                  # Postgres at 127.0.0.1:5432 (scratch database)
    .venv/bin/python -m bench.contact_search --embedded       # the embedded Postgres (pgserver), no pg_trgm
    .venv/bin/python -m bench.contact_search --contacts 20000 --queries 50   # quicker

Seeds one workspace with ``--contacts`` contacts in ``--contacts/20`` organisations by COPY
(binary, into a staging table; the lexemes come from the same ``server.domain.contacts`` code
the server uses), starts ``python -m server serve`` against the database, and times typical
searches one at a time: a name prefix, an e-mail fragment, phone digits, a company name, and a
two-word query — through ``GET /api/workspaces/{id}/contacts?q=`` (first page of 50) and as the
service's own SQL statement (``search_contacts`` in ``server/storage/sql/contacts.sql``); then,
once each, a filtered list page deep in the list, the duplicates report and the full export.
The scratch database (or embedded data folder) is removed afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import asyncpg
import httpx

from server.domain.contacts import contact_lexemes, lexemes, normalise_phone, search_query, sort_name
from server.storage.queries import queries

ROOT = Path(__file__).resolve().parents[1]
FIRST = ("Ada Alan Grace Linus Margaret Ken Barbara Dennis Frances Edsger John Radia Tim Katherine Donald Sophie "
         "Hedy Claude Niklaus Shafi Leslie Guido Bjarne Anders Yukihiro James Brendan Rasmus Larry Jean Marie "
         "Pierre Zoë Chloé José Björn Ingrid Søren Fatima Omar Priya Arjun Mei Wei Hiroshi Yuki Olga Ivan").split()
LAST = ("Lovelace Turing Hopper Torvalds Hamilton Thompson Liskov Ritchie Allen Dijkstra Backus Perlman Berners "
        "Johnson Knuth Wilson Lamarr Shannon Wirth Goldwasser Lamport Rossum Stroustrup Hejlsberg Matsumoto Gosling "
        "Eich Lerdorf Wall Sammet Curie Dupont Müller Schmidt Nakamura Tanaka Ivanova Petrov Kowalski Novak "
        "Andersson Johansson García Fernández Rossi Bianchi Silva Santos Kim Park Nguyen Singh Patel Khan").split()
ORG_A = "North South Blue Red Silver Golden Iron Quantum Bright Rapid Prime Alpine Coastal Urban Lunar Solar".split()
ORG_B = "Logistics Analytics Foods Systems Dynamics Capital Labs Media Health Energy Retail Robotics Textiles".split()
ORG_C = "Ltd GmbH Inc SA BV Oy AB".split()
LABELS = ["vip", "lead", "customer", "partner", "churned", "newsletter"]


def log(message: str) -> None:
    print(f"[contact-search] {message}", file=sys.stderr, flush=True)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# --- data ----------------------------------------------------------------------------------------

def organisations(count: int, rng: random.Random) -> list[tuple[uuid.UUID, str, str]]:
    seen, rows = set(), []
    while len(rows) < count:
        name = f"{rng.choice(ORG_A)} {rng.choice(ORG_B)} {rng.choice(ORG_C)}"
        if name in seen:
            name = f"{name} {len(rows)}"
        seen.add(name)
        domain = name.lower().replace(" ", "") + ".example"
        rows.append((uuid.uuid4(), name, domain))
    return rows


def phone(rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(9))
    return rng.choice([f"+44 20 {digits[:4]} {digits[4:8]}", f"+1 ({digits[:3]}) {digits[3:6]}-{digits[6:]}",
                       f"0{digits[:3]} {digits[3:]}", f"+49 {digits}"])


def contact(rng: random.Random, orgs, i: int) -> tuple:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    org_id, org_name, domain = rng.choice(orgs)
    local = f"{first}.{last}{i}".lower()
    emails = [f"{local}@{domain}"] + ([f"{first.lower()}{i}@mail.example"] if i % 3 == 0 else [])
    phones = [phone(rng) for _ in range(1 + (i % 4 == 0))]
    digits = [normalise_phone(p) for p in phones]
    job = rng.choice(["Engineer", "Buyer", "CTO", "Head of Sales", "Analyst", ""])
    words = contact_lexemes(first, last, job, org_name, emails, digits)
    return (uuid.uuid4(), first, last, emails, phones, digits, org_id, job, rng.sample(LABELS, i % 3),
            sort_name(last, first), words)


# --- setup -----------------------------------------------------------------------------------------

async def seed(url: str, workspace: uuid.UUID, count: int, rng: random.Random) -> dict[str, list]:
    orgs = organisations(max(1, count // 20), rng)
    contacts = [contact(rng, orgs, i) for i in range(count)]
    conn = await asyncpg.connect(url)
    try:
        started = time.perf_counter()
        await conn.execute("CREATE TEMP TABLE org_in (id uuid, name text, website text, lexemes text[])")
        await conn.copy_records_to_table("org_in", records=[
            (o, n, d, lexemes([n, d])) for o, n, d in orgs])
        await conn.execute("""
            INSERT INTO organisations (id, workspace_id, name, website, sort_name, search)
            SELECT id, $1, name, website, lower(name), array_to_tsvector(lexemes) FROM org_in""", workspace)
        await conn.execute("""CREATE TEMP TABLE contact_in (id uuid, first_name text, last_name text, emails text[],
            phones text[], phone_digits text[], organisation_id uuid, job_title text, labels text[], sort_name text,
            lexemes text[])""")
        await conn.copy_records_to_table("contact_in", records=contacts)
        await conn.execute("""
            INSERT INTO contacts (id, workspace_id, first_name, last_name, emails, phones, phone_digits,
                                  organisation_id, job_title, labels, sort_name, search)
            SELECT id, $1, first_name, last_name, emails, phones, phone_digits, organisation_id, job_title, labels,
                   sort_name, array_to_tsvector(lexemes) FROM contact_in""", workspace)
        await conn.execute("VACUUM (ANALYZE) contacts")  # flushes the GIN pending list, as autovacuum would
        await conn.execute("VACUUM (ANALYZE) organisations")
        log(f"seeded {count} contacts and {len(orgs)} organisations in {time.perf_counter() - started:.1f} s")
        size = await conn.fetchval("SELECT pg_size_pretty(pg_relation_size('contacts_search'))")
        log(f"search index (GIN, tsvector of words and suffixes): {size}")
    finally:
        await conn.close()
    return {"contacts": contacts, "orgs": orgs}


def query_sets(data: dict[str, list], n: int, rng: random.Random) -> dict[str, list[str]]:
    contacts, orgs = data["contacts"], data["orgs"]
    pick = lambda: rng.choice(contacts)  # noqa: E731

    def fragment(text: str, size: int) -> str:
        start = rng.randrange(0, max(1, len(text) - size))
        return text[start:start + size]

    return {
        "name prefix": [pick()[2][:rng.randint(3, 5)] for _ in range(n)],
        "first + last prefix": [f"{c[1]} {c[2][:3]}" for c in (pick() for _ in range(n))],
        "e-mail fragment": [fragment(pick()[3][0].split("@")[0], 6) for _ in range(n)],
        "phone digits": [fragment(pick()[5][0], 6) for _ in range(n)],
        "company": [rng.choice(orgs)[1].split()[1] for _ in range(n)],
    }


class Server:
    def __init__(self, url: str) -> None:
        self.port = _free_port()
        env = {**os.environ, "DATABASE_URL": url, "PORT": str(self.port), "HOST": "127.0.0.1", "TANDEM_AUTH": "on",
               "TANDEM_ARGON2_TIME_COST": "1", "TANDEM_ARGON2_MEMORY_KIB": "1024", "TANDEM_ARGON2_PARALLELISM": "1"}
        self.log = tempfile.NamedTemporaryFile(prefix="tandem-bench-", suffix=".log", delete=False)
        self.process = subprocess.Popen([sys.executable, "-m", "server", "serve"], cwd=ROOT, env=env,
                                        stdout=self.log, stderr=self.log)
        self.base = f"http://127.0.0.1:{self.port}"

    async def ready(self) -> None:
        async with httpx.AsyncClient(base_url=self.base) as http:
            for _ in range(600):
                try:
                    if (await http.get("/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited; see {self.log.name}")
                await asyncio.sleep(0.1)
        raise RuntimeError("server did not become ready")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- measuring -------------------------------------------------------------------------------------

async def timed(run: Callable, queries_: list[str]) -> tuple[list[float], int]:
    await run(queries_[0])  # warm up this kind's plan and pages
    times, hits = [], 0
    for q in queries_:
        started = time.perf_counter()
        hits += await run(q)
        times.append((time.perf_counter() - started) * 1000)
    return times, hits


async def measure(base: str, token: str, url: str, workspace: uuid.UUID, sets: dict[str, list[str]]) -> None:
    sql = queries("contacts")["search_contacts"]
    conn = await asyncpg.connect(url)
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
        async def over_http(q: str) -> int:
            response = await http.get(f"/api/workspaces/{workspace}/contacts", params={"q": q, "limit": 50})
            response.raise_for_status()
            return len(response.json()["items"])

        async def in_sql(q: str) -> int:
            async with conn.transaction():
                await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
                rows = await conn.fetch(sql, workspace, search_query(q), None, None, None, None, None, 51, 0)
            return min(len(rows), 50)

        print(f"{'query':<22}{'HTTP p50':>10}{'HTTP p99':>10}{'SQL p50':>10}{'SQL p99':>10}{'avg hits':>10}"
              "   (ms; first page of 50)")
        for kind, qs in sets.items():
            http_times, hits = await timed(over_http, qs)
            sql_times, _ = await timed(in_sql, qs)
            print(f"{kind:<22}{pct(http_times, 50):>10.1f}{pct(http_times, 99):>10.1f}"
                  f"{pct(sql_times, 50):>10.1f}{pct(sql_times, 99):>10.1f}{hits / len(qs):>10.1f}")
        for what, path, params in [
            ("list, label filter", f"/api/workspaces/{workspace}/contacts", {"label": "vip", "offset": 5000}),
            ("duplicates report", f"/api/workspaces/{workspace}/contacts/duplicates", {}),
            ("export contacts.csv", f"/api/workspaces/{workspace}/export/contacts.csv", {}),
        ]:
            started = time.perf_counter()
            response = await http.get(path, params=params, timeout=300)
            response.raise_for_status()
            print(f"{what:<22}{(time.perf_counter() - started) * 1000:>10.0f} ms once ({len(response.content)} bytes)")
        example = sets["e-mail fragment"][0]
        plan = await conn.fetch("EXPLAIN " + sql, workspace, search_query(example), None, None, None, None, None, 51, 0)
        log(f"plan for q={example!r}: " + " | ".join(r[0].strip() for r in plan[:6]))
    await conn.close()


async def main(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="tandem-contact-bench-") as tmp:
        if args.embedded:
            from server.storage.embedded import start_embedded_postgres
            (url, _release), drop = start_embedded_postgres(Path(tmp)), None
        else:
            name = f"tandem_bench_{uuid.uuid4().hex[:8]}"
            admin = await asyncpg.connect(args.database_url)
            await admin.execute(f'CREATE DATABASE "{name}"')
            await admin.close()
            url, drop = args.database_url.rsplit("/", 1)[0] + f"/{name}", name
        server = Server(url)
        try:
            await server.ready()
            async with httpx.AsyncClient(base_url=server.base) as http:
                signed = (await http.post("/api/auth/signup", json={
                    "email": "bench@example.com", "password": "bench bench bench", "name": "Bench"})).json()
                http.headers["Authorization"] = f"Bearer {signed['token']}"
                workspace = uuid.UUID((await http.post("/api/workspaces", json={"name": "Bench"})).json()["id"])
            data = await seed(url, workspace, args.contacts, rng)
            print(f"contact search: {args.contacts} contacts, {args.queries} queries per kind, "
                  f"{'embedded pgserver' if args.embedded else 'Postgres ' + args.database_url.rsplit('@', 1)[-1]}")
            await measure(server.base, signed["token"], url, workspace, query_sets(data, args.queries, rng))
        finally:
            server.stop()
            if drop and args.keep:
                log(f"kept the database: {url}")
            elif drop:
                admin = await asyncpg.connect(args.database_url)
                await admin.execute(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')
                await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="queries per kind")
    parser.add_argument("--database-url", default=os.environ.get(
        "TANDEM_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--embedded", action="store_true", help="use the embedded Postgres (pgserver)")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (and print its URL)")
    asyncio.run(main(parser.parse_args()))
