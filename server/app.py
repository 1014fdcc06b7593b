"""``create_app(settings)``: the one composition root that picks and wires concrete adapters.

Start-up: database (embedded Postgres unless ``DATABASE_URL``) → migrations → accounts (services,
open-socket re-checks, the access-event listener) → group committer → rooms → ready. Shutdown
(SIGTERM): close every socket with 1012 *service restart*, commit everything queued, stop the
compaction worker process (``sync/updates.Squasher``), close the pool — nothing accepted is lost.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from typing import NamedTuple

import asyncpg
from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from server.api.accounts import AuthController, change_me, me
from server.api.auth import provide_caller
from server.api.boards import BoardController
from server.api.container import Services, dependencies, install, mark_ready
from server.api.crm import BoardEditController, CrmReadController
from server.api.insights import InsightsController
from server.api.forecast import ForecastController
from server.api.contacts import ContactController
from server.api.currencies import CurrencyController
from server.api.workspace_settings import WorkspaceSettingsController
from server.api.expertise import ExpertiseController
from server.api.workspace_lifecycle import WorkspaceLifecycleController
from server.domain.workspace_lifecycle import download_key
from server.services.workspace_lifecycle import WorkspaceLifecycle
from server.storage.workspace_lifecycle import lifecycle_transactions
from server.api.webhooks import WebhookController
from server.api.mailboxes import MailboxController
from server.api.sequences import SequenceController, unsubscribe, unsubscribe_page
from server.api.email import EmailController, EmailTemplateController, mail_status, tracked_click, tracked_open
from server.api.files import RecordFilesController
from server.api.workspace_lists import WorkspaceListsController
from server.api.automations import AutomationController
from server.api.notifications import NotificationController
from server.api.notification_settings import NotificationSettingsController
from server.api.calendar import CalendarController, ical_feed
from server.api.booking import BookingSettingsController, GuestBookingController, PublicBookingController
from server.api.caldav import CalendarSyncController
from server.api.custom_fields import CustomFieldController, SegmentController
from server.api.organisations import OrganisationController
from server.api.transfer import TransferController
from server.api.privacy import PrivacyController
from server.api.errors import EXCEPTION_HANDLERS, RECHECK_CLOSE, SHUTDOWN
from server.api.request_ids import with_request_ids
from server.api.room_holds import hold_rooms
from server.api.text_guard import refuse_unstorable_text
from server.api.headers import with_security_headers
from server.api.health import health
from server.api.metrics import metrics
from server.api.raw_socket import keep_raw_channels
from server.api.sync import sync_socket
from server.api.web import web_app
from server.api.workspaces import WorkspaceController, accept_invitation
from server.memory import Trimmer
from server.services.accounts import Accounts, Policy
from server.services.boards import Boards
from server.services.crm import Crm
from server.services.crm_reads import CrmReads
from server.services.insights import Insights
from server.services.forecast import Forecasts
from server.services.projection import Projector
from server.services.contacts import Contacts
from server.services.currencies import Currencies
from server.services.workspace_settings import WorkspaceSettingsService
from server.services.expertise import ExpertiseService
from server.services.webhooks import Policy as WebhookPolicy
from server.services.webhooks import WebhookService
from server.services.mailboxes import Mailboxes
from server.mail.imap import AioImapServers
from server.services.workspace_lists import WorkspaceLists
from server.services.board_lifecycle import BoardLifecycle
from server.services.automation_runner import AutomationRunner, Webhooks
from server.services.automations import Automations
from server.services.notifications import NotificationService
from server.services.notification_settings import NotificationSettingsService
from server.services.calendar import CalendarService
from server.services.booking import BookingService
from server.services.leads import LeadsService
from server.services.lead_forms import LeadFormsService
from server.services.lead_scoring import LeadScoring
from server.api.lead_scoring import LeadScoringController
from server.storage.lead_scoring import PostgresLeadScores, PostgresScoringFacts, PostgresScoringRuleStore
from server.api.leads import LeadController, LeadFormController, lead_form_post
from server.api.lead_mail import LeadAddressController
from server.services.lead_mail import LeadMailService
from server.services.service_requests import ServiceRequestsService
from server.api.service_requests import ServiceRequestController
from server.services.caldav_sync import CalendarSync
from server.services.jobs import JobKinds
from server.services.custom_fields import CustomFields
from server.services.deal_transfer import DealTransfer
from server.services.feed import RoomsChangeFeed
from server.services.timeline_feed import register as register_timeline_feed
from server.services.filters import Segments
from server.services.links import Links
from server.services.link_move import LinkMove
from server.services.organisations import Organisations
from server.services.transfer import Transfer
from server.services.erasure import Erasure
from server.services.permissions import WorkspacePermissions
from server.services.credentials import Passwords
from server.services.mail import LoggingOutbox, QueuedOutbox
from server.services.email_templates import EmailTemplatesService
from server.services.sending import EmailSending, EmailTrackingService, Tracker
from server.services.email_automations import TemplateSender
from server.services.bcc import MAX_BYTES as BCC_MAX_BYTES, BccService
from server.api.bcc import BccController
from server.mail.bcc_smtp import BccListener
from server.services.sequences import SequencesService, links_of
from server.domain.tracking import tracking_key
from server.mail.smtp import system_relay
from server.files import S3FileStore, file_store
from server.services.ports.files import FileStore
from server.services.files import RecordFilesService
from server.services.ports.unit import Begin
from server.services.sockets import Gate, OpenSockets
from server.services.workspaces import Workspaces
from server.settings import Settings, load_settings
from server.storage.access_events import PostgresAccessEvents
from server.storage.documents import PostgresDocumentStore
from server.storage.embedded import start_embedded_postgres
from server.storage.insights import PostgresGoals, PostgresInsightsReads
from server.storage.forecast import PostgresForecastReads, PostgresForecastSnapshots, PostgresTeams
from server.storage.jobs import PostgresQueueMonitor
from server.storage.migrations import migrate
from server.storage.pool import create_pool
from server.storage.unit import transactions
from server.fanout.memory import MemoryBus
from server.fanout.redis import RedisBus
from server.sync.persistence import GroupCommitter
from server.sync.ports import Bus, DocumentStore
from server.sync.registry import Rooms
from server.protocol.update_bounds import Bounds
from server.sync.room import Limits
from server.sync.updates import Squasher
from server.outbound import HttpReceivers
from server.caldav import HttpCalendarServers
from server.sealing import sealer, secret_key
from server.worker import Worker, runs_in_process

log = logging.getLogger(__name__)


async def database_url(settings: Settings, stack: AsyncExitStack) -> str:
    """The configured ``DATABASE_URL``, or the embedded Postgres's: started if needed, and
    released when ``stack`` closes."""
    if settings.database_url:
        return settings.database_url
    url, release = await asyncio.to_thread(start_embedded_postgres, settings.data_dir)
    stack.push_async_callback(asyncio.to_thread, release)
    return url


async def _start_bus(stack: AsyncExitStack, settings: Settings, node: str | None) -> Bus:
    """Redis pub/sub across nodes with ``REDIS_URL``; otherwise the in-process broker, which on
    a lone node only names the node (rooms then run without replicas: no other holder exists)."""
    if not settings.redis_url:
        return MemoryBus(node=node)
    return await stack.enter_async_context(RedisBus(settings.redis_url, node))


@contextmanager
def _periodically(action: Callable[[float], object], every: float) -> Iterator[None]:
    """Run ``action(monotonic_now)`` every ``every`` seconds while the app is up."""
    async def loop() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                action(time.monotonic())
            except Exception:
                log.exception("periodic %s failed", getattr(action, "__name__", action))

    task = asyncio.get_running_loop().create_task(loop())
    try:
        yield
    finally:
        task.cancel()


def create_app(settings: Settings | None = None, *, bus: Bus | None = None, node: str | None = None) -> Litestar:
    """The app; ``bus`` overrides the one ``settings`` imply (tests run nodes in one process)."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            services = await _start(stack, settings, bus, node)
            install(app, services)
            mark_ready(app, True)
            # Everything built so far lives as long as the process: keep it out of the cyclic
            # collector's full passes (one took 119 ms mid-broadcast in the A500 profile).
            gc.freeze()
            try:
                yield
            finally:
                mark_ready(app, False)
                services.rooms.close_all(*SHUTDOWN)

    app = Litestar(
        route_handlers=[health, metrics, sync_socket, AuthController, me, change_me, WorkspaceController,
                        accept_invitation, BoardController, BoardEditController, CrmReadController, ContactController,
                        OrganisationController, CustomFieldController, SegmentController, TransferController, PrivacyController,
                        CurrencyController, WorkspaceSettingsController, ExpertiseController, WorkspaceLifecycleController, WorkspaceListsController, AutomationController, WebhookController,
                        MailboxController, SequenceController, unsubscribe_page, unsubscribe,
                        ForecastController,
                        InsightsController,
                        NotificationController, NotificationSettingsController, CalendarController, ical_feed, BookingSettingsController, PublicBookingController, GuestBookingController, CalendarSyncController, EmailTemplateController, EmailController, mail_status, tracked_open, tracked_click, BccController, RecordFilesController,
                        LeadController, LeadFormController, lead_form_post, LeadAddressController, ServiceRequestController,
                        LeadScoringController],
        dependencies={"caller": Provide(provide_caller), **dependencies()},
        exception_handlers=EXCEPTION_HANDLERS,
        # 422 for text Postgres cannot store, before any handler; rooms a request opens stay loaded until it answers
        middleware=[refuse_unstorable_text, hold_rooms],
        openapi_config=OPENAPI,
        lifespan=[lifespan],
        logging_config=None,  # server.logs configures logging (structured, with the node id)
        debug=False,
    )
    app.register(web_app())  # the browser app at "/": a catch-all, registered after the API
    # Outermost, so it sees the ASGI server's own channels (Litestar adds no wrapper before it
    # when there are no before_send hooks); see server.api.raw_socket.
    # Inside it, every HTTP request gets an id, and no exception leaves without a logged 500.
    # Around that, every HTTP response gets the security headers (CSP, anti-framing; api/headers.py).
    app.asgi_handler = keep_raw_channels(with_security_headers(with_request_ids(app.asgi_handler),
                                                               hsts=settings.cookie_secure))
    mark_ready(app, False)
    return app


