"""``python -m server seed-demo``: fill a realistic demo workspace, so a first-time user sees a living CRM.

Everything goes through the real HTTP API, in-process: ``create_app(settings)`` runs under
Litestar's ``AsyncTestClient`` (its lifespan starts the database — embedded Postgres unless
``DATABASE_URL`` — and applies migrations), and every request is an ordinary API call with a
bearer token. So every rule users meet applies to the demo too: access and roles, validation,
board documents seeded once, edits made in the live documents and projected into SQL.

What it makes, in this order:

1. five people who sign up (``owner@demo.tandem.test`` first, one shared password) and join the
   workspace *Northwind Sales* through invitations, as owner, admin, two members and a viewer;
2. custom fields and about sixty organisations and three hundred contacts (CSV import), with
   e-mails on their organisation's domain, phones, job titles, labels and owners, and two
   likely duplicates to merge;
3. two pipelines, *New business* and *Renewals*, whose deals are created by their owners, moved
   stage by stage (so the report has history to count) and won or lost with reasons;
4. activities and tasks for several people — overdue, due today, upcoming and done;
5. notes of a few paragraphs on some deals, contacts and an organisation;
6. a project board shared (edit) with a guest from a partner firm, who adds work of their own.

The same ``--seed`` makes the same names, values and plan (dates are relative to today; ids are
the server's). A second run refuses, because the owner's account exists (exit 2), unless
``--force-new`` picks fresh e-mails (``owner-2@…``). What cannot be made through the API is left
alone: every deal was last moved now, so none is rotting yet.
"""

from __future__ import annotations

import asyncio
import csv
import io
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, TextIO

from litestar.testing import AsyncTestClient
from pycrdt import Doc

from server.app import create_app
from server.documents.read import read_board
from server.domain.crm import StageKind
from server.domain.duplicates import name_key, similar_names
from server.settings import Settings

DEFAULT_SEED = 7
DEFAULT_PASSWORD = "tandem-demo-2026"
DOMAIN = "demo.tandem.test"
WORKSPACE = "Northwind Sales"
PROJECT = "Partner launch – Brightlane"
EXIT_EXISTS = 2


@dataclass(frozen=True)
class Person:
    """Someone in the demo: ``local`` is the part of the e-mail before the ``@``."""

    local: str
    name: str
    role: str  # owner, admin, member, viewer, guest
    sells: bool  # owns deals, contacts and tasks


PEOPLE = (
    Person("owner", "Olivia Hart", "owner", True),
    Person("admin", "Marcus Chen", "admin", True),
    Person("priya", "Priya Raman", "member", True),
    Person("diego", "Diego Alvarez", "member", True),
    Person("viewer", "Hannah Berg", "viewer", False),
)
GUEST = Person("partner", "Sam Okafor", "guest", False)


class SeedError(Exception):
    """The demo could not be made; the message says why."""


class AlreadySeeded(SeedError):
    """The owner's account exists: the demo was seeded into this database before."""


# --- the command ---------------------------------------------------------------------------------

async def run(settings: Settings, *, seed: int = DEFAULT_SEED, password: str = DEFAULT_PASSWORD,
              force_new: bool = False, out: TextIO | None = None) -> int:
    """Seed, print the summary, and answer the exit code (0; 2 when the demo exists; 1 on failure)."""
    out = out or sys.stdout
    try:
        summary = await seed_demo(settings, seed=seed, password=password, force_new=force_new)
    except AlreadySeeded as exc:
        print(exc, file=sys.stderr)
        return EXIT_EXISTS
    except SeedError as exc:
        print(f"seed-demo failed: {exc}", file=sys.stderr)
        return 1
    print(summary.text(settings), file=out)
    return 0


async def seed_demo(settings: Settings, *, seed: int = DEFAULT_SEED, password: str = DEFAULT_PASSWORD,
                    force_new: bool = False) -> Summary:
    """Make the demo workspace through the HTTP API of an in-process app; answer what was made."""
    started = time.monotonic()
    today = datetime.now(timezone.utc).date()
    async with AsyncTestClient(create_app(settings), timeout=60) as client:
        api = Api(client)
        team = await sign_up_team(api, password, force_new)
        workspace = await create_workspace(api, team)
        book = Book.make(random.Random(f"{seed}:book"), team)
        await import_book(api, team, workspace, book)
        directory = await read_directory(api, team, workspace)
        pipelines = [await create_board(api, team.owner, workspace, name, "pipeline") for name in PIPELINES]
        deals = []
        for board in pipelines:
            plan = plan_deals(random.Random(f"{seed}:{board.name}"), board, team, directory, today)
            deals += await make_deals(api, board, plan)
        activities = plan_activities(random.Random(f"{seed}:activities"), team, deals, pipelines[0], directory,
                                     today)
        await make_activities(api, activities)
        notes = await write_notes(api, random.Random(f"{seed}:notes"), team, deals, pipelines[0], directory, today)
        project = await create_board(api, team.admin, workspace, PROJECT, "project")
        work_items = await run_project(api, team, project, today)
        assigned = Counter(a.values["assignee"] for a in activities) + work_items
        summary = await summarise(api, team, workspace, pipelines, len(deals), assigned, today)
    # Leaving the client ran the app's shutdown: everything is committed and projected.
    return replace(summary, notes=len(notes), work_items=work_items.total(), duplicates=len(book.duplicates),
                   seed=seed, password=password, calls=api.calls, seconds=time.monotonic() - started)


# --- people and the workspace --------------------------------------------------------------------

@dataclass
class Account:
    person: Person
    email: str
    id: str
    token: str

    @property
    def name(self) -> str:
        return self.person.name


