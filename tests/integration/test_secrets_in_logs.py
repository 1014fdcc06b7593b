"""Nothing secret in the log: a real server process is put through the flows that carry secrets
(sockets with ``?token=``, sign-in, invitations, password reset, bearer and cookie requests), and
its captured log is searched for every secret value it saw."""

from __future__ import annotations

import httpx
import websockets

from client import connect
from tests.support.accounts import AUTH_ENV, PASSWORD, create_board, create_workspace, sign_up, unique_email
from tests.support.servers import ServerProcess


async def test_no_token_password_or_cookie_value_reaches_the_log(database_url):
    node = await ServerProcess(database_url, **AUTH_ENV).start()
    secrets: dict[str, str] = {"password": PASSWORD}
    try:
        owner = await sign_up(node.http_url, "Owner")
        workspace = await create_workspace(node.http_url, owner)
        board = await create_board(node.http_url, owner, workspace)
        async with httpx.AsyncClient(base_url=node.http_url) as http:
            signed_in = (await http.post("/api/auth/login", json={"email": owner.email, "password": PASSWORD})).json()
            secrets |= {"sign-up token": owner.token, "session token": signed_in["token"],
                        "csrf token": signed_in["csrf_token"]}
            invitee = unique_email("invitee")
            invited = await http.post(f"/api/workspaces/{workspace}/invitations", headers=owner.headers,
                                      json={"email": invitee, "role": "member"})
            secrets["invitation token"] = invited.json()["token"]
            await http.get(f"/invite/{secrets['invitation token']}")  # the web app's invitation link
            await http.post("/api/auth/password-reset", json={"email": owner.email})
            secrets["reset token"] = "reset-token-" + "r" * 32
            await http.post("/api/auth/password-reset/confirm",
                            json={"token": secrets["reset token"], "password": "a new password!"})
            secrets["unknown bearer"] = "bearer-" + "b" * 40
            await http.get("/api/me", headers={"Authorization": f"Bearer {secrets['unknown bearer']}"})
            await http.get("/api/me", headers={"Cookie": f"tandem_session={signed_in['token']}"})
        async with connect(node.ws_url, board["document"], token=signed_in["token"]):
            pass  # uvicorn logs the socket's URL, query string included
        secrets["refused socket token"] = "socket-" + "s" * 40
        try:
            url = f"{node.ws_url}/sync/{board['document']}?token={secrets['refused socket token']}"
            async with websockets.connect(url) as refused:
                await refused.recv()
        except websockets.ConnectionClosed:
            pass
    finally:
        await node.terminate()
    log = node.log.read_text()
    leaked = [what for what, value in secrets.items() if value in log]
    assert not leaked, f"found in {node.log}: {leaked}"
    assert "WebSocket /sync/" in log and "token=[redacted]" in log, "the socket lines are logged, token redacted"
