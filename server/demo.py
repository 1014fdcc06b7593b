"""``python -m server seed-demo``: fill a realistic demo workspace, so a first-time user sees a living CRM.

Everything goes through the real HTTP API. With ``--url`` it is a running server's (its address is
the one printed); without, it is an app of this process (``create_app(settings)`` under
``httpx.ASGITransport``: its lifespan starts the database — embedded Postgres unless
``DATABASE_URL`` — and applies migrations). Every request is an ordinary API call with a bearer
token, so every rule users meet applies to the demo too: access and roles, validation, board
documents seeded once, edits made in the live documents and projected into SQL. Independent calls
(deals, activities, notes, work items) run a few at a time, as a team would make them.

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

``--locale de`` makes the same in German (``server/demo_words.py``): *Nordwind Vertrieb*, GmbHs and
AGs in German cities with +49 numbers, people with umlauts, German stage names, tasks and notes, and
pipelines in euros.

The same ``--seed`` makes the same names, values and plan (dates are relative to today; ids are
the server's; the order of cards within a column follows the order the calls were answered). A
second run refuses, because the owner's account exists (exit 2), unless ``--force-new`` picks
fresh e-mails (``owner-2@…``). What cannot be made through the API is left alone: every deal was
last moved now, so none is rotting yet.

Sign-ups are throttled per address (``TANDEM_SIGN_UPS_PER_ADDRESS``). A run signs up six people
(and tries one more e-mail per earlier demo with ``--force-new``). The app of this process is
reached only by this command, from an address no client has (``seed-demo``), so its own sign-up
limit is lifted; a running server's is not: when it asks to wait (429, ``Retry-After``), the demo
waits and says so.
"""

from __future__ import annotations

import asyncio
import csv
import http.cookiejar
import io
import random
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, TextIO, TypeVar

import httpx
import msgspec
from pycrdt import Doc, Map

from server.demo_words import ENGLISH, LOCALES, City, Person, Words, ascii_local
from server.documents.read import read_board
from server.domain.crm import StageKind
from server.domain.duplicates import name_key, similar_names
from server.settings import Settings

DEFAULT_SEED = 7
DEFAULT_PASSWORD = "tandem-demo-2026"
DOMAIN = "demo.tandem.test"
WORKSPACE = ENGLISH.workspace
PROJECT = ENGLISH.project
EXIT_EXISTS = 2
PARALLEL = 6  # API calls in flight at once
CLIENT = "seed-demo"  # the address the in-process app sees
LONGEST_WAIT = 180.0  # seconds the demo waits in all for a throttled server before giving up

__all__ = ["DEFAULT_PASSWORD", "DEFAULT_SEED", "LOCALES", "PROJECT", "WORKSPACE", "Person", "run", "seed_demo"]


class SeedError(Exception):
    """The demo could not be made; the message says why."""


class AlreadySeeded(SeedError):
    """The owner's account exists: the demo was seeded into this database before."""


# --- the command ---------------------------------------------------------------------------------

async def run(settings: Settings, *, seed: int = DEFAULT_SEED, password: str = DEFAULT_PASSWORD,
              force_new: bool = False, url: str | None = None, locale: str = "en", out: TextIO | None = None) -> int:
    """Seed, print the summary, and answer the exit code (0; 2 when the demo exists; 1 on failure)."""
    out = out or sys.stdout
    try:
        summary = await seed_demo(settings, seed=seed, password=password, force_new=force_new, url=url,
                                  locale=locale)
    except AlreadySeeded as exc:
        print(exc, file=sys.stderr)
        return EXIT_EXISTS
    except SeedError as exc:
        print(f"seed-demo failed: {exc}", file=sys.stderr)
        return 1
    print(summary.text(), file=out)
    return 0


