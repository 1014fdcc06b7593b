"""Files go when their record goes, and uploads stream (docs/files.md), over the data folder and a
real S3 server (moto's, over HTTP on 127.0.0.1), on real Postgres with a real PgQueuer worker.

Deleting a deal, a board, a contact or an organisation, or erasing a contact, deletes the files'
rows in its transaction and queues a ``files.remove`` job there; the worker deletes the bytes. The
worker's store is the real one behind a switch that can make its deletes fail (a store outage),
so a failed delete is seen retried until the bytes are gone. An upload over the cap is refused
while it streams, leaving no object, no partial file and no open multipart upload."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from pycrdt import Map

from client.crm import open_board
from server.files import LocalFileStore, S3FileStore
from server.services import file_removal
from server.services.file_removal import REMOVE, reap_unless_recorded
from server.services.jobs import JobKinds
from server.storage.jobs import queue_names
from server.storage.unit import transactions
from server.worker import Worker
from tests.support.accounts import AUTH, create_board, team
from tests.support.crm import call, ok, projected
from tests.support.s3 import ACCESS_KEY, SECRET_KEY, s3_server
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(180)

CAP = 9 << 20  # over one S3 part (5 MiB), so a refused upload had a multipart upload to abort


class SwitchableStore:
    """The real store, whose deletes fail while ``outage`` is above zero (each failure counts it down)."""

    def __init__(self, store: LocalFileStore | S3FileStore) -> None:
        self.store, self.outage, self.failed = store, 0, 0

    async def delete(self, key: str) -> None:
        if self.outage > 0:
            self.outage, self.failed = self.outage - 1, self.failed + 1
            raise ConnectionError("the file store is unreachable (test outage)")
        await self.store.delete(key)


class Stores:
    """What the test looks at: the store the app writes, and every key or leftover in it."""

    def __init__(self, store: LocalFileStore | S3FileStore, folder: Path | None) -> None:
        self.store, self.folder = store, folder

    async def everything(self) -> set[str]:
        """Every object, partial file or open multipart upload in the store."""
        if self.folder is not None:
            return {str(p.relative_to(self.folder)) for p in self.folder.rglob("*") if p.is_file()}
        s3 = await self.store._s3()
        listed = await s3.list_objects_v2(Bucket=self.store.bucket)
        uploads = await s3.list_multipart_uploads(Bucket=self.store.bucket)
        objects = {o["Key"] for o in listed.get("Contents", [])}
        return objects | {f"upload:{u['Key']}" for u in uploads.get("Uploads", [])}


@pytest.fixture(scope="module", params=["data-folder", "s3"])
async def stores(request, tmp_path_factory) -> AsyncIterator[tuple[str, Stores]]:
    if request.param == "data-folder":
        folder = tmp_path_factory.mktemp("files")
        yield f"file://{folder}", Stores(LocalFileStore(folder), folder)
        return
    with s3_server() as endpoint:
        bucket = S3FileStore(f"tandem-{uuid.uuid4().hex[:8]}", prefix="crm", endpoint=endpoint,
                             access_key=ACCESS_KEY, secret_key=SECRET_KEY)
        await bucket.create_bucket()
        saved = {k: os.environ.get(k) for k in ("TANDEM_FILES_ACCESS_KEY", "TANDEM_FILES_SECRET_KEY")}
        os.environ.update(TANDEM_FILES_ACCESS_KEY=ACCESS_KEY, TANDEM_FILES_SECRET_KEY=SECRET_KEY)
        try:
            yield f"s3://{bucket.bucket}/crm?endpoint={endpoint}", Stores(bucket, None)
        finally:
            for key, value in saved.items():
                os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
            await bucket.aclose()


@pytest.fixture(scope="module")
async def world(module_database_url: str, stores) -> AsyncIterator[tuple]:
    url, seen = stores
    settings = settings_for(module_database_url, **AUTH, files_url=url, files_max_bytes=CAP, worker="off",
                            job_retry_seconds=0.1, job_retry_max_seconds=0.2, job_attempts=6, housekeeping_cron="")
    pool = await asyncpg.create_pool(module_database_url, min_size=1, max_size=2)
    switchable = SwitchableStore(seen.store)
    kinds = JobKinds()
    file_removal.register(kinds, transactions(pool), switchable)
    try:
        async with in_process_server(settings) as server, Worker(module_database_url, settings, "files-test", kinds):
            yield server, seen, switchable, pool
    finally:
        await pool.close()


def key_of(workspace: str, file: dict) -> str:
    return f"workspaces/{workspace}/files/{file['id']}"


def in_store(seen: Stores, workspace: str, file: dict) -> str:
    """The name the file's bytes have in ``seen.everything()``."""
    return key_of(workspace, file) if seen.folder is not None else f"crm/{key_of(workspace, file)}"


