"""The one mapping from domain, service and engine errors to HTTP statuses and WebSocket close codes.

Read here which error becomes which answer; nothing else in ``server/api`` picks a status or a
close code. Unknown and forbidden things answer alike — HTTP 404 and, at a socket's handshake,
close 4404 with the same words — so that nobody learns that a board they were not given exists.

HTTP: ``HTTP_STATUS`` for domain errors (``EXCEPTION_HANDLERS``, and ``refused_update`` for a Yjs
update the HTTP API refuses). Anything else is a 5xx, logged with its request id
(``server.api.request_ids``), which the body carries too: 503 with a reason when Postgres cannot be
reached or does not answer in time (connection refused or lost, a pool or statement timeout), 500
for every other exception.

WebSocket (``server.protocol.close_codes`` names the codes; the Python client treats
``TERMINAL`` ones as final):

- refused upgrade (foreign ``Origin``): ``ORIGIN_REFUSED``, which the ASGI server answers as HTTP 403;
- after the upgrade, before any document byte: ``BAD_DOCUMENT_NAME``; ``admission_close`` for a
  refused session or document (4401, 4404); ``ACCESS_UNCHECKED`` (1013) when access could not be
  checked; ``LOAD_FAILED`` (1013) when the document could not be loaded;
- while open: ``frame_close`` for a frame the engine rejects (its table, ``sync.room.CLOSE_CODES``:
  1002, 1003, 1007, 1008, 1009), ``TEXT_FRAME`` (1003), ``INTERNAL`` (1011) for a bug of ours;
  ``RECHECK_CLOSE`` when an access change ends an admitted socket (``services.sockets``): 4401
  signed out or expired, 4403 revoked — the socket knew the document, so it is told what
  happened — 1013 when the re-check failed; ``SHUTDOWN`` (1012) on shutdown. The engine closes a
  reader too slow to keep up with 4008 (``sync.connection``) on its own: that is about the
  socket, not an error of anyone's.
"""

from __future__ import annotations

import logging
from typing import NamedTuple, TypeVar

import asyncpg
from litestar import Request, Response
from litestar.exceptions import ClientException

from server.domain.access import Forbidden, NotFound
from server.domain.automations import InvalidRule
from server.domain.booking import InvalidBooking
from server.domain.calendar import InvalidSeriesEnd
from server.domain.leads import FormTooLarge, InvalidLead
from server.domain.lead_scoring import InvalidScoringRule
from server.domain.service_requests import InvalidRequest
from server.domain.accounts import Conflict, InvalidInput, Throttled, Unauthenticated, UnknownLocale
from server.domain.money import InvalidCurrency
from server.domain.permissions import InvalidSetting
from server.domain.references import UnknownReference
from server.domain.text import UnstorableText
from server.domain.webhooks import Refused
from server.domain.mailboxes import MailboxRefused
from server.domain.caldav import CalendarRefused
from server.domain.email_templates import MissingMergeFields
from server.domain.files import FileTooLarge
from server.protocol.close_codes import CloseCode
from server.protocol.messages import InvalidPayload
from server.protocol.update_bounds import UpdateRefused, UpdateTooLarge
from server.services.sockets import Ending
from server.sync.room import CLOSE_CODES, DocumentTooLarge
from server.api.request_ids import LOGGED, current_request_id, internal_error_body

log = logging.getLogger(__name__)

HTTP_STATUS: dict[type[Exception], int] = {
    InvalidInput: 400,
    UnknownReference: 422,  # a reference to a record of another workspace, or of none
    UnstorableText: 422,  # text Postgres cannot store (a NUL character, a lone surrogate)
    InvalidSetting: 422,  # a permission level that does not exist
    InvalidCurrency: 422,  # not an ISO 4217 code, or an exchange rate that is not a positive number
    InvalidRule: 422,  # an automation's trigger or action not as expected (the message names the field)
    InvalidBooking: 422,  # a booking link's setting or a booking not as expected (names the field)
    InvalidSeriesEnd: 422,  # a series' COUNT or UNTIL not as expected (names recurrence)
    InvalidLead: 422,  # a lead's or a lead form's field not as expected (names the field)
    InvalidScoringRule: 422,  # a lead scoring rule not as expected (names it: rules[i].points)
    InvalidRequest: 422,  # a service request's or the service settings' field not as expected (names it)
    UnknownLocale: 422,  # a language the app does not speak (PATCH /api/me)
    Refused: 422,  # a webhook receiver at a loopback, private, link-local or reserved address (SSRF guard)
    MailboxRefused: 422,  # a mail server that cannot be reached or refused the sign-in (said in words)
    CalendarRefused: 422,  # a CalDAV calendar that cannot be reached or refused the sign-in (said in words)
    MissingMergeFields: 422,  # a mail whose merge fields have no value: named, never sent blank
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Throttled: 429,
    FileTooLarge: 413,  # an upload, or a mail's attachments, over the cap (the message says it)
    FormTooLarge: 413,  # a web form's post over its cap (docs/leads.md)
}