@dataclass
class Team:
    members: list[Account]  # owner first, as PEOPLE lists them
    guest: Account

    @property
    def owner(self) -> Account:
        return self.members[0]

    @property
    def admin(self) -> Account:
        return next(a for a in self.members if a.person.role == "admin")

    @property
    def sellers(self) -> list[Account]:
        return [a for a in self.members if a.person.sells]

    def everyone(self) -> list[Account]:
        return [*self.members, self.guest]


async def sign_up_team(api: Api, password: str, force_new: bool) -> Team:
    """Sign everyone up. The owner comes first: an existing owner account means the demo exists."""
    suffix = ""
    while True:
        owner = await api.sign_up(PEOPLE[0], email(PEOPLE[0], suffix), password)
        if owner is not None:
            break
        if not force_new:
            raise AlreadySeeded(
                f"{email(PEOPLE[0], suffix)} already has an account: the demo was seeded into this database "
                f"before. Sign in with it, or run `python -m server seed-demo --force-new` to seed another "
                f"workspace with fresh e-mails.")
        suffix = f"-{int(suffix[1:] or 1) + 1}"
    accounts = [owner]
    for person in (*PEOPLE[1:], GUEST):
        account = await api.sign_up(person, email(person, suffix), password)
        if account is None:
            raise SeedError(f"{email(person, suffix)} already has an account; try --force-new")
        accounts.append(account)
    return Team(accounts[:-1], accounts[-1])


def email(person: Person, suffix: str = "") -> str:
    return f"{person.local}{suffix}@{DOMAIN}"


async def create_workspace(api: Api, team: Team) -> str:
    """The owner's workspace; everyone else but the guest joins through an invitation."""
    workspace = (await api.post(team.owner, "/api/workspaces", {"name": WORKSPACE}))["id"]
    for account in team.members[1:]:
        invitation = await api.post(team.owner, f"/api/workspaces/{workspace}/invitations",
                                    {"email": account.email, "role": account.person.role})
        await api.post(account, "/api/invitations/accept", {"token": invitation["token"]})
    return workspace


# --- organisations and contacts ------------------------------------------------------------------

CUSTOM_FIELDS = (
    {"entity": "organisation", "key": "industry", "label": "Industry", "type": "select",
     "options": ["Logistics", "Software", "Manufacturing", "Healthcare", "Retail", "Finance", "Energy",
                 "Hospitality", "Education", "Media"]},
    {"entity": "organisation", "key": "employees", "label": "Employees", "type": "number"},
    {"entity": "contact", "key": "lead_source", "label": "Lead source", "type": "select",
     "options": ["Website", "Referral", "Event", "Outbound", "Partner"]},
)
SEGMENTS = (
    {"name": "Decision makers", "entity": "contact", "filter": {"labels": ["decision maker"]}},
    {"name": "Champions", "entity": "contact", "filter": {"labels": ["champion"]}},
    {"name": "Enterprise accounts", "entity": "organisation", "filter": {"labels": ["enterprise"]}},
)


async def import_book(api: Api, team: Team, workspace: str, book: Book) -> None:
    """Custom fields (the admin defines them), then both CSV files (the owner imports them)."""
    for definition in CUSTOM_FIELDS:
        await api.post(team.admin, f"/api/workspaces/{workspace}/custom-fields", definition)
    for kind, text in (("organisations", book.organisations_csv()), ("contacts", book.contacts_csv())):
        report = await api.call(team.owner, "POST", f"/api/workspaces/{workspace}/import/{kind}", content=text,
                                headers={"content-type": "text/csv"}, expect=(200, 422))
        if not report["imported"]:
            raise SeedError(f"the {kind} import was refused: {report['problems'][:3]}")
    for segment in SEGMENTS:
        await api.post(team.owner, f"/api/workspaces/{workspace}/segments", segment)


@dataclass
class Directory:
    """The imported records as the API answers them: organisations by name, contacts by organisation."""

    organisations: dict[str, dict[str, Any]]
    contacts: list[dict[str, Any]]

    def people_at(self, organisation: dict[str, Any]) -> list[dict[str, Any]]:
        return [c for c in self.contacts if c["organisation"] and c["organisation"]["id"] == organisation["id"]]


async def read_directory(api: Api, team: Team, workspace: str) -> Directory:
    organisations = await api.all_pages(team.owner, f"/api/workspaces/{workspace}/organisations")
    contacts = await api.all_pages(team.owner, f"/api/workspaces/{workspace}/contacts")
    return Directory({o["name"]: o for o in organisations}, contacts)


# --- boards --------------------------------------------------------------------------------------

PIPELINES = ("New business", "Renewals")


@dataclass
class Board:
    id: str
    name: str
    kind: str
    stages: list[Any]  # server.domain.crm.Stage, in board order

    def open_stages(self) -> list[Any]:
        return [s for s in self.stages if s.kind is StageKind.OPEN]


async def create_board(api: Api, who: Account, workspace: str, name: str, kind: str) -> Board:
    """A new board; its seeded stages are read back from its document (``GET /api/documents/…``)."""
    board = await api.post(who, f"/api/workspaces/{workspace}/boards", {"name": name, "kind": kind})
    doc = Doc()
    doc.apply_update(await api.raw(who, f"/api/documents/{board['document']}"))
    return Board(board["id"], name, kind, read_board(doc, kind).ordered_stages())


# --- deals ---------------------------------------------------------------------------------------

# How many deals end in each open stage (in board order), and how many are won and lost.
DEALS_PER_STAGE = {"New business": ((14, 12, 10, 7), 12, 9), "Renewals": ((5, 6, 6, 5), 14, 4)}
PRODUCTS = (("Fleet platform", 420), ("Route analytics", 300), ("Warehouse suite", 510),
            ("Driver app", 180), ("Compliance pack", 240), ("Integrations API", 360))
