"""Leaving Tandem cleanly (docs/workspace-lifecycle.md): "Export all data" builds a ZIP by a job and
hands out a signed, expiring link; deleting a workspace removes every row of it (every table with a
``workspace_id`` column, as the catalogue says at run time), its documents and its files' bytes, in
batches a second run finishes. Over the data folder and moto's S3, real Postgres, a real worker."""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from cryptography.fernet import Fernet

from server.domain.workspace_lifecycle import KEEP_EXPORT, download_key, download_token, export_key
from server.files import LocalFileStore, S3FileStore
from server.services.jobs import JobKinds
from server.services.mail import LoggingOutbox
from server.services.workspace_lifecycle import WorkspaceLifecycle
from server.storage.documents import PostgresDocumentStore
from server.storage.workspace_lifecycle import lifecycle_transactions
from server.worker import Worker
from tests.support.accounts import AUTH, AUTH_ENV, add_guest, add_member, team
from tests.support.crm import call, ok, projected
from tests.support.s3 import ACCESS_KEY, SECRET_KEY, s3_server
from tests.support.servers import ServerProcess, WorkerProcess, in_process_server, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(240)

SECRET = Fernet.generate_key().decode()


@pytest.fixture(scope="module", params=["data-folder", "s3"])
async def store(request, tmp_path_factory) -> AsyncIterator[tuple[str, LocalFileStore | S3FileStore]]:
    if request.param == "data-folder":
        folder = tmp_path_factory.mktemp("files")
        yield f"file://{folder}", LocalFileStore(folder)
        return
    with s3_server() as endpoint:
        bucket = S3FileStore(f"tandem-{uuid.uuid4().hex[:8]}", prefix="crm", endpoint=endpoint,
                             access_key=ACCESS_KEY, secret_key=SECRET_KEY)
        await bucket.create_bucket()
        saved = {k: os.environ.get(k) for k in ("TANDEM_FILES_ACCESS_KEY", "TANDEM_FILES_SECRET_KEY")}
        os.environ.update(TANDEM_FILES_ACCESS_KEY=ACCESS_KEY, TANDEM_FILES_SECRET_KEY=SECRET_KEY)
        try:
            yield f"s3://{bucket.bucket}/crm?endpoint={endpoint}", bucket
        finally:
            for key, value in saved.items():
                os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
            await bucket.aclose()


class World:
    def __init__(self, server: Any, files: LocalFileStore | S3FileStore, pool: asyncpg.Pool, url: str) -> None:
        self.server, self.files, self.pool, self.url = server, files, pool, url

    def lifecycle(self, files: Any = None, clock: Any = None) -> WorkspaceLifecycle:
        """The service as the worker builds it, over ``files`` and ``clock`` when given."""
        return WorkspaceLifecycle(lifecycle_transactions(self.pool), files or self.files,
                                  PostgresDocumentStore(self.pool), LoggingOutbox(), download_key(SECRET),
                                  **({"clock": clock} if clock else {}))


@pytest.fixture(scope="module")
async def world(module_database_url: str, store) -> AsyncIterator[World]:
    url, files = store
    settings = settings_for(module_database_url, **AUTH, files_url=url, worker="off", secret_key=SECRET,
                            room_grace_seconds=0.3, housekeeping_cron="", job_retry_seconds=0.1)
    pool = await asyncpg.create_pool(module_database_url, min_size=1, max_size=4)
    try:
        async with in_process_server(settings) as server, Worker(module_database_url, settings, "lifecycle-test"):
            yield World(server, files, pool, module_database_url)
    finally:
        await pool.close()


async def filled(world: World) -> tuple[Any, dict[str, Any]]:
    """A team's workspace with a contact, an organisation, a deal, an activity, a lead, a note with
    text and a file on the deal."""
    server = world.server
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}"
    org = await ok(server, t.owner, "POST", f"{base}/organisations", json={"name": "Initech"})
    ada = await ok(server, t.owner, "POST", f"{base}/contacts", json={
        "first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@initech.test"], "organisation_id": org["id"]})
    deal = await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/cards",
                    json={"title": "Engine", "contact": ada["id"]})
    await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/activities",
             json={"type": "call", "title": "Call Ada", "contact": ada["id"]})
    await ok(server, t.owner, "POST", f"{base}/leads", json={"title": "Big lead", "person_name": "Bo"})
    note = await ok(server, t.owner, "POST", "/api/notes", json={
        "subject_kind": "deal", "subject_id": deal["id"], "board": t.board["id"], "title": "Kick-off"})
    await ok(server, t.owner, "POST", f"/api/notes/{note['id']}/text", json={"text": "Wants two engines"})
    await projected(server)  # the deal's row, which a file on it needs
    file = await ok(server, t.owner, "POST", f"/api/deals/{t.board['id']}/{deal['id']}/files",
                    params={"name": "quote.txt"}, content=b"quote: 2 engines")
    await projected(server)
    return t, {"org": org, "ada": ada, "deal": deal, "note": note, "file": file}


