"""Configuration read from the environment, once, into one immutable value.

Every knob is documented in the README's *Configuration* table; the names here are the
environment variable names lower-cased without the ``TANDEM_`` prefix.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """What the server needs to know about its environment."""

    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str | None = None
    redis_url: str | None = None
    data_dir: Path = Path(".tandem")
    # Limits (bytes). Incremental updates are small; a client's first sync step 2 carries its offline
    # edits and may be larger.
    max_update_bytes: int = 1 << 20
    max_sync_bytes: int = 16 << 20
    max_awareness_bytes: int = 64 << 10
    # Bytes queued for one slow reader before it is closed (never silently dropped).
    max_send_queue_bytes: int = 8 << 20
    # Timings (seconds).
    room_grace_seconds: float = 10.0
    commit_window_seconds: float = 0.002
    commit_retry_seconds: float = 0.5
    # Compact a document once this many update rows are in its log.
    compact_after_rows: int = 200


def _coerce(raw: str, default: object) -> object:
    if isinstance(default, bool):
        return raw.lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, Path):
        return Path(raw)
    return raw


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read ``Settings`` from ``environ`` (the process environment by default).

    ``PORT``, ``HOST``, ``DATABASE_URL`` and ``REDIS_URL`` are read without prefix because
    platforms set them; everything else is ``TANDEM_<NAME>``.
    """
    env = os.environ if environ is None else environ
    defaults = Settings()
    values: dict[str, object] = {}
    for field in msgspec.structs.fields(Settings):
        name = field.name.upper()
        raw = env.get(name) if name in _UNPREFIXED else env.get(f"TANDEM_{name}")
        if raw is None or raw == "":
            continue
        default = getattr(defaults, field.name)
        try:
            values[field.name] = _coerce(raw, default if default is not None else "")
        except ValueError:
            raise SystemExit(f"{name}: expected a {type(default).__name__}, got {raw!r}") from None
    return msgspec.structs.replace(defaults, **values)


_UNPREFIXED = {"HOST", "PORT", "DATABASE_URL", "REDIS_URL"}