SEATS = (10, 15, 25, 40, 60, 80, 120, 200, 350)
LOST_REASONS = ("Went with a competitor (Globex)", "Budget frozen until next fiscal year",
                "No decision – the champion left", "Price too high for the seat count",
                "Timing: revisit after their migration", "Chose to build in-house")
DEAL_LABELS = ("inbound", "referral", "enterprise", "upsell", "multi-year", "at risk", "pilot")


@dataclass
class PlannedDeal:
    board: Board
    owner: Account
    title: str
    value: float
    organisation: dict[str, Any]
    contact: dict[str, Any]
    expected_close: date
    labels: list[str]
    path: list[Any]  # the stages it moves through after the first, in order
    outcome: str | None = None  # won / lost
    lost_reason: str | None = None
    id: str = ""  # the card id, once made

    @property
    def is_open(self) -> bool:
        return self.outcome is None


def plan_deals(rng: random.Random, board: Board, team: Team, directory: Directory, today: date) -> list[PlannedDeal]:
    """Deals ending in every stage: open ones spread along the pipeline, some won, some lost.
    New business goes to prospects, owned by anyone; renewals to customers, owned by their account owner."""
    spread, won, lost = DEALS_PER_STAGE[board.name]
    open_stages = board.open_stages()
    endings: list[tuple[int, str | None]] = []
    for index in range(len(open_stages)):
        endings += [(index, None)] * (spread[index] if index < len(spread) else 3)
    endings += [(len(open_stages) - rng.choice((1, 1, 2)), "won") for _ in range(won)]
    endings += [(rng.randrange(len(open_stages)), "lost") for _ in range(lost)]
    renewals = board.name == "Renewals"
    candidates = [o for o in directory.organisations.values() if directory.people_at(o)
                  and ("customer" in o["labels"]) == renewals] or list(directory.organisations.values())
    plans = []
    for reached, outcome in endings:
        organisation = rng.choice(candidates)
        contact = rng.choice(directory.people_at(organisation))
        product, price = rng.choice(PRODUCTS)
        seats = rng.choice(SEATS)
        value = round(seats * price * (0.9 if renewals else 1.0) / 100) * 100
        if outcome is None:
            close = today + timedelta(days=rng.randint(7, 30) + rng.randint(0, 120 - 25 * min(reached, 3)))
        else:
            close = today - timedelta(days=rng.randint(2, 75))
        title = (f"{organisation['name']} – {product} renewal {close.year}" if renewals
                 else f"{organisation['name']} – {product} ({seats} seats)")
        owner = rng.choice(team.sellers)
        if renewals:
            owner = next((a for a in team.sellers if a.id == organisation["owner_id"]), owner)
        plans.append(PlannedDeal(
            board, owner, title, float(value), organisation, contact, close,
            rng.sample(DEAL_LABELS, rng.choice((0, 1, 1, 2))), open_stages[1:reached + 1], outcome,
            rng.choice(LOST_REASONS) if outcome == "lost" else None))
    return plans


async def make_deals(api: Api, board: Board, plans: list[PlannedDeal]) -> list[PlannedDeal]:
    """Each deal is created by its owner in the first stage, moved along, then won or lost."""
    for deal in plans:
        card = await api.post(deal.owner, f"/api/boards/{board.id}/cards", {
            "title": deal.title, "value": deal.value, "owner": deal.owner.id, "contact": deal.contact["id"],
            "organisation": deal.organisation["id"], "expected_close": deal.expected_close.isoformat(),
            "labels": deal.labels})
        deal.id = card["id"]
        for stage in deal.path:
            await api.post(deal.owner, f"/api/boards/{board.id}/cards/{deal.id}/move", {"stage": str(stage.id)})
        if deal.outcome:
            await api.post(deal.owner, f"/api/boards/{board.id}/cards/{deal.id}/status",
                           {"status": deal.outcome, "lost_reason": deal.lost_reason})
    return plans


# --- activities and tasks ------------------------------------------------------------------------

NEXT_STEPS = (
    ("call", "Follow-up call with {first}"), ("call", "Pricing questions – call {first}"),
    ("meeting", "Demo for the {org} team"), ("meeting", "On-site workshop at {org}"),
    ("email", "Send the proposal to {first}"), ("email", "Share the logistics case study with {first}"),
    ("todo", "Prepare a quote for {org}"), ("deadline", "Contract signature due – {org}"),
)
DONE_STEPS = (("call", "Discovery call with {first}"), ("meeting", "Kick-off with {org}"),
              ("email", "Intro e-mail to {first}"), ("todo", "Qualify budget and timeline"))
FOLLOW_UPS = ("Check in with {first} after the webinar", "Ask {first} for a referral",
              "Congratulate {first} on the new role", "Invite {first} to the customer day")


@dataclass
class PlannedActivity:
    board: Board
    author: Account
    values: dict[str, Any]
    done: bool = False