OPENAPI = OpenAPIConfig(
    title="Tandem",
    version="0.1.0",
    components=Components(security_schemes={
        "bearer": SecurityScheme(type="http", scheme="bearer", description="POST /api/auth/login's token"),
        "cookie": SecurityScheme(type="apiKey", name="tandem_session", security_scheme_in="cookie",
                                 description="browser session; writes also need the X-CSRF-Token header"),
    }),
    security=[{"bearer": []}, {"cookie": []}],
)


async def _start(stack: AsyncExitStack, settings: Settings, bus: Bus | None, node: str | None) -> Services:
    """Database, migrations, accounts, the sync engine, then the CRM services; torn down by ``stack``."""
    url = await database_url(settings, stack)
    pool = await create_pool(url, statement_timeout=settings.statement_timeout_seconds,
                             connect_timeout=settings.database_connect_timeout_seconds)
    stack.push_async_callback(pool.close)
    await migrate(pool)
    begin = transactions(pool)
    accounts = await _start_accounts(stack, settings, begin, url)
    engine = await _start_engine(stack, settings, pool, begin, bus, node)
    rooms, projector = engine.rooms, engine.projector
    feed = RoomsChangeFeed(rooms)
    projector.feed = feed  # activity changes reach to-do lists and calendars live (issue 18)
    await LinkMove(begin, rooms, projector, engine.store).run()  # once: record links out of old documents
    # Automation events change live documents, so a worker that holds a sync engine runs them: a
    # serve process's (on the embedded default it runs every kind), or `python -m server worker`
    # with REDIS_URL (start_automations). Its handlers have a pool of their own.
    runner = automation_runner(settings, transactions(await _jobs_pool(stack, settings, url)), rooms, projector)
    # CalDAV sync edits activities in the live documents too: its jobs run beside the automations'.
    calendar_sync = CalendarSync(begin, sealer(settings), HttpCalendarServers(), accounts.boards,
                                 Crm(begin, accounts.boards, rooms, projector, feed), settings.caldav_allow_private)

    def more_kinds(kinds: JobKinds) -> None:
        runner.register(kinds)
        calendar_sync.register(kinds, settings.caldav_poll_cron)
        register_timeline_feed(kinds, feed)  # live timelines: mail filed by jobs (brief J)
    if runs_in_process(settings):  # the embedded default: `serve` alone runs the jobs too (server/worker.py)
        await stack.enter_async_context(Worker(url, settings, node or "serve", more=more_kinds))
    elif settings.worker.strip().lower() != "off":
        await stack.enter_async_context(Worker(url, settings, node or "serve", kinds=JobKinds(),
                                               more=more_kinds))
    elif not settings.redis_url:
        log.warning("TANDEM_WORKER=off and no REDIS_URL: no automation rule will run. Automations edit "
                    "the live documents, so they run in serve's in-process worker, or in `python -m server "
                    "worker` only when REDIS_URL lets it reach serve's rooms (docs/architecture.md, Automations)")
    tracker = _tracker(settings)  # tracked mail's signed links (issue 17)
    files = RecordFilesService(begin, start_file_store(stack, settings), max_bytes=settings.files_max_bytes,
                               attachments_max_bytes=settings.mail_attachments_max_bytes)
    contacts = Contacts(begin, feed)
    sending = EmailSending(begin, settings.mail_from.strip() if settings.smtp_url else None, tracker, files)
    crm = Crm(begin, accounts.boards, rooms, projector, feed)  # board edits through the live documents
    workspace_lists = WorkspaceLists(begin, rooms)
    return Services(
        settings=settings, pool=pool, **accounts._asdict(), **engine._asdict(),
        contacts=contacts,
        organisations=(organisations := Organisations(begin, feed)),
        custom_fields=CustomFields(begin, feed),
        currencies=Currencies(begin),
        workspace_settings=WorkspaceSettingsService(begin, settings.forecast_week_zone),  # Settings › Workspace
        expertise_service=ExpertiseService(begin),  # expertise tags and who should take this
        workspace_lifecycle=WorkspaceLifecycle(  # export all data, delete the workspace (docs/workspace-lifecycle.md)
            lifecycle_transactions(pool), files.store, engine.store, accounts.outbox,
            download_key(key) if (key := secret_key(settings)) else None),
        segments=Segments(begin),
        transfer=Transfer(begin, feed),
        deal_transfer=DealTransfer(begin, accounts.boards, rooms, projector),
        links=Links(begin),
        # Permission levels an admin sets, and erasure (which edits documents, then compacts them).
        permissions=WorkspacePermissions(begin),
        erasure=Erasure(begin, feed, rooms, projector, engine.store, files.store),
        # Board edits through the live documents, and the reads the projection answers.
        crm=crm,
        crm_reads=CrmReads(begin, accounts.boards),
        insights=(insights := Insights(begin, accounts.boards, workspace_lists, PostgresInsightsReads(pool),
                                       PostgresGoals(pool), teams=PostgresTeams(pool))),
        forecasts=Forecasts(begin, insights, PostgresForecastReads(pool), PostgresForecastSnapshots(pool),
                            PostgresTeams(pool), week_zone=settings.forecast_week_zone),
        workspace_lists=workspace_lists,
        board_lifecycle=BoardLifecycle(begin, rooms),
        queue=PostgresQueueMonitor(pool),
        automations=Automations(begin, sealer(settings), HttpReceivers(), settings.webhooks_allow_private),
        webhooks=WebhookService(begin, sealer(settings), HttpReceivers(), WebhookPolicy.of(settings)),
        mailboxes=Mailboxes(begin, sealer(settings), AioImapServers(), settings.mailboxes_allow_private),
        notifications=NotificationService(begin),
        notification_settings=NotificationSettingsService(begin, accounts.boards, accounts.outbox.delivers),
        calendar=CalendarService(begin, feed),  # feed: SQL-only activity changes reach calendars (issue 18)
        booking=BookingService(begin, accounts.boards, crm, contacts, accounts.outbox,
                               public_url=settings.public_url),
        calendar_sync=calendar_sync,
        email_templates=EmailTemplatesService(begin),
        email_sending=sending,
        email_tracking=EmailTrackingService(begin, tracker.key if tracker else None),
        **await _start_bcc(stack, settings, begin),  # bcc, and lead_mail on the same listener
        sequences=SequencesService(begin, links_of(secret_key(settings), settings.public_url),
                                   per_hour=settings.sequence_sends_per_hour),
        record_files=files,
        leads=LeadsService(begin, accounts.boards, crm, contacts, organisations),
        lead_forms=LeadFormsService(begin),
        lead_scoring=LeadScoring(begin, PostgresScoringRuleStore(pool), PostgresLeadScores(pool),  # docs/lead-scoring.md
                                 PostgresScoringFacts(pool)),
        service_requests=ServiceRequestsService(begin, sending),  # replies e-mailed as compose does
    )


