"""CSV import and export: a file with bad rows imports nothing and says why, line by line; a dry
run writes nothing; an export imports again into the same records; the command line does both."""

from __future__ import annotations

import asyncio
import csv
import io
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Map

from client import connect
from tests.support.accounts import AUTH, Account, Team, create_board, create_workspace, team
from tests.support.crm import call, projected
from tests.support.servers import InProcessServer, module_server

ROOT = Path(__file__).resolve().parents[2]

GOOD = """first_name,last_name,emails,phones,organisation,job_title,labels,city,tier
Ada,Lovelace,ada@analytical.example; countess@lovelace.example,+44 20 7946 0958,Analytical Engines,Analyst,vip; london,London,gold
Alan,Turing,alan@bletchley.example,,Bletchley Park,,,"Wilmslow",
Grace,Hopper,grace@navy.example,+1 555 0199,analytical engines,"Rear Admiral, USN",lead,,silver
"""

BAD = """first_name,last_name,emails,phones,owner,tier
Ada,Lovelace,ada@analytical.example,,,gold
,,nobody@example.com,,,
Alan,Turing,alan@,12,,gold
Grace,Hopper,grace@navy.example,,stranger@example.com,bronze
"Edsger
W.",Dijkstra,ew@example.com,,,silver
Barbara,Liskov,barbara@example.com,,,gold,extra
"""


server = module_server(**AUTH)


@pytest.fixture
async def t(server: InProcessServer) -> Team:
    t = await team(server.http_url)
    response = await call(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/custom-fields",
                          json={"key": "tier", "label": "Tier", "type": "select", "options": ["gold", "silver"]})
    assert response.status_code == 201
    members_export = await call(server, t.owner, "PUT", f"/api/workspaces/{t.workspace}/permissions",
                                json={"delete": "members_own", "export": "members"})
    assert members_export.status_code == 200, "this team lets members export (admins only by default)"
    return t


async def import_csv(server: InProcessServer, who: Account, workspace: str, text: str, kind: str = "contacts",
                     **params: Any) -> httpx.Response:
    return await call(server, who, "POST", f"/api/workspaces/{workspace}/import/{kind}", content=text.encode(),
                      headers={**who.headers, "Content-Type": "text/csv"}, params=params)


async def contact_names(server: InProcessServer, who: Account, workspace: str) -> list[str]:
    response = await call(server, who, "GET", f"/api/workspaces/{workspace}/contacts", params={"limit": 200})
    return [c["name"] for c in response.json()["items"]]


async def test_a_file_with_bad_rows_imports_nothing_and_reports_each_bad_row_with_its_line(server, t):
    response = await import_csv(server, t.member, t.workspace, BAD)
    assert response.status_code == 422, response.text
    report = response.json()
    assert (report["imported"], report["rows"]) == (False, 6)
    problems = [(p["line"], p["column"], p["reason"]) for p in report["problems"]]
    assert problems == [
        (3, "first_name/last_name", "expected a first or a last name, got neither"),
        (4, "emails", "expected an e-mail address like name@example.com, got 'alan@'"),
        (4, "phones", "expected a phone number of 3 to 20 digits (spaces, + ( ) - . / allowed), got '12'"),
        (5, "owner", "expected the e-mail of a member of this workspace, got 'stranger@example.com'"),
        (5, "tier", "custom field 'tier' (select): expected one of 'gold', 'silver', got 'bronze'"),
        (8, None, "expected 6 cells as in the header, got 7"),
    ], "line 6-7 is one quoted row spanning two lines, and fine"
    assert await contact_names(server, t.member, t.workspace) == [], "nothing was imported, not even the good rows"


async def test_a_good_file_imports_every_row_in_one_go_creating_the_organisations_it_names(server, t):
    dry = await import_csv(server, t.member, t.workspace, GOOD, dry_run="true")
    assert dry.status_code == 200, dry.text
    keys = ("kind", "dry_run", "imported", "rows", "created", "organisations_created", "problems", "ignored_columns")
    assert {key: dry.json()[key] for key in keys} == {
        "kind": "contacts", "dry_run": True, "imported": False, "rows": 3, "created": 3,
        "organisations_created": ["Analytical Engines", "Bletchley Park"], "problems": [], "ignored_columns": []}
    assert [(row["line"], row["action"]) for row in dry.json()["preview"]] == [(2, "create"), (3, "create"), (4, "create")]
    assert await contact_names(server, t.member, t.workspace) == [], "a dry run writes nothing"

    done = await import_csv(server, t.member, t.workspace, GOOD)
    assert done.status_code == 200 and done.json()["imported"] is True
    contacts = (await call(server, t.member, "GET", f"/api/workspaces/{t.workspace}/contacts")).json()["items"]
    by_name = {c["name"]: c for c in contacts}
    assert list(by_name) == ["Grace Hopper", "Ada Lovelace", "Alan Turing"]
    ada = by_name["Ada Lovelace"]
    assert ada["emails"] == ["ada@analytical.example", "countess@lovelace.example"]
    assert ada["labels"] == ["vip", "london"] and ada["fields"] == {"tier": "gold"}
    assert ada["address"] == {"city": "London"} and ada["owner_id"] == t.member.id
    assert by_name["Grace Hopper"]["organisation"]["name"] == "Analytical Engines", "names match case-blind"
    assert by_name["Grace Hopper"]["job_title"] == "Rear Admiral, USN"
    orgs = (await call(server, t.member, "GET", f"/api/workspaces/{t.workspace}/organisations")).json()["items"]
    assert [(o["name"], o["contacts_count"]) for o in orgs] == [("Analytical Engines", 2), ("Bletchley Park", 1)]


