"""Every WebSocket close code the server uses, named; ``server.api.errors`` says which error gets which."""

from __future__ import annotations

from enum import IntEnum


class CloseCode(IntEnum):
    NORMAL = 1000
    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002  # malformed frame, truncated varint, trailing bytes
    UNSUPPORTED_DATA = 1003  # text frame, unknown message type
    INVALID_PAYLOAD = 1007  # garbage update, bad awareness JSON
    POLICY_VIOLATION = 1008  # e.g. writes on a read-only connection, floods
    MESSAGE_TOO_BIG = 1009
    INTERNAL_ERROR = 1011
    SERVICE_RESTART = 1012  # graceful shutdown: reconnect and resync
    TRY_AGAIN_LATER = 1013  # the document could not be loaded; nothing was sent
    SLOW_READER = 4008  # the client did not read fast enough; its send queue hit the limit
    BAD_DOCUMENT_NAME = 4400
    UNAUTHORIZED = 4401
    FORBIDDEN = 4403
    NOT_FOUND = 4404


# Closes that reconnecting cannot fix: a bad name, no session, access revoked, no such document.
# Clients stop retrying on these (client/session.py); every other close is worth a reconnect.
TERMINAL = frozenset({CloseCode.BAD_DOCUMENT_NAME, CloseCode.UNAUTHORIZED, CloseCode.FORBIDDEN, CloseCode.NOT_FOUND})
