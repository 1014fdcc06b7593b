"""``python -m server seed-demo``: a fresh database gets a living demo workspace, made and checked
through the API; a second run refuses (exit 2) unless ``--force-new`` picks fresh e-mails. With
``--url`` it fills a running server (and prints that server's address), ``--locale de`` makes it
German, and a server's sign-up throttle lets a run and a ``--force-new`` run through."""

from __future__ import annotations

import asyncio
import io
import os
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, NamedTuple

import msgspec
import pytest

from server import demo
from server.settings import Settings
from tests.support.accounts import AUTH, AUTH_ENV, FAST_HASHING_ENV, Account
from tests.support.crm import call, ok
from tests.support.servers import InProcessServer, ServerProcess, in_process_server, settings_for
from tests.support.services import create_database, drop_database

ROOT = Path(__file__).resolve().parents[2]


class Seeded(NamedTuple):
    code: int
    output: str
    seconds: float


PORT = 18123  # what the summary must print for the in-process run (PORT is honoured)


@pytest.fixture(scope="module")
async def demo_database_url() -> AsyncIterator[str]:
    """A database of its own: these tests seed the default demo e-mails, which another test of the
    session (tests/e2e/test_demo.py) may already have signed up in the shared one."""
    url = await create_database()
    yield url
    await drop_database(url)


@pytest.fixture(scope="module")
def settings(demo_database_url: str) -> Settings:
    return settings_for(demo_database_url, port=PORT, **AUTH)


@pytest.fixture(scope="module")
async def seeded(settings: Settings) -> Seeded:
    out, started = io.StringIO(), time.monotonic()
    code = await demo.run(settings, out=out)
    return Seeded(code, out.getvalue(), time.monotonic() - started)


@pytest.fixture(scope="module")
async def server(settings: Settings, seeded: Seeded) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings) as running:
        yield running


async def sign_in(server: InProcessServer, email: str, password: str = demo.DEFAULT_PASSWORD) -> Account:
    body = await ok(server, None, "POST", "/api/auth/login", json={"email": email, "password": password})
    return Account(body["token"], body["user"]["id"], body["user"]["email"], body["user"]["name"])


async def every_page(server: InProcessServer, who: Account, path: str) -> list[dict[str, Any]]:
    items, offset = [], 0
    while offset is not None:
        page = await ok(server, who, "GET", path, params={"limit": 200, "offset": offset})
        items, offset = items + page["items"], page["next_offset"]
    return items


async def test_the_seed_prints_how_to_sign_in_and_what_it_made(seeded):
    assert seeded.code == 0, seeded.output
    assert f"See it: scripts/serve, then open http://127.0.0.1:{PORT} and sign in" in seeded.output
    assert "owner@demo.tandem.test / password tandem-demo-2026" in seeded.output
    assert "300 contacts" in seeded.output and "New business: 64 deals" in seeded.output
    print(f"seed-demo took {seeded.seconds:.1f} s")