async def _jobs_pool(stack: AsyncExitStack, settings: Settings, url: str, size: int | None = None) -> asyncpg.Pool:
    """The pool of a worker's job handlers (TANDEM_WORKER_POOL_SIZE): apart from the web's, so
    neither a burst of jobs nor a burst of requests holds every connection the other waits for."""
    pool = await create_pool(url, max_size=size or settings.worker_pool_size,
                             statement_timeout=settings.statement_timeout_seconds,
                             connect_timeout=settings.database_connect_timeout_seconds)
    stack.push_async_callback(pool.close)
    return pool


def automation_runner(settings: Settings, begin: Begin, rooms: Rooms, projector: Projector) -> AutomationRunner:
    """The automation jobs' handlers over a sync engine's rooms: serve's, or a standalone worker's."""
    sending = EmailSending(begin, settings.mail_from.strip() if settings.smtp_url else None, _tracker(settings))
    return AutomationRunner(begin, rooms, projector, settle=settings.automation_settle_seconds,
                            max_depth=settings.automation_max_depth, sweep_cron=settings.automation_sweep_cron,
                            webhooks=Webhooks(sealer(settings), HttpReceivers(), WebhookPolicy.of(settings)),
                            mail=TemplateSender(begin, sending))  # send_template (issue 17 item 5)