async def seed_demo(settings: Settings, *, seed: int = DEFAULT_SEED, password: str = DEFAULT_PASSWORD,
                    force_new: bool = False, url: str | None = None, locale: str = "en") -> Summary:
    """Make the demo workspace through the HTTP API (of the server at ``url``, or of an app in this
    process); answer what was made."""
    words = LOCALES.get(locale)
    if words is None:
        raise SeedError(f"expected a locale of {', '.join(sorted(LOCALES))}, got {locale!r}")
    started = time.monotonic()
    today = datetime.now(timezone.utc).date()
    async with api_client(settings, url) as api:
        team = await sign_up_team(api, words, password, force_new)
        workspace = await create_workspace(api, words, team)
        book = Book.make(random.Random(f"{seed}:book"), team, words)
        await import_book(api, words, team, workspace, book)
        directory = await read_directory(api, team, workspace)
        await type_in_twins(api, team, workspace, book, directory)
        pipelines = list(await gather(create_board(api, words, team.owner, workspace, name, "pipeline")
                                      for name in words.pipelines))
        plans = [plan_deals(random.Random(f"{seed}:{board.name}"), words, board, index == 1, team, directory, today)
                 for index, board in enumerate(pipelines)]
        deals = await make_deals(api, [deal for plan in plans for deal in plan])
        activities = plan_activities(random.Random(f"{seed}:activities"), words, team, deals, pipelines[0],
                                     directory, today)
        await make_activities(api, activities)
        notes = await write_notes(api, random.Random(f"{seed}:notes"), words, team, deals, pipelines[0], directory,
                                  today)
        project = await create_board(api, words, team.admin, workspace, words.project, "project")
        work_items = await run_project(api, words, team, project, today)
        assigned = Counter(a.values["assignee"] for a in activities) + work_items
        summary = await summarise(api, words, team, workspace, pipelines, len(deals), assigned, today)
    # Leaving the in-process app ran its shutdown: everything is committed and projected.
    return replace(summary, notes=len(notes), work_items=work_items.total(), duplicates=len(book.duplicates),
                   seed=seed, password=password, calls=api.calls, seconds=time.monotonic() - started,
                   url=url.rstrip("/") if url else browser_url(settings), running=url is not None)


def browser_url(settings: Settings) -> str:
    """Where a browser on this machine reaches ``scripts/serve`` with these settings (HOST, PORT)."""
    host = settings.host
    if host in ("0.0.0.0", "", "::", "[::]"):
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"


T = TypeVar("T")


async def gather(calls: Iterable[Awaitable[T]]) -> list[T]:
    """Await ``calls`` together (``Api`` keeps at most ``PARALLEL`` requests in flight), in order."""
    return list(await asyncio.gather(*calls))


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
    members: list[Account]  # owner first, as Words.people lists them
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


async def sign_up_team(api: Api, words: Words, password: str, force_new: bool) -> Team:
    """Sign everyone up. The owner comes first: an existing owner account means the demo exists."""
    suffix, first = "", words.people[0]
    while True:
        owner = await api.sign_up(first, email(first, suffix), password)
        if owner is not None:
            break
        if not force_new:
            raise AlreadySeeded(
                f"{email(first, suffix)} already has an account: the demo was seeded into this database "
                f"before. Sign in with it, or run `python -m server seed-demo --force-new` to seed another "
                f"workspace with fresh e-mails.")
        suffix = f"-{int(suffix[1:] or 1) + 1}"
    others = (*words.people[1:], words.guest)
    accounts = [owner, *await gather(api.sign_up(person, email(person, suffix), password) for person in others)]
    for person, account in zip(others, accounts[1:]):
        if account is None:
            raise SeedError(f"{email(person, suffix)} already has an account; try --force-new")
    if words.locale != "en":  # a German team's app speaks German in any browser they sign in from
        await gather(api.call(account, "PATCH", "/api/me", json={"locale": words.locale}) for account in accounts)
    return Team(accounts[:-1], accounts[-1])


def email(person: Person, suffix: str = "") -> str:
    return f"{person.local}{suffix}@{DOMAIN}"


async def create_workspace(api: Api, words: Words, team: Team) -> str:
    """The owner's workspace, in the locale's currency; everyone else but the guest joins through an
    invitation."""
    workspace = (await api.post(team.owner, "/api/workspaces", {"name": words.workspace,
                                                                 "currency": words.currency}))["id"]

    async def join(account: Account) -> None:
        invitation = await api.post(team.owner, f"/api/workspaces/{workspace}/invitations",
                                    {"email": account.email, "role": account.person.role})
        await api.post(account, "/api/invitations/accept", {"token": invitation["token"]})

    await gather(join(account) for account in team.members[1:])
    return workspace


# --- organisations and contacts ------------------------------------------------------------------

async def import_book(api: Api, words: Words, team: Team, workspace: str, book: Book) -> None:
    """Custom fields (the admin defines them, in order), then both CSV files (the owner imports them)."""
    for definition in words.custom_fields:
        await api.post(team.admin, f"/api/workspaces/{workspace}/custom-fields", definition)
    for kind, text in (("organisations", book.organisations_csv()), ("contacts", book.contacts_csv())):
        report = await api.call(team.owner, "POST", f"/api/workspaces/{workspace}/import/{kind}",
                                content=text.encode(), headers={"content-type": "text/csv; charset=utf-8"},
                                expect=(200, 422))
        if not report["imported"]:
            raise SeedError(f"the {kind} import was refused: {report['problems'][:3]}")
    for segment in words.segments:
        await api.post(team.owner, f"/api/workspaces/{workspace}/segments", segment)


