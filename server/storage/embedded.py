"""The embedded Postgres (``pgserver``) used when no ``DATABASE_URL`` is given.

Same SQL and same asyncpg code as a real deployment; only the URL differs. pgserver stops the
database when the last Tandem process using it exits cleanly; after a ``kill -9`` it keeps
running and the next start reuses it, so nothing the database had committed is lost.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


def start_embedded_postgres(data_dir: Path) -> tuple[str, Callable[[], None]]:
    """Start (or reuse) the embedded Postgres in ``data_dir/postgres``; return its URL and a
    function that releases it (stopping it when no other Tandem process still uses it).

    Stopping is explicit because uvicorn re-raises SIGTERM after its graceful shutdown, so the
    process ends by that signal and pgserver's ``atexit`` hook would never run.
    """
    import pgserver  # imported here: only the embedded mode needs it

    os.environ.setdefault("XDG_RUNTIME_DIR", str(Path("/tmp") / f"tandem-runtime-{os.getuid()}"))
    folder = (data_dir / "postgres").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(folder, cleanup_mode="stop")
    uri = server.get_uri()
    log.info("embedded Postgres in %s", folder)
    return uri, server.cleanup