async def start_automations(stack: AsyncExitStack, settings: Settings, url: str,
                            node: str) -> Callable[[JobKinds], None]:
    """``python -m server worker`` with ``REDIS_URL``: the sync engine as serve builds it (store,
    group committer, RedisBus, rooms, projector), and the jobs that edit live documents over it —
    the automation runner's and the CalDAV sync's; returns what registers them. The rooms it
    opens are replicas like a serve node's: a rule's edit is committed and published on the bus, so
    the serve nodes holding the board relay it to their clients at once. Torn down by ``stack``."""
    pool = await _jobs_pool(stack, settings, url, 4 + settings.worker_pool_size)  # the engine's and the jobs'
    begin = transactions(pool)
    engine = await _start_engine(stack, settings, pool, begin, None, node)
    runner = automation_runner(settings, begin, engine.rooms, engine.projector)
    boards = Boards(begin, LoggingOutbox(), invitation_ttl=settings.invitation_ttl_seconds)  # reads board access only
    calendar_sync = CalendarSync(begin, sealer(settings), HttpCalendarServers(), boards,
                                 Crm(begin, boards, engine.rooms, engine.projector, RoomsChangeFeed(engine.rooms)),
                                 settings.caldav_allow_private)

    def register(kinds: JobKinds) -> None:
        runner.register(kinds)
        calendar_sync.register(kinds, settings.caldav_poll_cron)
        register_timeline_feed(kinds, RoomsChangeFeed(engine.rooms))  # live timelines (brief J)

    return register


