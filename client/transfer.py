"""CSV import and export through the HTTP API (``POST .../import/{kind}``, ``GET .../export/{kind}.csv``).

Synchronous and standard-library only (``urllib``), for the command line and scripts::

    report = import_csv("http://127.0.0.1:8000", token, workspace, "contacts", Path("people.csv").read_bytes())
    export_csv("http://127.0.0.1:8000", token, workspace, "contacts", open("out.csv", "wb"))
"""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, BinaryIO


class ApiError(Exception):
    """The API refused the request; the message is its status and detail."""


def _request(url: str, token: str, *, data: bytes | None = None, content_type: str | None = None):
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    request.add_header("Authorization", f"Bearer {token}")
    if content_type:
        request.add_header("Content-Type", content_type)
    return urllib.request.urlopen(request, timeout=300)  # noqa: S310 - the URL is the user's server


def _query(**params: Any) -> str:
    given = {k: v for k, v in params.items() if v is not None and v is not False}
    return f"?{urllib.parse.urlencode(given)}" if given else ""


def import_csv(base: str, token: str, workspace: str, kind: str, body: bytes, *, dry_run: bool = False,
               board: str | None = None) -> dict[str, Any]:
    """The import's report (``imported``, ``created``, ``problems`` …); a 422 report is returned too."""
    url = f"{base.rstrip('/')}/api/workspaces/{workspace}/import/{kind}" + _query(dry_run=dry_run and "true",
                                                                                   board=board)
    try:
        with _request(url, token, data=body, content_type="text/csv; charset=utf-8") as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        payload = exc.read()
        if exc.code == 422:
            return json.loads(payload)
        raise ApiError(_explain(exc.code, payload)) from None


def export_csv(base: str, token: str, workspace: str, kind: str, out: BinaryIO, *, board: str | None = None) -> None:
    """Stream ``{kind}.csv`` of the workspace into ``out``."""
    url = f"{base.rstrip('/')}/api/workspaces/{workspace}/export/{kind}.csv" + _query(board=board)
    try:
        with _request(url, token) as response:
            shutil.copyfileobj(response, out)
    except urllib.error.HTTPError as exc:
        raise ApiError(_explain(exc.code, exc.read())) from None


def _explain(status: int, payload: bytes) -> str:
    try:
        detail = json.loads(payload).get("detail")
    except ValueError:
        detail = payload.decode(errors="replace")[:200]
    return f"HTTP {status}: {detail}"
