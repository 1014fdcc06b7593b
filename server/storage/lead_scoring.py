"""``PostgresScoringRuleStore``, ``PostgresLeadScores`` and ``PostgresScoringFacts`` (docs/lead-scoring.md),
each call on a pooled connection of its own."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from server.domain.lead_scoring import Facts, Matched, Rule, Scored, StoredScore, Value
from server.services.ports.lead_scoring import Kind, Marked
from server.storage.queries import queries

SQL = queries("lead_scoring")
_RULES = msgspec.json.Decoder(list[Rule])
_MATCHED = msgspec.json.Decoder(list[Matched])
LOOK_BACK = timedelta(days=365)  # the longest window a rule may have


def _json(text: str | None) -> dict[str, Any]:
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}


def fields_of(row: asyncpg.Record | dict[str, Any]) -> dict[str, Value]:
    """The fields fit rules read, from a lead's or contact's row joined with its contact and organisation."""
    email = row["email"] or ""
    address = _json(row["address"])
    fields: dict[str, Value] = {
        "source": row["source"], "status": row["status"], "labels": list(row["labels"] or []),
        "email_domain": email.rpartition("@")[2] if "@" in email else None,
        "organisation": row["organisation_name"] or None, "job_title": row["job_title"] or None,
        "country": address.get("country") or None, "city": address.get("city") or None,
        "value": row["value"], "title": row["title"]}
    for prefix, column in (("custom", "contact_fields"), ("organisation", "org_fields")):
        for key, value in _json(row[column]).items():
            fields[f"{prefix}.{key}"] = value if isinstance(value, (str, float, int, list)) else None
    return fields


class PostgresScoringRuleStore:
    """Implements ``ScoringRuleStore``."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def get(self, workspace: UUID) -> list[Rule] | None:
        text = await self._pool.fetchval(SQL["rules"], workspace)
        return _RULES.decode(text) if text is not None else None

    async def put(self, workspace: UUID, rules: Sequence[Rule], by: UUID | None) -> None:
        await self._pool.execute(SQL["put_rules"], workspace, msgspec.json.encode(list(rules)).decode(), by)

    async def forget(self, workspace: UUID) -> None:
        await self._pool.execute(SQL["forget_rules"], workspace)


def stored_of(row: asyncpg.Record) -> StoredScore:
    explained = json.loads(row["explanation"])
    return StoredScore(row["subject_id"], row["subject_kind"], row["score"], explained["total"],
                       _MATCHED.decode(json.dumps(explained["matched"])), row["computed_at"])


class PostgresLeadScores:
    """Implements ``LeadScores``."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def put(self, workspace: UUID, kind: Kind, scored: Sequence[tuple[UUID, Scored]], at: datetime) -> None:
        ids = [subject for subject, _ in scored]
        explained = [msgspec.json.encode({"total": s.total, "matched": s.matched}).decode() for _, s in scored]
        await self._pool.execute(SQL["put_scores"], workspace, kind, at, ids, [s.score for _, s in scored], explained)

    async def of(self, kind: Kind, subjects: Sequence[UUID]) -> dict[UUID, StoredScore]:
        rows = await self._pool.fetch(SQL["scores_of"], kind, list(subjects))
        return {row["subject_id"]: stored_of(row) for row in rows}

    async def ranked(self, workspace: UUID, kind: Kind, least: int, limit: int) -> list[StoredScore]:
        return [stored_of(row) for row in await self._pool.fetch(SQL["ranked"], workspace, kind, least, limit)]


class PostgresScoringFacts:
    """Implements ``ScoringFacts``."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def facts(self, workspace: UUID, kind: Kind, subjects: Sequence[UUID]) -> dict[UUID, Facts]:
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(SQL[f"{kind}_fields"], workspace, list(subjects))
            who, emails, contacts = [], [], []
            for row in rows:
                for email in (row["emails"] if kind == "contact" else [row["email"]]) or [""]:
                    who.append(row["id"])
                    emails.append((email or "").lower())
                    contacts.append(row["contact_id"])
            earliest = datetime.now(timezone.utc) - LOOK_BACK
            happened = await conn.fetch(SQL["events"], workspace, who, emails, contacts, earliest) if rows else []
        events: dict[UUID, dict[str, list[datetime]]] = {row["id"]: {} for row in rows}
        for one in happened:
            events[one["subject"]].setdefault(one["kind"], []).append(one["at"])
        return {row["id"]: Facts(fields_of(row), events[row["id"]], row["created_at"]) for row in rows}

    async def page(self, workspace: UUID, kind: Kind, after: UUID | None, limit: int) -> list[UUID]:
        return [row["id"] for row in await self._pool.fetch(SQL[f"page_{kind}s"], workspace, after, limit)]

    async def marked(self, workspace: UUID, limit: int) -> Marked:
        async with self._pool.acquire() as conn:
            marks = await conn.fetch(SQL["marks"], workspace, limit)
            leads = [m["lead_id"] for m in marks if m["lead_id"]]
            contacts = [m["contact_id"] for m in marks if m["contact_id"]]
            emails = [m["email"] for m in marks if m["email"]]
            lead_rows = await conn.fetch(SQL["marked_leads"], workspace, leads, emails, contacts) if marks else []
            contact_rows = await conn.fetch(SQL["marked_contacts"], workspace, contacts, emails) if marks else []
        return Marked([r["id"] for r in lead_rows], [r["id"] for r in contact_rows], [m["id"] for m in marks])

    async def unmark(self, marks: Sequence[int]) -> None:
        await self._pool.execute(SQL["unmark"], list(marks))

    async def workspaces(self, marked_only: bool) -> list[UUID]:
        rows = await self._pool.fetch(SQL["marked_workspaces" if marked_only else "all_workspaces"])
        return [row[0] for row in rows]

    async def closed_deals(self, workspace: UUID) -> list[tuple[dict[str, Value], bool]]:
        rows = await self._pool.fetch(SQL["closed_deals"], workspace)
        return [(fields_of(row) if row["id"] else {}, row["won"]) for row in rows]