async def type_in_twins(api: Api, team: Team, workspace: str, book: Book, directory: Directory) -> None:
    """The owner types in the people of two business cards, who are already in the address book
    under their work e-mail: two likely duplicates (``GET …/contacts/duplicates``)."""
    ids = {a.email: a.id for a in team.members}
    for twin in book.duplicates:
        organisation = directory.organisations.get(twin["organisation"])
        await api.post(team.owner, f"/api/workspaces/{workspace}/contacts", {
            "first_name": twin["first_name"], "last_name": twin["last_name"], "emails": [twin["emails"]],
            "phones": [twin["phones"]], "organisation_id": organisation["id"] if organisation else None,
            "owner_id": ids.get(twin["owner"]), "labels": [twin["labels"]],
            "address": {"city": twin["city"], "region": twin["region"], "country": twin["country"]},
            "fields": {"lead_source": twin["lead_source"]}})


@dataclass
class Directory:
    """The imported records as the API answers them: organisations by name, contacts by organisation."""

    organisations: dict[str, dict[str, Any]]
    contacts: list[dict[str, Any]]

    def people_at(self, organisation: dict[str, Any]) -> list[dict[str, Any]]:
        return [c for c in self.contacts if c["organisation"] and c["organisation"]["id"] == organisation["id"]]


async def read_directory(api: Api, team: Team, workspace: str) -> Directory:
    organisations, contacts = await gather(api.all_pages(team.owner, f"/api/workspaces/{workspace}/{kind}")
                                           for kind in ("organisations", "contacts"))
    return Directory({o["name"]: o for o in organisations}, contacts)


# --- boards --------------------------------------------------------------------------------------

@dataclass
class Board:
    id: str
    name: str
    kind: str
    stages: list[Any]  # server.domain.crm.Stage, in board order

    def open_stages(self) -> list[Any]:
        return [s for s in self.stages if s.kind is StageKind.OPEN]


async def create_board(api: Api, words: Words, who: Account, workspace: str, name: str, kind: str) -> Board:
    """A new board (pipelines in the locale's currency); its seeded stages are read back from its
    document (``GET /api/documents/…``) and, where the locale names them, renamed by a Yjs update
    (``POST /api/documents/…/updates``), as the web app's stage editor does."""
    body = {"name": name, "kind": kind, **({"currency": words.currency} if kind == "pipeline" else {})}
    board = await api.post(who, f"/api/workspaces/{workspace}/boards", body)
    path = f"/api/documents/{board['document']}"
    doc = Doc()
    doc.apply_update(await api.raw(who, path))
    names = words.pipeline_stages if kind == "pipeline" else words.project_stages
    if names:
        stages = read_board(doc, kind).ordered_stages()
        before = doc.get_state()
        root = doc.get("stages", type=Map)
        with doc.transaction():
            for stage, new_name in zip(stages, names):
                root[str(stage.id)]["name"] = new_name
        await api.call(who, "POST", f"{path}/updates", content=doc.get_update(before),
                       headers={"content-type": "application/octet-stream"})
    return Board(board["id"], name, kind, read_board(doc, kind).ordered_stages())


# --- deals ---------------------------------------------------------------------------------------

# How many deals end in each open stage (in board order), and how many are won and lost:
# new business, then renewals.
DEALS_PER_STAGE = (((14, 12, 10, 7), 12, 9), ((5, 6, 6, 5), 14, 4))
SEATS = (10, 15, 25, 40, 60, 80, 120, 200, 350)


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


