"""A hostile review of what issues 13 and 14 added (issue 14, R1): inputs an attacker — or just
an unusual spreadsheet — sends that answered 500 or escaped a bound."""

from __future__ import annotations

import secrets

import httpx
import pytest

from tests.support.accounts import AUTH, PASSWORD, team, unique_email
from tests.support.crm import call, ok
from tests.support.servers import in_process_server, settings_for

NUL = "\u0000"


@pytest.fixture
async def crm(database_url):
    async with in_process_server(settings_for(database_url, **AUTH)) as server:
        yield server, await team(server.http_url)


def _csv(text: str) -> dict:
    return {"content": text.encode(), "headers": {"content-type": "text/csv"}}


async def _contacts(server, t) -> list[str]:
    found = await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/contacts")
    return sorted(c["name"] for c in found["items"])


async def test_a_nul_in_the_csv_header_is_a_problem_on_line_1_not_a_500(crm):
    server, t = crm
    for kind, params in (("contacts", {}), ("deals", {"board": t.board["id"]})):
        response = await call(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/import/{kind}", params=params,
                              **_csv(f"first_name,title,x{NUL}y\nAda,Deal,1\n"))
        assert response.status_code == 422, response.text
        [problem] = response.json()["problems"]
        assert problem["line"] == 1 and "column 3" in problem["reason"] and "NUL" in problem["reason"], problem
    assert await _contacts(server, t) == []


async def test_a_wide_header_imports_and_its_mapping_is_remembered(crm):
    """251 columns of ~20 characters (5 KB of header) was a 500: the header row itself was the
    key of a btree index, whose entries hold at most ~2.7 KB."""
    server, t = crm
    extra = [f"Extra field {secrets.token_hex(5)}" for _ in range(250)]
    header = ",".join(["Vorname", *extra])
    path = f"/api/workspaces/{t.workspace}/import/contacts"
    first = await call(server, t.owner, "POST", path, files={"file": ("a.csv", f"{header}\nAda{',' * 250}\n")},
                       data={"mapping": '{"Vorname": "first_name"}'})
    assert first.status_code == 200, first.text
    again = await call(server, t.owner, "POST", path, params={"dry_run": "true"}, **_csv(f"{header}\nGrace{',' * 250}\n"))
    assert again.status_code == 200, again.text
    assert again.json()["remembered"] is True and again.json()["mapping"]["Vorname"] == "first_name"
    assert await _contacts(server, t) == ["Ada"]


async def test_a_header_of_thousands_of_columns_is_refused_quickly(crm):
    server, t = crm
    header = ",".join(["first_name", *(f"c{i}" for i in range(100_000))])
    response = await call(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/import/contacts",
                          **_csv(f"{header}\nAda{',' * 100_000}\n"))
    assert response.status_code == 422, response.text
    [problem] = response.json()["problems"]
    assert problem["line"] == 1 and "at most 500 columns" in problem["reason"], problem
    assert await _contacts(server, t) == []


async def test_sign_ups_rotating_through_one_ipv6_network_are_throttled(database_url):
    """Each sign-up from a new address of the same /64 escaped the per-address limit."""
    settings = settings_for(database_url, **{**AUTH, "sign_ups_per_address": 3}, throttle_delay_seconds=60.0)
    network = f"2001:db8:{secrets.randbelow(65536):x}:{secrets.randbelow(65536):x}"
    async with in_process_server(settings) as server:
        answers = []
        for host in range(1, 7):
            async with httpx.AsyncClient(base_url=server.http_url,
                                         headers={"X-Forwarded-For": f"{network}::{host:x}"}) as http:
                answers.append((await http.post("/api/auth/signup", json={
                    "email": unique_email("rotate"), "password": PASSWORD, "name": "Rotate"})).status_code)
    assert answers == [201] * 3 + [429] * 3