def plan_activities(rng: random.Random, team: Team, deals: list[PlannedDeal], board: Board,
                    directory: Directory, today: date) -> list[PlannedActivity]:
    """A next step on every open deal, done history on many, colleagues pulled in on the biggest,
    and for each seller one contact follow-up overdue, one due today and one upcoming."""
    planned = []
    for deal in deals:
        words = {"first": deal.contact["first_name"] or deal.contact["name"], "org": deal.organisation["name"]}
        link = {"card": deal.id, "contact": deal.contact["id"]}
        if deal.is_open:
            kind, title = rng.choice(NEXT_STEPS)
            due = today + timedelta(days=rng.choice((-8, -3, -1, 0, 0, 1, 2, 3, 4, 6, 9, 13, 19, 27)))
            planned.append(PlannedActivity(deal.board, deal.owner, {
                "type": kind, "title": title.format(**words), "assignee": deal.owner.id,
                "due": _when(due, kind, rng), **link}))
        if deal.path and rng.random() < 0.7:
            kind, title = rng.choice(DONE_STEPS)
            due = today - timedelta(days=rng.randint(3, 40))
            planned.append(PlannedActivity(deal.board, deal.owner, {
                "type": kind, "title": title.format(**words), "assignee": deal.owner.id, "due": _when(due, kind, rng),
                **link}, done=True))
        if deal.is_open and deal.value >= 40_000:
            colleague = rng.choice([s for s in team.sellers if s is not deal.owner])
            planned.append(PlannedActivity(deal.board, deal.owner, {
                "type": "todo", "title": f"Review the discount request for {deal.organisation['name']}",
                "assignee": colleague.id, "due": (today + timedelta(days=rng.randint(-2, 6))).isoformat(),
                "note": f"{deal.owner.name} asks for a second pair of eyes before sending the offer.", **link}))
    for seller in team.sellers:
        for offset in (-rng.randint(1, 6), 0, rng.randint(2, 14)):
            contact = rng.choice(directory.contacts)
            planned.append(PlannedActivity(board, seller, {
                "type": "call", "title": rng.choice(FOLLOW_UPS).format(first=contact["first_name"]),
                "assignee": seller.id, "due": (today + timedelta(days=offset)).isoformat(),
                "contact": contact["id"]}))
    return planned


def _when(day: date, kind: str, rng: random.Random) -> str:
    """Meetings have a time (UTC); everything else is due on a day."""
    if kind != "meeting":
        return day.isoformat()
    return f"{day.isoformat()}T{rng.choice((9, 10, 11, 14, 15, 16)):02d}:{rng.choice((0, 30)):02d}:00.000Z"


async def make_activities(api: Api, planned: list[PlannedActivity]) -> None:
    """Add each activity; the done ones are completed afterwards, as someone ticking them off."""
    for activity in planned:
        made = await api.post(activity.author, f"/api/boards/{activity.board.id}/activities", activity.values)
        if activity.done:
            await api.call(activity.author, "PATCH", f"/api/boards/{activity.board.id}/activities/{made['id']}",
                           json={"done": True})


# --- notes ---------------------------------------------------------------------------------------

DEAL_NOTES = (
    ("Discovery call – {org}",
     "Spoke with {first} for forty minutes. They run {size} vehicles out of two depots and plan routes in "
     "spreadsheets every morning; dispatch starts at 5:30 and the plan is rarely final before 7.\n\n"
     "Pain points: late deliveries in the afternoon wave, no live view of where drivers are, and a customer "
     "service team that answers \"where is my order?\" by phone all day.\n\n"
     "Next: a tailored demo with their operations lead, then a two-week pilot on one depot. {first} will send "
     "last month's delivery data so we can show their own routes."),
    ("Negotiation – where we stand",
     "Procurement pushed back on the per-seat price and asked for a three-year term with a fixed rate. "
     "We can offer 8% for multi-year if they sign before the quarter closes.\n\n"
     "Legal redlines are limited to the liability cap and data residency (they want EU hosting); both are "
     "standard for us.\n\n"
     "Risk: their CFO joins the final call and has a competing quote from Globex. {first} is our champion and "
     "will share the internal business case with us beforehand."),
    ("Why we lost {org}",
     "{first} told us the decision went to a cheaper tool that covers route planning only. Our analytics and "
     "driver app were seen as nice-to-have this year.\n\n"
     "What to do differently: bring the operations lead in earlier and quantify the cost of late deliveries "
     "with their own numbers, not industry averages.\n\n"
     "Keep in touch: their contract with the other vendor is for one year. Set a reminder for the renewal window."),
)
CONTACT_NOTES = (
    ("Met {first} at LogiTech Summit",
     "{first} came by the booth after the fleet electrification panel. {org} is replacing its telematics "
     "provider next year and wants one system for routing and compliance.\n\n"
     "Personal: runs marathons, was in Lisbon for the conference, prefers e-mail over calls before noon.\n\n"
     "Agreed to send the case study and a short video of the driver app."),
    ("Background on {first}",
     "{first} joined {org} in spring from a competitor of theirs and is rebuilding the operations team. "
     "Budget owner for tooling up to about 50k a year; above that the COO signs.\n\n"
     "Good relationship with our support team from their previous company, where they used us for three years."),
)
ORGANISATION_NOTE = (
    "Account plan {year}",
    "{org} is one of our reference customers: renewal due later this year, expansion possible in the "
    "warehouse team.\n\n"
    "Goals: keep the renewal at the same price, add the analytics add-on, and get a quote for the case "
    "study page.\n\n"
    "Relationships: {first} (champion) and the finance director, whom we have not met yet. Plan a QBR "
    "next month.",
)


