"""The leaving-Tandem ports (``server.services.ports.workspace_lifecycle``), one contract over the
memory twin and Postgres: an export is recorded queued, moves on keeping what a step leaves out, and
the newest is the workspace's latest; the files sheet streams the workspace's files; starting a
deletion marks it and takes everyone's access, naming who had it; files, documents and the rows of
the workspace's tables go in batches that leave other workspaces alone; finishing removes the
workspace's row once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from uuid import UUID, uuid4

import asyncpg
import pytest

from server.domain.files import RecordKind, RecordRef, StoredFile, storage_key
from server.domain.workspace_lifecycle import ExportStatus, export_key
from server.domain.workspaces import Workspace
from server.storage.memory.unit import MemoryDatabase
from server.storage.memory.workspace_lifecycle import memory_lifecycle_transactions
from server.storage.migrations import migrate
from server.storage.workspace_lifecycle import lifecycle_transactions

AT = datetime(2026, 12, 6, 12, tzinfo=timezone.utc)


class PostgresRows:
    """The rows a suite needs from other capabilities, as SQL."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def user(self) -> UUID:
        user = uuid4()
        await self.pool.execute("INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, 'U', 'x')",
                                user, f"{user}@example.test")
        return user

    async def workspace(self, name: str) -> UUID:
        workspace = uuid4()
        await self.pool.execute("INSERT INTO workspaces (id, name) VALUES ($1, $2)", workspace, name)
        return workspace

    async def member(self, workspace: UUID, user: UUID) -> None:
        await self.pool.execute("INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, 'member')",
                                workspace, user)

    async def file(self, workspace: UUID) -> UUID:
        file = uuid4()
        await self.pool.execute(
            "INSERT INTO record_files (id, workspace_id, record_kind, record_id, name, content_type, size, sha256) "
            "VALUES ($1, $2, 'contact', $3, 'a.txt', 'text/plain', 3, $4)", file, workspace, uuid4(), "0" * 64)
        return file

    async def document(self, workspace: UUID) -> str:
        board, name = uuid4(), f"board:{uuid4()}"
        await self.pool.execute("INSERT INTO boards (id, workspace_id, name, kind) VALUES ($1, $2, 'b', 'pipeline')",
                                board, workspace)
        await self.pool.execute("INSERT INTO documents (name, workspace_id, board_id, kind) VALUES ($1, $2, $3, "
                                "'board')", name, workspace, board)
        return name

    async def members(self, workspace: UUID) -> int:
        return await self.pool.fetchval("SELECT count(*) FROM memberships WHERE workspace_id = $1", workspace)


