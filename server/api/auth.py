"""How HTTP requests and sockets carry a session, and the ``caller`` dependency.

A session token arrives as ``Authorization: Bearer <token>`` (API and CLI clients), as
``?token=<token>`` (WebSockets only: y-websocket passes params in the URL), or as the HttpOnly
``tandem_session`` cookie (browsers). Cookie-authenticated writes must echo the readable
``tandem_csrf`` cookie in an ``X-CSRF-Token`` header (double submit, bound to the session), so a
cross-site form cannot act with the user's cookie; bearer tokens are not ambient and need none.
"""

from __future__ import annotations

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.di import NamedDependency

from server.domain.access import Forbidden
from server.services.accounts import Accounts, Caller, SignedIn
from server.services.credentials import csrf_token, same_secret
from server.settings import Settings

SESSION_COOKIE = "tandem_session"
CSRF_COOKIE = "tandem_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def bearer_token(connection: ASGIConnection) -> str | None:
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def client_address(connection: ASGIConnection) -> str:
    return connection.client.host if connection.client else "unknown"


async def provide_caller(request: Request, accounts: NamedDependency[Accounts]) -> Caller:
    """The signed-in caller; 401 without a valid session, 403 for a cookie write without CSRF token."""
    token = bearer_token(request)
    if token is None:
        token = request.cookies.get(SESSION_COOKIE)
        if token and request.method not in SAFE_METHODS:
            _check_csrf(request, token)
    return await accounts.authenticate(token)


def _check_csrf(request: Request, token: str) -> None:
    sent = request.headers.get(CSRF_HEADER, "")
    if not same_secret(sent, csrf_token(token)):
        raise Forbidden(f"expected the {CSRF_COOKIE} cookie's value in the X-CSRF-Token header "
                        "of a cookie-authenticated write")


def session_cookies(signed: SignedIn, settings: Settings) -> list[Cookie]:
    """The HttpOnly session cookie and the script-readable CSRF cookie, both expiring with the session."""
    age = int(settings.session_ttl_seconds)
    common = {"max_age": age, "secure": settings.cookie_secure, "samesite": "lax", "path": "/"}
    return [
        Cookie(key=SESSION_COOKIE, value=signed.token, httponly=True, **common),
        Cookie(key=CSRF_COOKIE, value=csrf_token(signed.token), httponly=False, **common),
    ]


def cleared_cookies(settings: Settings) -> list[Cookie]:
    common = {"max_age": 0, "secure": settings.cookie_secure, "samesite": "lax", "path": "/"}
    return [Cookie(key=SESSION_COOKIE, value="", httponly=True, **common),
            Cookie(key=CSRF_COOKIE, value="", httponly=False, **common)]


# Handler parameters filled by the app's dependencies (``create_app``): the signed-in caller and
# the services, named explicitly as Litestar 3 will require.
CallerDep = NamedDependency[Caller]
AccountsDep = NamedDependency[Accounts]