def plan_deals(rng: random.Random, words: Words, board: Board, renewals: bool, team: Team, directory: Directory,
               today: date) -> list[PlannedDeal]:
    """Deals ending in every stage: open ones spread along the pipeline, some won, some lost.
    New business goes to prospects, owned by anyone; renewals to customers, owned by their account owner."""
    spread, won, lost = DEALS_PER_STAGE[renewals]
    open_stages = board.open_stages()
    endings: list[tuple[int, str | None]] = []
    for index in range(len(open_stages)):
        endings += [(index, None)] * (spread[index] if index < len(spread) else 3)
    endings += [(len(open_stages) - rng.choice((1, 1, 2)), "won") for _ in range(won)]
    endings += [(rng.randrange(len(open_stages)), "lost") for _ in range(lost)]
    customer = words.label("customer")
    candidates = [o for o in directory.organisations.values() if directory.people_at(o)
                  and (customer in o["labels"]) == renewals] or list(directory.organisations.values())
    plans = []
    for reached, outcome in endings:
        organisation = rng.choice(candidates)
        contact = rng.choice(directory.people_at(organisation))
        product, price = rng.choice(words.products)
        seats = rng.choice(SEATS)
        value = round(seats * price * (0.9 if renewals else 1.0) / 100) * 100
        if outcome is None:
            close = today + timedelta(days=rng.randint(7, 30) + rng.randint(0, 120 - 25 * min(reached, 3)))
        else:
            close = today - timedelta(days=rng.randint(2, 75))
        template = words.renewal_title if renewals else words.deal_title
        title = template.format(org=organisation["name"], product=product, seats=seats, year=close.year)
        owner = rng.choice(team.sellers)
        if renewals:
            owner = next((a for a in team.sellers if a.id == organisation["owner_id"]), owner)
        plans.append(PlannedDeal(
            board, owner, title, float(value), organisation, contact, close,
            rng.sample(words.deal_labels, rng.choice((0, 1, 1, 2))), open_stages[1:reached + 1], outcome,
            rng.choice(words.lost_reasons) if outcome == "lost" else None))
    return plans


async def make_deals(api: Api, plans: list[PlannedDeal]) -> list[PlannedDeal]:
    """Each deal is created by its owner in the first stage, moved along, then won or lost; deals
    are made side by side, each one's steps in order."""
    async def make(deal: PlannedDeal) -> None:
        board = deal.board.id
        card = await api.post(deal.owner, f"/api/boards/{board}/cards", {
            "title": deal.title, "value": deal.value, "owner": deal.owner.id, "contact": deal.contact["id"],
            "organisation": deal.organisation["id"], "expected_close": deal.expected_close.isoformat(),
            "labels": deal.labels})
        deal.id = card["id"]
        for stage in deal.path:
            await api.post(deal.owner, f"/api/boards/{board}/cards/{deal.id}/move", {"stage": str(stage.id)})
        if deal.outcome:
            await api.post(deal.owner, f"/api/boards/{board}/cards/{deal.id}/status",
                           {"status": deal.outcome, "lost_reason": deal.lost_reason})

    await gather(make(deal) for deal in plans)
    return plans


# --- activities and tasks ------------------------------------------------------------------------

@dataclass
class PlannedActivity:
    board: Board
    author: Account
    values: dict[str, Any]
    done: bool = False


def plan_activities(rng: random.Random, words: Words, team: Team, deals: list[PlannedDeal], board: Board,
                    directory: Directory, today: date) -> list[PlannedActivity]:
    """A next step on every open deal, done history on many, colleagues pulled in on the biggest,
    and for each seller one contact follow-up overdue, one due today and one upcoming."""
    planned = []
    for deal in deals:
        names = {"first": deal.contact["first_name"] or deal.contact["name"], "org": deal.organisation["name"]}
        link = {"card": deal.id, "contact": deal.contact["id"]}
        if deal.is_open:
            kind, title = rng.choice(words.next_steps)
            due = today + timedelta(days=rng.choice((-8, -3, -1, 0, 0, 1, 2, 3, 4, 6, 9, 13, 19, 27)))
            planned.append(PlannedActivity(deal.board, deal.owner, {
                "type": kind, "title": title.format(**names), "assignee": deal.owner.id,
                "due": _when(due, kind, rng), **link}))
        if deal.path and rng.random() < 0.7:
            kind, title = rng.choice(words.done_steps)
            due = today - timedelta(days=rng.randint(3, 40))
            planned.append(PlannedActivity(deal.board, deal.owner, {
                "type": kind, "title": title.format(**names), "assignee": deal.owner.id, "due": _when(due, kind, rng),
                **link}, done=True))
        if deal.is_open and deal.value >= 40_000:
            colleague = rng.choice([s for s in team.sellers if s is not deal.owner])
            planned.append(PlannedActivity(deal.board, deal.owner, {
                "type": "todo", "title": words.review_title.format(org=deal.organisation["name"]),
                "assignee": colleague.id, "due": (today + timedelta(days=rng.randint(-2, 6))).isoformat(),
                "note": words.review_note.format(owner=deal.owner.name), **link}))
    for seller in team.sellers:
        for offset in (-rng.randint(1, 6), 0, rng.randint(2, 14)):
            contact = rng.choice(directory.contacts)
            planned.append(PlannedActivity(board, seller, {
                "type": "call", "title": rng.choice(words.follow_ups).format(first=contact["first_name"]),
                "assignee": seller.id, "due": (today + timedelta(days=offset)).isoformat(),
                "contact": contact["id"]}))
    return planned