def start_file_store(stack: AsyncExitStack, settings: Settings) -> FileStore:
    """Where files' bytes live (TANDEM_FILES_URL, else the data folder); an S3 client closes with ``stack``."""
    store = file_store(settings.files_url, settings.data_dir)
    if isinstance(store, S3FileStore):
        stack.push_async_callback(store.aclose)
    return store


async def _start_bcc(stack: AsyncExitStack, settings: Settings,
                     begin: Begin) -> dict[str, BccService | LeadMailService]:
    """The workspace BCC and leads addresses, and their SMTP listener when TANDEM_BCC_SMTP_PORT is set
    (issue 17; docs/leads.md)."""
    listening = settings.bcc_smtp_port > 0
    bcc = BccService(begin, sealer(settings), settings.bcc_domain, listening)
    lead_mail = LeadMailService(begin, sealer(settings), settings.bcc_domain, listening)
    if listening:
        await stack.enter_async_context(BccListener([bcc, lead_mail], settings.bcc_smtp_host,
                                                    settings.bcc_smtp_port, BCC_MAX_BYTES,
                                                    settings.bcc_domain or "tandem"))
    return {"bcc": bcc, "lead_mail": lead_mail}


def _tracker(settings: Settings) -> Tracker | None:
    """Tracked mail's link maker: needs the public URL and the secret key (which signs the links)."""
    key = secret_key(settings)
    return Tracker(tracking_key(key), settings.public_url.rstrip("/")) if key and settings.public_url else None