async def write_notes(api: Api, rng: random.Random, team: Team, deals: list[PlannedDeal], board: Board,
                      directory: Directory, today: date) -> list[str]:
    """Notes on a few deals, contacts and an organisation; two get a colleague's addition later."""
    notes = []

    async def note(who: Account, on: Board, kind: str, subject: str, template: tuple[str, str],
                   words: dict[str, Any]) -> str:
        title, text = (part.format(**words) for part in template)
        made = await api.post(who, "/api/notes", {"subject_kind": kind, "subject_id": subject, "board": on.id,
                                                  "title": title, "text": text})
        notes.append(made["id"])
        return made["id"]

    def words(contact: dict[str, Any], organisation: dict[str, Any] | None) -> dict[str, Any]:
        return {"first": contact["first_name"], "org": organisation["name"] if organisation else "their company",
                "size": rng.choice((40, 65, 120, 240)), "year": today.year}

    open_deals = sorted((d for d in deals if d.is_open and d.path), key=lambda d: -d.value)
    lost_deals = [d for d in deals if d.outcome == "lost"]
    chosen = [(open_deals[0], DEAL_NOTES[1]), (open_deals[1], DEAL_NOTES[1]), (open_deals[2], DEAL_NOTES[0]),
              (open_deals[-1], DEAL_NOTES[0]), (lost_deals[0], DEAL_NOTES[2])]
    for deal, template in chosen:
        made = await note(deal.owner, deal.board, "deal", deal.id, template, words(deal.contact, deal.organisation))
        if template is DEAL_NOTES[1]:
            helper = team.admin if deal.owner is not team.admin else team.owner
            await api.post(helper, f"/api/notes/{made}/text", {
                "text": f"{helper.name}: approved the multi-year discount up to 10%. Don't go lower without "
                        f"talking to me first."})
    for contact, template in zip(rng.sample([c for c in directory.contacts if c["organisation"]], 3),
                                 (*CONTACT_NOTES, CONTACT_NOTES[0])):
        organisation = directory.organisations[contact["organisation"]["name"]]
        await note(rng.choice(team.sellers), board, "contact", contact["id"], template, words(contact, organisation))
    customers = [o for o in directory.organisations.values() if "customer" in o["labels"] and directory.people_at(o)]
    organisation = rng.choice(customers)
    await note(team.owner, board, "organisation", organisation["id"], ORGANISATION_NOTE,
               words(directory.people_at(organisation)[0], organisation))
    return notes


# --- the project board and the guest -------------------------------------------------------------

WORK_ITEMS = (  # title, description, who (index into sellers, or "guest"), days from today, column
    ("Sign the referral agreement", "Commission 15% of first-year value; legal has approved.", 0, -12, 2),
    ("Partner portal access for Brightlane", "Five consultant logins, read-only on pricing.", 1, -5, 2),
    ("Train Brightlane consultants on the driver app", "Two sessions, recorded.", "guest", 3, 1),
    ("Draft the joint case study", "Customer: a mid-size freight company they implemented last year.",
     "guest", 9, 1),
    ("Price list for the partner tier", "Discount bands by annual volume.", 1, -1, 1),
    ("Co-marketing webinar: smarter routing", "Brightlane presents, we demo. Target 150 sign-ups.", 2, 21, 0),
    ("Landing page for the webinar", "", 3, 14, 0),
    ("Shared Slack channel", "", "guest", -20, 2),
    ("Joint target account list", "Twenty accounts we both know.", 0, 5, 0),
    ("Implementation checklist v1", "What Brightlane does in the first 30 days of a rollout.", "guest", 0, 1),
    ("Quarterly partner review", "", 0, 35, 0),
)
GUEST_ITEMS = (("Brightlane logo and boilerplate for the website", 4), ("Book a room for the training", 2))
ITEM_STATUS = ("todo", "doing", "done")


async def run_project(api: Api, team: Team, board: Board, today: date) -> Counter:
    """The admin shares the project board (edit) with the guest, plans the work with the team, and
    the guest adds and starts work of their own. Answers how many items each person was given."""
    await api.post(team.admin, f"/api/boards/{board.id}/shares", {"email": team.guest.email, "access": "edit"})
    assigned: Counter = Counter()
    for title, description, who, days, column in WORK_ITEMS:
        assignee = team.guest if who == "guest" else team.sellers[who]
        values = {"title": title, "assignee": assignee.id, "due": (today + timedelta(days=days)).isoformat(),
                  "stage": str(board.stages[column].id), "status": ITEM_STATUS[column]}
        await api.post(team.admin, f"/api/boards/{board.id}/cards", {**values, "description": description or None})
        assigned[assignee.id] += 1
    for title, days in GUEST_ITEMS:
        item = await api.post(team.guest, f"/api/boards/{board.id}/cards", {
            "title": title, "assignee": team.guest.id, "due": (today + timedelta(days=days)).isoformat()})
        assigned[team.guest.id] += 1
    await api.post(team.guest, f"/api/boards/{board.id}/cards/{item['id']}/move", {"stage": str(board.stages[1].id)})
    await api.call(team.guest, "PATCH", f"/api/boards/{board.id}/cards/{item['id']}", json={"status": "doing"})
    return assigned


# --- the summary ---------------------------------------------------------------------------------

@dataclass
class Summary:
    workspace: str
    team: Team
    organisations: int
    contacts: int
    stages: dict[str, Counter]  # board name → stage name → deals
    stage_order: dict[str, list[str]]
    tasks: dict[str, Counter]  # e-mail → bucket → open tasks (and "done")
    notes: int = 0
    work_items: int = 0
    duplicates: int = 0
    seed: int = DEFAULT_SEED
    password: str = DEFAULT_PASSWORD
    calls: int = 0
    seconds: float = 0.0

    def text(self, settings: Settings) -> str:
        url = f"http://{settings.host}:{settings.port}"
        width = max(len(a.email) for a in self.team.everyone())
        lines = [f"Seeded the demo workspace {WORKSPACE!r} (seed {self.seed}) in {self.seconds:.1f} s "
                 f"with {self.calls} API calls.", "",
                 f"See it: scripts/serve, then open {url} and sign in as {self.team.owner.email} / password "
                 f"{self.password}", "", "People (one password for all):"]
        for account in self.team.everyone():
            role = account.person.role if account.person.role != "guest" else f"guest, edits {PROJECT!r}"
            lines.append(f"  {account.email:<{width}}  {account.name:<14} {role}")
        lines += ["", "Made:", f"  {self.organisations} organisations, {self.contacts} contacts "
                               f"({self.duplicates} likely duplicates to merge), {len(SEGMENTS)} saved segments"]
        for board, counts in self.stages.items():
            spread = ", ".join(f"{name} {counts[name]}" for name in self.stage_order[board])
            lines.append(f"  {board}: {sum(counts.values())} deals ({spread})")
        lines.append(f"  {PROJECT}: {self.work_items} work items, shared with the guest")
        for account in self.team.everyone():
            counts = self.tasks.get(account.email)
            if counts and sum(counts.values()):
                lines.append(f"  tasks of {account.name}: {counts['overdue']} overdue, {counts['today']} today, "
                             f"{counts['upcoming']} upcoming, {counts['done']} done")
        lines.append(f"  {self.notes} notes")
        return "\n".join(lines)