# A Yjs update the HTTP API refuses (``POST /api/documents/{name}/updates``): status, and what was expected.
UPDATE_STATUS: dict[type[Exception], tuple[int, str]] = {
    UpdateTooLarge: (413, "expected a smaller Yjs update"),
    DocumentTooLarge: (413, "expected a smaller Yjs update"),
    UpdateRefused: (422, "expected a Yjs update (v1) in the body"),
    InvalidPayload: (400, "expected a Yjs update in the body"),
}
UPDATE_REFUSALS = tuple(UPDATE_STATUS)


def refused_update(exc: Exception) -> ClientException:
    """The HTTP error for an update the room refused (``UPDATE_REFUSALS``), saying what was expected."""
    status, expected = _most_specific(UPDATE_STATUS, exc)
    return ClientException(f"{expected}: {exc}", status_code=status)


class Close(NamedTuple):
    """How a socket is closed: the code, and the reason sent with it (at most 123 bytes of UTF-8)."""

    code: int
    reason: str


ORIGIN_REFUSED = Close(CloseCode.FORBIDDEN, "origin not allowed")
BAD_DOCUMENT_NAME = Close(CloseCode.BAD_DOCUMENT_NAME, "document names are 1-200 of A-Z a-z 0-9 . _ : -")
ACCESS_UNCHECKED = Close(CloseCode.TRY_AGAIN_LATER, "could not check access; try again")
LOAD_FAILED = Close(CloseCode.TRY_AGAIN_LATER, "document could not be loaded; try again")
TEXT_FRAME = Close(CloseCode.UNSUPPORTED_DATA, "text frames are not part of the protocol")
INTERNAL = Close(CloseCode.INTERNAL_ERROR, "internal error; the server logged it")
SHUTDOWN = Close(CloseCode.SERVICE_RESTART, "server restarting; reconnect")

# At the handshake: no session, or a document the session may not open (or that does not exist).
ADMISSION_CLOSE: dict[type[Exception], Close] = {
    Unauthenticated: Close(CloseCode.UNAUTHORIZED, "sign in first: pass ?token=<session token> or the session cookie"),
    NotFound: Close(CloseCode.NOT_FOUND, "no such document"),
}
ADMISSION_REFUSALS = tuple(ADMISSION_CLOSE)

# An admitted socket that an access change (or its session's expiry) ends.
RECHECK_CLOSE: dict[Ending, Close] = {
    Ending.SIGNED_OUT: Close(CloseCode.UNAUTHORIZED, "signed out, or the session ended: sign in again"),
    Ending.EXPIRED: Close(CloseCode.UNAUTHORIZED, "the session expired: sign in again"),
    Ending.REVOKED: Close(CloseCode.FORBIDDEN, "access to this document was revoked"),
    Ending.UNCHECKED: Close(CloseCode.TRY_AGAIN_LATER, "could not re-check access; reconnect"),
}

# A frame the engine rejects closes only that socket, with the code of the engine's table.
FRAME_REJECTIONS = tuple(CLOSE_CODES)


def admission_close(exc: Exception) -> Close:
    """How to close a socket refused at its handshake (``exc`` one of ``ADMISSION_REFUSALS``)."""
    return _most_specific(ADMISSION_CLOSE, exc)


def frame_close(exc: Exception) -> Close:
    """How to close a socket whose frame the engine rejected (``exc`` one of ``FRAME_REJECTIONS``)."""
    code, what = _most_specific(CLOSE_CODES, exc)
    return Close(code, _fit(f"{what}: {exc}"))


_V = TypeVar("_V")


def _most_specific(table: dict[type[Exception], _V], exc: Exception) -> _V:
    """The entry of ``exc``'s own class, else of its nearest base class in ``table``."""
    for kind in type(exc).__mro__:
        if kind in table:
            return table[kind]
    raise KeyError(f"expected an error the table maps ({', '.join(k.__name__ for k in table)}), "
                   f"got {type(exc).__name__}")


def _fit(reason: str) -> str:
    """A close reason must fit in 123 bytes of UTF-8."""
    return reason.encode()[:120].decode(errors="ignore")


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