def _when(day: date, kind: str, rng: random.Random) -> str:
    """Meetings have a time (UTC); everything else is due on a day."""
    if kind != "meeting":
        return day.isoformat()
    return f"{day.isoformat()}T{rng.choice((9, 10, 11, 14, 15, 16)):02d}:{rng.choice((0, 30)):02d}:00.000Z"


async def make_activities(api: Api, planned: list[PlannedActivity]) -> None:
    """Add each activity; the done ones are logged as done, as someone recording a call they had."""
    await gather(api.post(activity.author, f"/api/boards/{activity.board.id}/activities",
                          {**activity.values, **({"done": True} if activity.done else {})})
                 for activity in planned)


# --- notes ---------------------------------------------------------------------------------------

async def write_notes(api: Api, rng: random.Random, words: Words, team: Team, deals: list[PlannedDeal], board: Board,
                      directory: Directory, today: date) -> list[str]:
    """Notes on a few deals, contacts and an organisation; two get a colleague's addition later."""
    def values(contact: dict[str, Any], organisation: dict[str, Any] | None) -> dict[str, Any]:
        return {"first": contact["first_name"], "org": organisation["name"] if organisation else "",
                "size": rng.choice((40, 65, 120, 240)), "year": today.year}

    async def note(who: Account, on: Board, kind: str, subject: str, template: tuple[str, str],
                   words_in: dict[str, Any], addition: Account | None = None) -> str:
        title, text = (part.format(**words_in) for part in template)
        made = await api.post(who, "/api/notes", {"subject_kind": kind, "subject_id": subject, "board": on.id,
                                                  "title": title, "text": text})
        if addition is not None:
            await api.post(addition, f"/api/notes/{made['id']}/text",
                           {"text": words.approval.format(helper=addition.name)})
        return made["id"]

    discovery, negotiation, lost = words.deal_notes
    open_deals = sorted((d for d in deals if d.is_open and d.path), key=lambda d: -d.value)
    lost_deals = [d for d in deals if d.outcome == "lost"]
    chosen = [(open_deals[0], negotiation), (open_deals[1], negotiation), (open_deals[2], discovery),
              (open_deals[-1], discovery), (lost_deals[0], lost)]
    writes = []
    for deal, template in chosen:
        helper = None
        if template is negotiation:
            helper = team.admin if deal.owner is not team.admin else team.owner
        writes.append(note(deal.owner, deal.board, "deal", deal.id, template, values(deal.contact, deal.organisation),
                           helper))
    for contact, template in zip(rng.sample([c for c in directory.contacts if c["organisation"]], 3),
                                 (*words.contact_notes, words.contact_notes[0])):
        organisation = directory.organisations[contact["organisation"]["name"]]
        writes.append(note(rng.choice(team.sellers), board, "contact", contact["id"], template,
                           values(contact, organisation)))
    customer = words.label("customer")
    customers = [o for o in directory.organisations.values() if customer in o["labels"] and directory.people_at(o)]
    organisation = rng.choice(customers)
    writes.append(note(team.owner, board, "organisation", organisation["id"], words.organisation_note,
                       values(directory.people_at(organisation)[0], organisation)))
    return await gather(writes)


# --- the project board and the guest -------------------------------------------------------------

ITEM_STATUS = ("todo", "doing", "done")


async def run_project(api: Api, words: Words, team: Team, board: Board, today: date) -> Counter:
    """The admin shares the project board (edit) with the guest, plans the work with the team, and
    the guest adds and starts work of their own. Answers how many items each person was given."""
    await api.post(team.admin, f"/api/boards/{board.id}/shares", {"email": team.guest.email, "access": "edit"})
    assigned: Counter = Counter()
    planned = []
    for title, description, who, days, column in words.work_items:
        assignee = team.guest if who == "guest" else team.sellers[int(who)]  # type: ignore[call-overload]
        values = {"title": title, "assignee": assignee.id, "due": (today + timedelta(days=days)).isoformat(),
                  "stage": str(board.stages[column].id), "status": ITEM_STATUS[column]}
        planned.append(api.post(team.admin, f"/api/boards/{board.id}/cards",
                                {**values, "description": description or None}))
        assigned[assignee.id] += 1
    for title, days in words.guest_items:
        planned.append(api.post(team.guest, f"/api/boards/{board.id}/cards", {
            "title": title, "assignee": team.guest.id, "due": (today + timedelta(days=days)).isoformat()}))
        assigned[team.guest.id] += 1
    item = (await gather(planned))[-1]
    await api.post(team.guest, f"/api/boards/{board.id}/cards/{item['id']}/move", {"stage": str(board.stages[1].id)})
    await api.call(team.guest, "PATCH", f"/api/boards/{board.id}/cards/{item['id']}", json={"status": "doing"})
    return assigned


