"""The browser app: ``client/web/dist`` (the Vite build of ``client/web``) served at ``/``.

Files of the build are served as they are; Vite content-hashes everything under ``/assets/``,
so those are cached for a year. Any other path gets ``index.html`` (the app routes in the
browser: ``/w/<workspace>/boards/<board>``, ``/invite/<token>`` …), except under the server's own
prefixes, which keep their real answers (404 for an unknown ``/api/...``). Without a build,
``/`` says how to make one. ``/reset/<token>`` is answered with ``Referrer-Policy: no-referrer``, so
its token never leaves in a Referer.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.params import PathParameter
from litestar.response import File

DIST = Path(__file__).resolve().parents[2] / "client" / "web" / "dist"
RESERVED = frozenset({"api", "sync", "schema", "health", "metrics"})
IMMUTABLE = "public, max-age=31536000, immutable"
NO_BUILD = ("The Tandem web app is not built: run `scripts/serve` (it builds it), or "
            "`cd client/web && npm ci && npm run build`, then reload.\n")
HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
# Pages whose path holds a secret (a password reset token): no Referer at all, not even to ourselves.
SECRET_PATHS = ("reset/",)


def _file_in(dist: Path, path: str) -> Path | None:
    """The build's file at ``path``, or None (also for anything resolving outside ``dist``)."""
    if not path:
        return None
    candidate = (dist / path).resolve()
    if not candidate.is_relative_to(dist.resolve()) or not candidate.is_file():
        return None
    return candidate


def web_app(dist: Path = DIST) -> HTTPRouteHandler:
    """The catch-all ``GET`` handler serving the build in ``dist`` with the SPA fallback."""

    @get(["/", "/{path:path}"], include_in_schema=False, sync_to_thread=False, name="web-app")
    def serve(path: Annotated[str, PathParameter()] = "/") -> Response[bytes] | File:
        relative = path.lstrip("/")
        if relative.split("/", 1)[0] in RESERVED:
            raise NotFoundException(f"no route for /{relative}")
        found = _file_in(dist, relative)
        if found is not None:
            cache = IMMUTABLE if relative.startswith("assets/") else "no-cache"
            media_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            return File(found, media_type=media_type, content_disposition_type="inline",
                        headers={**HEADERS, "Cache-Control": cache})
        if relative.startswith("assets/"):
            raise NotFoundException(f"no file /{relative} in the web build (stale page? reload)")
        index = dist / "index.html"
        if not index.is_file():
            return Response(NO_BUILD.encode(), media_type="text/plain", status_code=503)
        referrer = "no-referrer" if relative.startswith(SECRET_PATHS) else HEADERS["Referrer-Policy"]
        return Response(index.read_bytes(), media_type="text/html",
                        headers={**HEADERS, "Cache-Control": "no-cache", "Referrer-Policy": referrer})

    return serve
