"""Files on records (deals, contacts, organisations) and as mail attachments: pure rules, no I/O.

What a file *is* is decided here, never taken from the uploader: the name is sanitised (no path,
no control characters, a bounded length), the type is sniffed from the first bytes (the
``Content-Type`` a browser sends is ignored), and what the browser gets back on download is
always an attachment, never something it renders: HTML, SVG, XML and scripts go out as
``application/octet-stream`` (``served_type``), so an uploaded page cannot run in the app's origin.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from datetime import datetime
from typing import NamedTuple
from urllib.parse import quote
from uuid import UUID

import filetype
import msgspec

from server.domain.accounts import InvalidInput

MAX_NAME = 200
SNIFF_BYTES = 8192
OCTETS = "application/octet-stream"
# Types a browser would render or run if served as themselves.
ACTIVE_TYPES = frozenset({
    "text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml",
    "text/javascript", "application/javascript", "application/pdf+html",
})
_MARKUP = re.compile(rb"^\s*(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html|head|body|script|svg|\?xml|iframe)", re.I)
_SVG = re.compile(rb"<svg[\s>]", re.I)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]")


class FileTooLarge(Exception):
    """A file (or a mail's attachments together) over the configured cap: 413, naming the cap."""


class RecordKind(enum.StrEnum):
    DEAL = "deal"
    CONTACT = "contact"
    ORGANISATION = "organisation"


class RecordRef(msgspec.Struct, frozen=True):
    """The record a file hangs on: a contact or organisation by id, a deal by its board and card."""

    kind: RecordKind
    id: UUID
    board_id: UUID | None = None  # a deal's board


class StoredFile(msgspec.Struct, frozen=True, kw_only=True):
    """One uploaded file's row: what it is, where it hangs, who put it there and when."""

    id: UUID
    workspace_id: UUID
    record: RecordRef
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: UUID | None
    uploaded_by_name: str | None = None
    created_at: datetime

    @property
    def key(self) -> str:
        """Where its bytes are in the file store: ids only, nothing the uploader chose."""
        return storage_key(self.workspace_id, self.id)


class FileSummary(NamedTuple):
    """What a timeline shows of a file beside its name (the entry's title)."""

    content_type: str
    size: int


def storage_key(workspace: UUID, file: UUID) -> str:
    return f"workspaces/{workspace}/files/{file}"


def sanitise_name(raw: str) -> str:
    """A file name safe to store, show and send: the last path part, NFC, no control or reserved
    characters, no leading dots, at most ``MAX_NAME`` characters (the extension kept)."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip().lstrip(".").strip()
    if not name:
        return "file"
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        keep = extension[:20] if dot and stem else ""
        name = name[:MAX_NAME - len(keep) - 1].rstrip() + "." + keep if keep else name[:MAX_NAME]
    return name


def sniff(head: bytes) -> str:
    """The content type of a file from its first bytes: a known binary signature, else markup
    (HTML, SVG, XML — marked as what they are, so they are never served inline), else UTF-8 text,
    else ``application/octet-stream``."""
    kind = filetype.guess(head[:SNIFF_BYTES]) if head else None
    if kind is not None:
        return str(kind.mime)
    sample = head[:SNIFF_BYTES]
    if _MARKUP.match(sample):
        return "image/svg+xml" if _SVG.search(sample) else "text/html"
    if _SVG.search(sample):
        return "image/svg+xml"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(sample) - 4:  # not a character cut at the sample's end
            return OCTETS
    return "text/plain" if sample else OCTETS


def served_type(content_type: str) -> str:
    """The Content-Type a download is served with: active types as plain octets."""
    return OCTETS if content_type in ACTIVE_TYPES else content_type


def disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact one (RFC 6266, RFC 5987)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def check_size(size: int, cap: int, what: str = "file") -> None:
    """Refuse a ``size`` over ``cap`` bytes (``FileTooLarge``), saying the cap."""
    if size > cap:
        raise FileTooLarge(f"{what}: expected at most {cap} bytes ({cap / (1 << 20):.1f} MiB), got more")


def check_kind(raw: str) -> RecordKind:
    try:
        return RecordKind(raw)
    except ValueError:
        raise InvalidInput(f"record kind: expected deal, contact or organisation, got {raw!r}") from None
