"""The app's services in one typed container, and how handlers and tests get at them.

``create_app``'s lifespan builds one ``Services`` (``server.app`` is the only module that knows the
concrete adapters) and ``install``s it. Handlers never look anything up by a string: each service
is a dependency named after its field, and a handler declares it with the field's type
(``accounts: NamedDependency[Accounts]``, or the whole container as ``services: ServicesDep``);
``tests/unit/test_container.py`` checks that every handler's declared type is the container's.
Tests reach the running app's objects through ``services_of(app)``.

Litestar 2 injects by parameter name only (injection by type is planned for 3.0), so the names
are the fields' names; the test above is what makes it injection by type in effect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import asyncpg
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from server.memory import Trimmer
from server.services.accounts import Accounts
from server.services.automations import Automations
from server.services.board_lifecycle import BoardLifecycle
from server.services.boards import Boards
from server.services.contacts import Contacts
from server.services.credentials import Passwords
from server.services.crm import Crm
from server.services.crm_reads import CrmReads
from server.services.insights import Insights
from server.services.forecast import Forecasts
from server.services.currencies import Currencies
from server.services.custom_fields import CustomFields
from server.services.deal_transfer import DealTransfer
from server.services.erasure import Erasure
from server.services.filters import Segments
from server.services.links import Links
from server.services.mail import LoggingOutbox
from server.services.notifications import NotificationService
from server.services.notification_settings import NotificationSettingsService
from server.services.calendar import CalendarService
from server.services.booking import BookingService
from server.services.leads import LeadsService
from server.services.lead_mail import LeadMailService
from server.services.lead_forms import LeadFormsService
from server.services.lead_scoring import LeadScoring
from server.services.service_requests import ServiceRequestsService
from server.services.caldav_sync import CalendarSync
from server.services.email_templates import EmailTemplatesService
from server.services.sending import EmailSending, EmailTrackingService
from server.services.bcc import BccService
from server.services.files import RecordFilesService
from server.services.sequences import SequencesService
from server.services.organisations import Organisations
from server.services.permissions import WorkspacePermissions
from server.services.ports.jobs import QueueMonitor
from server.services.projection import Projector
from server.services.sockets import Gate, OpenSockets
from server.services.transfer import Transfer
from server.services.webhooks import WebhookService
from server.services.mailboxes import Mailboxes
from server.services.workspace_lists import WorkspaceLists
from server.services.workspace_settings import WorkspaceSettingsService
from server.services.expertise import ExpertiseService
from server.services.workspace_lifecycle import WorkspaceLifecycle
from server.services.workspaces import Workspaces
from server.settings import Settings
from server.sync.persistence import GroupCommitter
from server.sync.ports import Bus, DocumentStore
from server.sync.registry import Rooms


@dataclass(frozen=True, slots=True, kw_only=True)
class Services:
    """Everything the handlers use, built once per process by ``create_app``'s lifespan."""

    settings: Settings
    pool: asyncpg.Pool  # for the health check only; everything else reaches Postgres through a port
    # accounts and access
    passwords: Passwords
    outbox: LoggingOutbox
    accounts: Accounts
    workspaces: Workspaces
    boards: Boards
    gate: Gate
    sockets: OpenSockets
    # the sync engine
    store: DocumentStore
    committer: GroupCommitter
    bus: Bus
    rooms: Rooms
    projector: Projector
    trimmer: Trimmer
    # the CRM
    contacts: Contacts
    organisations: Organisations
    custom_fields: CustomFields
    currencies: Currencies
    workspace_settings: WorkspaceSettingsService  # Settings › Workspace: name and time zone
    expertise_service: ExpertiseService  # expertise tags and who should take this (docs/expertise.md)
    workspace_lifecycle: WorkspaceLifecycle  # export all data, delete the workspace (docs/workspace-lifecycle.md)
    segments: Segments
    transfer: Transfer
    deal_transfer: DealTransfer
    links: Links
    permissions: WorkspacePermissions
    erasure: Erasure
    crm: Crm
    crm_reads: CrmReads
    insights: Insights  # the dashboard's figures and goals (issue 19)
    forecasts: Forecasts  # forecast changes since a weekly snapshot, close-date pushes, teams (issue 19)
    workspace_lists: WorkspaceLists
    board_lifecycle: BoardLifecycle
    # background jobs: the queue as /health and /metrics report it
    queue: QueueMonitor
    # workflow automations: the rules (the worker runs them)
    automations: Automations
    # webhook subscriptions (their deliveries run on the worker)
    webhooks: WebhookService
    # connected mailboxes and the e-mail they file (issue 17; the sync runs on the worker)
    mailboxes: Mailboxes
    # the signed-in user's in-app notifications (automations write them)
    notifications: NotificationService
    # per-user notification settings, followed deals, who a note may mention (issue 18 item 3)
    notification_settings: NotificationSettingsService
    # the calendar and the private iCalendar feeds (issue 18)
    calendar: CalendarService
    # booking links: a host's settings and the public booking page (issue 18 item 6)
    booking: BookingService
    # CalDAV two-way sync of one calendar per user (issue 18 item 5; the sync runs on the worker)
    calendar_sync: CalendarSync
    # e-mail templates and their previews (issue 17)
    email_templates: EmailTemplatesService
    # composing and sending mail from a record (issue 17; the worker sends it)
    email_sending: EmailSending
    # signed open pixels and click redirects of tracked mail, and their events (issue 17)
    email_tracking: EmailTrackingService
    # the workspace BCC address and its SMTP listener (issue 17; docs/email-automations.md)
    bcc: BccService
    # files on deals, contacts and organisations, in the file store (docs/files.md)
    record_files: RecordFilesService
    # e-mail sequences: keeping them, enrolling, unsubscribe links (issue 17; the worker sends the steps)
    sequences: SequencesService
    # the leads inbox and the web forms that capture leads (docs/leads.md)
    leads: LeadsService
    lead_forms: LeadFormsService
    lead_mail: LeadMailService  # leads from e-mail: the leads+<token>@ address
    lead_scoring: LeadScoring  # lead scores that explain themselves (docs/lead-scoring.md)
    # customer-service requests and Settings › Service (docs/service.md)
    service_requests: ServiceRequestsService


