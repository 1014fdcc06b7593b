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
    # Structure of an incoming update, checked before pycrdt sees it (issue 13): values and shared
    # types nested deeper (npm Yjs overflows its stack from ~6,000; yrs segfaults further on), and
    # more structs plus delete ranges, are refused; so is growing a document past max_document_bytes.
    max_update_depth: int = 64
    max_update_structs: int = 200_000
    max_document_bytes: int = 64 << 20
    # Bytes queued for one slow reader before it is closed (never silently dropped).
    max_send_queue_bytes: int = 8 << 20
    # Under uvicorn's websockets-sansio protocol, write broadcasts straight into each socket's
    # transport and slim admitted sockets (server/api/channels.py); off: plain ASGI sends only.
    direct_writes: bool = True
    # Timings (seconds).
    room_grace_seconds: float = 10.0
    commit_window_seconds: float = 0.002
    commit_retry_seconds: float = 0.5
    # Compact a document once this many update rows are in its log.
    compact_after_rows: int = 200
    # Board and note documents are projected into SQL tables this long after a commit (a throttle:
    # edits meanwhile join the same projection).
    projection_delay_seconds: float = 0.1
    # Every this many seconds, if rooms closed meanwhile, the C heap's free pages go back to the OS
    # (server/memory.py: glibc keeps them otherwise); 0 turns it off.
    memory_trim_seconds: float = 10.0
    # Postgres: a statement running longer is cancelled (Postgres's statement_timeout, and asyncpg's
    # command_timeout a second later for a server that does not answer at all); connecting, or
    # waiting for a pooled connection, gives up after the connect timeout. The request answers 503.
    statement_timeout_seconds: float = 10.0
    database_connect_timeout_seconds: float = 5.0
    # Presence relayed by another node is dropped when not renewed for this long (its node may
    # have died); y-protocols clients renew every 15 s and time out others after 30 s.
    presence_timeout_seconds: float = 30.0
    log_format: str = "logfmt"  # or "json"
    # Accounts and access (issue 3). ``auth=False`` (TANDEM_AUTH=off) lets anyone open any
    # document over /sync without signing in: for development and benchmarks only.
    auth: bool = True
    # Extra origins (comma-separated, e.g. "https://app.example.com") allowed to open WebSockets
    # besides the server's own; "*" allows any. Requests without an Origin header are not browsers.
    allowed_origins: str = ""
    session_ttl_seconds: float = 14 * 24 * 3600.0
    cookie_secure: bool = False  # set to true whenever the server is reached over HTTPS
    invitation_ttl_seconds: float = 7 * 24 * 3600.0
    reset_ttl_seconds: float = 3600.0
    # Throttling (issue 13; server/domain/throttle.py): this many attempts go through at once —
    # sign-ins per account from one address (10x per address), sign-ups per address, reset mails
    # per account (10x per address) — then each further one waits, from the first delay doubling
    # up to the longest; a counter left alone for twice the longest delay is forgotten.
    sign_in_max_failures: int = 5
    sign_ups_per_address: int = 20
    resets_per_account: int = 3
    throttle_delay_seconds: float = 2.0
    throttle_max_delay_seconds: float = 900.0
    # argon2id cost (argon2-cffi's defaults); tests lower it. At most ``hashing_concurrency``
    # hashes run at once (each holds ``argon2_memory_kib``), ``hashing_queue`` more wait, and
    # beyond that a request gets 429 at once.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    hashing_concurrency: int = 2
    hashing_queue: int = 16
    # /metrics answers only "Authorization: Bearer <this>"; unset, it answers 404 (least privilege:
    # a deployment that scrapes metrics sets a token).
    metrics_token: str | None = None
    # Socket policing: non-empty writes tolerated (and dropped) on a read-only socket before it is
    # closed with 1008; awareness messages a second (more are dropped); messages a second (a burst
    # of twice as many is tolerated, then 1008). 0 turns a rate limit off.
    read_only_strikes: int = 16
    awareness_per_second: float = 30.0
    messages_per_second: float = 1000.0
    # Background jobs (issue 16; server/worker.py). TANDEM_WORKER: auto runs a worker inside
    # `serve` on the embedded default (no DATABASE_URL) and leaves it to `python -m server worker`
    # otherwise; on always runs one in `serve`; off never does.
    worker: str = "auto"
    job_heartbeat_seconds: float = 30.0  # a running job not heartbeaten for this long is run again elsewhere
    job_attempts: int = 5  # runs of a failing job before it is held as failed
    job_retry_seconds: float = 1.0  # the first retry's delay; doubled each attempt up to job_retry_max_seconds
    job_retry_max_seconds: float = 300.0
    job_batch: int = 10  # jobs one worker takes at a time
    job_grace_seconds: float = 20.0  # on SIGTERM, how long running jobs may finish before they are put back
    housekeeping_cron: str = "*/15 * * * *"  # expired sessions, reset tokens, throttle counters; "" turns it off
    job_modules: str = ""  # comma-separated modules whose register(kinds, begin) adds job kinds
    # Forecast snapshots (issue 19, docs/forecast.md): the week of a snapshot begins on Monday in this
    # time zone; the job runs hourly and the first run of a week takes it ("" turns it off).
    forecast_week_zone: str = "UTC"
    forecast_snapshot_cron: str = "5 * * * *"
    # connections of the pool a worker's job handlers use (serve's in-process worker has its own, so
    # a burst of jobs cannot take the connections web requests wait for)
    worker_pool_size: int = 4
    # Automations (issue 16 items 2-4; server/services/automation_events.py, automation_runner.py):
    # a card's changes settle this long before they trigger rules (a burst of edits is one event);
    # a chain of rules triggering rules stops at this depth.
    automation_settle_seconds: float = 3.0
    automation_max_depth: int = 5
    # the cron timetable of the sweep that fires deal_idle, activity_due/overdue and schedule rules
    # (once per tick across all workers; "" turns the sweep off)
    automation_sweep_cron: str = "* * * * *"
    # Webhooks (issue 16 item 5; server/services/webhooks.py). Signing secrets are stored encrypted
    # with TANDEM_SECRET_KEY (a Fernet key; generated into data_dir on the embedded default, required
    # otherwise before a webhook can be made or delivered). Receivers on loopback, private,
    # link-local, multicast or reserved addresses are refused unless webhooks_allow_private
    # (on-premise receivers, tests). A failed delivery is tried again after webhook_retry_seconds,
    # doubling up to webhook_retry_max_seconds; webhook_max_failures failed attempts in a row
    # disable the subscription.
    secret_key: str | None = None
    webhooks_allow_private: bool = False
    webhook_timeout_seconds: float = 10.0
    webhook_retry_seconds: float = 10.0
    webhook_retry_max_seconds: float = 3600.0
    webhook_max_failures: int = 8
    # Connected mailboxes (issue 17 items 2-3; docs/email.md): each is polled on mailbox_poll_cron (a
    # mailbox.sync job per mailbox, one run at a time), filing mailbox_sync_batch messages per
    # transaction. Mail servers at loopback, private or reserved addresses are refused unless
    # mailboxes_allow_private (on-premise servers, tests).
    mailbox_poll_cron: str = "* * * * *"
    mailbox_sync_batch: int = 100
    mailboxes_allow_private: bool = False
    # After reading, a sync waits this long in IMAP IDLE (when the server has it) and files new mail as
    # it arrives; 0: poll only. Each waiting sync holds a worker's job slot meanwhile.
    mailbox_idle_seconds: float = 0.0
    # CalDAV two-way sync (issue 18 item 5; docs/caldav.md): every connected calendar is synced on
    # caldav_poll_cron (a caldav.sync job each; "Sync now" queues one at once; empty: only on
    # demand). Calendar servers at loopback, private or reserved addresses are refused unless
    # caldav_allow_private (on-premise servers, tests).
    caldav_poll_cron: str = "*/10 * * * *"
    caldav_allow_private: bool = False
    # System mail (issue 17 item 1; docs/email.md): invitations and password resets go out through
    # this SMTP relay, from mail_from, by mail.send jobs. smtp://user:pass@host:587 (STARTTLS when
    # offered; ?starttls=required or off), smtps://…:465 (implicit TLS). Empty: mail is not
    # configured, and the app says so instead of claiming to have sent anything.
    smtp_url: str = ""
    mail_from: str = ""
    # The address people open Tandem at (https://crm.example.com), for links in mail: tracked
    # mail's open pixel and click redirects need it (and TANDEM_SECRET_KEY, which signs them).
    public_url: str = ""
    # The workspace BCC address (issue 17; docs/email-automations.md): bcc+<token>@bcc_domain; mail
    # to it is taken by an SMTP listener on bcc_smtp_host:bcc_smtp_port (0: off) and filed.
    bcc_domain: str = ""
    bcc_smtp_port: int = 0
    bcc_smtp_host: str = "0.0.0.0"
    # Files on records and mail attachments (docs/files.md): s3://bucket[/prefix]?endpoint=https://…&region=…
    # (key and secret from TANDEM_FILES_ACCESS_KEY / TANDEM_FILES_SECRET_KEY) or file:///folder; empty: the
    # data folder's files/. The largest upload, and the most one mail attaches in all (bytes).
    files_url: str = ""
    files_max_bytes: int = 25 << 20
    mail_attachments_max_bytes: int = 20 << 20
    # E-mail sequences (issue 17 item 6; docs/email.md): at most this many sequence mails per hour
    # through one mailbox; the excess waits for a free slot.
    sequence_sends_per_hour: int = 30


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
