"""Helpers for the CRM tests: API calls as an account, waiting for the projection, reading tables."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import httpx

from tests.support.accounts import Account
from tests.support.servers import InProcessServer
from tests.support.waiting import eventually

PROJECTION_TABLES = {
    "board_stages": "stage_id", "deals": "card_id", "work_items": "card_id", "activities": "activity_id",
    "card_events": "card_id, kind, at, id", "notes": "id",
}


async def call(server: InProcessServer, who: Account | None, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = who.headers if who else {}
    async with httpx.AsyncClient(base_url=server.http_url, headers=headers) as http:
        return await http.request(method, path, **kwargs)


async def ok(server: InProcessServer, who: Account, method: str, path: str, **kwargs: Any) -> Any:
    response = await call(server, who, method, path, **kwargs)
    assert response.status_code in (200, 201, 204), response.text
    return response.json() if response.content else None


async def projected(*servers: InProcessServer, timeout: float = 5.0) -> None:
    """Wait until no node has anything waiting to be projected (commits included)."""
    async def idle() -> bool:
        return all(s.services.committer._idle.is_set() and s.services.projector.idle() for s in servers)

    await eventually(idle, timeout, what="every node to project what it committed")


async def stages(server: InProcessServer, who: Account, workspace: str, board: str) -> list[dict[str, Any]]:
    report = await ok(server, who, "GET", f"/api/workspaces/{workspace}/pipeline-report", params={"board": board})
    return report["stages"]


# Columns not projected from the documents: history's serial ids, and when a row was last written
# (activities.changed_at, the CalDAV sync's conflict clock: a rebuild writes the rows anew).
_BOOKKEEPING = {("card_events", "id"), ("activities", "changed_at")}


async def snapshot(database_url: str, boards: list[str]) -> dict[str, list[tuple]]:
    """Every projection table's rows for ``boards`` (history without its serial ids)."""
    conn = await asyncpg.connect(database_url)
    try:
        out = {}
        for table, order in PROJECTION_TABLES.items():
            rows = await conn.fetch(f"SELECT * FROM {table} WHERE board_id = ANY($1::uuid[]) ORDER BY {order}",
                                    [UUID(b) for b in boards])
            out[table] = [tuple(v for k, v in r.items() if (table, k) not in _BOOKKEEPING) for r in rows]
        return out
    finally:
        await conn.close()
