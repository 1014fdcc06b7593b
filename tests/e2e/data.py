"""Test data for the browser tests, made the way any client makes it: boards and people through
the HTTP API, deals as Yjs updates to the board document (``POST /api/documents/{name}/updates``),
read back with ``GET /api/documents/{name}``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pycrdt import Array, Doc, Map

from tests.support.accounts import Account, Team, add_member, create_board, create_workspace, sign_up

RANKS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


async def board_doc(http_url: str, who: Account, document: str) -> Doc:
    async with httpx.AsyncClient(base_url=http_url, headers=who.headers) as http:
        response = await http.get(f"/api/documents/{document}")
    assert response.status_code == 200, response.text
    doc = Doc()
    doc.apply_update(response.content)
    return doc


def stages_of(doc: Doc) -> list[tuple[str, dict[str, Any]]]:
    """The board's stages in column order: ``[(id, values), ...]``."""
    stages = doc.get("stages", type=Map)
    return sorted(((key, dict(value.to_py())) for key, value in stages.items()), key=lambda s: (s[1]["rank"], s[0]))


def card_of(doc: Doc, card: str) -> dict[str, Any]:
    return dict(doc.get("cards", type=Map)[card].to_py())


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def add_deals(http_url: str, who: Account, document: str, deals: list[dict[str, Any]]) -> list[str]:
    """Add deals (``title``, ``value``, ``stage`` as a column index, optional ``idle_days``, extra keys).

    Ranks are ``a0``, ``a1``… per stage, valid fractional-index keys. Returns the new card ids.
    """
    doc = await board_doc(http_url, who, document)
    stage_ids = [sid for sid, _ in stages_of(doc)]
    before = doc.get_state()
    ids: list[str] = []
    per_stage: dict[str, int] = {}
    now = datetime.now(UTC)
    with doc.transaction():
        cards = doc.get("cards", type=Map)
        for deal in deals:
            values = dict(deal)
            stage = stage_ids[values.pop("stage")]
            idle = values.pop("idle_days", 0)
            position = per_stage[stage] = per_stage.get(stage, -1) + 1
            when = iso(now - timedelta(days=idle))
            card_id = str(uuid.uuid4())
            labels = values.pop("labels", [])
            cards[card_id] = Map({
                "currency": "USD", "owner": who.id, "status": "open", "createdAt": when, "createdBy": who.id,
                "updatedAt": when, "movedAt": when, **values, "stage": stage, "rank": f"a{RANKS[position]}",
                "labels": Array(labels), "fields": Map(),
            })
            ids.append(card_id)
    update = doc.get_update(before)
    async with httpx.AsyncClient(base_url=http_url, headers=who.headers) as http:
        response = await http.post(f"/api/documents/{document}/updates", content=update,
                                   headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 204, response.text
    return ids


async def api(http_url: str, who: Account, method: str, path: str, **kwargs: Any) -> Any:
    async with httpx.AsyncClient(base_url=http_url, headers=who.headers) as http:
        response = await http.request(method, path, **kwargs)
    assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
    return response.json() if response.content else None


SAMPLE_DEALS = [
    {"title": "Globex — 40 seats", "value": 24000, "stage": 0, "expectedClose": "2026-12-18"},
    {"title": "Initech renewal", "value": 8600, "stage": 0, "idle_days": 21},
    {"title": "Umbrella pilot", "value": 12500, "stage": 1, "labels": ["hot"]},
    {"title": "Stark Industries rollout", "value": 96000, "stage": 1, "expectedClose": "2027-01-15"},
    {"title": "Wayne Enterprises", "value": 54000, "stage": 2, "idle_days": 13},
    {"title": "Hooli expansion", "value": 31000, "stage": 3},
    {"title": "Soylent annual", "value": 18000, "stage": 4, "status": "won"},
]


async def crew(http_url: str) -> Team:
    """A sales team as the screenshots show it: an owner, a member and a viewer, one pipeline."""
    owner = await sign_up(http_url, "Olivia Park")
    workspace = await create_workspace(http_url, owner, "Northwind Sales")
    board = await create_board(http_url, owner, workspace, "Sales pipeline")
    member = await add_member(http_url, owner, workspace, "member", "Mia Chen")
    viewer = await add_member(http_url, owner, workspace, "viewer", "Victor Lee")
    return Team(owner, member, viewer, workspace, board)


def server_running_automations() -> Any:
    """A ``web_server`` fixture for a test module whose server also runs the automation jobs (its
    worker on, settling for 0.3 s): ``web_server = server_running_automations()``."""
    from tests.support.accounts import AUTH
    from tests.support.servers import in_process_server, settings_for

    @pytest.fixture(name="web_server")
    async def web_server(database_url: str) -> Any:
        settings = settings_for(database_url, room_grace_seconds=0.5, **AUTH, worker="on", housekeeping_cron="",
                                automation_settle_seconds=0.3)
        async with in_process_server(settings) as running:
            yield running

    return web_server