async def ready_export(world: World, t: Any) -> dict[str, Any]:
    asked = await call(world.server, t.owner, "POST", f"/api/workspaces/{t.workspace}/export")
    assert asked.status_code == 202, asked.text
    assert asked.json()["status"] == "queued"

    async def ready() -> dict[str, Any] | None:
        found = await ok(world.server, t.owner, "GET", f"/api/workspaces/{t.workspace}/export")
        assert found["export"]["status"] != "failed", found
        return found["export"] if found["export"]["status"] == "ready" else None

    return await eventually(ready, timeout=30, what="the export job to build the ZIP")


def sheet(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


async def test_an_export_holds_every_record_kind_the_notes_text_and_the_files_bytes(world):
    t, made = await filled(world)
    export = await ready_export(world, t)
    got = await call(world.server, None, "GET", export["download_url"])
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/zip" and int(got.headers["content-length"]) == export["size"]
    archive = zipfile.ZipFile(io.BytesIO(got.content))
    contacts = sheet(archive, "contacts.csv")
    assert [(c["first_name"], c["emails"], c["organisation"]) for c in contacts] == [
        ("Ada", "ada@initech.test", "Initech")]
    assert [o["name"] for o in sheet(archive, "organisations.csv")] == ["Initech"]
    deals = sheet(archive, "deals.csv")
    assert [(d["title"], d["board"], d["contact_id"]) for d in deals] == [("Engine", "Deals", made["ada"]["id"])]
    assert deals[0]["stage"]  # the stage's name, not its id
    assert [a["title"] for a in sheet(archive, "activities.csv")] == ["Call Ada"]
    assert [lead["title"] for lead in sheet(archive, "leads.csv")] == ["Big lead"]
    assert "service_requests.csv" in archive.namelist()
    (note,) = [n for n in archive.namelist() if n.startswith("notes/")]
    assert archive.read(note).decode() == "Kick-off\n\nWants two engines\n"
    (path,) = [n for n in archive.namelist() if n.startswith("files/")]
    assert path == f"files/deal-{made['deal']['id']}/{made['file']['id']}-quote.txt"
    assert archive.read(path) == b"quote: 2 engines"
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["counts"] == {"contacts": 1, "organisations": 1, "deals": 1, "activities": 1, "leads": 1,
                                  "service_requests": 0, "notes": 1, "emails": 0, "files": 1}
    assert manifest["schema_version"].startswith("00") and manifest["workspace"]["id"] == t.workspace
    bell = await ok(world.server, t.owner, "GET", "/api/me/notifications")
    assert any(export["download_url"] in n["message"] for n in bell["notifications"])


async def test_only_owners_and_admins_export(world):
    t, _ = await filled(world)
    for who in (t.member, t.viewer):
        assert (await call(world.server, who, "POST", f"/api/workspaces/{t.workspace}/export")).status_code == 403
        assert (await call(world.server, who, "GET", f"/api/workspaces/{t.workspace}/export")).status_code == 403


async def test_a_forged_or_expired_link_answers_404(world):
    t, _ = await filled(world)
    export = await ready_export(world, t)
    token = export["download_url"].rsplit("/", 1)[1]
    forged = download_token(download_key(Fernet.generate_key().decode()), uuid.UUID(export["id"]),
                            datetime.now(UTC) + timedelta(days=1))
    expired = download_token(download_key(SECRET), uuid.UUID(export["id"]), datetime.now(UTC) - timedelta(seconds=1))
    for bad in (forged, expired, token[:-2] + "xx", "nonsense"):
        assert (await call(world.server, None, "GET", f"/api/exports/{bad}")).status_code == 404, bad


async def test_the_zip_is_deleted_after_seven_days(world):
    t, _ = await filled(world)
    export = await ready_export(world, t)
    key = export_key(uuid.UUID(t.workspace), uuid.UUID(export["id"]))
    now = datetime.fromisoformat(export["ready_at"])
    await world.lifecycle(clock=lambda: now + KEEP_EXPORT - timedelta(minutes=1)).expire_export(uuid.UUID(export["id"]))
    assert await world.files.exists(key)  # not yet
    await world.lifecycle(clock=lambda: now + KEEP_EXPORT).expire_export(uuid.UUID(export["id"]))
    assert not await world.files.exists(key)
    found = await ok(world.server, t.owner, "GET", f"/api/workspaces/{t.workspace}/export")
    assert found["export"]["status"] == "expired" and found["export"]["download_url"] is None
    assert (await call(world.server, None, "GET", export["download_url"])).status_code == 404


async def rows_of(pool: asyncpg.Pool, workspace: str) -> dict[str, int]:
    """Each table with a ``workspace_id`` column (the catalogue, now) that holds rows of ``workspace``."""
    async with pool.acquire() as conn:
        tables = [r["table_name"] for r in await conn.fetch(
            "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t"
            " USING (table_schema, table_name) WHERE c.column_name = 'workspace_id'"
            " AND c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'")]
        counts = {table: await conn.fetchval(f'SELECT count(*) FROM "{table}" WHERE workspace_id = $1',
                                             uuid.UUID(workspace)) for table in tables}
    return {table: n for table, n in counts.items() if n}


async def documents_of(pool: asyncpg.Pool, names: list[str]) -> int:
    return await pool.fetchval(
        "SELECT (SELECT count(*) FROM document_updates_v1 WHERE document = ANY($1::text[]))"
        " + (SELECT count(*) FROM document_snapshots_v1 WHERE document = ANY($1::text[]))", names)


async def test_deleting_a_workspace_leaves_no_row_document_or_file_of_it_and_spares_another(world):
    t, made = await filled(world)
    other, kept = await filled(world)
    guest = await add_guest(world.server.http_url, t.owner, t.board, "edit")
    await ready_export(world, t)
    ws = uuid.UUID(t.workspace)
    documents = [r["name"] for r in await world.pool.fetch("SELECT name FROM documents WHERE workspace_id = $1", ws)]
    assert await documents_of(world.pool, documents) > 0 and len(await rows_of(world.pool, t.workspace)) > 10
    key = f"workspaces/{t.workspace}/files/{made['file']['id']}"
    assert await world.files.exists(key)

    wrong = await call(world.server, t.owner, "DELETE", f"/api/workspaces/{t.workspace}", params={"confirm": "Acm"})
    assert wrong.status_code == 400 and "workspace's name" in wrong.text
    name = (await ok(world.server, t.owner, "GET", f"/api/workspaces/{t.workspace}/settings"))["name"]
    deleted = await call(world.server, t.owner, "DELETE", f"/api/workspaces/{t.workspace}",
                         params={"confirm": f" {name.upper()} "})
    assert deleted.status_code == 202, deleted.text
    for who in (t.owner, t.member, guest):  # at once: nobody opens it, nor its board
        assert (await call(world.server, who, "GET", f"/api/workspaces/{t.workspace}/settings")).status_code == 404
        assert (await call(world.server, who, "GET", f"/api/boards/{t.board['id']}")).status_code == 404

    async def gone() -> bool:
        return await world.pool.fetchval("SELECT count(*) FROM workspaces WHERE id = $1", ws) == 0

    await eventually(gone, timeout=30, what="the workspace.delete job to finish")
    assert await rows_of(world.pool, t.workspace) == {}
    assert await documents_of(world.pool, documents + [f"workspace:{ws}", f"dashboard:{ws}"]) == 0
    assert not await world.files.exists(key)
    assert not [k async for k in _export_keys(world, ws)]
    events = await world.pool.fetch("SELECT event, details FROM audit_events WHERE details->>'deleted_workspace' = $1",
                                    t.workspace)
    assert [e["event"] for e in events] == ["workspace.deletion_started", "workspace.deleted"]
    assert "Ada" not in json.dumps([dict(e) for e in events], default=str)
    # the other workspace keeps everything
    assert (await ok(world.server, other.owner, "GET", f"/api/contacts/{kept['ada']['id']}"))["first_name"] == "Ada"
    assert await world.files.exists(f"workspaces/{other.workspace}/files/{kept['file']['id']}")
    assert len(await rows_of(world.pool, other.workspace)) > 10
    # the accounts stay: the owner still signs in and lists no workspace of that id
    listed = await ok(world.server, t.owner, "GET", "/api/workspaces")
    assert t.workspace not in json.dumps(listed)


async def _export_keys(world: World, workspace: uuid.UUID) -> AsyncIterator[str]:
    if isinstance(world.files, LocalFileStore):
        for path in Path(world.files.root, "exports", str(workspace)).glob("*"):
            yield str(path)
        return
    s3 = await world.files._s3()
    listed = await s3.list_objects_v2(Bucket=world.files.bucket, Prefix=f"crm/exports/{workspace}/")
    for item in listed.get("Contents", []):
        yield item["Key"]


async def test_members_and_admins_cannot_delete_the_workspace(world):
    t, _ = await filled(world)
    name = (await ok(world.server, t.owner, "GET", f"/api/workspaces/{t.workspace}/settings"))["name"]
    admin = await add_member(world.server.http_url, t.owner, t.workspace, "admin")
    for who in (admin, t.member, t.viewer):
        answer = await call(world.server, who, "DELETE", f"/api/workspaces/{t.workspace}", params={"confirm": name})
        assert answer.status_code == 403, answer.text
    assert (await ok(world.server, t.member, "GET", f"/api/workspaces/{t.workspace}/settings"))["name"] == name


class CrashingStore:
    """The real store, whose ``after``-th delete raises as a process killed there would stop."""

    def __init__(self, store: Any, after: int) -> None:
        self.store, self.left = store, after

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    async def delete(self, key: str) -> None:
        self.left -= 1
        if self.left < 0:
            raise SystemExit("killed mid-delete (test)")
        await self.store.delete(key)


async def test_a_deletion_stopped_mid_way_is_finished_by_the_next_run(world):
    t, made = await filled(world)
    second = await ok(world.server, t.owner, "POST", f"/api/contacts/{made['ada']['id']}/files",
                      params={"name": "cv.txt"}, content=b"cv")
    ws = uuid.UUID(t.workspace)
    async with lifecycle_transactions(world.pool)() as (_, rows):  # marked as the request marks it, no job
        await rows.start_deletion(ws)
    with pytest.raises(SystemExit):
        await world.lifecycle(files=CrashingStore(world.files, after=1)).remove(ws, [])
    assert await world.pool.fetchval("SELECT count(*) FROM workspaces WHERE id = $1", ws) == 1  # half done
    assert len(await rows_of(world.pool, t.workspace)) > 5
    done = await world.lifecycle().remove(ws, [])
    assert done["rows"] > 0
    assert await rows_of(world.pool, t.workspace) == {}
    for file in (made["file"], second):
        assert not await world.files.exists(f"workspaces/{t.workspace}/files/{file['id']}")
    assert await world.lifecycle().remove(ws, []) == {}  # a third run finds nothing to do


async def test_the_job_kinds_are_registered_once(world):
    kinds = JobKinds()
    world.lifecycle().register(kinds)
    assert set(kinds.handlers) == {"workspace.export", "workspace.export_expire", "workspace.delete"}


async def test_a_worker_killed_9_mid_delete_leaves_the_rest_to_the_next_worker(own_database_url, tmp_path):
    """Real processes: a ``serve`` node without a worker and ``python -m server worker``; the worker is
    SIGKILLed while it deletes 60,000 rows of the workspace, and another worker finishes the job."""
    env = {**AUTH_ENV, "TANDEM_HOUSEKEEPING_CRON": "", "TANDEM_JOB_HEARTBEAT_SECONDS": "2",
           "TANDEM_JOB_RETRY_SECONDS": "0.2", "TANDEM_FILES_URL": f"file://{tmp_path}", "TANDEM_SECRET_KEY": SECRET}
    node = await ServerProcess(own_database_url, TANDEM_WORKER="off", **env).start()
    first = second = None
    conn = await asyncpg.connect(own_database_url)
    try:
        t = await team(node.http_url)
        ws = uuid.UUID(t.workspace)
        await conn.execute("INSERT INTO notifications (id, user_id, workspace_id, message)"
                           " SELECT gen_random_uuid(), $1, $2, 'bulk ' || n FROM generate_series(1, 60000) n",
                           uuid.UUID(t.owner.id), ws)
        name = (await ok(node, t.owner, "GET", f"/api/workspaces/{t.workspace}/settings"))["name"]
        first = await WorkerProcess(own_database_url, **env).start()
        assert (await call(node, t.owner, "DELETE", f"/api/workspaces/{t.workspace}",
                           params={"confirm": name})).status_code == 202

        async def mid_way() -> bool:
            left = await conn.fetchval("SELECT count(*) FROM notifications WHERE workspace_id = $1", ws)
            return 0 < left < 60000

        await eventually(mid_way, timeout=60, every=0.005, what="the worker half way through the notifications")
        first.kill()  # SIGKILL mid-batch
        left = await conn.fetchval("SELECT count(*) FROM notifications WHERE workspace_id = $1", ws)
        assert left > 0
        second = await WorkerProcess(own_database_url, **env).start()

        async def gone() -> bool:
            return await conn.fetchval("SELECT count(*) FROM workspaces WHERE id = $1", ws) == 0

        await eventually(gone, timeout=90, what="the second worker to finish the deletion")
        async with asyncpg.create_pool(own_database_url, min_size=1, max_size=1) as pool:
            assert await rows_of(pool, t.workspace) == {}
        assert await conn.fetchval("SELECT count(*) FROM audit_events WHERE event = 'workspace.deleted'"
                                   " AND details->>'deleted_workspace' = $1", t.workspace) == 1
    finally:
        await conn.close()
        for worker in (first, second):
            if worker is not None and worker.process is not None and worker.process.poll() is None:
                await worker.terminate()
        await node.terminate()
