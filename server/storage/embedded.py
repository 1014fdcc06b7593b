"""The embedded Postgres (``pgserver``) used when no ``DATABASE_URL`` is given.

Same SQL and same asyncpg code as a real deployment; only the URL differs. pgserver stops the
database when the last Tandem process using it exits cleanly; after a ``kill -9`` it keeps
running and the next start reuses it, so nothing the database had committed is lost.

pgserver logs every command it runs with its whole output (initdb's pages on a first start);
that goes to ``<data dir>/postgres-setup.log``, not the terminal. The server logs one line
instead, and if Postgres does not start, the end of that file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)
SETUP_LOG = "postgres-setup.log"
TAIL_LINES = 60


def start_embedded_postgres(data_dir: Path) -> tuple[str, Callable[[], None]]:
    """Start (or reuse) the embedded Postgres in ``data_dir/postgres``; return its URL and a
    function that releases it (stopping it when no other Tandem process still uses it).

    Stopping is explicit because uvicorn re-raises SIGTERM after its graceful shutdown, so the
    process ends by that signal and pgserver's ``atexit`` hook would never run.
    """
    _runtime_dir()
    folder = (data_dir / "postgres").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    setup_log = _quiet_pgserver(folder.parent / SETUP_LOG)
    fresh = not (folder / "PG_VERSION").exists()

    import pgserver  # imported here: only the embedded mode needs it

    try:
        server = pgserver.get_server(folder, cleanup_mode="stop")
        uri = server.get_uri()
    except Exception:
        log.error("the embedded Postgres in %s did not start; the end of %s:\n%s", folder, setup_log,
                  tail(setup_log))
        raise
    log.info("embedded Postgres in %s (%s)", folder, "created now" if fresh else "reused")
    return uri, server.cleanup


def _runtime_dir() -> None:
    """An ``XDG_RUNTIME_DIR`` as platformdirs wants it (the user's, mode 0700: it warns otherwise),
    set before pgserver looks for one."""
    if os.environ.get("XDG_RUNTIME_DIR"):
        return
    runtime = Path("/tmp") / f"tandem-runtime-{os.getuid()}"
    try:
        runtime.mkdir(mode=0o700, exist_ok=True)
        if runtime.stat().st_uid == os.getuid():
            runtime.chmod(0o700)
    except OSError:
        pass
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def _quiet_pgserver(path: Path) -> Path:
    """Send pgserver's log (every command with its output) to ``path`` rather than the terminal."""
    logger = logging.getLogger("pgserver")
    if not any(getattr(h, "baseFilename", None) == str(path) for h in logger.handlers):
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return path


def tail(path: Path, lines: int = TAIL_LINES) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"({exc})"