# --- the summary ---------------------------------------------------------------------------------

@dataclass
class Summary:
    words: Words
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
    url: str = ""  # where to open it
    running: bool = False  # the demo was made through a running server at ``url``

    def text(self) -> str:
        words = self.words
        width = max(len(a.email) for a in self.team.everyone())
        see = (f"See it: open {self.url}" if self.running else f"See it: scripts/serve, then open {self.url}")
        lines = [f"Seeded the demo workspace {words.workspace!r} (seed {self.seed}, locale {words.locale}) in "
                 f"{self.seconds:.1f} s with {self.calls} API calls.", "",
                 f"{see} and sign in as {self.team.owner.email} / password {self.password}", "",
                 "People (one password for all):"]
        for account in self.team.everyone():
            role = account.person.role if account.person.role != "guest" else f"guest, edits {words.project!r}"
            lines.append(f"  {account.email:<{width}}  {account.name:<14} {role}")
        lines += ["", "Made:", f"  {self.organisations} organisations, {self.contacts} contacts "
                               f"({self.duplicates} likely duplicates to merge), {len(words.segments)} saved segments"]
        for board, counts in self.stages.items():
            spread = ", ".join(f"{name} {counts[name]}" for name in self.stage_order[board])
            lines.append(f"  {board}: {sum(counts.values())} deals in {words.currency} ({spread})")
        lines.append(f"  {words.project}: {self.work_items} work items, shared with the guest")
        for account in self.team.everyone():
            counts = self.tasks.get(account.email)
            if counts and sum(counts.values()):
                lines.append(f"  tasks of {account.name}: {counts['overdue']} overdue, {counts['today']} today, "
                             f"{counts['upcoming']} upcoming, {counts['done']} done")
        lines.append(f"  {self.notes} notes")
        return "\n".join(lines)


async def summarise(api: Api, words: Words, team: Team, workspace: str, pipelines: list[Board], made: int,
                    assigned: Counter, today: date) -> Summary:
    """Count what the API now answers, once the projection has caught up with every edit (the
    ``made`` deals, and the tasks ``assigned`` to each user id)."""
    deals = await api.until(lambda d: len(d) >= made, team.owner, f"/api/workspaces/{workspace}/deals",
                            params={"limit": 5000})
    stages: dict[str, Counter] = {b.name: Counter() for b in pipelines}
    for deal in deals:
        stages[deal["board_name"]][deal["stage_name"]] += 1

    async def tasks_of(account: Account) -> Counter:
        mine = await api.until(lambda tasks: _total(tasks) >= assigned[account.id], account, "/api/me/tasks",
                               params={"scope": "all", "today": today.isoformat()})
        counts: Counter = Counter()
        for bucket in ("overdue", "today", "upcoming", "unscheduled"):
            for task in mine[bucket]:
                counts["done" if task["done"] else bucket] += 1
        return counts

    everyone = team.everyone()
    tasks = dict(zip((a.email for a in everyone), await gather(tasks_of(a) for a in everyone)))
    organisations, contacts = await gather(api.all_pages(team.owner, f"/api/workspaces/{workspace}/{kind}")
                                           for kind in ("organisations", "contacts"))
    return Summary(words, team, len(organisations), len(contacts), stages,
                   {b.name: [s.name for s in b.stages] for b in pipelines}, tasks)


def _total(tasks: dict[str, Any]) -> int:
    return sum(len(v) for v in tasks.values() if isinstance(v, list))