async def upload(server, who, path: str, name: str, data: bytes | AsyncIterable[bytes]) -> dict:
    return await ok(server, who, "POST", path, params={"name": name}, content=data)


async def gone(seen: Stores, *names: str) -> None:
    async def none_left() -> bool:
        return not set(names) & await seen.everything()

    await eventually(none_left, timeout=20, what=f"the files.remove job to delete {names}")


async def test_a_deal_removed_from_its_board_takes_its_files_rows_and_bytes(world):
    server, seen, _, _ = world
    t = await team(server.http_url)
    deal = await ok(server, t.member, "POST", f"/api/boards/{t.board['id']}/cards", json={"title": "Doomed"})
    kept = await ok(server, t.member, "POST", f"/api/boards/{t.board['id']}/cards", json={"title": "Kept"})
    await projected(server)
    doomed = await upload(server, t.member, f"/api/deals/{t.board['id']}/{deal['id']}/files", "quote.txt", b"q")
    other = await upload(server, t.member, f"/api/deals/{t.board['id']}/{kept['id']}/files", "terms.txt", b"t")
    assert in_store(seen, t.workspace, doomed) in await seen.everything()
    async with open_board(server.ws_url, t.board["id"], token=t.owner.token) as board:
        del board.doc.get("cards", type=Map)[deal["id"]]
        await gone(seen, in_store(seen, t.workspace, doomed))
    assert (await call(server, t.member, "GET", doomed["url"])).status_code == 404
    assert (await call(server, t.member, "GET", other["url"])).content == b"t"  # the other deal keeps its file


async def test_a_deleted_board_takes_its_deals_files(world):
    server, seen, _, _ = world
    t = await team(server.http_url)
    board = await create_board(server.http_url, t.owner, t.workspace, "Short-lived")
    deal = await ok(server, t.owner, "POST", f"/api/boards/{board['id']}/cards", json={"title": "Gone with it"})
    await projected(server)
    file = await upload(server, t.owner, f"/api/deals/{board['id']}/{deal['id']}/files", "plan.txt", b"plan")
    deleted = await call(server, t.owner, "DELETE", f"/api/boards/{board['id']}", params={"confirm": "Short-lived"})
    assert deleted.status_code == 204, deleted.text
    assert (await call(server, t.owner, "GET", file["url"])).status_code == 404  # the row went with the board
    await gone(seen, in_store(seen, t.workspace, file))


async def test_a_deleted_contact_takes_its_files_and_those_of_contacts_merged_into_it(world):
    server, seen, _, _ = world
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}/contacts"
    ada = await ok(server, t.member, "POST", base, json={"first_name": "Ada", "emails": ["ada@one.test"]})
    twin = await ok(server, t.member, "POST", base, json={"first_name": "Ada L.", "emails": ["ada@two.test"]})
    own = await upload(server, t.member, f"/api/contacts/{ada['id']}/files", "cv.txt", b"cv")
    merged = await upload(server, t.member, f"/api/contacts/{twin['id']}/files", "old.txt", b"old")
    await ok(server, t.member, "POST", f"/api/contacts/{ada['id']}/merge", json={"merge": [twin["id"]]})
    assert (await call(server, t.member, "GET", merged["url"])).content == b"old"  # a merge keeps files
    assert (await call(server, t.owner, "DELETE", f"/api/contacts/{ada['id']}")).status_code == 204
    for file in (own, merged):
        assert (await call(server, t.owner, "GET", file["url"])).status_code == 404
    await gone(seen, in_store(seen, t.workspace, own), in_store(seen, t.workspace, merged))


async def test_a_deleted_organisation_takes_its_own_files_and_its_people_keep_theirs(world):
    server, seen, _, _ = world
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}"
    company = await ok(server, t.member, "POST", f"{base}/organisations", json={"name": "Initech"})
    person = await ok(server, t.member, "POST", f"{base}/contacts",
                      json={"first_name": "Bo", "organisation_id": company["id"]})
    nda = await upload(server, t.member, f"/api/organisations/{company['id']}/files", "nda.txt", b"nda")
    cv = await upload(server, t.member, f"/api/contacts/{person['id']}/files", "cv.txt", b"cv")
    assert (await call(server, t.owner, "DELETE", f"/api/organisations/{company['id']}")).status_code == 204
    await gone(seen, in_store(seen, t.workspace, nda))
    assert (await call(server, t.member, "GET", cv["url"])).content == b"cv"