async def summarise(api: Api, team: Team, workspace: str, pipelines: list[Board], made: int, assigned: Counter,
                    today: date) -> Summary:
    """Count what the API now answers, once the projection has caught up with every edit (the
    ``made`` deals, and the tasks ``assigned`` to each user id)."""
    deals = await api.until(lambda d: len(d) >= made, team.owner, f"/api/workspaces/{workspace}/deals",
                            params={"limit": 5000})
    stages: dict[str, Counter] = {b.name: Counter() for b in pipelines}
    for deal in deals:
        stages[deal["board_name"]][deal["stage_name"]] += 1
    tasks: dict[str, Counter] = {}
    for account in team.everyone():
        mine = await api.until(lambda tasks: _total(tasks) >= assigned[account.id], account, "/api/me/tasks",
                               params={"scope": "all", "today": today.isoformat()})
        counts: Counter = Counter()
        for bucket in ("overdue", "today", "upcoming", "unscheduled"):
            for task in mine[bucket]:
                counts["done" if task["done"] else bucket] += 1
        tasks[account.email] = counts
    organisations = await api.all_pages(team.owner, f"/api/workspaces/{workspace}/organisations")
    contacts = await api.all_pages(team.owner, f"/api/workspaces/{workspace}/contacts")
    return Summary(workspace, team, len(organisations), len(contacts), stages,
                   {b.name: [s.name for s in b.stages] for b in pipelines}, tasks)


def _total(tasks: dict[str, Any]) -> int:
    return sum(len(v) for v in tasks.values() if isinstance(v, list))


# --- the demo's address book (pure: a seeded random generator in, records out) -------------------

FIRST_NAMES = (
    "Aisha", "Alex", "Amara", "Andrea", "Anna", "Ben", "Camille", "Carlos", "Chen", "Chloe", "Daniel", "Dana",
    "Elena", "Emeka", "Emma", "Farah", "Felix", "Fiona", "Gabriel", "Grace", "Hana", "Hugo", "Ines", "Isaac",
    "Jakob", "James", "Jana", "Javier", "Julia", "Kai", "Kavya", "Kenji", "Laura", "Leon", "Lina", "Lucas",
    "Maya", "Mateo", "Mei", "Mila", "Nadia", "Noah", "Nora", "Oliver", "Omar", "Paula", "Rafael", "Rosa",
    "Ruth", "Samir", "Sara", "Sofia", "Tariq", "Theo", "Tomas", "Valentina", "Wei", "Yara", "Yusuf", "Zoe",
)
LAST_NAMES = (
    "Abbott", "Adeyemi", "Andersson", "Bauer", "Becker", "Bianchi", "Brennan", "Brooks", "Carvalho", "Castillo",
    "Choi", "Costa", "Dubois", "Dufresne", "Eriksen", "Fischer", "Fitzgerald", "Fontaine", "Garcia", "Green",
    "Haddad", "Hansen", "Hughes", "Ibrahim", "Ito", "Jansen", "Kaur", "Kim", "Kowalski", "Larsen", "Lindqvist",
    "Lopez", "Mahmoud", "Marino", "Martin", "Meyer", "Moreau", "Murphy", "Nakamura", "Novak", "Nowak",
    "Okonkwo", "Olsen", "Park", "Patel", "Petrov", "Quinn", "Reyes", "Rossi", "Sato", "Schmidt", "Shah",
    "Silva", "Singh", "Sullivan", "Tanaka", "Torres", "Van Dijk", "Vargas", "Walsh", "Weber", "Wright",
    "Yilmaz", "Zhang",
)
COMPANY_WORDS = (
    "Alder", "Aster", "Beacon", "Birchwood", "Brightwater", "Cedar", "Cobalt", "Copperleaf", "Crestline",
    "Delta", "Driftwood", "Ember", "Evergreen", "Fernhill", "Foxglove", "Glacier", "Granite", "Halcyon",
    "Harbor", "Harrow", "Highland", "Indigo", "Ironbark", "Jasper", "Juniper", "Kestrel", "Keystone",
    "Larkspur", "Lumen", "Marlow", "Meridian", "Millbrook", "Nimbus", "Oakridge", "Orchard", "Parallax",
    "Pinecrest", "Quarry", "Redwood", "Riverside", "Saltmarsh", "Silverline", "Summit", "Thistle",
    "Tidewater", "Trailhead", "Upland", "Vantage", "Verdant", "Westbrook", "Willow", "Windward", "Yardley",
    "Zephyr", "Atlas", "Bluepeak", "Canyon", "Falcon", "Greystone", "Lighthouse", "Northfield", "Sterling",
)
INDUSTRIES = {
    "Logistics": ("Logistics", "Freight", "Shipping", "Transport"), "Software": ("Software", "Labs", "Systems"),
    "Manufacturing": ("Manufacturing", "Industries", "Works"), "Healthcare": ("Health", "Medical", "Care"),
    "Retail": ("Retail", "Outfitters", "Goods"), "Finance": ("Capital", "Financial"),
    "Energy": ("Energy", "Power", "Renewables"), "Hospitality": ("Hotels", "Hospitality"),
    "Education": ("Learning", "Academy"), "Media": ("Media", "Studios"),
}
# City, region, country, postcode, phone pattern (# = a digit; numbers in ranges set aside for drama).
CITIES = (
    ("San Francisco", "CA", "United States", "94107", "+1 415 555 01##"),
    ("Austin", "TX", "United States", "78701", "+1 512 555 01##"),
    ("Chicago", "IL", "United States", "60607", "+1 312 555 01##"),
    ("Boston", "MA", "United States", "02110", "+1 617 555 01##"),
    ("Denver", "CO", "United States", "80202", "+1 303 555 01##"),
    ("Seattle", "WA", "United States", "98101", "+1 206 555 01##"),
    ("Toronto", "ON", "Canada", "M5V 2T6", "+1 416 555 01##"),
    ("London", "", "United Kingdom", "EC2A 4BX", "+44 20 7946 0###"),
    ("Manchester", "", "United Kingdom", "M1 2WD", "+44 161 496 0###"),
    ("Bristol", "", "United Kingdom", "BS1 4DJ", "+44 117 496 0###"),
    ("Berlin", "", "Germany", "10115", "+49 30 23125 ###"),
    ("Hamburg", "", "Germany", "20095", "+49 40 66969 ###"),
    ("Amsterdam", "", "Netherlands", "1017 CE", "+31 20 799 9###"),
    ("Paris", "", "France", "75002", "+33 1 99 00 ## ##"),
    ("Dublin", "", "Ireland", "D02 XY45", "+353 1 555 0###"),
    ("Sydney", "NSW", "Australia", "2000", "+61 2 5550 ####"),
)
STREETS = ("Market Street", "Harbour Road", "Mill Lane", "King Street", "Station Road", "Canal Street",
           "Elm Avenue", "Bridge Street", "Park Row", "Wharf Road", "Church Lane", "High Street")