async def test_viewers_cannot_import_and_unknown_kinds_are_refused(server, t):
    assert (await import_csv(server, t.viewer, t.workspace, GOOD)).status_code == 403
    odd = await import_csv(server, t.member, t.workspace, GOOD, kind="spaceships")
    assert odd.status_code == 400 and "expected an import or export kind among contacts, leads, organisations" in odd.text


async def test_a_multipart_upload_imports_like_a_csv_body(server, t):
    text = "name,website,phones\nInitech,initech.example,+1 555 0100\nInitrode,,\n"
    response = await call(server, t.member, "POST", f"/api/workspaces/{t.workspace}/import/organisations",
                          files={"file": ("orgs.csv", text.encode(), "text/csv")})
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2
    exported = await call(server, t.member, "GET", f"/api/workspaces/{t.workspace}/export/organisations.csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["name"], r["website"], r["phones"]) for r in rows] == [
        ("Initech", "initech.example", "'+1 555 0100"), ("Initrode", "", "")]
    again = await import_csv(server, t.member, t.workspace, text, kind="organisations")
    assert again.status_code == 200, "organisations named alike are duplicates: skipped by default"
    assert (again.json()["created"], again.json()["skipped"]) == (0, 2)


async def test_an_export_imports_again_into_the_same_contacts(server, t):
    assert (await import_csv(server, t.member, t.workspace, GOOD)).status_code == 200
    exported = await call(server, t.member, "GET", f"/api/workspaces/{t.workspace}/export/contacts.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert list(rows[0]) == ["id", "first_name", "last_name", "emails", "phones", "organisation", "job_title", "owner",
                             "labels", "street", "city", "postcode", "region", "country", "tier", "created_at",
                             "updated_at"]
    assert {r["last_name"]: r["tier"] for r in rows} == {"Lovelace": "gold", "Turing": "", "Hopper": "silver"}
    assert {r["owner"] for r in rows} == {t.member.email}

    other = await create_workspace(server.http_url, t.member, "Copy")
    field = {"key": "tier", "label": "Tier", "type": "select", "options": ["gold", "silver"]}
    defined = await call(server, t.member, "POST", f"/api/workspaces/{other}/custom-fields", json=field)
    assert defined.status_code == 201
    copied = await import_csv(server, t.member, other, exported.text)
    assert copied.status_code == 200, copied.text
    again = await call(server, t.member, "GET", f"/api/workspaces/{other}/export/contacts.csv")

    def comparable(text: str) -> list[dict[str, str]]:
        skip = {"id", "created_at", "updated_at"}
        return sorted(({k: v for k, v in r.items() if k not in skip} for r in csv.DictReader(io.StringIO(text))),
                      key=lambda r: r["last_name"])

    assert comparable(again.text) == comparable(exported.text)


async def test_cells_a_spreadsheet_would_run_are_defused_and_survive_the_round_trip(server, t):
    text = "first_name,last_name,job_title,phones\n=HYPERLINK(\"x\"),Formula,@SUM(A1),+44 20 7946 0958\n"
    assert (await import_csv(server, t.member, t.workspace, text)).status_code == 200
    exported = (await call(server, t.member, "GET", f"/api/workspaces/{t.workspace}/export/contacts.csv")).text
    row = next(csv.DictReader(io.StringIO(exported)))
    assert (row["first_name"], row["job_title"], row["phones"]) == (
        "'=HYPERLINK(\"x\")", "'@SUM(A1)", "'+44 20 7946 0958")
    other = await create_workspace(server.http_url, t.member, "Copy")
    assert (await import_csv(server, t.member, other, exported)).status_code == 200
    contact = (await call(server, t.member, "GET", f"/api/workspaces/{other}/contacts")).json()["items"][0]
    assert (contact["first_name"], contact["job_title"], contact["phones"]) == (
        '=HYPERLINK("x")', "@SUM(A1)", ["+44 20 7946 0958"])


