"""Contacts and organisations over HTTP: create, read, update, delete, custom fields, and the 4xx
answers that say what was expected and what came in."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.accounts import AUTH, Account, Team, team
from tests.support.crm import call
from tests.support.servers import InProcessServer, module_server


server = module_server(**AUTH)


@pytest.fixture
async def t(server: InProcessServer) -> Team:
    return await team(server.http_url)


async def created(server: InProcessServer, who: Account, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await call(server, who, "POST", path, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_contact_is_created_read_updated_and_deleted(server, t):
    acme = await created(server, t.member, f"/api/workspaces/{t.workspace}/organisations",
                         {"name": "Acme Ltd", "website": "acme.example"})
    contact = await created(server, t.member, f"/api/workspaces/{t.workspace}/contacts", {
        "first_name": "Ada", "last_name": "Lovelace",
        "emails": ["Ada@Example.com", "ada@example.com", "a@acme.example"],
        "phones": ["+44 20 7946 0958"], "organisation_id": acme["id"], "job_title": "Analyst",
        "labels": ["vip", "vip", "london"], "address": {"city": "London", "country": "UK"}})
    assert contact["name"] == "Ada Lovelace"
    assert contact["emails"] == ["ada@example.com", "a@acme.example"], "lower-cased, repeats dropped"
    assert contact["labels"] == ["vip", "london"]
    assert contact["organisation"] == {"id": acme["id"], "name": "Acme Ltd"}
    assert contact["owner_id"] == t.member.id, "the creator owns it unless told otherwise"
    assert contact["address"] == {"city": "London", "country": "UK"}

    read = await call(server, t.viewer, "GET", f"/api/contacts/{contact['id']}")
    assert read.status_code == 200 and read.json() == contact

    changed = await call(server, t.member, "PATCH", f"/api/contacts/{contact['id']}",
                         json={"job_title": "Countess", "owner_id": t.owner.id, "phones": []})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["job_title"], body["owner_id"], body["phones"]) == ("Countess", t.owner.id, [])
    assert body["emails"] == contact["emails"], "fields left out are unchanged"
    assert body["updated_at"] > contact["updated_at"]

    # the owner now is t.owner: a member deletes only their own records by default
    assert (await call(server, t.owner, "DELETE", f"/api/contacts/{contact['id']}")).status_code == 204
    gone = await call(server, t.member, "GET", f"/api/contacts/{contact['id']}")
    assert gone.status_code == 404 and gone.json()["detail"] == "no such contact"
    assert (await call(server, t.owner, "DELETE", f"/api/contacts/{contact['id']}")).status_code == 404


async def test_an_organisation_lists_its_contacts_count_and_renaming_it_finds_contacts_by_the_new_name(server, t):
    org = await created(server, t.owner, f"/api/workspaces/{t.workspace}/organisations", {"name": "Initech"})
    await created(server, t.owner, f"/api/workspaces/{t.workspace}/contacts",
                  {"first_name": "Peter", "last_name": "Gibbons", "organisation_id": org["id"]})
    assert (await call(server, t.owner, "GET", f"/api/organisations/{org['id']}")).json()["contacts_count"] == 1
    renamed = await call(server, t.owner, "PATCH", f"/api/organisations/{org['id']}", json={"name": "Initrode"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Initrode"
    found = (await call(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/contacts",
                        params={"q": "initrode"})).json()["items"]
    assert [(c["last_name"], c["organisation"]["name"]) for c in found] == [("Gibbons", "Initrode")]
    assert (await call(server, t.owner, "DELETE", f"/api/organisations/{org['id']}")).status_code == 204
    found = (await call(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/contacts",
                        params={"q": "initrode"})).json()["items"]
    assert found == [], "deleting the organisation unlinks its contacts"


@pytest.mark.parametrize(("body", "status", "detail"), [
    ({}, 400, "expected a first or a last name, got neither"),
    ({"first_name": "A", "emails": ["not-an-email"]}, 400,
     "expected an e-mail address like name@example.com, got 'not-an-email'"),
    ({"first_name": "A", "phones": ["call me"]}, 400,
     "expected a phone number of 3 to 20 digits (spaces, + ( ) - . / allowed), got 'call me'"),
    ({"first_name": "A", "fields": {"nope": 1}}, 400, "unknown custom field 'nope': expected one of"),
    ({"first_name": "A", "labels": [""]}, 400, "expected a label, got nothing"),
    ({"first_name": "A", "owner_id": "00000000-0000-0000-0000-000000000001"}, 422,
     "owner_id: no such member in this workspace"),
    ({"first_name": "A", "organisation_id": "00000000-0000-0000-0000-000000000001"}, 422,
     "organisation_id: no such organisation in this workspace"),
], ids=["no name", "bad e-mail", "bad phone", "unknown field", "empty label", "stranger owner", "foreign organisation"])
async def test_a_bad_contact_is_refused_with_what_was_expected(server, t, body, status, detail):
    response = await call(server, t.member, "POST", f"/api/workspaces/{t.workspace}/contacts", json=body)
    assert response.status_code == status, response.text
    assert response.json()["detail"].startswith(detail), response.json()["detail"]


async def test_unknown_body_keys_are_refused(server, t):
    response = await call(server, t.member, "POST", f"/api/workspaces/{t.workspace}/contacts",
                          json={"first_name": "A", "nickname": "Al"})
    assert response.status_code == 400 and "nickname" in response.text


async def test_custom_fields_are_defined_by_admins_and_values_are_checked_on_write(server, t):
    base = f"/api/workspaces/{t.workspace}/custom-fields"
    tier = {"key": "tier", "label": "Tier", "type": "select", "options": ["gold", "silver"]}
    assert (await call(server, t.member, "POST", base, json=tier)).status_code == 403
    tier = await created(server, t.owner, base, tier)
    for field in ({"key": "score", "label": "Score", "type": "number"},
                  {"key": "renewal", "label": "Renewal", "type": "date"},
                  {"key": "newsletter", "label": "Newsletter", "type": "bool"}):
        await created(server, t.owner, base, field)
    again = await call(server, t.owner, "POST", base, json={"key": "tier", "label": "T", "type": "text"})
    assert again.status_code == 409
    listed = (await call(server, t.viewer, "GET", base)).json()
    assert [f["key"] for f in listed] == ["tier", "score", "renewal", "newsletter"]

    contacts = f"/api/workspaces/{t.workspace}/contacts"
    good = await created(server, t.member, contacts, {"first_name": "Grace", "fields": {
        "tier": "gold", "score": 4.5, "renewal": "2027-01-31", "newsletter": True}})
    assert good["fields"] == {"tier": "gold", "score": 4.5, "renewal": "2027-01-31", "newsletter": True}
    for fields, expected in [
        ({"tier": "bronze"}, "custom field 'tier' (select): expected one of 'gold', 'silver', got 'bronze'"),
        ({"score": "high"}, "custom field 'score' (number): expected a number, got 'high'"),
        ({"renewal": "31/01/2027"}, "custom field 'renewal' (date): expected a date as YYYY-MM-DD, got '31/01/2027'"),
        ({"newsletter": "yes"}, "custom field 'newsletter' (bool): expected true or false, got 'yes'"),
    ]:
        response = await call(server, t.member, "PATCH", f"/api/contacts/{good['id']}", json={"fields": fields})
        assert (response.status_code, response.json()["detail"]) == (400, expected)
    cleared = await call(server, t.member, "PATCH", f"/api/contacts/{good['id']}", json={"fields": {"tier": None}})
    assert "tier" not in cleared.json()["fields"] and cleared.json()["fields"]["score"] == 4.5

    relabelled = await call(server, t.owner, "PATCH", f"/api/custom-fields/{tier['id']}",
                            json={"label": "Customer tier", "options": ["gold", "silver", "bronze"]})
    assert relabelled.status_code == 200 and relabelled.json()["options"] == ["gold", "silver", "bronze"]
    assert (await call(server, t.owner, "DELETE", f"/api/custom-fields/{tier['id']}")).status_code == 204
    assert "tier" not in (await call(server, t.member, "GET", f"/api/contacts/{good['id']}")).json()["fields"]


async def test_a_custom_field_definition_is_checked(server, t):
    base = f"/api/workspaces/{t.workspace}/custom-fields"
    for body, expected in [
        ({"key": "Bad Key", "label": "x", "type": "text"}, "expected a field key of a-z"),
        ({"key": "colour", "label": "Colour", "type": "select"}, "expected 1 to 100 non-empty options"),
        ({"key": "size", "label": "Size", "type": "number", "options": ["s"]}, "only select and multi_select fields have options"),
    ]:
        response = await call(server, t.owner, "POST", base, json=body)
        assert response.status_code == 400 and response.json()["detail"].startswith(expected), response.text