# --- the demo's address book (pure: a seeded random generator in, records out) -------------------

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
    def make(cls, rng: random.Random, team: Team, words: Words = ENGLISH) -> Book:
        """Organisations first; then one senior contact at each, the rest spread unevenly (no two
        look-alike names at one organisation), a few independent consultants, and two twins."""
        book, owners, phones = cls(), [a.email for a in team.sellers], Phones(rng)
        book.organisations = [_organisation(rng, words, word, owners, phones)
                              for word in rng.sample(words.company_words, ORGANISATIONS)]
        weights = [rng.choice((1, 2, 2, 3, 4, 6)) for _ in book.organisations]
        names = iter(_unique_names(rng, words, 2 * CONTACTS))
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
            book.contacts.append(_contact(rng, words, first, last, organisation, owners, phones, senior=senior))
        for _ in range(INDEPENDENTS):
            first, last = next(names)
            book.contacts.append(_contact(rng, words, first, last, None, owners, phones, senior=False))
        for original in rng.sample(book.contacts[ORGANISATIONS:employed], TWINS):
            # The same person typed in a second time, from a business card: material for a merge.
            # (Not in the CSV: the import would recognise them and skip them.)
            personal = f"{ascii_local(original['first_name'])}.{ascii_local(original['last_name'])}@mail.example"
            book.duplicates.append({**original, "emails": personal, "labels": words.label("event"),
                                    "lead_source": words.twin_lead_source, "job_title": ""})
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


def _organisation(rng: random.Random, words: Words, word: str, owners: list[str], phones: Phones) -> dict[str, str]:
    industry = rng.choice(list(words.industries))
    base = f"{word} {rng.choice(words.industries[industry])}"
    forms = words.legal_forms
    name = f"{base} {rng.choice(forms) if len(forms) > 1 else forms[0]}".strip()
    city = rng.choice(words.cities)
    size = rng.choice((12, 25, 40, 80, 150, 300, 650, 1200, 4000))
    roles = [rng.choice(("customer", "customer", "prospect", "prospect", "prospect", "partner"))]
    roles += ["enterprise"] if size >= 650 else ["smb"] if size <= 40 else []
    roles += ["churn risk"] if "customer" in roles and rng.random() < 0.15 else []
    street = words.street_format.format(number=rng.randint(1, 240), street=rng.choice(words.streets))
    return {"name": name, "website": f"https://www.{domain(base)}", "emails": f"{words.office_mailbox}@{domain(base)}",
            "phones": phones(city.phone), "owner": rng.choice(owners), "labels": words.labelled(*roles),
            "street": street, "city": city.name, "postcode": city.postcode,
            "region": city.region, "country": city.country, "industry": industry, "employees": str(size)}


def domain(organisation: str) -> str:
    """``Cobalt Freight`` → ``cobaltfreight.example``, ``Rhön Energie`` → ``rhoenenergie.example``
    (a name without its legal form; a reserved top-level domain: nobody's mail)."""
    return "".join(ch for ch in ascii_local(organisation) if ch.isalnum()) + ".example"


def _unique_names(rng: random.Random, words: Words, count: int) -> list[tuple[str, str]]:
    names: dict[tuple[str, str], None] = {}
    while len(names) < count:
        names[(rng.choice(words.first_names), rng.choice(words.last_names))] = None
    return list(names)


def _contact(rng: random.Random, words: Words, first: str, last: str, organisation: dict[str, str] | None,
             owners: list[str], phones: Phones, *, senior: bool) -> dict[str, str]:
    local = f"{ascii_local(first)}.{ascii_local(last)}"
    where: dict[str, str]
    if organisation is None:
        city: City = rng.choice(words.cities)
        mail, company, phone = f"{local}@{ascii_local(last)}{words.consulting}.example", "", city.phone
        where = {"city": city.name, "region": city.region, "country": city.country}
    else:
        mail = f"{local}@{organisation['emails'].split('@')[1]}"
        company = organisation["name"]
        phone = next(c.phone for c in words.cities if c.name == organisation["city"])
        where = {"city": organisation["city"], "region": organisation["region"], "country": organisation["country"]}
    title = rng.choice(words.senior_titles) if senior or rng.random() < 0.2 else rng.choice(words.titles)
    if organisation is None:
        title = rng.choice(words.independent_titles)
    roles = ["decision maker"] if title in words.senior_titles else []
    roles += ["technical"] if title in words.technical else []
    roles += ["champion"] if rng.random() < 0.12 else []
    roles += ["newsletter"] if rng.random() < 0.35 else []
    owner = rng.choice(owners) if rng.random() < 0.9 else ""
    return {"first_name": first, "last_name": last, "emails": mail, "phones": phones(phone), "organisation": company,
            "job_title": title, "owner": owner, "labels": words.labelled(*roles), "street": "", "postcode": "",
            **where, "lead_source": rng.choice(words.lead_sources)}


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# --- the HTTP API, as a user's client calls it ---------------------------------------------------

