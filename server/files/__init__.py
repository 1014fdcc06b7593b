"""File-store adapters (``server.services.ports.files.FileStore``): the data folder
(``LocalFileStore``, the default), an S3-compatible bucket (``S3FileStore``, aiobotocore) and
memory (``MemoryFileStore``, the twin). ``file_store`` picks one from ``TANDEM_FILES_URL``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from server.files.local import LocalFileStore
from server.files.memory import MemoryFileStore
from server.files.s3 import S3FileStore

__all__ = ["LocalFileStore", "MemoryFileStore", "S3FileStore", "file_store"]


def file_store(url: str, data_dir: Path, env: Mapping[str, str] | None = None) -> LocalFileStore | S3FileStore:
    """The store ``url`` names: empty — ``<data_dir>/files``; ``file:///path`` — that folder;
    ``s3://bucket[/prefix]?endpoint=https://…&region=…`` — the bucket, with the key and secret from
    ``TANDEM_FILES_ACCESS_KEY`` / ``TANDEM_FILES_SECRET_KEY`` (else botocore's own: AWS_ACCESS_KEY_ID…).
    Exits at start on anything else, rather than at the first upload."""
    env = os.environ if env is None else env
    if not url:
        return LocalFileStore(data_dir / "files")
    parts = urlsplit(url)
    if parts.scheme == "file":
        return LocalFileStore(Path(parts.path))
    if parts.scheme != "s3" or not parts.netloc:
        raise SystemExit(f"TANDEM_FILES_URL: expected s3://bucket?endpoint=… or file:///folder, got {url!r}")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    return S3FileStore(parts.netloc, prefix=parts.path.strip("/"), endpoint=query.get("endpoint"),
                       region=query.get("region", "us-east-1"),
                       access_key=env.get("TANDEM_FILES_ACCESS_KEY") or None,
                       secret_key=env.get("TANDEM_FILES_SECRET_KEY") or None)
