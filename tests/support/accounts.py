"""Accounts for tests: sign up, make a workspace and a board, and get what a socket needs.

The one-liner most sync tests want::

    token, document = await writable_document(server.http_url)
    async with connect(server.ws_url, document, token=token) as session: ...

``settings_for`` and ``ServerProcess`` turn authentication off for engine tests; access tests
turn it on with ``settings_for(url, **AUTH)`` or ``ServerProcess(url, **AUTH_ENV)``, which also
make password hashing cheap (argon2id still, at minimal cost).
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any, NamedTuple

import httpx

PASSWORD = "correct horse battery staple"
FAST_HASHING: dict[str, Any] = {"argon2_time_cost": 1, "argon2_memory_kib": 1024, "argon2_parallelism": 1}
FAST_HASHING_ENV = {f"TANDEM_{key.upper()}": str(value) for key, value in FAST_HASHING.items()}
AUTH: dict[str, Any] = {"auth": True, **FAST_HASHING}
AUTH_ENV = {"TANDEM_AUTH": "on", **FAST_HASHING_ENV}
_serial = itertools.count(1)


class Account(NamedTuple):
    token: str
    id: str
    email: str
    name: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{next(_serial)}-{uuid.uuid4().hex[:8]}@example.com"


async def sign_up(http_url: str, name: str = "Test User", email: str | None = None,
                  password: str = PASSWORD) -> Account:
    async with httpx.AsyncClient(base_url=http_url) as http:
        response = await http.post("/api/auth/signup", json={
            "email": email or unique_email(name.split()[0].lower()), "password": password, "name": name})
    assert response.status_code == 201, response.text
    body = response.json()
    return Account(body["token"], body["user"]["id"], body["user"]["email"], body["user"]["name"])


async def create_workspace(http_url: str, owner: Account, name: str = "Acme") -> str:
    async with httpx.AsyncClient(base_url=http_url, headers=owner.headers) as http:
        response = await http.post("/api/workspaces", json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def create_board(http_url: str, owner: Account, workspace: str, name: str = "Deals",
                       kind: str = "pipeline") -> dict[str, Any]:
    """The new board as the API answers it: ``id``, ``document``, ``access``, …"""
    async with httpx.AsyncClient(base_url=http_url, headers=owner.headers) as http:
        response = await http.post(f"/api/workspaces/{workspace}/boards", json={"name": name, "kind": kind})
    assert response.status_code == 201, response.text
    return response.json()


async def writable_document(http_url: str) -> tuple[str, str]:
    """A fresh owner's session token and the document of a fresh board: ``(token, document)``."""
    owner = await sign_up(http_url, "Owner")
    workspace = await create_workspace(http_url, owner)
    board = await create_board(http_url, owner, workspace)
    return owner.token, board["document"]


async def add_member(http_url: str, admin: Account, workspace: str, role: str, name: str | None = None) -> Account:
    """Sign up a new user and bring them into ``workspace`` with ``role`` through an invitation."""
    account = await sign_up(http_url, name or role.title())
    async with httpx.AsyncClient(base_url=http_url, headers=admin.headers) as http:
        invited = await http.post(f"/api/workspaces/{workspace}/invitations",
                                  json={"email": account.email, "role": role})
    assert invited.status_code == 201, invited.text
    async with httpx.AsyncClient(base_url=http_url, headers=account.headers) as http:
        accepted = await http.post("/api/invitations/accept", json={"token": invited.json()["token"]})
    assert accepted.status_code == 200, accepted.text
    return account


async def add_guest(http_url: str, admin: Account, board: dict[str, Any], access: str, name: str = "Guest") -> Account:
    """Sign up a new user and share ``board`` with them (``access`` is ``read`` or ``edit``)."""
    account = await sign_up(http_url, name)
    async with httpx.AsyncClient(base_url=http_url, headers=admin.headers) as http:
        shared = await http.post(f"/api/boards/{board['id']}/shares", json={"email": account.email, "access": access})
    assert shared.status_code == 200, shared.text
    return account


class Team(NamedTuple):
    """An owner's workspace with one board, and a member and a viewer in it."""

    owner: Account
    member: Account
    viewer: Account
    workspace: str
    board: dict[str, Any]

    @property
    def document(self) -> str:
        return self.board["document"]


async def team(http_url: str) -> Team:
    owner = await sign_up(http_url, "Owner")
    workspace = await create_workspace(http_url, owner)
    board = await create_board(http_url, owner, workspace)
    member = await add_member(http_url, owner, workspace, "member", "Mia Member")
    viewer = await add_member(http_url, owner, workspace, "viewer", "Vic Viewer")
    return Team(owner, member, viewer, workspace, board)


async def team_and_strangers(http_url: str) -> tuple[Team, Account, Account]:
    """A ``team``, a guest who may edit its board, and an outsider with a workspace of their own
    ("Elsewhere"): everyone an access test asks, ``(team, guest, outsider)``."""
    t = await team(http_url)
    guest = await add_guest(http_url, t.owner, t.board, "edit")
    outsider = await sign_up(http_url, "Outsider")
    await create_workspace(http_url, outsider, "Elsewhere")
    return t, guest, outsider