async def test_the_workspace_is_full_of_contacts_deals_tasks_and_notes(seeded, server):
    owner = await sign_in(server, "owner@demo.tandem.test")
    workspaces = await ok(server, owner, "GET", "/api/workspaces")
    assert [w["name"] for w in workspaces] == ["Northwind Sales"]
    workspace = workspaces[0]["id"]
    members = await ok(server, owner, "GET", f"/api/workspaces/{workspace}/members")
    assert Counter(m["role"] for m in members) == {"owner": 1, "admin": 1, "member": 2, "viewer": 1}

    contacts = await every_page(server, owner, f"/api/workspaces/{workspace}/contacts")
    organisations = await every_page(server, owner, f"/api/workspaces/{workspace}/organisations")
    assert len(contacts) >= 250 and len(organisations) >= 50
    employed = [c for c in contacts if c["organisation"] and "event" not in c["labels"]]  # not the twins
    assert all(c["phones"] and c["job_title"] for c in employed)
    assert all(c["emails"][0].endswith("@" + c["organisation"]["name"].lower().replace(" ", "") + ".example")
               for c in employed)
    assert len({c["owner_id"] for c in contacts} - {None}) >= 3
    duplicates = await ok(server, owner, "GET", f"/api/workspaces/{workspace}/contacts/duplicates")
    assert len(duplicates) == 2

    boards = await ok(server, owner, "GET", f"/api/workspaces/{workspace}/boards")
    pipelines = {b["name"]: b for b in boards if b["kind"] == "pipeline"}
    assert set(pipelines) == {"New business", "Renewals"}
    deals = await ok(server, owner, "GET", f"/api/workspaces/{workspace}/deals", params={"limit": 5000})
    for board in pipelines.values():
        report = await ok(server, owner, "GET", f"/api/workspaces/{workspace}/pipeline-report",
                          params={"board": board["id"]})
        assert all(stage["count"] >= 1 for stage in report["stages"]), report["stages"]
        mine = [d for d in deals if d["board"] == board["id"]]
        assert {d["stage_name"] for d in mine} == {s["name"] for s in report["stages"]}
        assert all(d["lost_reason"] for d in mine if d["status"] == "lost")
        assert all(d["contact"] and d["organisation"] and d["owner"] and d["expected_close"] for d in mine)
        assert any(s["entered"] > s["count"] for s in report["stages"])  # deals were moved along, not dropped in
    assert len({d["owner"] for d in deals}) >= 3

    people = ["owner", "admin", "priya", "diego", "viewer", "partner"]
    tasks = {}
    for person in people:
        account = await sign_in(server, f"{person}@demo.tandem.test")
        tasks[person] = await ok(server, account, "GET", "/api/me/tasks", params={"scope": "all"})
    buckets = ("overdue", "today", "upcoming")
    with_tasks = [person for person, mine in tasks.items() if any(mine[b] for b in buckets)]
    assert len(with_tasks) >= 3, with_tasks
    open_in = {b for mine in tasks.values() for b in buckets if any(not task["done"] for task in mine[b])}
    assert open_in == set(buckets)
    assert any(task["done"] for mine in tasks.values() for b in buckets for task in mine[b])

    notes_on_records = sum(c["notes_count"] for c in contacts) + sum(o["notes_count"] for o in organisations)
    notes_on_deals = 0
    for deal in deals:
        timeline = await ok(server, owner, "GET", f"/api/deals/{deal['board']}/{deal['id']}/timeline")
        notes_on_deals += sum(e["kind"] == "note_added" for e in timeline["events"])
    assert notes_on_records >= 3 and notes_on_deals >= 3, (notes_on_records, notes_on_deals)


async def test_the_guest_partner_edits_only_the_shared_project_board(seeded, server):
    guest = await sign_in(server, "partner@demo.tandem.test")
    [workspace] = await ok(server, guest, "GET", "/api/workspaces")
    assert workspace["role"] == "guest"
    boards = await ok(server, guest, "GET", f"/api/workspaces/{workspace['id']}/boards")
    assert [(b["name"], b["kind"], b["access"]) for b in boards] == [(demo.PROJECT, "project", "write")]
    contacts = await call(server, guest, "GET", f"/api/workspaces/{workspace['id']}/contacts")
    assert contacts.status_code == 404


async def test_a_second_run_refuses_with_exit_2(seeded, demo_database_url):
    env = {**os.environ, "DATABASE_URL": demo_database_url, **FAST_HASHING_ENV}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server", "seed-demo", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    assert process.returncode == 2, out.decode() + err.decode()
    assert "owner@demo.tandem.test already has an account" in err.decode() and "--force-new" in err.decode()
    assert not out


async def test_force_new_seeds_another_workspace_under_fresh_e_mails(seeded, settings, server):
    out = io.StringIO()
    assert await demo.run(settings, seed=8, force_new=True, out=out) == 0
    assert "owner-2@demo.tandem.test / password tandem-demo-2026" in out.getvalue()
    first = await sign_in(server, "owner@demo.tandem.test")
    second = await sign_in(server, "owner-2@demo.tandem.test")
    [one] = await ok(server, first, "GET", "/api/workspaces")
    [two] = await ok(server, second, "GET", "/api/workspaces")
    assert one["name"] == two["name"] == "Northwind Sales" and one["id"] != two["id"]


def test_the_printed_address_is_one_a_browser_opens():
    base = settings_for("postgresql://unused")
    assert demo.browser_url(msgspec.structs.replace(base, host="0.0.0.0", port=9001)) == "http://127.0.0.1:9001"
    assert demo.browser_url(msgspec.structs.replace(base, host="::1", port=80)) == "http://[::1]:80"
    assert demo.browser_url(msgspec.structs.replace(base, host="crm.local", port=8000)) == "http://crm.local:8000"


# --- --url: a running server, with the default sign-up throttle (20 per address) --------------------

@pytest.fixture(scope="module")
async def running() -> AsyncIterator[ServerProcess]:
    url = await create_database()
    server = ServerProcess(url, **AUTH_ENV, TANDEM_SIGN_UPS_PER_ADDRESS="20")
    await server.start()
    try:
        yield server
    finally:
        await server.terminate()
        await drop_database(url)


