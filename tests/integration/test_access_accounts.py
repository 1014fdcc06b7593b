"""Accounts over HTTP: sign-up, sign-in, cookies and CSRF, throttling, expiry, password change and reset."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.accounts import AUTH, PASSWORD, sign_up, team, unique_email
from tests.support.peers import Peer
from tests.support.servers import InProcessServer, module_server

TTL = 3600


server = module_server(session_ttl_seconds=TTL, **AUTH)


@pytest.fixture
async def http(server: InProcessServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.http_url) as client:
        yield client


async def login(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await http.post("/api/auth/login", json={"email": email, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_sign_up_answers_token_and_user_and_sets_an_http_only_same_site_cookie(http):
    email = unique_email("ada")
    response = await http.post("/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Ada"})
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == email and body["user"]["name"] == "Ada" and body["token"]
    cookies = {c.split("=", 1)[0]: c.lower() for c in response.headers.get_list("set-cookie")}
    assert "httponly" in cookies["tandem_session"] and "samesite=lax" in cookies["tandem_session"]
    assert f"max-age={TTL}" in cookies["tandem_session"] and f"max-age={TTL}" in cookies["tandem_csrf"]
    assert "httponly" not in cookies["tandem_csrf"], "the page must be able to read the CSRF token"
    me = await http.get("/api/me", headers=bearer(body["token"]))
    assert me.json() == body["user"]


async def test_passwords_are_stored_as_argon2id_and_sessions_only_as_hashes(http, db):
    account = await sign_up(str(http.base_url), "Hash")
    password_hash = await db.fetchval("SELECT password_hash FROM users WHERE email = $1", account.email)
    assert password_hash.startswith("$argon2id$") and PASSWORD not in password_hash
    stored = await db.fetch("SELECT token_hash FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1",
                            account.email)
    assert [row["token_hash"] for row in stored] == [hashlib.sha256(account.token.encode()).digest()]


async def test_a_second_sign_up_for_the_same_email_is_a_conflict(http):
    account = await sign_up(str(http.base_url), "Twice")
    again = await http.post("/api/auth/signup",
                            json={"email": account.email.upper(), "password": PASSWORD, "name": "X"})
    assert again.status_code == 409 and "exists" in again.json()["detail"]


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("email", "not-an-email", "expected an e-mail address"),
    ("password", "short", "expected a password of 10 to 256 characters, got 5"),
    ("name", "   ", "expected a name of 1 to 100 characters, got 0"),
])
async def test_bad_sign_up_input_is_a_400_naming_what_was_expected(http, field, value, expected):
    data = {"email": unique_email(), "password": PASSWORD, "name": "Ok", field: value}
    response = await http.post("/api/auth/signup", json=data)
    assert response.status_code == 400 and expected in response.json()["detail"]


async def test_wrong_password_and_unknown_email_answer_alike(http):
    account = await sign_up(str(http.base_url), "Alike")
    wrong = await login(http, account.email, "not the password!")
    unknown = await login(http, unique_email("nobody"), "not the password!")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"status_code": 401, "detail": "wrong e-mail or password"}


async def test_repeated_wrong_passwords_from_one_address_delay_that_address_then_age_out(http, db):
    account = await sign_up(str(http.base_url), "Throttled")
    for _ in range(5):  # TANDEM_SIGN_IN_MAX_FAILURES
        assert (await login(http, account.email, "guess guess guess")).status_code == 401
    throttled = await login(http, account.email)
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    assert "too many failed sign-ins" in throttled.json()["detail"]
    other = await sign_up(str(http.base_url), "Unaffected")
    assert (await login(http, other.email)).status_code == 200, "one account's failures do not lock out others"
    await db.execute("UPDATE auth_throttle SET last_at = last_at - interval '1 day' WHERE key LIKE $1",
                     f"{account.email} %")
    assert (await login(http, account.email)).status_code == 200


async def test_cookie_sessions_need_the_csrf_header_for_writes_and_bearer_tokens_do_not(http):
    account = await sign_up(str(http.base_url), "Cookie")
    signed_in = await login(http, account.email)
    csrf = signed_in.json()["csrf_token"]
    assert http.cookies["tandem_csrf"] == csrf
    assert (await http.get("/api/me")).status_code == 200, "reads with the cookie alone are fine"
    forged = await http.post("/api/workspaces", json={"name": "Forged"})
    assert forged.status_code == 403 and "X-CSRF-Token" in forged.json()["detail"]
    wrong = await http.post("/api/workspaces", json={"name": "Forged"}, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    made = await http.post("/api/workspaces", json={"name": "Real"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    async with httpx.AsyncClient(base_url=http.base_url, headers=bearer(signed_in.json()["token"])) as api:
        assert (await api.post("/api/workspaces", json={"name": "Api"})).status_code == 201


async def test_sign_out_ends_the_session_and_clears_the_cookies(http):
    account = await sign_up(str(http.base_url), "Leaving")
    signed_in = await login(http, account.email)
    token, csrf = signed_in.json()["token"], signed_in.json()["csrf_token"]
    out = await http.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    assert "tandem_session" not in http.cookies
    assert (await http.get("/api/me", headers=bearer(token))).status_code == 401
    assert (await http.get("/api/me", headers=account.headers)).status_code == 200, "other sessions live on"


async def test_expired_tokens_and_cookies_are_refused_over_http_and_sockets(server, http, db):
    t = await team(server.http_url)
    await login(http, t.member.email)
    await db.execute("UPDATE sessions SET expires_at = now() - interval '1 second' "
                     "WHERE user_id IN (SELECT id FROM users WHERE email = ANY($1))", [t.owner.email, t.member.email])
    assert (await http.get("/api/me")).status_code == 401, "an expired cookie"
    response = await http.get("/api/me", headers=t.owner.headers)
    assert response.status_code == 401 and "expired" in response.json()["detail"]
    assert response.headers["www-authenticate"].startswith("Bearer")
    peer = await Peer.open(server.ws_url, t.document, t.owner.token)
    assert await peer.closed_with() == (4401, "sign in first: pass ?token=<session token> or the session cookie")
    assert peer.step1s == peer.step2s == 0


async def test_changing_the_password_ends_every_other_session(http):
    account = await sign_up(str(http.base_url), "Changer")
    other = (await login(http, account.email)).json()["token"]
    changed = await http.post("/api/auth/password", headers=account.headers,
                              json={"current_password": PASSWORD, "new_password": "a brand new secret"})
    assert changed.status_code == 204
    assert (await http.get("/api/me", headers=bearer(other))).status_code == 401
    assert (await http.get("/api/me", headers=account.headers)).status_code == 200
    assert (await login(http, account.email)).status_code == 401
    assert (await login(http, account.email, "a brand new secret")).status_code == 200


async def test_the_current_password_is_required_to_change_it(http):
    account = await sign_up(str(http.base_url), "Careful")
    response = await http.post("/api/auth/password", headers=account.headers,
                               json={"current_password": "wrong wrong wrong", "new_password": "a brand new secret"})
    assert response.status_code == 400 and "current password" in response.json()["detail"]


async def test_a_reset_token_is_mailed_works_once_and_ends_all_sessions(server, http):
    account = await sign_up(str(http.base_url), "Forgetful")
    outbox = server.services.outbox
    assert (await http.post("/api/auth/password-reset", json={"email": account.email})).status_code == 202
    mail = outbox.sent[-1]
    assert mail.to == account.email and account.token not in mail.body
    token = mail.body.split("\n\n")[1]  # the reset token is the mail's second paragraph
    reset = await http.post("/api/auth/password-reset/confirm", json={"token": token, "password": "reset and done"})
    assert reset.status_code == 204
    assert (await http.get("/api/me", headers=account.headers)).status_code == 401
    assert (await login(http, account.email, "reset and done")).status_code == 200
    again = await http.post("/api/auth/password-reset/confirm", json={"token": token, "password": "once more please"})
    assert again.status_code == 400 and "unknown, used or expired" in again.json()["detail"]


async def test_a_reset_for_an_unknown_email_looks_the_same_and_mails_nothing(server, http):
    sent = len(server.services.outbox.sent)
    response = await http.post("/api/auth/password-reset", json={"email": unique_email("ghost")})
    assert response.status_code == 202 and len(server.services.outbox.sent) == sent


async def test_a_disabled_account_cannot_sign_in(server, http):
    account = await sign_up(str(http.base_url), "Disabled")
    await server.services.accounts.disable(await server.services.accounts.user_id(account.email))
    assert (await http.get("/api/me", headers=account.headers)).status_code == 401
    response = await login(http, account.email)
    assert response.status_code == 401 and response.json()["detail"] == "this account is disabled"


async def test_the_openapi_document_describes_the_account_contract(http):
    spec = (await http.get("/schema/openapi.json")).json()
    for path, method in [("/api/auth/signup", "post"), ("/api/auth/login", "post"),
                         ("/api/auth/logout", "post"), ("/api/me", "get"), ("/api/workspaces", "post"),
                         ("/api/workspaces/{workspace}/boards", "post")]:
        assert method in spec["paths"][path], f"{method.upper()} {path} is not in the OpenAPI document"
    assert set(spec["components"]["schemas"]["SignUp"]["properties"]) == {"email", "password", "name"}
    assert {"token", "user"} <= set(spec["components"]["schemas"]["Session"]["properties"])
    assert set(spec["components"]["securitySchemes"]) == {"bearer", "cookie"}


