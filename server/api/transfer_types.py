"""Response bodies of the import and export API: the import report with its preview, and the
imports a workspace ran (``server.api.transfer``)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class ImportProblem(msgspec.Struct):
    line: int
    column: str | None
    reason: str


class ImportPreviewRow(msgspec.Struct):
    """A row of the file as the record it would become (cells by column), and what happens to it:
    ``create``, ``update`` (a duplicate, updated or merged), ``skip`` (a duplicate, or nothing new)
    or ``error`` (see ``problems``); ``note`` says which record it duplicates and why."""

    line: int
    action: str
    cells: dict[str, str]
    problems: list[ImportProblem]
    note: str


class ImportReport(msgspec.Struct):
    """What an import did or would do. ``imported`` is false after a dry run, or after a problem
    when all rows or none were asked for; then nothing was written. ``mapping`` is each header's
    column (null: ignored) as applied — chosen, ``remembered`` from the last file with this header
    row, or by the headers' names; ``columns`` and ``fields`` (custom field key → label) are what
    a header may be mapped to. ``batch`` is the import to undo."""

    kind: str
    dry_run: bool
    imported: bool
    rows: int
    created: int
    updated: int
    skipped: int
    organisations_created: list[str]
    problems: list[ImportProblem]
    ignored_columns: list[str]
    encoding: str
    delimiter: str
    headers: list[str]
    mapping: dict[str, str | None]
    remembered: bool
    columns: list[str]
    fields: dict[str, str]
    preview: list[ImportPreviewRow]
    batch: UUID | None


class ImportBatch(msgspec.Struct):
    """One import a workspace ran; ``undoable`` is true for the last one not undone yet."""

    id: UUID
    kind: str
    board_id: UUID | None
    created_by: UUID | None
    created_at: datetime
    created: int
    updated: int
    skipped: int
    undone_at: datetime | None
    undoable: bool
