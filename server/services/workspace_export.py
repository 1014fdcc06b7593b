"""Build a whole-workspace export ZIP (docs/workspace-lifecycle.md), streamed: rows are read a page
at a time through a cursor and written into a ZIP in a temporary file, a file's bytes are copied
chunk by chunk from the file store; nothing is held whole in memory.

The ZIP holds ``<kind>.csv`` per record kind (contacts, organisations, deals with their board and
stage names, activities, leads, service requests), ``notes/*.txt`` (each note's text read from its
Yjs document), ``emails/*.eml`` (filed mail rebuilt from what is stored), the uploaded files under
``files/<kind>-<record id>/<name>``, and ``manifest.json`` with counts and the schema version.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import AsyncIterator
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import IO, TYPE_CHECKING, Any
from uuid import UUID

from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from server.domain.files import storage_key

if TYPE_CHECKING:
    from server.services.ports.files import FileStore
    from server.services.ports.workspace_lifecycle import WorkspaceExports
    from server.sync.ports import DocumentStore

FORMAT = 1  # the manifest's format version
SHEETS = {"contacts": "export_contacts", "organisations": "export_organisations", "deals": "export_deals",
          "activities": "export_activities", "leads": "export_leads",
          "service_requests": "export_service_requests"}
OPTIONAL = {"leads": "leads", "service_requests": "service_requests"}  # features an older schema lacks


def cell(value: Any) -> str:
    """One CSV cell: lists joined with '; ', mappings as JSON, times in ISO 8601, None empty."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(map(cell, value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return value  # jsonb arrives as text
    return value.isoformat() if isinstance(value, datetime) else str(value)


def note_text(updates: list[bytes]) -> str:
    """A note document's text: its blocks (paragraphs, headings, list items…) one a line."""
    doc = Doc()
    for update in updates:
        doc.apply_update(update)
    return "\n".join(_blocks(doc.get("content", type=XmlFragment))).strip()


def _blocks(node: XmlFragment | XmlElement) -> list[str]:
    """The text of each innermost block under ``node`` (formatting marks dropped)."""
    lines: list[str] = []
    inline = ""
    for child in node.children:
        if isinstance(child, XmlText):
            inline += "".join(str(part) for part, _ in child.diff() if isinstance(part, str))
        else:
            lines.extend(_blocks(child))
    return [inline, *lines] if inline else lines


def eml(row: dict[str, Any]) -> bytes:
    """A filed message as an RFC 5322 ``.eml``."""
    message = EmailMessage()
    sender = row["from_address"] or ""
    message["From"] = f'"{row["from_name"]}" <{sender}>' if row["from_name"] else sender
    for header, key in (("To", "to_addresses"), ("Cc", "cc_addresses")):
        if row[key]:
            message[header] = ", ".join(row[key])
    message["Subject"] = row["subject"] or ""
    if row["sent_at"]:
        message["Date"] = format_datetime(row["sent_at"])
    for header, value in (("Message-ID", row["message_id"]), ("In-Reply-To", row["in_reply_to"])):
        if value:
            message[header] = value
    if row["refs"]:
        message["References"] = " ".join(row["refs"])
    message.set_content(row["body_text"] or "")
    if row["body_html"]:
        message.add_alternative(row["body_html"], subtype="html")
    return bytes(message)


def _safe(name: str, fallback: str) -> str:
    cleaned = re.sub(r"[^\w.\- ]+", "_", name).strip(" ._")[:80]
    return cleaned or fallback


class ExportBuilder:
    """``await build(rows, workspace, out)``: write the ZIP into the open binary file ``out``."""

    def __init__(self, documents: DocumentStore, files: FileStore) -> None:
        self._documents, self._files = documents, files

    async def build(self, rows: WorkspaceExports, workspace: UUID, name: str, out: IO[bytes]) -> dict[str, int]:
        """The counts the manifest names, after writing everything to ``out``."""
        counts: dict[str, int] = {}
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for sheet, query in SHEETS.items():
                if sheet in OPTIONAL and not await rows.has_table(OPTIONAL[sheet]):
                    continue
                counts[sheet] = await _sheet(archive, f"{sheet}.csv", await rows.columns(query),
                                             rows.rows(query, workspace))
            counts["notes"] = await self._notes(archive, rows.rows("export_notes", workspace))
            counts["emails"] = await _emails(archive, rows.rows("export_emails", workspace))
            counts["files"] = await self._copy_files(archive, rows.rows("export_files", workspace))
            manifest = {"format": FORMAT, "schema_version": await rows.schema_version(),
                        "workspace": {"id": str(workspace), "name": name},
                        "exported_at": datetime.now().astimezone().isoformat(), "counts": counts}
            archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        return counts

    async def _notes(self, archive: zipfile.ZipFile, notes: AsyncIterator[dict[str, Any]]) -> int:
        count = 0
        async for note in notes:
            stored = await self._documents.load(note["document"])
            text = f"{note['title'] or ''}\n\n{note_text(stored.updates)}\n"
            archive.writestr(f"notes/{_safe(note['title'] or '', 'note')}-{note['id']}.txt", text)
            count += 1
        return count

    async def _copy_files(self, archive: zipfile.ZipFile, files: AsyncIterator[dict[str, Any]]) -> int:
        count = 0
        async for file in files:
            path = f"files/{file['record_kind']}-{file['record_id']}/{file['id']}-{_safe(file['name'], 'file')}"
            with archive.open(path, "w", force_zip64=True) as target:
                async for chunk in self._files.open(storage_key(file["workspace_id"], file["id"])):
                    target.write(chunk)
            count += 1
        return count


async def _sheet(archive: zipfile.ZipFile, path: str, header: list[str],
                 rows: AsyncIterator[dict[str, Any]]) -> int:
    """Write ``rows`` as a CSV (UTF-8 with BOM, so spreadsheets read it); how many rows."""
    count = 0
    with archive.open(path, "w", force_zip64=True) as raw, \
            io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        writer = csv.writer(text)
        writer.writerow(header)
        async for row in rows:
            writer.writerow([cell(v) for v in row.values()])
            count += 1
    return count


async def _emails(archive: zipfile.ZipFile, messages: AsyncIterator[dict[str, Any]]) -> int:
    count = 0
    async for message in messages:
        archive.writestr(f"emails/{message['id']}.eml", eml(message))
        count += 1
    return count