async def test_an_erased_contacts_files_are_gone_rows_and_bytes(world):
    server, seen, _, _ = world
    t = await team(server.http_url)
    person = await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/contacts",
                      json={"first_name": "Erin", "emails": ["erin@x.test"]})
    file = await upload(server, t.member, f"/api/contacts/{person['id']}/files", "passport.txt", b"P<ERIN")
    erased = await call(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/contacts/{person['id']}/erase")
    assert erased.status_code == 200, erased.text
    assert (await call(server, t.owner, "GET", file["url"])).status_code == 404
    await gone(seen, in_store(seen, t.workspace, file))


async def test_undoing_an_import_takes_the_files_uploaded_on_the_contacts_it_created(world):
    server, seen, _, _ = world
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}"
    csv = b"first_name,emails\nIda,ida@x.test\n"
    done = await call(server, t.owner, "POST", f"{base}/import/contacts", content=csv,
                      headers={**t.owner.headers, "Content-Type": "text/csv"})
    assert done.status_code == 200, done.text
    [ida] = (await ok(server, t.owner, "GET", f"{base}/contacts"))["items"]
    file = await upload(server, t.member, f"/api/contacts/{ida['id']}/files", "cv.txt", b"cv")
    undone = await call(server, t.owner, "POST", f"{base}/imports/{done.json()['batch']}/undo")
    assert undone.status_code == 200, undone.text
    assert (await call(server, t.owner, "GET", file["url"])).status_code == 404
    await gone(seen, in_store(seen, t.workspace, file))


async def test_a_delete_the_store_refuses_is_retried_until_the_bytes_are_gone(world):
    server, seen, switchable, _ = world
    t = await team(server.http_url)
    person = await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/contacts", json={"first_name": "Cy"})
    file = await upload(server, t.member, f"/api/contacts/{person['id']}/files", "notes.txt", b"notes")
    switchable.outage, failed_before = 2, switchable.failed
    assert (await call(server, t.owner, "DELETE", f"/api/contacts/{person['id']}")).status_code == 204
    await gone(seen, in_store(seen, t.workspace, file))
    assert switchable.failed - failed_before == 2  # two runs failed, a third deleted the bytes


async def test_bytes_an_upload_left_without_a_row_are_reaped_and_a_finished_uploads_are_not(world):
    server, seen, _, pool = world
    t = await team(server.http_url)
    person = await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/contacts", json={"first_name": "Di"})
    finished = await upload(server, t.member, f"/api/contacts/{person['id']}/files", "kept.txt", b"kept")
    crashed = {"id": str(uuid.uuid4())}
    async with transactions(pool)() as tx:  # what upload commits before its first byte ...
        await reap_unless_recorded(tx, uuid.UUID(crashed["id"]), key_of(t.workspace, crashed))
    await seen.store.put(key_of(t.workspace, crashed), b"half an upload", "text/plain")  # ... then it died
    await _make_reaps_due(pool, [crashed["id"], finished["id"]])
    await gone(seen, in_store(seen, t.workspace, crashed))
    assert (await call(server, t.member, "GET", finished["url"])).content == b"kept"


async def test_an_upload_over_the_cap_is_refused_while_streaming_and_leaves_nothing(world):
    server, seen, _, _ = world
    t = await team(server.http_url)
    person = await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/contacts", json={"first_name": "Ed"})
    path = f"/api/contacts/{person['id']}/files"
    before = await seen.everything()

    async def body(size: int) -> AsyncIterator[bytes]:  # no Content-Length: counted as it streams
        block = os.urandom(64 << 10)
        for _ in range(size // len(block)):
            yield block

    refused = await call(server, t.member, "POST", path, params={"name": "huge.bin"}, content=body(CAP + (1 << 20)))
    assert refused.status_code == 413 and str(CAP) in refused.json()["detail"]
    assert await seen.everything() == before  # no object, no partial file, no open multipart upload
    assert (await ok(server, t.member, "GET", path))["files"] == []
    data = b"".join([chunk async for chunk in body(CAP - (64 << 10))])  # over one S3 part: a multipart upload

    async def replay() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 64 << 10):
            yield data[start:start + (64 << 10)]

    stored = await upload(server, t.member, path, "big.bin", replay())
    assert stored["size"] == len(data)
    assert (await call(server, t.member, "GET", stored["url"])).content == data


async def _make_reaps_due(pool: asyncpg.Pool, files: list[str]) -> None:
    """Bring the delayed ``files.remove`` jobs of these uploads forward (they wait ``REAP_AFTER``)."""
    table = queue_names().queue_table
    await pool.execute(  # the queue's own table, only to skip the wait
        f"UPDATE {table} SET execute_after = now() WHERE entrypoint = $1 AND status = 'queued'"
        " AND EXISTS (SELECT 1 FROM unnest($2::text[]) f WHERE convert_from(payload, 'UTF8') LIKE '%' || f || '%')",
        REMOVE, files)