@asynccontextmanager
async def api_client(settings: Settings, url: str | None) -> AsyncIterator[Api]:
    """An ``Api`` on the server at ``url``, or on an app of this process that lives as long as the
    context (its shutdown, on leaving, waits for the projection to catch up)."""
    # No cookie jar: sign-up answers set session cookies; every call here carries its own token.
    jar = http.cookiejar.CookieJar(policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    limits = httpx.Limits(max_connections=PARALLEL)
    if url:
        async with httpx.AsyncClient(base_url=url.rstrip("/"), timeout=60, limits=limits, cookies=jar) as http_client:
            try:
                health = await http_client.get("/health")
            except httpx.TransportError as exc:
                raise SeedError(f"no server answers at {url} ({exc.__class__.__name__}: {exc}); start it with "
                                f"scripts/serve, or leave out --url to seed the database directly") from None
            if health.status_code != 200 or "status" not in health.text:
                raise SeedError(f"{url}/health answered {health.status_code}: is this a Tandem server?")
            yield Api(http_client)
        return
    from server.app import create_app  # the in-process path only

    # Reached only by this command, from an address no client has: lift the sign-up limit of this
    # app (a running server's own limit is untouched).
    private = msgspec.structs.replace(settings, sign_ups_per_address=max(settings.sign_ups_per_address, 1_000_000))
    app = create_app(private)
    failed: SeedError | None = None
    async with app.lifespan():
        transport = httpx.ASGITransport(app, client=(CLIENT, 0))
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{CLIENT}", timeout=60, limits=limits,
                                     cookies=jar) as http_client:
            try:
                yield Api(http_client)
            except SeedError as exc:  # raised below, after a clean shutdown, not inside the app's task group
                failed = exc
    if failed is not None:
        raise failed


class Api:
    """Calls through an HTTP client with a person's bearer token, at most ``PARALLEL`` at once;
    anything unexpected is a ``SeedError`` naming the call and the server's answer."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client
        self._slots = asyncio.Semaphore(PARALLEL)
        self._waited = 0.0
        self.calls = 0

    async def _send(self, who: Account | None, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**kwargs.pop("headers", {}), **({"Authorization": f"Bearer {who.token}"} if who else {})}
        while True:
            async with self._slots:
                response = await self._client.request(method, path, headers=headers, **kwargs)
            self.calls += 1
            if response.status_code != 429 or self._waited >= LONGEST_WAIT:
                return response
            # The server throttles (sign-ups per address): wait as it asks, as a person would.
            wait = min(float(response.headers.get("retry-after") or 2), LONGEST_WAIT - self._waited)
            print(f"seed-demo: {method} {path} was throttled; waiting {wait:.0f} s as the server asks "
                  f"(its TANDEM_SIGN_UPS_PER_ADDRESS limits sign-ups per address)", file=sys.stderr)
            self._waited += wait
            await asyncio.sleep(wait)

    async def call(self, who: Account | None, method: str, path: str, *, expect: tuple[int, ...] = (200, 201, 204),
                   **kwargs: Any) -> Any:
        response = await self._send(who, method, path, **kwargs)
        if response.status_code not in expect:
            raise SeedError(f"{method} {path} answered {response.status_code}: {response.text[:500]}")
        return response.json() if response.content else None

    async def get(self, who: Account, path: str, **kwargs: Any) -> Any:
        return await self.call(who, "GET", path, **kwargs)

    async def post(self, who: Account, path: str, body: dict[str, Any], *,
                   expect: tuple[int, ...] = (200, 201, 204)) -> Any:
        return await self.call(who, "POST", path, json=body, expect=expect)

    async def raw(self, who: Account, path: str) -> bytes:
        response = await self._send(who, "GET", path)
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
        items: list[dict[str, Any]] = []
        offset: int | None = 0
        while offset is not None:
            page = await self.get(who, path, params={"limit": 200, "offset": offset})
            items += page["items"]
            offset = page["next_offset"]
        return items

    async def until(self, done: Callable[[Any], bool], who: Account, path: str, timeout: float = 15.0,
                    **kwargs: Any) -> Any:
        """``GET path`` until ``done(answer)``: reads follow edits through the projection (~0.1 s)."""
        deadline, pause = time.monotonic() + timeout, 0.05
        while True:
            answer = await self.get(who, path, **kwargs)
            if done(answer) or time.monotonic() > deadline:
                return answer
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.5)  # a busy server's projection is not hurried by asking more often
