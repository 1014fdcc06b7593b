"""Files on records over HTTP (docs/files.md), on real Postgres and the data-folder store: what is
stored is sniffed and sanitised, never what the browser claims; downloads are attachments that
cannot run as a page; the cap holds with and without a Content-Length; access is the record's."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from uuid import uuid4

import httpx
import pytest

from tests.support.accounts import AUTH, team_and_strangers, add_guest
from tests.support.crm import call, ok, projected
from tests.support.servers import InProcessServer, in_process_server, settings_for

pytestmark = pytest.mark.timeout(120)

CAP = 64 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)
PAGE = b"<!DOCTYPE html><html><body><script>fetch('/api/me')</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


@pytest.fixture(scope="module")
async def server(database_url: str, tmp_path_factory) -> AsyncIterator[InProcessServer]:
    folder = tmp_path_factory.mktemp("files")
    settings = settings_for(database_url, **AUTH, files_url=f"file://{folder}", files_max_bytes=CAP)
    async with in_process_server(settings) as running:
        yield running


@pytest.fixture(scope="module")
async def world(server):
    t, guest, outsider = await team_and_strangers(server.http_url)
    base = f"/api/workspaces/{t.workspace}"
    contact = await ok(server, t.member, "POST", f"{base}/contacts", json={"first_name": "Ada", "emails": ["a@x.test"]})
    organisation = await ok(server, t.member, "POST", f"{base}/organisations", json={"name": "Globex"})
    deal = await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/cards", json={"title": "Big deal"})
    reader = await add_guest(server.http_url, t.owner, t.board, "read", "Reader")
    await projected(server)
    return {"t": t, "guest": guest, "reader": reader, "outsider": outsider,
            "contact": f"/api/contacts/{contact['id']}/files",
            "organisation": f"/api/organisations/{organisation['id']}/files",
            "deal": f"/api/deals/{t.board['id']}/{deal['id']}/files"}


async def upload(server, who, path, name, data, **headers):
    return await call(server, who, "POST", path, params={"name": name}, content=data,
                      headers={**who.headers, **headers})


async def test_an_upload_is_named_sniffed_hashed_and_listed_with_its_uploader(server, world):
    t = world["t"]
    response = await upload(server, t.member, world["contact"], "../../etc/\x07logo.txt", PNG,
                            **{"content-type": "text/plain"})
    assert response.status_code == 201, response.text
    file = response.json()
    assert file["name"] == "_logo.txt" and file["content_type"] == "image/png"  # the bytes say PNG
    assert (file["size"], file["sha256"]) == (len(PNG), hashlib.sha256(PNG).hexdigest())
    assert (file["record_kind"], file["uploaded_by_name"]) == ("contact", "Mia Member")
    listed = await ok(server, t.viewer, "GET", world["contact"])
    assert listed["files"][0]["id"] == file["id"] and listed["max_bytes"] == CAP
    got = await call(server, t.viewer, "GET", file["url"])
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''_logo.txt" in got.headers["content-disposition"]


@pytest.mark.parametrize("name, data, sniffed", [("offer.png", PAGE, "text/html"), ("chart.png", SVG, "image/svg+xml")])
async def test_html_and_svg_are_never_served_as_a_page_whatever_they_claim(server, world, name, data, sniffed):
    t = world["t"]
    file = (await upload(server, t.member, world["organisation"], name, data, **{"content-type": "image/png"})).json()
    assert file["content_type"] == sniffed
    got = await call(server, t.member, "GET", file["url"])
    assert got.content == data
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]


async def test_a_file_over_the_cap_is_refused_with_or_without_a_content_length(server, world):
    t = world["t"]
    declared = await upload(server, t.member, world["contact"], "big.bin", bytes(CAP + 1))
    assert declared.status_code == 413 and str(CAP) in declared.json()["detail"]

    async def chunks():  # no Content-Length: the body is counted as it arrives
        for _ in range(CAP // 1024 + 2):
            yield bytes(1024)

    async with httpx.AsyncClient(base_url=server.http_url, headers=t.member.headers) as http:
        streamed = await http.post(world["contact"], params={"name": "big.bin"}, content=chunks())
    assert streamed.status_code == 413
    assert (await upload(server, t.member, world["contact"], "edge.bin", bytes(CAP))).status_code == 201
    listed = await ok(server, t.member, "GET", world["contact"])
    assert "big.bin" not in [f["name"] for f in listed["files"]]


async def test_a_name_is_required(server, world):
    t = world["t"]
    response = await call(server, t.member, "POST", world["contact"], content=b"x")
    assert response.status_code == 400 and "name" in response.text


async def test_viewers_read_but_do_not_write_and_strangers_see_nothing(server, world):
    t, outsider = world["t"], world["outsider"]
    file = (await upload(server, t.member, world["organisation"], "plan.txt", b"the plan")).json()
    assert (await upload(server, t.viewer, world["organisation"], "v.txt", b"v")).status_code == 403
    assert (await call(server, t.viewer, "DELETE", file["url"])).status_code == 403
    for path in (world["organisation"], file["url"]):
        assert (await call(server, outsider, "GET", path)).status_code == 404
    assert (await upload(server, outsider, world["organisation"], "x.txt", b"x")).status_code == 404
    assert (await call(server, outsider, "DELETE", file["url"])).status_code == 404
    assert (await call(server, t.member, "GET", f"/api/files/{uuid4()}")).status_code == 404


async def test_a_guest_reaches_the_shared_boards_deal_files_and_nothing_else(server, world):
    t, guest, reader = world["t"], world["guest"], world["reader"]
    on_contact = (await upload(server, t.member, world["contact"], "secret.txt", b"contact only")).json()
    on_deal = (await upload(server, guest, world["deal"], "quote.txt", b"from the partner")).json()
    assert on_deal["record_kind"] == "deal" and on_deal["uploaded_by_name"] == "Guest"
    assert [f["id"] for f in (await ok(server, t.member, "GET", world["deal"]))["files"]] == [on_deal["id"]]
    assert (await call(server, reader, "GET", on_deal["url"])).content == b"from the partner"
    assert (await upload(server, reader, world["deal"], "r.txt", b"r")).status_code == 403  # a read-only share
    for who in (guest, reader):
        assert (await call(server, who, "GET", world["contact"])).status_code == 404
        assert (await call(server, who, "GET", on_contact["url"])).status_code == 404
    missing_deal = world["deal"].rsplit("/", 2)[0] + f"/{uuid4()}/files"
    assert (await call(server, t.member, "GET", missing_deal)).status_code == 404


async def test_a_deleted_file_is_gone_from_the_list_the_download_and_the_store(server, world):
    t = world["t"]
    file = (await upload(server, t.member, world["contact"], "old.txt", b"old")).json()
    store = server.services.record_files._store
    key = f"workspaces/{t.workspace}/files/{file['id']}"
    assert await store.exists(key)
    assert (await call(server, t.member, "DELETE", file["url"])).status_code == 204
    assert (await call(server, t.member, "GET", file["url"])).status_code == 404
    assert (await call(server, t.member, "DELETE", file["url"])).status_code == 404
    assert file["id"] not in [f["id"] for f in (await ok(server, t.member, "GET", world["contact"]))["files"]]
    assert not await store.exists(key)


async def test_a_file_shows_on_its_contacts_timeline_and_on_their_organisations(server, world):
    t = world["t"]
    base = f"/api/workspaces/{t.workspace}"
    company = await ok(server, t.member, "POST", f"{base}/organisations", json={"name": "Initech"})
    person = await ok(server, t.member, "POST", f"{base}/contacts",
                      json={"first_name": "Bo", "organisation_id": company["id"]})
    on_person = (await upload(server, t.member, f"/api/contacts/{person['id']}/files", "cv.txt", b"cv")).json()
    on_company = (await upload(server, t.member, f"/api/organisations/{company['id']}/files", "nda.txt", b"nda")).json()
    mine = (await ok(server, t.viewer, "GET", f"/api/contacts/{person['id']}/timeline"))["items"]
    assert [(i["kind"], i["title"], i["size"], i["url"]) for i in mine] == [("file", "cv.txt", 2, on_person["url"])]
    theirs = (await ok(server, t.viewer, "GET", f"/api/organisations/{company['id']}/timeline"))["items"]
    files = [(i["title"], i["contact_id"], i["actor_id"]) for i in theirs if i["kind"] == "file"]
    assert files == [("nda.txt", None, t.member.id), ("cv.txt", person["id"], t.member.id)]
    await call(server, t.member, "DELETE", on_person["url"])
    assert (await ok(server, t.viewer, "GET", f"/api/contacts/{person['id']}/timeline"))["items"] == []


async def test_erasing_a_contact_deletes_their_files_rows_and_bytes(server, world):
    t = world["t"]
    person = await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/contacts",
                      json={"first_name": "Erin", "emails": ["erin@x.test"]})
    file = (await upload(server, t.member, f"/api/contacts/{person['id']}/files", "passport.txt", b"P<ERIN")).json()
    key = f"workspaces/{t.workspace}/files/{file['id']}"
    assert await server.services.record_files.store.exists(key)
    erased = await call(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/contacts/{person['id']}/erase")
    assert erased.status_code == 200, erased.text
    assert (await call(server, t.owner, "GET", file["url"])).status_code == 404
    assert not await server.services.record_files.store.exists(key)


async def test_a_file_on_a_deal_shows_in_the_deals_history(server, world):
    t = world["t"]
    file = (await upload(server, t.member, world["deal"], "terms.txt", b"terms")).json()
    board, card = world["deal"].split("/")[3:5]
    events = (await ok(server, t.viewer, "GET", f"/api/deals/{board}/{card}/timeline"))["events"]
    added = [e for e in events if e["kind"] == "file_added" and e["file"] == file["id"]]
    assert [(e["name"], e["size"], e["url"], e["author"]["name"]) for e in added] == [
        ("terms.txt", 5, file["url"], "Mia Member")]


async def test_a_merged_contacts_files_are_the_survivors_listed_and_downloadable(server, world):
    t = world["t"]
    base = f"/api/workspaces/{t.workspace}/contacts"
    survivor = await ok(server, t.member, "POST", base, json={"first_name": "Ada", "emails": ["ada@one.test"]})
    duplicate = await ok(server, t.member, "POST", base, json={"first_name": "Ada L.", "emails": ["ada@two.test"]})
    file = (await upload(server, t.member, f"/api/contacts/{duplicate['id']}/files", "old.txt", b"old")).json()
    await ok(server, t.member, "POST", f"/api/contacts/{survivor['id']}/merge", json={"merge": [duplicate["id"]]})
    listed = await ok(server, t.viewer, "GET", f"/api/contacts/{survivor['id']}/files")
    assert [f["id"] for f in listed["files"]] == [file["id"]]
    assert (await call(server, t.viewer, "GET", file["url"])).content == b"old"
    timeline = (await ok(server, t.viewer, "GET", f"/api/contacts/{survivor['id']}/timeline"))["items"]
    assert [i["url"] for i in timeline if i["kind"] == "file"] == [file["url"]]
    assert (await call(server, world["outsider"], "GET", file["url"])).status_code == 404
    assert (await call(server, t.viewer, "DELETE", file["url"])).status_code == 403
    assert (await call(server, t.member, "DELETE", file["url"])).status_code == 204