SENIOR_TITLES = ("CEO", "COO", "CFO", "VP Operations", "VP Sales", "Head of Procurement", "Head of Logistics",
                 "Operations Director", "IT Director", "CTO")
TITLES = ("Operations Manager", "Fleet Manager", "Procurement Manager", "Dispatch Lead", "Finance Manager",
          "Logistics Coordinator", "Warehouse Manager", "Data Analyst", "Engineering Manager", "Product Manager",
          "Customer Service Lead", "Office Manager", "Buyer", "Solutions Architect", "Marketing Manager")
TECHNICAL = ("IT Director", "CTO", "Data Analyst", "Engineering Manager", "Solutions Architect")
CONTACTS = 300
ORGANISATIONS = 60
INDEPENDENTS = 8  # consultants without an organisation
TWINS = 2  # contacts entered twice


@dataclass
class Book:
    """The organisations and contacts to import, as CSV rows (``owner`` is a member's e-mail)."""

    organisations: list[dict[str, str]] = field(default_factory=list)
    contacts: list[dict[str, str]] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def make(cls, rng: random.Random, team: Team) -> Book:
        """Organisations first; then one senior contact at each, the rest spread unevenly (no two
        look-alike names at one organisation), a few independent consultants, and two twins."""
        book, owners, phones = cls(), [a.email for a in team.sellers], Phones(rng)
        book.organisations = [_organisation(rng, word, owners, phones)
                              for word in rng.sample(COMPANY_WORDS, ORGANISATIONS)]
        weights = [rng.choice((1, 2, 2, 3, 4, 6)) for _ in book.organisations]
        names = iter(_unique_names(rng, 2 * CONTACTS))
        at: dict[str, list[str]] = {o["name"]: [] for o in book.organisations}  # name keys per organisation
        employed = CONTACTS - INDEPENDENTS - TWINS
        while len(book.contacts) < employed:
            first, last = next(names)
            senior = len(book.contacts) < ORGANISATIONS
            organisation = book.organisations[len(book.contacts)] if senior else \
                rng.choices(book.organisations, weights)[0]
            key = name_key(first, last)
            if any(similar_names(key, other) for other in at[organisation["name"]]):
                continue
            at[organisation["name"]].append(key)
            book.contacts.append(_contact(rng, first, last, organisation, owners, phones, senior=senior))
        for _ in range(INDEPENDENTS):
            first, last = next(names)
            book.contacts.append(_contact(rng, first, last, None, owners, phones, senior=False))
        for original in rng.sample(book.contacts[ORGANISATIONS:employed], TWINS):
            # The same person entered a second time, from a business card: material for a merge.
            personal = f"{original['first_name']}.{original['last_name']}@mail.example".lower().replace(" ", "")
            twin = {**original, "emails": personal, "labels": "event", "lead_source": "Event", "job_title": ""}
            book.duplicates.append(twin)
            book.contacts.append(twin)
        return book

    def organisations_csv(self) -> str:
        return _csv(self.organisations)

    def contacts_csv(self) -> str:
        return _csv(self.contacts)


