"""The one mapping from domain and service errors to HTTP statuses and WebSocket close codes.

Unknown and forbidden things answer alike — HTTP 404 and close 4404 with the same words — so
that nobody learns that a board they were not given exists.
"""

from __future__ import annotations

from litestar import Request, Response

from server.domain.access import Forbidden, NotFound
from server.domain.accounts import Conflict, InvalidInput, Throttled, Unauthenticated
from server.domain.references import UnknownReference
from server.protocol.close_codes import CloseCode

HTTP_STATUS: dict[type[Exception], int] = {
    InvalidInput: 400,
    UnknownReference: 422,  # a reference to a record of another workspace, or of none
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
    return Response({"status_code": status, "detail": str(exc)}, status_code=status, headers=headers)


EXCEPTION_HANDLERS = {kind: error_response for kind in HTTP_STATUS}
