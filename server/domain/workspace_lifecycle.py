"""Leaving Tandem cleanly: the values and rules of a whole-workspace export and of deleting a
workspace (docs/workspace-lifecycle.md). No I/O.

An export's download link carries a signed token: the export's id and the moment the link stops
working, with an HMAC-SHA256 (truncated to 16 bytes) under a key derived from the server's secret
key, as unsubscribe and tracking links are signed. A forged, altered or expired token names nothing.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import struct
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from uuid import UUID

from server.domain.accounts import InvalidInput

KEEP_EXPORT = timedelta(days=7)  # a ZIP is downloadable this long, then deleted
_MAC = 16


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"


class WorkspaceExport(NamedTuple):
    """One "Export all data" request and how far it got."""

    id: UUID
    workspace_id: UUID
    requested_by: UUID | None
    status: ExportStatus
    created_at: datetime
    size: int | None = None
    error: str | None = None
    ready_at: datetime | None = None
    expires_at: datetime | None = None


def export_key(workspace: UUID, export: UUID) -> str:
    """Where an export's ZIP lives in the file store."""
    return f"exports/{workspace}/{export}.zip"


def export_file_name(workspace_name: str, at: datetime) -> str:
    """The ZIP's name as downloaded: ``tandem-<workspace>-<date>.zip`` in safe characters."""
    safe = "".join(c if c.isalnum() else "-" for c in workspace_name.casefold()).strip("-")[:40] or "workspace"
    return f"tandem-{safe}-{at:%Y-%m-%d}.zip"


def check_confirm(confirm: object, name: str) -> None:
    """Deleting needs the workspace's name typed back (case and outer spaces ignored)."""
    if not isinstance(confirm, str) or confirm.strip().casefold() != name.strip().casefold():
        raise InvalidInput(f"confirm: expected the workspace's name {name!r}, got {confirm!r}")


# --- signed download links ---------------------------------------------------------------------

def download_key(secret: str) -> bytes:
    """The HMAC key of export download links, derived from the server's secret key."""
    return hashlib.sha256(b"tandem workspace export\0" + secret.encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def download_token(key: bytes, export: UUID, until: datetime) -> str:
    """A token naming ``export`` that works until ``until``."""
    payload = export.bytes + struct.pack(">q", int(until.timestamp()))
    return f"{_b64(payload)}.{_b64(hmac.new(key, payload, hashlib.sha256).digest()[:_MAC])}"


def verify_download(key: bytes, token: str, now: datetime) -> UUID | None:
    """The export a token names if ``key`` made it and it has not expired at ``now``; else None."""
    try:
        body, mac = token.split(".", 1)
        payload, given = _unb64(body), _unb64(mac)
    except (ValueError, TypeError):
        return None
    expected = hmac.new(key, payload, hashlib.sha256).digest()[:_MAC]
    if len(payload) != 24 or not hmac.compare_digest(given, expected):
        return None
    (until,) = struct.unpack(">q", payload[16:])
    if datetime.fromtimestamp(until, UTC) <= now:
        return None
    return UUID(bytes=payload[:16])
