"""``server.services.workspace_lifecycle`` over the memory twins: deleting needs an owner and the
name typed back, exports need an owner or admin; an export goes queued, building, ready (the bell and
a mail with a link), then expired (its ZIP deleted, its link dead) or failed with its reason; a
deletion takes access at once and its job removes the workspace's rows, files and documents, once."""

from __future__ import annotations

import zipfile
from datetime import datetime, timedelta, timezone
from io import BytesIO
from uuid import UUID, uuid4

import pytest

from server.domain.access import Forbidden, NotFound, Role
from server.domain.accounts import InvalidInput
from server.domain.files import RecordKind, RecordRef, StoredFile, storage_key
from server.domain.workspace_lifecycle import KEEP_EXPORT, ExportStatus, download_key, export_key
from server.files.memory import MemoryFileStore
from server.services.accounts import Caller
from server.services.mail import LoggingOutbox
from server.services.workspace_lifecycle import EXPORT_EXPIRE, WorkspaceLifecycle
from server.storage.memory.documents import MemoryDocumentStore
from server.storage.memory.unit import MemoryDatabase, memory_begin
from server.storage.memory.workspace_lifecycle import memory_lifecycle_transactions

START = datetime(2030, 1, 1, tzinfo=timezone.utc)


class World:
    """One workspace with an owner, an admin and a member; another workspace; the service over twins."""

    def __init__(self) -> None:
        self.at = START
        self.db = MemoryDatabase()
        self.db.now = lambda: self.at
        self.begin = memory_begin(self.db)
        self.files, self.documents, self.outbox = MemoryFileStore(), MemoryDocumentStore(), LoggingOutbox()
        self.service = WorkspaceLifecycle(memory_lifecycle_transactions(self.db, self.documents), self.files,
                                          self.documents, self.outbox, download_key("secret"), clock=lambda: self.at)

    async def start(self) -> World:
        async with self.begin() as unit:
            self.workspace = (await unit.workspaces.add("Acme GmbH")).id
            self.other = (await unit.workspaces.add("Elsewhere")).id
            self.owner = await self._person(unit, "owner", self.workspace, Role.OWNER)
            self.admin = await self._person(unit, "admin", self.workspace, Role.ADMIN)
            self.member = await self._person(unit, "member", self.workspace, Role.MEMBER)
            self.stranger = await self._person(unit, "stranger", self.other, Role.OWNER)
        return self

    async def _person(self, unit, name: str, workspace: UUID, role: Role) -> Caller:
        account = await unit.users.add(f"{name}@example.test", name.title(), "x")
        await unit.members.add(workspace, account.id, role)
        return Caller(account.id, account.email, account.name, b"session", START + timedelta(1))

    async def add_file(self, workspace: UUID, data: bytes = b"abc") -> StoredFile:
        file = StoredFile(id=uuid4(), workspace_id=workspace,
                          record=RecordRef(RecordKind.CONTACT, uuid4()), name="a.txt",
                          content_type="text/plain", size=len(data), sha256="0" * 64, uploaded_by=None,
                          created_at=self.at)
        self.db.table("record_files")[file.id] = file
        await self.files.put(storage_key(workspace, file.id), data, "text/plain")
        return file

    def jobs(self, kind: str) -> list:
        return [job for job in self.db.table("jobs", list) if job.kind == kind]


@pytest.fixture
async def world() -> World:
    return await World().start()


async def test_deleting_needs_the_workspaces_name_typed_back(world):
    with pytest.raises(InvalidInput, match="expected the workspace's name 'Acme GmbH'"):
        await world.service.delete(world.owner, world.workspace, "Acme")
    assert (world.workspace, world.member.id) in world.db.table("memberships")
    await world.service.delete(world.owner, world.workspace, " acme gmbh ")
    assert not any(w == world.workspace for (w, _) in world.db.table("memberships"))


async def test_only_owners_may_delete_and_strangers_see_no_workspace(world):
    for caller in (world.admin, world.member):
        with pytest.raises(Forbidden):
            await world.service.delete(caller, world.workspace, "Acme GmbH")
    with pytest.raises(NotFound):
        await world.service.delete(world.stranger, world.workspace, "Acme GmbH")


