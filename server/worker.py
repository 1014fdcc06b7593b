"""The job worker: PgQueuer's queue and scheduler managers running ``JobKinds``' handlers.

Runs as its own process (``python -m server worker``, the Procfile's ``worker``) or inside
``serve`` (``runs_in_process``: on the embedded default, so ``python -m server serve`` alone still
does everything). Like ``server/app.py`` it is a composition root: it picks the adapters.

- Jobs are taken with ``FOR UPDATE SKIP LOCKED`` (each by one worker) and woken by LISTEN/NOTIFY.
- A running job is heartbeaten every ``job_heartbeat_seconds / 2``; one whose worker died
  (``kill -9``, a lost machine) is taken again by any worker once its heartbeat is
  ``job_heartbeat_seconds`` old.
- A handler that raises is retried after ``job_retry_seconds``, doubling up to
  ``job_retry_max_seconds``, ``job_attempts`` times in all; then the job is held with status
  ``failed`` (counted by /health and /metrics) for a person to look at.
- SIGTERM: no new jobs are taken; running ones get ``job_grace_seconds`` to finish, then are
  cancelled and put back in the queue at once (the heartbeat would bring them back anyway).
- Connections carry ``application_name = tandem-worker:<node>``, by which /health counts workers.
- Automation jobs edit live board documents: serve's in-process worker runs them over serve's rooms;
  ``python -m server worker`` runs them only with ``REDIS_URL``, over a sync engine of its own
  whose edits reach the serve nodes' rooms on the bus (``_automations``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import asyncpg
import msgspec
from pgqueuer.adapters.drivers.asyncpg import AsyncpgPoolDriver
from pgqueuer.core.applications import PgQueuer
from pgqueuer.core.executors import DatabaseRetryEntrypointExecutor, EntrypointExecutorParameters
from pgqueuer.domain import errors, models

from server.services.accounts import Policy
from server.sync.registry import holding_rooms
from server.outbound import HttpReceivers
from server.sealing import sealer, secret_key
from server.services.jobs import Handler, JobKinds, job_kinds
from server.services import file_removal
from server.services.sending import MailSender
from server.services.bcc import register as register_bcc
from server.services.lead_mail import register as register_lead_mail
from server.services.reminders import register as register_reminders
from server.services.mail import LoggingOutbox, QueuedOutbox
from server.services.notify import register as register_notify
from server.services.forecast import register as register_forecast
from server.storage.forecast import PostgresForecastReads, PostgresForecastSnapshots
from server.services.insights_upkeep import register as register_insights_upkeep
from server.storage.insights_upkeep import PostgresInsightsUpkeep
from server.services import lead_scoring
from server.storage.lead_scoring import PostgresLeadScores, PostgresScoringFacts, PostgresScoringRuleStore
from server.services.sending import register as register_mail
from server.mail.smtp import AioSmtpRelays, system_relay
from server.files import S3FileStore, file_store
from server.services.webhooks import Policy as WebhookPolicy
from server.services.webhooks import WebhookService
from server.services.webhooks import register as register_webhooks
from server.mail.imap import AioImapServers
from server.services.mail_sync import MailSync, SyncPolicy
from server.services import sequences, service_mail
from server.services.mail_sync import register as register_mail_sync
from server.settings import Settings
from server.storage.jobs import WORKER_APPLICATION
from server.storage.unit import transactions
from server.storage.documents import PostgresDocumentStore
from server.storage.workspace_lifecycle import lifecycle_transactions
from server.services.workspace_lifecycle import WorkspaceLifecycle
from server.domain.workspace_lifecycle import download_key

log = logging.getLogger(__name__)


def runs_in_process(settings: Settings) -> bool:
    """Whether ``serve`` runs a worker too: ``TANDEM_WORKER`` on, or auto on the embedded Postgres."""
    mode = settings.worker.strip().lower()
    if mode not in {"auto", "on", "off"}:
        raise SystemExit(f"TANDEM_WORKER: expected auto, on or off, got {settings.worker!r}")
    return mode == "on" or (mode == "auto" and not settings.database_url)


class Worker:
    """``async with Worker(url, settings, node):`` runs jobs until the block ends (graceful stop)."""

    def __init__(self, url: str, settings: Settings, node: str, kinds: JobKinds | None = None,
                 more: Callable[[JobKinds], None] | None = None) -> None:
        """``kinds``: the registry to run (default: ``job_kinds``); ``more`` adds kinds to it (the
        automation runner of a ``serve`` process, which holds the live documents)."""
        self._url, self._settings, self._node, self._kinds = url, settings, node, kinds
        self._more = more
        self._pool: asyncpg.Pool | None = None
        self._pgq: PgQueuer | None = None
        self._task: asyncio.Task[None] | None = None
        self._files = file_store(settings.files_url, settings.data_dir)  # mail attachments (docs/files.md)

    async def __aenter__(self) -> Worker:
        settings = self._settings
        self._pool = await asyncpg.create_pool(
            self._url, min_size=1, max_size=4,
            server_settings={"application_name": f"{WORKER_APPLICATION}:{self._node}"})
        kinds = self._kinds
        if kinds is None:
            begin = transactions(self._pool)
            kinds = job_kinds(begin, throttle_forget_after=2 * Policy.of(settings).longest_delay,
                              housekeeping_cron=settings.housekeeping_cron, modules=settings.job_modules)
            register_webhooks(kinds, WebhookService(begin, sealer(settings), HttpReceivers(),
                                                    WebhookPolicy.of(settings)))
            mail_sync = MailSync(begin, sealer(settings), AioImapServers(), SyncPolicy.of(settings),
                                 on_mail=service_mail.both(  # a reply or a bounce stops a sequence;
                                     sequences.on_inbound, service_mail.on_inbound))  # support mail: requests
            sequences.register(kinds, sequences.SequenceRunner(begin, sequences.RunnerPolicy(
                sequences.links_of(secret_key(settings), settings.public_url), settings.sequence_sends_per_hour)))
            register_mail_sync(kinds, begin, mail_sync, settings.mailbox_poll_cron)  # mailboxes (issue 17)
            register_bcc(kinds, begin)  # mail.bcc: what the BCC listener took, filed (issue 17)
            register_lead_mail(kinds, begin)  # leads.mail: mail to a leads address, a lead (docs/leads.md)
            register_reminders(kinds, begin)  # activity reminders (issue 18, docs/calendar.md)
            register_forecast(kinds, PostgresForecastReads(self._pool), PostgresForecastSnapshots(self._pool),
                              settings.forecast_week_zone, settings.forecast_snapshot_cron)  # issue 19
            register_insights_upkeep(kinds, PostgresInsightsUpkeep(self._pool))  # rollups off the request (issue 19)
            lead_scoring.register(kinds, lead_scoring.LeadScoring(  # scores and their explanations (docs/lead-scoring.md)
                begin, PostgresScoringRuleStore(self._pool), PostgresLeadScores(self._pool),
                PostgresScoringFacts(self._pool)))
            relay = system_relay(settings.smtp_url, settings.mail_from)  # system mail, and members' without a mailbox
            register_mail(kinds, MailSender(begin, relay[0] if relay else None, AioSmtpRelays(), sealer(settings),
                                            self._files))  # attachments' bytes
            links = settings.public_url  # notification mails link to their deal there (server/domain/system_mail.py)
            register_notify(kinds, begin, QueuedOutbox(relay[1], public_url=links) if relay
                            else LoggingOutbox(public_url=links))  # issue 18 item 3
            file_removal.register(kinds, begin, self._files)  # bytes of files whose rows went (docs/files.md)
            lifecycle_outbox = QueuedOutbox(relay[1], public_url=links) if relay else LoggingOutbox(public_url=links)
            key = secret_key(settings)
            WorkspaceLifecycle(lifecycle_transactions(self._pool), self._files, PostgresDocumentStore(self._pool),
                               lifecycle_outbox, download_key(key) if key else None,
                               ).register(kinds)  # export all data, delete a workspace (docs/workspace-lifecycle.md)
        if self._more is not None:
            self._more(kinds)
        self._pgq = pgq = PgQueuer(AsyncpgPoolDriver(self._pool))
        retry = functools.partial(
            _RetryingExecutor, max_attempts=max(settings.job_attempts - 1, 0),  # its retries: runs less the first
            initial_delay=timedelta(seconds=settings.job_retry_seconds),
            max_delay=timedelta(seconds=settings.job_retry_max_seconds))
        for kind, handler in kinds.handlers.items():
            pgq.entrypoint(kind, on_failure="hold", executor_factory=retry)(_entry(kind, handler))
        for kind, cron in kinds.schedules.items():
            pgq.schedule(kind, cron)(_scheduled(kind, kinds.handlers[kind]))
        heartbeat = timedelta(seconds=settings.job_heartbeat_seconds)
        self._task = asyncio.create_task(pgq.run(
            batch_size=settings.job_batch, heartbeat_timeout=heartbeat,
            # Deferred jobs (retries) and stale heartbeats are looked for at least this often.
            dequeue_timeout=min(heartbeat, timedelta(seconds=5))))
        log.info("worker %s runs %d job kind(s): %s", self._node, len(kinds.handlers), ", ".join(sorted(kinds.handlers)))
        return self

    async def wait(self) -> None:
        """Until the worker stops (it only does on ``stop``, or if it fails)."""
        assert self._task is not None
        await asyncio.shield(self._task)

    async def stop(self) -> None:
        """Take no more jobs; let running ones finish for ``job_grace_seconds``, then put them back."""
        if self._pgq is None or self._task is None:
            return
        self._pgq.shutdown.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), self._settings.job_grace_seconds)
        except TimeoutError:
            log.warning("worker %s: jobs still running after %g s are put back in the queue",
                        self._node, self._settings.job_grace_seconds)
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        except Exception:
            log.exception("worker %s failed", self._node)

    async def __aexit__(self, *exc: object) -> None:
        try:
            await self.stop()
        finally:
            if self._pool is not None:
                await self._pool.close()
            if isinstance(self._files, S3FileStore):
                await self._files.aclose()


class _RetryingExecutor(DatabaseRetryEntrypointExecutor):
    """Retries with backoff (PgQueuer's), and puts a job cancelled by a stopping worker straight
    back in the queue instead of dropping it (PgQueuer logs a cancelled job as done)."""

    async def execute(self, job: models.Job, context: models.Context) -> None:
        try:
            await super().execute(job, context)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            raise errors.RetryRequested(timedelta(0), "the worker stopped mid-job") from None


def _entry(kind: str, handler: Handler) -> Any:
    async def run(job: models.Job) -> None:
        payload = msgspec.json.decode(job.payload) if job.payload else {}
        async with holding_rooms():  # the rooms it edits stay loaded until it ends
            await handler(payload)

    run.__name__ = kind
    return run


def _scheduled(kind: str, handler: Handler) -> Any:
    async def run(schedule: models.Schedule) -> None:
        try:
            await handler({})
        except Exception:
            log.exception("scheduled job %s failed; it runs again at its next time", kind)

    return run


async def run_worker(settings: Settings, url: str, node: str) -> int:
    """``python -m server worker``: run until SIGTERM or SIGINT, then stop gracefully."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    async with contextlib.AsyncExitStack() as stack:
        more = await _automations(stack, settings, url, node)
        worker = await stack.enter_async_context(Worker(url, settings, node, more=more))
        print(f"Tandem worker {node} is running jobs", flush=True)
        waiting = asyncio.create_task(worker.wait())
        await asyncio.wait({waiting, asyncio.create_task(stopping.wait())}, return_when=asyncio.FIRST_COMPLETED)
        if waiting.done():
            waiting.result()  # raises what stopped it
            return 1
        log.info("worker %s: stopping (signal)", node)
    return 0


async def _automations(stack: contextlib.AsyncExitStack, settings: Settings, url: str,
                       node: str) -> Callable[[JobKinds], None] | None:
    """With ``REDIS_URL`` the automation jobs too: they edit live documents, so this process gets
    serve's sync engine (``server.app.start_automations``) and its edits reach the serve nodes'
    rooms over Redis. Without Redis they could not (a serve node would not see them until its room
    reloads): they are left to serve's in-process worker."""
    if not settings.redis_url:
        log.warning("worker %s runs no automation jobs: without REDIS_URL its edits could not reach the "
                    "documents serve nodes hold open; serve's in-process worker runs them (TANDEM_WORKER)", node)
        return None
    from server.app import start_automations  # serve's composition root (which imports this module)

    return await start_automations(stack, settings, url, node)  # the automation and CalDAV sync jobs