ServicesDep = NamedDependency[Services]
SettingsDep = NamedDependency[Settings]
RoomsDep = NamedDependency[Rooms]

_SERVICES = "tandem_services"
_READY = "tandem_ready"


def install(app: Litestar, services: Services) -> None:
    """Make ``services`` the app's (the lifespan calls this once everything is built)."""
    app.state[_SERVICES] = services


def services_of(app: Litestar) -> Services:
    """The running app's services; raises if its lifespan has not built them yet."""
    services = app.state.get(_SERVICES)
    if services is None:
        raise RuntimeError("the app's services are built by its lifespan: start the app first")
    return services


def mark_ready(app: Litestar, ready: bool) -> None:
    """Say whether the app serves (``/health`` answers 503 while it does not)."""
    app.state[_READY] = ready


def is_ready(app: Litestar) -> bool:
    return bool(app.state.get(_READY))


def dependencies() -> dict[str, Provide]:
    """The app's dependencies: ``services`` (the container) and one per field, named as the field."""
    provided = {"services": Provide(_container, sync_to_thread=False)}
    for field in fields(Services):
        provided[field.name] = Provide(_field(field.name), sync_to_thread=False)
    return provided


def _container(state: State) -> Services:
    services = state.get(_SERVICES)
    if services is None:
        raise RuntimeError("a handler ran before the app's lifespan built its services")
    return services


def _field(name: str) -> Callable[[State], Any]:
    def provide(state: State) -> Any:
        return getattr(_container(state), name)

    provide.__name__ = f"provide_{name}"
    return provide