async def test_owners_and_admins_may_export_members_may_not(world):
    for caller in (world.owner, world.admin):
        assert (await world.service.request_export(caller, world.workspace, "10.0.0.1")).status == ExportStatus.QUEUED
    with pytest.raises(Forbidden):
        await world.service.request_export(world.member, world.workspace, "10.0.0.1")
    with pytest.raises(NotFound):
        await world.service.latest_export(world.stranger, world.workspace)


async def test_an_export_becomes_ready_with_a_link_the_bell_and_a_mail(world):
    await world.add_file(world.workspace, b"hello")
    export = await world.service.request_export(world.admin, world.workspace, "10.0.0.1")
    await world.service.build_export(export.id)
    ready = await world.service.latest_export(world.admin, world.workspace)
    assert (ready.status, ready.expires_at) == (ExportStatus.READY, START + KEEP_EXPORT)
    archive = zipfile.ZipFile(BytesIO(world.files.blobs[export_key(world.workspace, export.id)][0]))
    assert any(name.startswith("files/contact-") for name in archive.namelist())
    assert "manifest.json" in archive.namelist()
    link = world.service.link(ready)
    assert link in world.outbox.sent[-1].body
    assert [n.user_id for n in world.db.table("notifications").values()] == [world.admin.id]
    assert len(world.jobs(EXPORT_EXPIRE)) == 1
    await world.service.build_export(export.id)  # a rerun of a finished export does nothing
    assert len(world.jobs(EXPORT_EXPIRE)) == 1


async def test_a_link_works_until_the_export_expires_then_the_zip_is_gone(world):
    export = await world.service.request_export(world.owner, world.workspace, "10.0.0.1")
    await world.service.build_export(export.id)
    token = world.service.link(await world.service.latest_export(world.owner, world.workspace)).rsplit("/", 1)[1]
    download = await world.service.download(token)
    assert download.size == len(b"".join([chunk async for chunk in download.chunks]))
    world.at += KEEP_EXPORT / 2
    await world.service.expire_export(export.id)  # early: waits again for the time left
    assert (await world.service.latest_export(world.owner, world.workspace)).status == ExportStatus.READY
    assert len(world.jobs(EXPORT_EXPIRE)) == 2
    world.at += KEEP_EXPORT
    await world.service.expire_export(export.id)
    assert (await world.service.latest_export(world.owner, world.workspace)).status == ExportStatus.EXPIRED
    assert export_key(world.workspace, export.id) not in world.files.blobs
    with pytest.raises(NotFound, match="expired"):
        await world.service.download(token)


async def test_a_build_that_raises_is_failed_with_its_reason(world):
    file = await world.add_file(world.workspace)
    await world.files.delete(storage_key(world.workspace, file.id))  # its bytes are missing
    export = await world.service.request_export(world.owner, world.workspace, "10.0.0.1")
    await world.service.build_export(export.id)
    failed = await world.service.latest_export(world.owner, world.workspace)
    assert failed.status == ExportStatus.FAILED and failed.error.startswith("FileMissing")
    assert world.service.link(failed) is None


async def test_the_deletion_job_removes_the_workspaces_rows_files_and_documents_once(world):
    mine, theirs = await world.add_file(world.workspace), await world.add_file(world.other)
    async with world.begin() as unit:
        await unit.workspaces.add_document(f"notes:{mine.id}", world.workspace, None, "note")
    await world.documents.append([(f"notes:{mine.id}", b"\x00\x00")])
    await world.service.delete(world.owner, world.workspace, "Acme GmbH")
    members = [world.owner.id, world.admin.id, world.member.id]
    done = await world.service.remove(world.workspace, members)
    assert done["files"] == 1 and done["documents"] == 1
    assert world.workspace not in world.db.table("workspaces")
    assert [f.id for f in world.db.table("record_files").values()] == [theirs.id]
    assert list(world.files.blobs) == [storage_key(world.other, theirs.id)]
    assert (await world.documents.load(f"notes:{mine.id}")).updates == []
    assert sorted(m.to for m in world.outbox.sent) == sorted(f"{n}@example.test" for n in ("owner", "admin", "member"))
    assert await world.service.remove(world.workspace, members) == {}  # a rerun after the end
