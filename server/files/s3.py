"""``S3FileStore``: files in an S3-compatible bucket (AWS S3, MinIO, Ceph, Garage…) through
aiobotocore, botocore's asyncio client: the same signing, retries and endpoint handling as boto3,
without blocking the event loop. One client per store, opened on first use and closed by
``aclose``; path-style addressing, so an endpoint on a plain host name or IP works.

A streamed ``write`` holds one part (``PART``, 5 MiB, the least S3 takes) at a time: a body that
ends within the first part is one ``PutObject``; a longer one is a multipart upload, aborted if the
body fails (S3 keeps no parts of it, and the key is never written). A process that dies mid-upload
cannot abort it: ``delete`` of the key does (the ``files.remove`` job an upload queues first)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError

from server.services.ports.files import FileMissing

CHUNK = 64 << 10
PART = 5 << 20  # S3's smallest part (but the last): the least a streamed upload holds
_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3FileStore:
    """Implements ``FileStore`` in ``bucket`` under ``prefix``."""

    def __init__(self, bucket: str, *, prefix: str = "", endpoint: str | None = None, region: str = "us-east-1",
                 access_key: str | None = None, secret_key: str | None = None) -> None:
        self.bucket, self._prefix = bucket, f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self._options = {"region_name": region, "endpoint_url": endpoint, "aws_access_key_id": access_key,
                         "aws_secret_access_key": secret_key,
                         "config": AioConfig(s3={"addressing_style": "path"}, retries={"max_attempts": 3})}
        self._client: Any = None
        self._context: Any = None
        self._lock = asyncio.Lock()

    async def _s3(self) -> Any:
        async with self._lock:
            if self._client is None:
                self._context = get_session().create_client("s3", **self._options)
                self._client = await self._context.__aenter__()
            return self._client

    async def aclose(self) -> None:
        """Close the client (its connection pool)."""
        if self._context is not None:
            context, self._context, self._client = self._context, None, None
            await context.__aexit__(None, None, None)

    async def create_bucket(self) -> None:
        """Make the bucket (tests, and a fresh MinIO); nothing happens when it is there."""
        s3 = await self._s3()
        try:
            await s3.create_bucket(Bucket=self.bucket)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                raise

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await (await self._s3()).put_object(Bucket=self.bucket, Key=self._prefix + key, Body=data,
                                            ContentType=content_type)

    async def write(self, key: str, chunks: AsyncIterable[bytes], content_type: str) -> None:
        stream = aiter(chunks)
        first = await _part(stream)
        if len(first) < PART:
            await self.put(key, bytes(first), content_type)
            return
        s3, target = await self._s3(), {"Bucket": self.bucket, "Key": self._prefix + key}
        upload = (await s3.create_multipart_upload(**target, ContentType=content_type))["UploadId"]
        try:
            parts, part = [], first
            while part:
                answer = await s3.upload_part(**target, UploadId=upload, PartNumber=len(parts) + 1, Body=part)
                parts.append({"PartNumber": len(parts) + 1, "ETag": answer["ETag"]})
                part = await _part(stream)
            await s3.complete_multipart_upload(**target, UploadId=upload, MultipartUpload={"Parts": parts})
        except BaseException:
            await asyncio.shield(s3.abort_multipart_upload(**target, UploadId=upload))
            raise

    async def _body(self, key: str) -> Any:
        try:
            answer = await (await self._s3()).get_object(Bucket=self.bucket, Key=self._prefix + key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                raise FileMissing(key) from None
            raise
        return answer["Body"]

    async def open(self, key: str) -> AsyncIterator[bytes]:
        body = await self._body(key)
        async with body as stream:
            async for chunk in stream.iter_chunks(CHUNK):
                yield chunk

    async def read(self, key: str) -> bytes:
        async with await self._body(key) as stream:
            return bytes(await stream.read())

    async def delete(self, key: str) -> None:
        s3, full = await self._s3(), self._prefix + key
        await s3.delete_object(Bucket=self.bucket, Key=full)
        listed = await s3.list_multipart_uploads(Bucket=self.bucket, Prefix=full)
        for upload in listed.get("Uploads", []):  # a write cut short by a crash (its parts are kept, and billed)
            if upload["Key"] == full:
                await s3.abort_multipart_upload(Bucket=self.bucket, Key=full, UploadId=upload["UploadId"])

    async def exists(self, key: str) -> bool:
        try:
            await (await self._s3()).head_object(Bucket=self.bucket, Key=self._prefix + key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                return False
            raise
        return True


async def _part(stream: AsyncIterator[bytes]) -> bytearray:
    """The next ``PART`` bytes or so of ``stream`` (fewer at its end, empty after it)."""
    part = bytearray()
    while len(part) < PART:
        chunk = await anext(stream, None)
        if chunk is None:
            break
        part += chunk
    return part
