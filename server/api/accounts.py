"""``/api/auth/*`` and ``/api/me``: sign-up, sign-in, sign-out, password change and reset, the chosen language."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import JSONBody

from server.api import types
from server.api.auth import AccountsDep, CallerDep, cleared_cookies, client_address, session_cookies
from server.api.container import SettingsDep
from server.services.accounts import Caller, SignedIn
from server.services.credentials import csrf_token
from server.settings import Settings


def _user(caller: Caller) -> types.Me:
    return types.Me(caller.id, caller.email, caller.name, caller.locale)


def _session(settings: Settings, signed: SignedIn, status: int) -> Response[types.Session]:
    body = types.Session(signed.token, _user(signed.caller), signed.caller.expires_at, csrf_token(signed.token))
    return Response(body, status_code=status, cookies=session_cookies(signed, settings))


class AuthController(Controller):
    path = "/api/auth"
    tags = ["accounts"]

    @post("/signup", status_code=201, summary="Create an account and sign in")
    async def sign_up(
        self, request: Request, data: JSONBody[types.SignUp], accounts: AccountsDep, settings: SettingsDep
    ) -> Response[types.Session]:
        signed = await accounts.sign_up(data.email, data.password, data.name, client_address(request))
        return _session(settings, signed, 201)

    @post("/login", status_code=200, summary="Sign in (throttled after repeated failures)")
    async def sign_in(
        self, request: Request, data: JSONBody[types.SignIn], accounts: AccountsDep, settings: SettingsDep
    ) -> Response[types.Session]:
        signed = await accounts.sign_in(data.email, data.password, client_address(request))
        return _session(settings, signed, 200)

    @post("/logout", status_code=204, summary="End this session; its open sockets close")
    async def sign_out(self, request: Request, caller: CallerDep, accounts: AccountsDep,
                       settings: SettingsDep) -> Response[None]:
        await accounts.sign_out(caller, client_address(request))
        return Response(None, status_code=204, cookies=cleared_cookies(settings))

    @post("/password", status_code=204, summary="Change the password; other sessions end")
    async def change_password(
        self, request: Request, data: JSONBody[types.PasswordChange], caller: CallerDep, accounts: AccountsDep
    ) -> None:
        await accounts.change_password(caller, data.current_password, data.new_password, client_address(request))

    @post("/password-reset", status_code=202,
          summary="Mail a one-time reset token, if the account exists and mail is configured")
    async def request_reset(self, request: Request, data: JSONBody[types.ResetRequest],
                            accounts: AccountsDep) -> types.ResetRequested:
        await accounts.request_reset(data.email, client_address(request))
        return types.ResetRequested(accounts.mail_configured, accounts.reset_minutes)

    @post("/password-reset/confirm", status_code=204, summary="Set a new password with a reset token")
    async def reset_password(self, request: Request, data: JSONBody[types.ResetConfirm], accounts: AccountsDep) -> None:
        await accounts.reset_password(data.token, data.password, client_address(request))


@get("/api/me", tags=["accounts"], summary="The signed-in user")
async def me(caller: CallerDep) -> types.Me:
    return _user(caller)


@patch("/api/me", tags=["accounts"], summary="Choose the language the app speaks to you in every browser")
async def change_me(data: JSONBody[types.MeChange], caller: CallerDep, accounts: AccountsDep) -> types.Me:
    return _user(await accounts.set_locale(caller, data.locale))
