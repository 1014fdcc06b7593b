"""Importing as people do it (issue 14, item 4): files German Excel writes (semicolons,
Windows-1252, umlauts, 1.200,50 and 31.12.2026) import correctly; an export imported again creates
no duplicates (skipped, updated or merged as the importer chooses); the good rows of a file can be
imported alone; a mapping is remembered for the next file with that header row; leads arrive in
the leads inbox (docs/leads.md), not as contacts; and the last import can be undone — what it created goes, what it
updated comes back."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pytest
from pycrdt import Map

from client import connect
from tests.support.accounts import AUTH, Account, Team, team
from tests.support.crm import call, projected
from tests.support.servers import InProcessServer, module_server

GERMAN_EXCEL = (
    "Vorname;Nachname;E-Mail;Telefon;Firma;Position;Straße;PLZ;Ort\r\n"
    "Jürgen;Müller;juergen.mueller@baeckerei-schaefer.example;+49 89 1234567;Bäckerei Schäfer GmbH;"
    "Geschäftsführer;Hauptstraße 5;80331;München\r\n"
    "Zoë;Weiß;zoe@weiss.example;;Bäckerei Schäfer GmbH;Einkäuferin, Filialen;;;Köln\r\n"
).encode("cp1252")
GOOD = """first_name,last_name,emails,organisation,job_title
Ada,Lovelace,ada@analytical.example,Analytical Engines,Analyst
Alan,Turing,alan@bletchley.example,Bletchley Park,
"""


server = module_server(**AUTH)


@pytest.fixture
async def t(server: InProcessServer) -> Team:
    t = await team(server.http_url)
    allowed = await call(server, t.owner, "PUT", f"/api/workspaces/{t.workspace}/permissions",
                         json={"delete": "members_own", "export": "members"})
    assert allowed.status_code == 200
    return t


async def send(server: InProcessServer, who: Account, workspace: str, body: bytes | str, kind: str = "contacts",
               mapping: dict | None = None, **params: Any) -> httpx.Response:
    raw = body.encode() if isinstance(body, str) else body
    if mapping is not None:
        return await call(server, who, "POST", f"/api/workspaces/{workspace}/import/{kind}", params=params,
                          files={"file": ("file.csv", raw, "text/csv")}, data={"mapping": json.dumps(mapping)})
    return await call(server, who, "POST", f"/api/workspaces/{workspace}/import/{kind}", content=raw,
                      headers={**who.headers, "Content-Type": "text/csv"}, params=params)


async def contacts(server: InProcessServer, who: Account, workspace: str) -> dict[str, dict]:
    response = await call(server, who, "GET", f"/api/workspaces/{workspace}/contacts", params={"limit": 200})
    return {c["name"]: c for c in response.json()["items"]}


async def test_a_csv_written_by_german_excel_imports_with_its_umlauts_into_the_right_columns(server, t):
    preview = await send(server, t.member, t.workspace, GERMAN_EXCEL, dry_run="true")
    assert preview.status_code == 200, preview.text
    report = preview.json()
    assert (report["encoding"], report["delimiter"], report["ignored_columns"]) == ("cp1252", ";", [])
    assert report["mapping"] == {"Vorname": "first_name", "Nachname": "last_name", "E-Mail": "emails",
                                 "Telefon": "phones", "Firma": "organisation", "Position": "job_title",
                                 "Straße": "street", "PLZ": "postcode", "Ort": "city"}
    assert report["preview"][1]["cells"]["job_title"] == "Einkäuferin, Filialen", "a comma inside a ; file is text"

    done = await send(server, t.member, t.workspace, GERMAN_EXCEL)
    assert done.status_code == 200 and done.json()["created"] == 2, done.text
    people = await contacts(server, t.member, t.workspace)
    juergen = people["Jürgen Müller"]
    assert juergen["organisation"]["name"] == "Bäckerei Schäfer GmbH"
    assert juergen["address"] == {"street": "Hauptstraße 5", "postcode": "80331", "city": "München"}
    assert juergen["job_title"] == "Geschäftsführer" and people["Zoë Weiß"]["address"] == {"city": "Köln"}
    found = await call(server, t.member, "GET", f"/api/workspaces/{t.workspace}/contacts", params={"q": "müller"})
    assert [c["name"] for c in found.json()["items"]] == ["Jürgen Müller"]


async def test_utf8_with_a_bom_and_tab_separated_files_import_too(server, t):
    tabbed = "\ufeffVorname\tNachname\tE-Mail\nÅsa\tÖberg\tasa@example.com\n".encode("utf-8")
    done = await send(server, t.member, t.workspace, tabbed)
    assert done.status_code == 200, done.text
    assert (done.json()["encoding"], done.json()["delimiter"]) == ("utf-8-sig", "\t")
    assert "Åsa Öberg" in await contacts(server, t.member, t.workspace)


async def test_reimporting_an_export_creates_no_duplicates_and_update_or_merge_change_the_records(server, t):
    assert (await send(server, t.member, t.workspace, GERMAN_EXCEL)).status_code == 200
    assert (await send(server, t.member, t.workspace, GOOD)).status_code == 200
    exported = (await call(server, t.member, "GET", f"/api/workspaces/{t.workspace}/export/contacts.csv")).text
    again = await send(server, t.member, t.workspace, exported)
    assert again.status_code == 200, again.text
    assert (again.json()["created"], again.json()["skipped"], again.json()["organisations_created"]) == (0, 4, [])
    assert len(await contacts(server, t.member, t.workspace)) == 4
    orgs = await call(server, t.member, "GET", f"/api/workspaces/{t.workspace}/organisations")
    assert len(orgs.json()["items"]) == 3, "no organisation twice either"

    # by e-mail, then by name + organisation, whatever the id column says
    changed = ("first_name,last_name,emails,organisation,job_title,labels\n"
               "Ada,Lovelace,ada@analytical.example,,Countess,vip\n"
               "Alan,Turing,alan@other.example,Bletchley Park,Codebreaker,\n")
    merged = await send(server, t.member, t.workspace, changed, duplicates="merge", dry_run="true")
    assert [(r["action"], r["note"]) for r in merged.json()["preview"]] == [
        ("update", "same e-mail ada@analytical.example"), ("update", "same name and organisation")]
    assert (await send(server, t.member, t.workspace, changed, duplicates="merge")).status_code == 200
    people = await contacts(server, t.member, t.workspace)
    assert (people["Ada Lovelace"]["job_title"], people["Ada Lovelace"]["labels"]) == ("Analyst", ["vip"])
    assert people["Alan Turing"]["emails"] == ["alan@bletchley.example", "alan@other.example"]
    updated = await send(server, t.member, t.workspace, changed, duplicates="update")
    assert (updated.json()["updated"], updated.json()["created"]) == (2, 0), updated.text
    people = await contacts(server, t.member, t.workspace)
    assert people["Ada Lovelace"]["job_title"] == "Countess"
    assert people["Ada Lovelace"]["organisation"]["name"] == "Analytical Engines", "an empty cell changes nothing"
    assert people["Alan Turing"]["emails"] == ["alan@other.example"] and len(people) == 4


async def test_the_good_rows_can_be_imported_alone_and_the_bad_are_reported(server, t):
    text = "first_name,last_name,emails\nAda,Lovelace,ada@x.example\nBad,Mail,nope@\nAlan,Turing,alan@x.example\n"
    whole = await send(server, t.member, t.workspace, text)
    assert whole.status_code == 422 and whole.json()["imported"] is False
    assert await contacts(server, t.member, t.workspace) == {}, "all or nothing by default"
    good = await send(server, t.member, t.workspace, text, partial="true")
    assert good.status_code == 200 and good.json()["imported"] is True, good.text
    assert (good.json()["created"], [p["line"] for p in good.json()["problems"]]) == (2, [3])
    assert sorted(await contacts(server, t.member, t.workspace)) == ["Ada Lovelace", "Alan Turing"]


async def test_a_mapping_is_remembered_for_the_next_file_with_the_same_header_row(server, t):
    text = "Nom,Prénom,Courriel,Notiz\nCurie,Marie,marie@radium.example,x\n"
    mapping = {"Nom": "last_name", "Prénom": "first_name", "Courriel": "emails", "Notiz": None}
    first = await send(server, t.member, t.workspace, text, mapping=mapping)
    assert first.status_code == 200 and first.json()["remembered"] is False, first.text
    assert "Marie Curie" in await contacts(server, t.member, t.workspace)
    nxt = "Nom,Prénom,Courriel,Notiz\nCurie,Pierre,pierre@radium.example,y\n"
    second = await send(server, t.member, t.workspace, nxt, dry_run="true")
    assert (second.json()["remembered"], second.json()["mapping"]) == (True, mapping)
    assert second.json()["preview"][0]["cells"] == {"last_name": "Curie", "first_name": "Pierre",
                                                    "emails": "pierre@radium.example"}
    bad = await send(server, t.member, t.workspace, nxt, mapping={"Nom": "last_name", "Prénom": "last_name"})
    assert bad.status_code == 422 and "both go to 'last_name'" in bad.json()["problems"][0]["reason"]


async def test_leads_arrive_in_the_leads_inbox_and_their_import_can_be_undone(server, t):
    text = "Vorname;Nachname;E-Mail;Firma;Etiketten\nLena;Lang;lena@lang.example;Lang GmbH;messe\n;;;Nobody AG;\n"
    done = await send(server, t.member, t.workspace, text, kind="leads", partial="true")
    assert done.status_code == 200, done.text
    assert done.json()["problems"][0]["line"] == 3 and "expected a name, an e-mail" in done.json()["problems"][0][
        "reason"]
    inbox = (await call(server, t.member, "GET", f"/api/workspaces/{t.workspace}/leads")).json()
    [lead] = [x for x in inbox["leads"] if x["person_name"] == "Lena Lang"]
    assert (lead["source"], lead["email"], lead["organisation_name"], lead["labels"], lead["owner"]) == (
        "import", "lena@lang.example", "Lang GmbH", ["messe"], t.member.id)
    assert "Lena Lang" not in await contacts(server, t.member, t.workspace)
    undone = await call(server, t.member, "POST", f"/api/workspaces/{t.workspace}/imports/{done.json()['batch']}/undo")
    assert undone.status_code == 200, undone.text
    inbox = (await call(server, t.member, "GET", f"/api/workspaces/{t.workspace}/leads")).json()
    assert all(x["id"] != lead["id"] for x in inbox["leads"])


async def test_undo_removes_what_the_last_import_created_and_restores_what_it_updated(server, t):
    assert (await send(server, t.member, t.workspace, GOOD)).status_code == 200
    text = ("first_name,last_name,emails,organisation,job_title\n"
            "Ada,Lovelace,ada@analytical.example,,Countess\n"
            "Grace,Hopper,grace@navy.example,US Navy,Admiral\n")
    done = await send(server, t.member, t.workspace, text, duplicates="update")
    assert (done.json()["created"], done.json()["updated"], done.json()["organisations_created"]) == (
        1, 1, ["US Navy"])
    imports = (await call(server, t.member, "GET", f"/api/workspaces/{t.workspace}/imports")).json()
    assert [(i["id"], i["undoable"]) for i in imports][:2] == [(done.json()["batch"], True), (imports[1]["id"], False)]
    assert (await call(server, t.viewer, "POST", f"/api/workspaces/{t.workspace}/imports/{imports[0]['id']}/undo")
            ).status_code == 403
    older = await call(server, t.member, "POST", f"/api/workspaces/{t.workspace}/imports/{imports[1]['id']}/undo")
    assert older.status_code == 409 and "undo that first" in older.text

    undone = await call(server, t.member, "POST", f"/api/workspaces/{t.workspace}/imports/{imports[0]['id']}/undo")
    assert undone.status_code == 200 and undone.json()["undone_at"], undone.text
    people = await contacts(server, t.member, t.workspace)
    assert sorted(people) == ["Ada Lovelace", "Alan Turing"] and people["Ada Lovelace"]["job_title"] == "Analyst"
    orgs = (await call(server, t.member, "GET", f"/api/workspaces/{t.workspace}/organisations")).json()["items"]
    assert sorted(o["name"] for o in orgs) == ["Analytical Engines", "Bletchley Park"], "its new organisation goes"
    again = await call(server, t.member, "POST", f"/api/workspaces/{t.workspace}/imports/{imports[0]['id']}/undo")
    assert again.status_code == 409 and "undone already" in again.text
    first = await call(server, t.member, "POST", f"/api/workspaces/{t.workspace}/imports/{imports[1]['id']}/undo")
    assert first.status_code == 200 and await contacts(server, t.member, t.workspace) == {}


DEALS = ("Titel;Phase;Wert;Währung;Abschlussdatum;Firma\r\n"
         "Öfen für Filiale Süd;Qualified;1.200,50;EUR;31.12.2026;Bäckerei Schäfer GmbH\r\n"
         "Lieferwagen;;15000;EUR;;\r\n").encode("cp1252")


async def test_deals_from_german_excel_import_without_duplicates_and_the_import_can_be_undone(server, t):
    assert (await send(server, t.member, t.workspace, GERMAN_EXCEL)).status_code == 200
    board = t.board["id"]
    async with connect(server.ws_url, t.document, token=t.viewer.token) as session:
        cards = session.doc.get("cards", type=Map)
        done = await send(server, t.member, t.workspace, DEALS, kind="deals", board=board)
        assert done.status_code == 200 and done.json()["created"] == 2, done.text
        await session.wait_for(lambda: len(cards) == 2, timeout=5)
        oven = next(c for c in cards.values() if c["title"] == "Öfen für Filiale Süd")
        assert (oven["value"], oven["currency"], oven["expectedClose"]) == (1200.5, "EUR", "2026-12-31")
        await projected(server)
        exported = await call(server, t.member, "GET", f"/api/workspaces/{t.workspace}/export/deals.csv",
                              params={"board": board})
        again = await send(server, t.member, t.workspace, exported.text, kind="deals", board=board)
        assert (again.json()["created"], again.json()["skipped"]) == (0, 2), again.text
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        rows[0]["value"] = "2500"
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        updated = await send(server, t.member, t.workspace, out.getvalue(), kind="deals", board=board,
                             duplicates="update")
        assert (updated.json()["updated"], updated.json()["skipped"]) == (1, 1), updated.text
        card = cards[rows[0]["id"]]
        await session.wait_for(lambda: card["value"] == 2500, timeout=5)

        imports = (await call(server, t.member, "GET", f"/api/workspaces/{t.workspace}/imports")).json()
        assert [i["kind"] for i in imports] == ["deals", "deals", "contacts"], "a run that skipped all is no batch"
        for batch in imports[:2]:
            undone = await call(server, t.member, "POST", f"/api/workspaces/{t.workspace}/imports/{batch['id']}/undo")
            assert undone.status_code == 200, undone.text
        await session.wait_for(lambda: len(cards) == 0, timeout=5)


async def test_erasing_a_contact_forgets_the_values_an_import_replaced_and_undo_brings_none_back(server, t):
    assert (await send(server, t.member, t.workspace, GOOD)).status_code == 200
    done = await send(server, t.member, t.workspace, "first_name,last_name,emails,job_title\n"
                      "Ada,Lovelace,ada@analytical.example,Countess\n", duplicates="update")
    assert done.json()["updated"] == 1
    ada = (await contacts(server, t.member, t.workspace))["Ada Lovelace"]
    erased = await call(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/contacts/{ada['id']}/erase")
    assert erased.status_code == 200, erased.text
    before = await server.services.pool.fetchval(
        "SELECT before FROM import_changes WHERE record_id = $1 AND action = 'updated'", ada["id"])
    assert before is None, "the name, e-mail and job title an update replaced are erased too"
    undone = await call(server, t.member, "POST", f"/api/workspaces/{t.workspace}/imports/{done.json()['batch']}/undo")
    assert undone.status_code == 200 and sorted(await contacts(server, t.member, t.workspace)) == ["Alan Turing"]