class Phones:
    """Phone numbers from each city's pattern, never the same one twice."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def __call__(self, pattern: str) -> str:
        while True:
            number = "".join(str(self._rng.randrange(10)) if ch == "#" else ch for ch in pattern)
            if number not in self._used:
                self._used.add(number)
                return number


def _organisation(rng: random.Random, word: str, owners: list[str], phones: Phones) -> dict[str, str]:
    industry = rng.choice(list(INDUSTRIES))
    name = f"{word} {rng.choice(INDUSTRIES[industry])}"
    city, region, country, postcode, phone = rng.choice(CITIES)
    size = rng.choice((12, 25, 40, 80, 150, 300, 650, 1200, 4000))
    labels = [rng.choice(("customer", "customer", "prospect", "prospect", "prospect", "partner"))]
    labels += ["enterprise"] if size >= 650 else ["smb"] if size <= 40 else []
    labels += ["churn risk"] if "customer" in labels and rng.random() < 0.15 else []
    return {"name": name, "website": f"https://www.{domain(name)}", "emails": f"hello@{domain(name)}",
            "phones": phones(phone), "owner": rng.choice(owners), "labels": "; ".join(labels),
            "street": f"{rng.randint(1, 240)} {rng.choice(STREETS)}", "city": city, "postcode": postcode,
            "region": region, "country": country, "industry": industry, "employees": str(size)}


def domain(organisation: str) -> str:
    """``Cobalt Freight`` → ``cobaltfreight.example`` (a reserved top-level domain: nobody's mail)."""
    return "".join(ch for ch in organisation.lower() if ch.isalnum()) + ".example"


def _unique_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    names: dict[tuple[str, str], None] = {}
    while len(names) < count:
        names[(rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))] = None
    return list(names)


def _contact(rng: random.Random, first: str, last: str, organisation: dict[str, str] | None, owners: list[str],
             phones: Phones, *, senior: bool) -> dict[str, str]:
    local = f"{first}.{last}".lower().replace(" ", "")
    if organisation is None:
        city = rng.choice(CITIES)
        mail, company, phone = f"{local}@{last.lower().replace(' ', '')}consulting.example", "", city[4]
        where = {"city": city[0], "region": city[1], "country": city[2]}
    else:
        mail, company = f"{local}@{domain(organisation['name'])}", organisation["name"]
        phone = next(c[4] for c in CITIES if c[0] == organisation["city"])
        where = {"city": organisation["city"], "region": organisation["region"], "country": organisation["country"]}
    title = rng.choice(SENIOR_TITLES) if senior or rng.random() < 0.2 else rng.choice(TITLES)
    if organisation is None:
        title = rng.choice(("Independent consultant", "Fractional COO", "Logistics advisor"))
    labels = ["decision maker"] if title in SENIOR_TITLES else []
    labels += ["technical"] if title in TECHNICAL else []
    labels += ["champion"] if rng.random() < 0.12 else []
    labels += ["newsletter"] if rng.random() < 0.35 else []
    owner = rng.choice(owners) if rng.random() < 0.9 else ""
    return {"first_name": first, "last_name": last, "emails": mail, "phones": phones(phone), "organisation": company,
            "job_title": title, "owner": owner, "labels": "; ".join(labels), "street": "", "postcode": "",
            **where, "lead_source": rng.choice(("Website", "Website", "Referral", "Event", "Outbound", "Partner"))}


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# --- the HTTP API, as a user's client calls it ---------------------------------------------------

class Api:
    """Calls through the in-process app with a person's bearer token; anything unexpected is a
    ``SeedError`` naming the call and the server's answer."""

    def __init__(self, client: AsyncTestClient) -> None:
        self._client = client
        self.calls = 0

    async def call(self, who: Account | None, method: str, path: str, *, expect: tuple[int, ...] = (200, 201, 204),
                   **kwargs: Any) -> Any:
        headers = {**kwargs.pop("headers", {}), **({"Authorization": f"Bearer {who.token}"} if who else {})}
        response = await self._client.request(method, path, headers=headers, **kwargs)
        self._client.cookies.clear()  # sign-up sets session cookies; every call here carries its own token
        self.calls += 1
        if response.status_code not in expect:
            raise SeedError(f"{method} {path} answered {response.status_code}: {response.text[:500]}")
        return response.json() if response.content else None

    async def get(self, who: Account, path: str, **kwargs: Any) -> Any:
        return await self.call(who, "GET", path, **kwargs)

    async def post(self, who: Account, path: str, body: dict[str, Any], *,
                   expect: tuple[int, ...] = (200, 201, 204)) -> Any:
        return await self.call(who, "POST", path, json=body, expect=expect)

    async def raw(self, who: Account, path: str) -> bytes:
        response = await self._client.get(path, headers={"Authorization": f"Bearer {who.token}"})
        self.calls += 1
        if response.status_code != 200:
            raise SeedError(f"GET {path} answered {response.status_code}: {response.text[:500]}")
        return response.content

    async def sign_up(self, person: Person, address: str, password: str) -> Account | None:
        """The new account, or None if one exists for ``address``."""
        body = await self.call(None, "POST", "/api/auth/signup", json={
            "email": address, "password": password, "name": person.name}, expect=(201, 409))
        if "token" not in body:
            return None
        return Account(person, body["user"]["email"], body["user"]["id"], body["token"])

    async def all_pages(self, who: Account, path: str) -> list[dict[str, Any]]:
        items, offset = [], 0
        while offset is not None:
            page = await self.get(who, path, params={"limit": 200, "offset": offset})
            items += page["items"]
            offset = page["next_offset"]
        return items

    async def until(self, done: Callable[[Any], bool], who: Account, path: str, timeout: float = 15.0,
                    **kwargs: Any) -> Any:
        """``GET path`` until ``done(answer)``: reads follow edits through the projection (~0.1 s)."""
        deadline = time.monotonic() + timeout
        while True:
            answer = await self.get(who, path, **kwargs)
            if done(answer) or time.monotonic() > deadline:
                return answer
            await asyncio.sleep(0.05)