async def test_the_command_line_imports_and_exports_through_the_api(server, t, tmp_path):
    source = tmp_path / "people.csv"
    source.write_text(GOOD)
    base = [sys.executable, "-m", "client", "--url", server.http_url, "--token", t.member.token]

    async def run(*args: str) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(*base, *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE,
                                                       stderr=asyncio.subprocess.PIPE)
        out, err = await process.communicate()
        return process.returncode, out.decode(), err.decode()

    code, out, err = await run("import", "contacts", str(source), "--workspace", t.workspace, "--dry-run")
    assert code == 0 and "would import 3 contacts" in out, out + err
    code, out, err = await run("import", "contacts", str(source), "--workspace", t.workspace)
    assert code == 0 and "imported 3 contacts" in out, out + err
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD)
    code, out, err = await run("import", "contacts", str(bad), "--workspace", t.workspace)
    assert code == 1 and "line 4, emails: expected an e-mail address" in err and "nothing was imported" in err
    target = tmp_path / "out.csv"
    code, out, err = await run("export", "contacts", "--workspace", t.workspace, "--output", str(target))
    assert code == 0, err
    assert sorted(r["last_name"] for r in csv.DictReader(target.open())) == ["Hopper", "Lovelace", "Turing"]


DEALS_BAD = """title,stage,value,currency,owner,contact,organisation,expected_close,labels
Engine order,Qualified,1200.50,EUR,,ada@analytical.example,Analytical Engines,2027-03-01,big
,Lead in,10,,,,,,
Bombe,Shipped,ten,euro,,nobody@example.com,Nowhere Ltd,31/12/2026,
"""
DEALS_GOOD = """title,stage,value,currency,contact,organisation,expected_close,labels,source
Engine order,Qualified,1200.50,EUR,ada@analytical.example,Analytical Engines,2027-03-01,big; q1,referral
Bombe,,5000,,alan@bletchley.example,Bletchley Park,,,
Compiler,Won,99,usd,grace@navy.example,,,,web
"""


async def test_deals_import_onto_a_named_pipeline_all_at_once_or_not_at_all_and_export_again(server, t):
    assert (await import_csv(server, t.member, t.workspace, GOOD)).status_code == 200
    field = {"entity": "deal", "key": "source", "label": "Source", "type": "select", "options": ["referral", "web"]}
    assert (await call(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/custom-fields", json=field)
            ).status_code == 201
    board = t.board["name"]
    bad = await import_csv(server, t.member, t.workspace, DEALS_BAD, kind="deals", board=board)
    assert bad.status_code == 422, bad.text
    assert [(p["line"], p["column"]) for p in bad.json()["problems"]] == [
        (3, "title"), (4, "stage"), (4, "value"), (4, "currency"), (4, "contact"), (4, "organisation"),
        (4, "expected_close")]
    assert bad.json()["problems"][1]["reason"].startswith("expected a stage of this board ('Lead in', 'Qualified'")
    no_board = await import_csv(server, t.member, t.workspace, DEALS_GOOD, kind="deals", board="Hiring")
    assert no_board.status_code == 400 and "expected ?board= naming a pipeline board" in no_board.text

    async with connect(server.ws_url, t.document, token=t.viewer.token) as session:
        cards = session.doc.get("cards", type=Map)
        assert len(cards) == 0, "the bad file added nothing"
        good = await import_csv(server, t.member, t.workspace, DEALS_GOOD, kind="deals", board=board)
        assert good.status_code == 200 and good.json()["created"] == 3, good.text
        await session.wait_for(lambda: len(cards) == 3, timeout=5)
    await projected(server)
    exported = await call(server, t.member, "GET", f"/api/workspaces/{t.workspace}/export/deals.csv",
                          params={"board": t.board["id"]})
    assert exported.status_code == 200, exported.text
    rows = {r["title"]: r for r in csv.DictReader(io.StringIO(exported.text))}
    assert (rows["Engine order"]["stage"], rows["Engine order"]["value"], rows["Engine order"]["currency"],
            rows["Engine order"]["contact"], rows["Engine order"]["labels"], rows["Engine order"]["source"]) == (
        "Qualified", "1200.5", "EUR", "ada@analytical.example", "big; q1", "referral")
    assert (rows["Bombe"]["stage"], rows["Bombe"]["currency"], rows["Bombe"]["owner"]) == ("Lead in", "USD",
                                                                                          t.member.email)
    assert (rows["Compiler"]["stage"], rows["Compiler"]["status"]) == ("Won", "won")

    copy = await create_board(server.http_url, t.owner, t.workspace, "Copy")
    again = await import_csv(server, t.member, t.workspace, exported.text, kind="deals", board="copy")
    assert again.status_code == 200 and again.json()["ignored_columns"] == [], again.text
    await projected(server)
    copied = await call(server, t.member, "GET", f"/api/workspaces/{t.workspace}/export/deals.csv",
                        params={"board": copy["id"]})

    def comparable(text: str) -> list[dict[str, str]]:
        skip = {"id", "created_at", "updated_at"}
        return sorted(({k: v for k, v in r.items() if k not in skip} for r in csv.DictReader(io.StringIO(text))),
                      key=lambda r: r["title"])

    assert comparable(copied.text) == comparable(exported.text)
