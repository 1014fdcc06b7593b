"""The app with ``TANDEM_FILES_URL=s3://…`` against a real S3-compatible server (moto's, over HTTP
on 127.0.0.1): an upload lands in the bucket under its workspace's prefix, downloads byte for byte,
and a delete removes the object."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest

from server.files import S3FileStore
from tests.support.accounts import AUTH, team
from tests.support.crm import call, ok
from tests.support.s3 import ACCESS_KEY, SECRET_KEY, s3_server
from tests.support.servers import InProcessServer, in_process_server, settings_for

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
async def bucket() -> AsyncIterator[S3FileStore]:
    with s3_server() as endpoint:
        store = S3FileStore(f"tandem-{uuid.uuid4().hex[:8]}", prefix="crm", endpoint=endpoint,
                            access_key=ACCESS_KEY, secret_key=SECRET_KEY)
        await store.create_bucket()
        yield store
        await store.aclose()


@pytest.fixture(scope="module")
async def server(database_url: str, bucket: S3FileStore) -> AsyncIterator[InProcessServer]:
    saved = {k: os.environ.get(k) for k in ("TANDEM_FILES_ACCESS_KEY", "TANDEM_FILES_SECRET_KEY")}
    os.environ.update(TANDEM_FILES_ACCESS_KEY=ACCESS_KEY, TANDEM_FILES_SECRET_KEY=SECRET_KEY)
    endpoint = bucket._options["endpoint_url"]
    try:
        settings = settings_for(database_url, **AUTH, files_url=f"s3://{bucket.bucket}/crm?endpoint={endpoint}")
        async with in_process_server(settings) as running:
            yield running
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)


async def test_a_file_goes_to_the_bucket_comes_back_intact_and_is_deleted_there(server, bucket):
    t = await team(server.http_url)
    organisation = await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/organisations",
                            json={"name": "Globex"})
    data = os.urandom(200 * 1024)
    file = await ok(server, t.member, "POST", f"/api/organisations/{organisation['id']}/files",
                    params={"name": "backup.bin"}, content=data)
    key = f"workspaces/{t.workspace}/files/{file['id']}"
    assert await bucket.read(key) == data  # under the bucket's prefix, where the app put it
    got = await call(server, t.viewer, "GET", file["url"])
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-disposition"].startswith("attachment;")
    assert (await call(server, t.member, "DELETE", file["url"])).status_code == 204
    assert not await bucket.exists(key)
