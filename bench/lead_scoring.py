"""Rescoring 10,000 leads (docs/lead-scoring.md, "Performance"): the whole-workspace rescore a rule
change queues — facts read in batches of 500 (fields, their contacts, mail opens and clicks, replies,
bookings, forms, activities), scored by the pure function, stored with their explanations.

    .venv/bin/python -m bench.lead_scoring postgresql://postgres@127.0.0.1:5432/scratch

The database is migrated and filled: one workspace, 10,000 leads (a third from web forms, with
addresses of 2,000 contacts with a country and an organisation size), 5,000 tracked mails to them
with 10,000 opens and clicks, 1,000 replies. Prints wall time, this process's CPU time and the
database backends' CPU time (from /proc, when Postgres runs on this machine). Use a scratch
database: the script writes into it.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from uuid import uuid4

import asyncpg

from server.services.lead_scoring import LeadScoring
from server.storage.lead_scoring import PostgresLeadScores, PostgresScoringFacts, PostgresScoringRuleStore
from server.storage.migrations import migrate
from server.storage.unit import transactions

LEADS = 10_000
CONTACTS = 2_000
MAILS = 5_000


async def seed(conn: asyncpg.Connection) -> object:
    workspace = uuid4()
    await conn.execute("INSERT INTO workspaces (id, name) VALUES ($1, 'bench')", workspace)
    await conn.execute("ALTER TABLE lead_score_marks DISABLE TRIGGER USER")  # the job queue is not measured here
    await conn.execute(
        "INSERT INTO organisations (workspace_id, name, sort_name, search, fields) SELECT $1, 'o' || g, 'o' || g,"
        " ''::tsvector, jsonb_build_object('size', g % 400) FROM generate_series(1, 200) g", workspace)
    await conn.execute(
        "INSERT INTO contacts (workspace_id, first_name, emails, organisation_id, address, sort_name, search)"
        " SELECT $1, 'c' || g, ARRAY['p' || g || '@example.test'],"
        " (SELECT id FROM organisations WHERE workspace_id = $1 AND name = 'o' || (1 + g % 200)),"
        " jsonb_build_object('country', (ARRAY['DE', 'AT', 'FR', 'US'])[1 + g % 4]), 'c' || g, ''::tsvector"
        " FROM generate_series(1, $2) g", workspace, CONTACTS)
    await conn.execute(
        "INSERT INTO leads (id, workspace_id, title, email, source, form_id, created_at)"
        " SELECT gen_random_uuid(), $1, 'l' || g, 'p' || g || '@example.test',"
        " CASE WHEN g % 3 = 0 THEN 'web_form' ELSE 'manual' END, CASE WHEN g % 3 = 0 THEN gen_random_uuid() END,"
        " now() - (g % 90) * interval '1 day' FROM generate_series(1, $2) g", workspace, LEADS)
    await conn.execute(
        "INSERT INTO email_messages (workspace_id, message_id, thread_id, from_address, to_addresses, sent_at,"
        " direction, visibility) SELECT $1, 'm' || g, 'm' || g, 'me@t.test', ARRAY['p' || (g * 2) || '@example.test'],"
        " now() - (g % 40) * interval '1 day', 'out', 'metadata' FROM generate_series(1, $2) g", workspace, MAILS)
    await conn.execute("INSERT INTO email_tracking (email_id, workspace_id) SELECT id, $1 FROM email_messages"
                       " WHERE workspace_id = $1", workspace)
    await conn.execute("INSERT INTO email_events (email_id, kind, at) SELECT t.email_id, k, now() - (random() * 30)"
                       " * interval '1 day' FROM email_tracking t, unnest(ARRAY['open', 'click']) k"
                       " WHERE t.workspace_id = $1", workspace)
    await conn.execute(
        "INSERT INTO email_messages (workspace_id, message_id, thread_id, from_address, sent_at, direction,"
        " visibility) SELECT $1, 'r' || g, 'r' || g, 'p' || (g * 7) || '@example.test', now() - (g % 60) * interval"
        " '1 day', 'in', 'metadata' FROM generate_series(1, 1000) g", workspace)
    await conn.execute("DELETE FROM lead_score_marks WHERE workspace_id = $1", workspace)
    await conn.execute("ALTER TABLE lead_score_marks ENABLE TRIGGER USER")
    await conn.execute("ANALYZE")
    return workspace


def backend_ticks(pids: list[int]) -> float:
    """CPU seconds of the database backends ``pids`` (0 when their /proc is not readable)."""
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            return 0.0
    return total / os.sysconf("SC_CLK_TCK")


async def main(url: str) -> None:
    async with asyncpg.create_pool(url, min_size=4, max_size=4) as pool:
        await migrate(pool)
        async with pool.acquire() as conn:
            workspace = await seed(conn)
        pids = [row[0] for row in await asyncio.gather(*[pool.fetchrow("SELECT pg_backend_pid()") for _ in range(8)])]
        scoring = LeadScoring(transactions(pool), PostgresScoringRuleStore(pool), PostgresLeadScores(pool),
                              PostgresScoringFacts(pool))
        for run in (1, 2):
            db_before, cpu_before, wall = backend_ticks(sorted(set(pids))), time.process_time(), time.perf_counter()
            done = await scoring.rescore_all(workspace)  # type: ignore[arg-type]
            wall = time.perf_counter() - wall
            cpu, db = time.process_time() - cpu_before, backend_ticks(sorted(set(pids))) - db_before
            print(f"run {run}: {done} leads and contacts rescored in {wall:.2f} s wall; "
                  f"this process {cpu:.2f} s CPU; database backends {db:.2f} s CPU")
        dist = await pool.fetch("SELECT score / 10 * 10 AS band, count(*) FROM lead_scores WHERE workspace_id = $1"
                                " AND subject_kind = 'lead' GROUP BY 1 ORDER BY 1", workspace)
        print("scores:", ", ".join(f"{r['band']}+: {r['count']}" for r in dist))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