async def seed_demo_command(*args: str, tmp: Path) -> tuple[int, str, str]:
    """``python -m server seed-demo ARGS`` with no database of its own (no DATABASE_URL; a data
    directory that must stay empty)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(FAST_HASHING_ENV, TANDEM_DATA_DIR=str(tmp / "data"), PORT="1")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server", "seed-demo", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


@pytest.fixture(scope="module")
async def seeded_german(running: ServerProcess, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    tmp = tmp_path_factory.mktemp("german")
    started = time.monotonic()
    code, out, err = await seed_demo_command("--url", running.http_url, "--locale", "de", tmp=tmp)
    assert code == 0, out + err
    assert "throttled" not in err, err
    assert not (tmp / "data").exists()  # it went through the server, not a database of its own
    return Seeded(code, out, time.monotonic() - started)


async def test_url_fills_the_running_server_and_prints_its_address(seeded_german, running):
    assert f"See it: open {running.http_url} and sign in as owner@demo.tandem.test" in seeded_german.output
    assert "scripts/serve" not in seeded_german.output and ":1 " not in seeded_german.output
    assert "Nordwind Vertrieb" in seeded_german.output
    print(f"seed-demo --url --locale de took {seeded_german.seconds:.1f} s")


async def test_locale_de_makes_german_companies_people_and_euro_deals(seeded_german, running):
    owner = await sign_in(running, "owner@demo.tandem.test")
    assert (await ok(running, owner, "GET", "/api/me"))["locale"] == "de"  # the app is German in any browser
    [workspace] = await ok(running, owner, "GET", "/api/workspaces")
    assert workspace["name"] == "Nordwind Vertrieb"
    base = f"/api/workspaces/{workspace['id']}"
    organisations = await every_page(running, owner, f"{base}/organisations")
    contacts = await every_page(running, owner, f"{base}/contacts")
    forms = Counter(o["name"].rsplit(" ", 1)[-1] for o in organisations)
    assert forms["GmbH"] >= 10 and forms["AG"] >= 2 and forms["KG"] >= 2 and forms["e.K."] >= 2, forms
    assert any(ch in c["name"] for c in contacts for ch in "äöüß"), "no umlauts in the people's names"
    assert all(c["phones"][0].startswith(("+49 30 ", "+49 40 ", "+49 89 ", "+49 221 ", "+49 69 "))
               for c in contacts), {c["phones"][0] for c in contacts}
    assert all(c["emails"][0].isascii() for c in contacts)  # umlauts spelled out: jörg.weiß → joerg.weiss
    cities = {"Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main"}
    assert {o["address"]["city"] for o in organisations} <= cities
    assert "Kunde" in {label for o in organisations for label in o["labels"]}

    deals = await ok(running, owner, "GET", f"{base}/deals", params={"limit": 5000})
    assert len(deals) == 104 and {d["currency"] for d in deals} == {"EUR"}
    assert {d["board_name"] for d in deals} == {"Neugeschäft", "Verlängerungen"}
    assert {d["stage_name"] for d in deals} == {"Lead eingegangen", "Qualifiziert", "Angebot gesendet",
                                                "Verhandlung", "Gewonnen", "Verloren"}
    money = await ok(running, owner, "GET", f"{base}/currency")
    assert money["currency"] == "EUR"
    assert any("Lizenzen" in d["title"] for d in deals)
    tasks = await ok(running, owner, "GET", "/api/me/tasks", params={"scope": "all"})
    titles = [t["title"] for bucket in ("overdue", "today", "upcoming") for t in tasks[bucket]]
    assert titles and not any("Follow-up" in t or "call with" in t for t in titles), titles[:5]


async def test_a_second_run_through_the_server_with_force_new_is_not_throttled(seeded_german, running, tmp_path):
    code, out, err = await seed_demo_command("--url", running.http_url, "--locale", "de", "--force-new",
                                             "--seed", "8", tmp=tmp_path)
    assert code == 0, out + err
    assert "throttled" not in err, err  # 6 sign-ups, then 7 (one probes owner@): within 20 per address
    assert "owner-2@demo.tandem.test / password tandem-demo-2026" in out


async def test_url_without_a_server_says_so(tmp_path):
    code, out, err = await seed_demo_command("--url", "http://127.0.0.1:9", tmp=tmp_path)
    assert code == 1 and "no server answers at http://127.0.0.1:9" in err and "scripts/serve" in err, err
