"""The one mapping from domain and service errors to HTTP statuses and WebSocket close codes.

Unknown and forbidden things answer alike — HTTP 404 and close 4404 with the same words — so
that nobody learns that a board they were not given exists.

Anything else is a 5xx, logged with its request id (``server.api.request_ids``), which the body
carries too: 503 with a reason when Postgres cannot be reached or does not answer in time
(connection refused or lost, a pool or statement timeout), 500 for every other exception.
"""

from __future__ import annotations

import logging

import asyncpg
from litestar import Request, Response

from server.domain.access import Forbidden, NotFound
from server.domain.accounts import Conflict, InvalidInput, Throttled, Unauthenticated
from server.domain.money import InvalidCurrency
from server.domain.permissions import InvalidSetting
from server.domain.references import UnknownReference
from server.domain.text import UnstorableText
from server.protocol.close_codes import CloseCode
from server.api.request_ids import LOGGED, current_request_id, internal_error_body

log = logging.getLogger(__name__)

HTTP_STATUS: dict[type[Exception], int] = {
    InvalidInput: 400,
    UnknownReference: 422,  # a reference to a record of another workspace, or of none
    UnstorableText: 422,  # text Postgres cannot store (a NUL character, a lone surrogate)
    InvalidSetting: 422,  # a permission level that does not exist
    InvalidCurrency: 422,  # not an ISO 4217 code, or an exchange rate that is not a positive number
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Throttled: 429,
}

SOCKET_CLOSE: dict[type[Exception], tuple[int, str]] = {
    Unauthenticated: (CloseCode.UNAUTHORIZED, "sign in first: pass ?token=<session token> or the session cookie"),
    NotFound: (CloseCode.NOT_FOUND, "no such document"),
}


def error_response(request: Request, exc: Exception) -> Response:
    status = HTTP_STATUS[type(exc)]
    headers = {}
    if isinstance(exc, Throttled):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="tandem"'
    body = {"status_code": status, "detail": str(exc)}
    if isinstance(getattr(exc, "field", None), str):
        body["field"] = exc.field  # type: ignore[attr-defined]
    return Response(body, status_code=status, headers=headers)


# Postgres unreachable (refused, reset, shut down, starting up) or not answering in time (a pool
# acquire, connect or statement timeout; Postgres's own statement_timeout cancels with 57014).
UNAVAILABLE: tuple[type[Exception], ...] = (
    OSError, TimeoutError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
    asyncpg.OperatorInterventionError, asyncpg.InsufficientResourcesError,
)


def unavailable_response(request: Request, exc: Exception) -> Response:
    """503: the database cannot be reached or did not answer in time; worth retrying."""
    request.scope[LOGGED] = True  # type: ignore[literal-required]
    log.error("%s %s: the database is unavailable (%s: %s)", request.method, request.url.path,
              type(exc).__name__, exc)
    reason = "timed out" if isinstance(exc, (TimeoutError, asyncpg.QueryCanceledError)) else "cannot be reached"
    ident = current_request_id()
    return Response({"status_code": 503, "detail": f"the database {reason}; try again shortly", "request_id": ident},
                    status_code=503, headers={"Retry-After": "5"})


def internal_error_response(request: Request, exc: Exception) -> Response:
    """500 for an exception nothing maps: logged with its traceback; the body says only the id."""
    request.scope[LOGGED] = True  # type: ignore[literal-required]
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return Response(internal_error_body(current_request_id()), status_code=500)


EXCEPTION_HANDLERS = {
    **{kind: error_response for kind in HTTP_STATUS},
    **{kind: unavailable_response for kind in UNAVAILABLE},
    500: internal_error_response,  # Litestar: any exception that is not an HTTPException
}