class MemoryRows:
    """The same rows, in the tables the twins read."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db

    async def user(self) -> UUID:
        return uuid4()

    async def workspace(self, name: str) -> UUID:
        workspace = uuid4()
        self.db.table("workspaces")[workspace] = Workspace(workspace, name, AT)
        return workspace

    async def member(self, workspace: UUID, user: UUID) -> None:
        self.db.table("memberships")[(workspace, user)] = SimpleNamespace(role="member", created_at=AT)

    async def file(self, workspace: UUID) -> UUID:
        file = uuid4()
        self.db.table("record_files")[file] = StoredFile(
            id=file, workspace_id=workspace, record=RecordRef(RecordKind("contact"), uuid4()), name="a.txt",
            content_type="text/plain", size=3, sha256="0" * 64, uploaded_by=None, created_at=AT)
        return file

    async def document(self, workspace: UUID) -> str:
        name = f"board:{uuid4()}"
        self.db.table("documents")[name] = SimpleNamespace(workspace=workspace)
        return name

    async def members(self, workspace: UUID) -> int:
        return sum(1 for (w, _) in self.db.table("memberships") if w == workspace)


@pytest.fixture(params=["memory", "postgres"])
async def world(request, database_url) -> AsyncIterator[SimpleNamespace]:
    if request.param == "memory":
        db = MemoryDatabase()
        yield SimpleNamespace(begin=memory_lifecycle_transactions(db), rows=MemoryRows(db))
        return
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    try:
        await migrate(pool)
        yield SimpleNamespace(begin=lifecycle_transactions(pool), rows=PostgresRows(pool))
    finally:
        await pool.close()


async def test_an_export_is_recorded_queued_and_moves_on_keeping_what_a_step_leaves_out(world):
    workspace, user, export = await world.rows.workspace("Acme"), await world.rows.user(), uuid4()
    async with world.begin() as (_, lifecycle):
        added = await lifecycle.add_export(export, workspace, user)
    assert (added.id, added.workspace_id, added.requested_by, added.status) == (export, workspace, user,
                                                                                 ExportStatus.QUEUED)
    async with world.begin() as (_, lifecycle):
        await lifecycle.set_export(export, ExportStatus.READY, size=42, ready_at=AT, expires_at=AT + timedelta(7))
        await lifecycle.set_export(export, ExportStatus.EXPIRED)
        found = await lifecycle.export(export)
        assert await lifecycle.export(uuid4()) is None
    assert (found.status, found.size, found.ready_at, found.expires_at, found.error) == (
        ExportStatus.EXPIRED, 42, AT, AT + timedelta(7), None)


async def test_the_latest_export_is_the_workspaces_newest(world):
    workspace, other, user = await world.rows.workspace("Acme"), await world.rows.workspace("B"), await world.rows.user()
    made = []
    for _ in range(2):
        async with world.begin() as (_, lifecycle):
            made.append((await lifecycle.add_export(uuid4(), workspace, user)).id)
    async with world.begin() as (_, lifecycle):
        await lifecycle.set_export(made[0], ExportStatus.FAILED, error="OSError: disk full")
        assert (await lifecycle.latest_export(workspace)).id == made[1]
        assert await lifecycle.latest_export(other) is None
        assert (await lifecycle.export(made[0])).error == "OSError: disk full"
        assert sorted(await lifecycle.export_keys(workspace)) == sorted((e, export_key(workspace, e)) for e in made)


async def test_the_files_sheet_streams_the_workspaces_files_under_its_columns(world):
    workspace, other = await world.rows.workspace("Acme"), await world.rows.workspace("B")
    file = await world.rows.file(workspace)
    await world.rows.file(other)
    async with world.begin() as (_, lifecycle):
        columns = await lifecycle.columns("export_files")
        rows = [row async for row in lifecycle.rows("export_files", workspace)]
        assert await lifecycle.has_table("record_files") is True
        assert await lifecycle.has_table("no_such_table") is False
        assert await lifecycle.schema_version()
    assert columns == ["id", "workspace_id", "record_kind", "record_id", "name", "content_type", "size"]
    assert [(r["id"], r["record_kind"], r["name"], r["size"]) for r in rows] == [(file, "contact", "a.txt", 3)]


async def test_starting_a_deletion_marks_it_and_takes_everyones_access(world):
    workspace, other = await world.rows.workspace("Acme"), await world.rows.workspace("B")
    users = [await world.rows.user() for _ in range(2)]
    for user in users:
        await world.rows.member(workspace, user)
    await world.rows.member(other, users[0])
    async with world.begin() as (_, lifecycle):
        assert await lifecycle.deleting(workspace) is False
        assert sorted(await lifecycle.start_deletion(workspace), key=str) == sorted(users, key=str)
        assert await lifecycle.workspace_name(workspace) == "Acme"
    async with world.begin() as (_, lifecycle):
        assert (await lifecycle.deleting(workspace), await lifecycle.deleting(other)) == (True, False)
        assert await lifecycle.deleting(uuid4()) is False
    assert (await world.rows.members(workspace), await world.rows.members(other)) == (0, 1)


async def test_files_documents_and_rows_go_in_batches_leaving_other_workspaces(world):
    workspace, other = await world.rows.workspace("Acme"), await world.rows.workspace("B")
    files = {await world.rows.file(workspace) for _ in range(3)}
    kept = await world.rows.file(other)
    await world.rows.document(workspace)
    await world.rows.document(other)
    async with world.begin() as (_, lifecycle):
        batch = await lifecycle.file_batch(workspace)
        assert sorted(batch) == sorted((f, storage_key(workspace, f)) for f in files)
        await lifecycle.drop_files([f for f, _ in batch[:2]])
        assert len(await lifecycle.file_batch(workspace)) == 1
        assert await lifecycle.drop_documents(workspace) == 1
        assert await lifecycle.drop_documents(workspace) == 0
        assert {"record_files", "documents"} <= set(await lifecycle.workspace_tables())
        assert "workspaces" not in await lifecycle.workspace_tables()
        assert await lifecycle.drop_rows("record_files", workspace) == 1
        assert await lifecycle.drop_rows("record_files", workspace) == 0
        assert [f for f, _ in await lifecycle.file_batch(other)] == [kept]
        assert await lifecycle.drop_documents(other) == 1


async def test_finishing_removes_the_workspaces_row_once(world):
    workspace = await world.rows.workspace("Acme")
    async with world.begin() as (_, lifecycle):
        await lifecycle.start_deletion(workspace)
        assert await lifecycle.finish_deletion(workspace) is True
        assert await lifecycle.finish_deletion(workspace) is False
        assert (await lifecycle.workspace_name(workspace), await lifecycle.deleting(workspace)) == (None, False)