class _AccountServices(NamedTuple):
    passwords: Passwords
    outbox: LoggingOutbox
    accounts: Accounts
    workspaces: Workspaces
    boards: Boards
    gate: Gate
    sockets: OpenSockets


async def _start_accounts(stack: AsyncExitStack, settings: Settings, begin: Begin, url: str) -> _AccountServices:
    """Account services, the per-process index of open sockets, and its access-event listener."""
    passwords = Passwords.of(settings)  # a bounded hashing pool
    relay = system_relay(settings.smtp_url, settings.mail_from)
    links = settings.public_url  # system mail links to what it is about there (server/domain/system_mail.py)
    outbox = QueuedOutbox(relay[1], public_url=links) if relay else LoggingOutbox(public_url=links)  # no relay: say so
    accounts = Accounts(begin, passwords, outbox, Policy.of(settings))
    boards = Boards(begin, outbox, invitation_ttl=settings.invitation_ttl_seconds)
    gate = Gate(accounts, boards)
    sockets = await stack.enter_async_context(OpenSockets(gate, RECHECK_CLOSE))
    await stack.enter_async_context(PostgresAccessEvents(url, sockets.on_event))
    workspaces = Workspaces(begin, outbox, invitation_ttl=settings.invitation_ttl_seconds)
    return _AccountServices(passwords, outbox, accounts, workspaces, boards, gate, sockets)


class _Engine(NamedTuple):
    store: DocumentStore
    committer: GroupCommitter
    bus: Bus
    rooms: Rooms
    projector: Projector
    trimmer: Trimmer


async def _start_engine(stack: AsyncExitStack, settings: Settings, pool: asyncpg.Pool, begin: Begin,
                        bus: Bus | None, node: str | None) -> _Engine:
    """The document store, projector, group committer, bus and rooms, and their periodic chores."""
    # Squashes large compactions in a worker process; entered before the committer, so stopped
    # after its last compaction.
    squasher = await stack.enter_async_context(Squasher())
    store = PostgresDocumentStore(pool, squasher)
    stack.push_async_callback(store.close)  # after the committer's last append, before the pool
    # Entered before the committer so that on shutdown it projects what the committer drains.
    projector = await stack.enter_async_context(Projector(begin, delay=settings.projection_delay_seconds,
                                                          settle=settings.automation_settle_seconds))
    committer = await stack.enter_async_context(GroupCommitter(
        store,
        window=settings.commit_window_seconds,
        retry=settings.commit_retry_seconds,
        compact_after_rows=settings.compact_after_rows,
    ))
    limits = Limits(settings.max_update_bytes, settings.max_sync_bytes, settings.max_awareness_bytes,
                    Bounds(settings.max_update_depth, settings.max_update_structs),
                    settings.max_document_bytes)
    bus_ = bus or await _start_bus(stack, settings, node)
    # A lone node (no REDIS_URL, no bus given) has no other holder to replicate to.
    shared = bus is not None or bool(settings.redis_url)
    rooms = Rooms(
        store, committer, limits, grace=settings.room_grace_seconds, bus=bus_ if shared else None,
        presence_timeout=settings.presence_timeout_seconds, on_open=projector.attach,
    )
    stack.enter_context(_periodically(rooms.expire_presence, settings.presence_timeout_seconds / 6))
    # Closed rooms' memory back to the OS: when rooms unloaded or their last projection ran.
    trimmer = Trimmer(lambda: (rooms.unloads, projector.following))
    if settings.memory_trim_seconds > 0:
        stack.enter_context(_periodically(trimmer, settings.memory_trim_seconds))
    return _Engine(store, committer, bus_, rooms, projector, trimmer)
