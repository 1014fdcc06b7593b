"""Finding contacts: search by fragments of names, e-mails, phones and companies; filters; saved
segments; duplicates found and merged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.accounts import AUTH, Account, Team, team
from tests.support.crm import projected
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, **AUTH)) as running:
        yield running


class World:
    def __init__(self, server: InProcessServer, t: Team) -> None:
        self.server, self.t = server, t
        self.ids: dict[str, str] = {}

    async def call(self, method: str, path: str, who: Account | None = None, **kwargs: Any) -> httpx.Response:
        who = who or self.t.member
        async with httpx.AsyncClient(base_url=self.server.http_url, headers=who.headers) as http:
            return await http.request(method, path, **kwargs)

    async def add(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.call("POST", f"/api/workspaces/{self.t.workspace}/{kind}", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    async def names(self, who: Account | None = None, **params: Any) -> list[str]:
        response = await self.call("GET", f"/api/workspaces/{self.t.workspace}/contacts", who, params=params)
        assert response.status_code == 200, response.text
        return [c["name"] for c in response.json()["items"]]


@pytest.fixture
async def world(server: InProcessServer) -> World:
    return await populated(server)


@pytest.fixture(scope="module")
async def searchable(server: InProcessServer) -> World:
    """One populated workspace shared by the read-only search cases."""
    return await populated(server)


async def populated(server: InProcessServer) -> World:
    w = World(server, await team(server.http_url))
    acme = await w.add("organisations", {"name": "Acme Rockets"})
    globex = await w.add("organisations", {"name": "Globex Corporation"})
    w.ids.update(acme=acme["id"], globex=globex["id"])
    people = [
        {"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada.lovelace@analytical.example"],
         "phones": ["+44 20 7946 0958"], "organisation_id": acme["id"], "labels": ["vip"]},
        {"first_name": "Alan", "last_name": "Turing", "emails": ["alan@bletchley.example"],
         "phones": ["(555) 010-4477"], "organisation_id": globex["id"], "labels": ["vip", "lead"],
         "owner_id": w.t.owner.id},
        {"first_name": "Grace", "last_name": "Hopper", "emails": ["grace@navy.example"], "phones": ["+1 555 0199"],
         "organisation_id": acme["id"], "labels": ["lead"]},
        {"first_name": "Zoë", "last_name": "O'Brien-Smith", "emails": ["zoe@brien.example"]},
    ]
    for person in people:
        w.ids[person["first_name"]] = (await w.add("contacts", person))["id"]
    return w


@pytest.mark.parametrize(("q", "expected"), [
    ("lov", ["Ada Lovelace"]),                  # name prefix
    ("velac", ["Ada Lovelace"]),                # inside a name
    ("ada lov", ["Ada Lovelace"]),              # several fragments: all must match
    ("LOVELACE", ["Ada Lovelace"]),             # case does not matter
    ("zoe", ["Zoë O'Brien-Smith"]),             # neither do accents
    ("brien smith", ["Zoë O'Brien-Smith"]),
    ("bletchley", ["Alan Turing"]),             # e-mail domain
    ("ada.love", ["Ada Lovelace"]),             # e-mail local part
    ("adalove", ["Ada Lovelace"]),              # ... run together
    ("alytic", ["Ada Lovelace"]),               # inside an e-mail
    ("7946", ["Ada Lovelace"]),                 # phone digits
    ("79460958", ["Ada Lovelace"]),
    ("020 7946 0958", []),                      # national format of an international number: not the same digits
    ("44 20 7946", ["Ada Lovelace"]),           # spaces and + do not matter
    ("010-44", ["Alan Turing"]),
    ("555", ["Grace Hopper", "Alan Turing"]),   # every match, in list order (last name, first name)
    ("acme", ["Grace Hopper", "Ada Lovelace"]),  # company
    ("rocket", ["Grace Hopper", "Ada Lovelace"]),
    ("globex alan", ["Alan Turing"]),
    ("nobody", []),
])
async def test_search_finds_contacts_by_fragments_of_names_emails_phones_and_companies(searchable, q, expected):
    assert await searchable.names(q=q) == expected


async def test_search_sees_edits_and_deletions_at_once(world):
    await world.call("PATCH", f"/api/contacts/{world.ids['Grace']}", json={"emails": ["amazing.grace@navy.example"]})
    assert await world.names(q="amazing") == ["Grace Hopper"]
    await world.call("DELETE", f"/api/contacts/{world.ids['Grace']}")
    assert await world.names(q="amazing") == []


async def test_filters_by_owner_label_organisation_custom_field_and_creation_time(world, database_url):
    t = world.t
    response = await world.call("POST", f"/api/workspaces/{t.workspace}/custom-fields", t.owner,
                                json={"key": "industry", "label": "Industry", "type": "select",
                                      "options": ["computing", "navy"]})
    assert response.status_code == 201
    await world.call("PATCH", f"/api/contacts/{world.ids['Grace']}", json={"fields": {"industry": "navy"}})
    await world.call("PATCH", f"/api/contacts/{world.ids['Ada']}", json={"fields": {"industry": "computing"}})
    assert await world.names(owner=t.owner.id) == ["Alan Turing"]
    assert await world.names(label="vip") == ["Ada Lovelace", "Alan Turing"]
    assert await world.names(label=["vip", "lead"]) == ["Alan Turing"], "every label given must be there"
    assert await world.names(organisation=world.ids["acme"]) == ["Grace Hopper", "Ada Lovelace"]
    assert await world.names(**{"field.industry": "navy"}) == ["Grace Hopper"]
    assert await world.names(**{"field.industry": "Navy", "q": "hop"}) == ["Grace Hopper"]
    bad = await world.call("GET", f"/api/workspaces/{t.workspace}/contacts", params={"field.industry": "farming"})
    assert bad.status_code == 400 and "expected one of 'computing', 'navy', got 'farming'" in bad.json()["detail"]
    unknown = await world.call("GET", f"/api/workspaces/{t.workspace}/contacts", params={"field.colour": "red"})
    assert unknown.status_code == 400 and "unknown custom field 'colour'" in unknown.json()["detail"]

    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("UPDATE contacts SET created_at = now() - interval '30 days' WHERE id = $1",
                           world.ids["Ada"])
    finally:
        await conn.close()
    since = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()
    assert "Ada Lovelace" not in await world.names(created_since=since)
    assert len(await world.names(created_since=since)) == 3


async def test_lists_are_paged(world):
    path = f"/api/workspaces/{world.t.workspace}/contacts"
    first = (await world.call("GET", path, params={"limit": 3})).json()
    assert len(first["items"]) == 3 and first["next_offset"] == 3
    rest = (await world.call("GET", path, params={"limit": 3, "offset": 3})).json()
    assert len(rest["items"]) == 1 and rest["next_offset"] is None
    assert (await world.call("GET", path, params={"limit": 0})).status_code == 400


async def test_saved_segments_are_named_filters_that_lists_combine_with_their_own(world):
    t, base = world.t, f"/api/workspaces/{world.t.workspace}/segments"
    created = await world.call("POST", base, json={"name": "Acme VIPs", "filter": {
        "labels": ["vip"], "organisation": world.ids["acme"]}})
    assert created.status_code == 201, created.text
    segment = created.json()
    assert segment["filter"] == {"labels": ["vip"], "organisation": world.ids["acme"]}
    assert await world.names(segment=segment["id"]) == ["Ada Lovelace"]
    assert await world.names(segment=segment["id"], q="turing") == [], "the segment's filter still holds"
    assert await world.names(who=t.viewer, segment=segment["id"]) == ["Ada Lovelace"], "viewers use segments"

    taken = await world.call("POST", base, json={"name": "Acme VIPs", "filter": {}})
    assert taken.status_code == 409
    by_viewer = await world.call("POST", base, t.viewer, json={"name": "Mine", "filter": {}})
    assert by_viewer.status_code == 403

    changed = await world.call("PATCH", f"/api/segments/{segment['id']}",
                               json={"name": "Leads", "filter": {"labels": ["lead"]}})
    assert changed.status_code == 200 and changed.json()["name"] == "Leads"
    assert await world.names(segment=segment["id"]) == ["Grace Hopper", "Alan Turing"]
    assert [s["name"] for s in (await world.call("GET", base, t.viewer)).json()] == ["Leads"]
    assert (await world.call("DELETE", f"/api/segments/{segment['id']}")).status_code == 204
    gone = await world.call("GET", f"/api/workspaces/{t.workspace}/contacts", params={"segment": segment["id"]})
    assert gone.status_code == 404 and gone.json()["detail"] == "no such segment"


async def test_duplicates_are_found_by_email_phone_and_similar_name_in_the_same_organisation(world):
    ada, acme = world.ids["Ada"], world.ids["acme"]
    same_email = await world.add("contacts", {"first_name": "Augusta", "last_name": "King",
                                              "emails": ["ADA.LOVELACE@analytical.example"]})
    same_phone = await world.add("contacts", {"first_name": "A.", "last_name": "L.",
                                              "phones": ["0044 (20) 79460958"]})  # 00 dialled for +
    similar = await world.add("contacts", {"first_name": "Adah", "last_name": "Lovelace", "organisation_id": acme})
    await world.add("contacts", {"first_name": "Adah", "last_name": "Lovelace"})  # no organisation: not similar enough
    found = (await world.call("GET", f"/api/contacts/{ada}/duplicates")).json()
    reasons = {d["contact"]["id"]: d["reason"] for d in found}
    assert reasons == {
        same_email["id"]: "same email ada.lovelace@analytical.example",
        same_phone["id"]: "same phone 442079460958",
        similar["id"]: "similar name in the same organisation",
    }
    pairs = (await world.call("GET", f"/api/workspaces/{world.t.workspace}/contacts/duplicates")).json()
    assert {frozenset((p["a"], p["b"])) for p in pairs} >= {frozenset((ada, same_email["id"])),
                                                            frozenset((ada, similar["id"]))}


async def test_merging_moves_emails_phones_labels_and_fields_into_one_contact_in_one_step(world, database_url):
    ada = world.ids["Ada"]
    twin = await world.add("contacts", {"first_name": "Ada", "last_name": "Lovelace", "job_title": "Countess",
                                        "emails": ["ada@lovelace.example", "ada.lovelace@analytical.example"],
                                        "phones": ["+44 20 7946 0958", "+44 7700 900123"], "labels": ["poet"]})
    merged = await world.call("POST", f"/api/contacts/{ada}/merge", json={"merge": [twin["id"]]})
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert body["emails"] == ["ada.lovelace@analytical.example", "ada@lovelace.example"]
    assert body["phones"] == ["+44 20 7946 0958", "+44 7700 900123"]
    assert body["labels"] == ["vip", "poet"]
    assert body["job_title"] == "Countess", "an empty value is filled from the merged contact"
    assert body["organisation"]["id"] == world.ids["acme"], "the survivor's own values win"
    gone = await world.call("GET", f"/api/contacts/{twin['id']}")
    assert gone.status_code == 404 and gone.json()["detail"] == f"no such contact: it was merged into {ada}"
    assert await world.names(q="lovelace") == ["Ada Lovelace"]
    links = (await world.call("GET", f"/api/contacts/{ada}/links")).json()
    assert links["aliases"] == [ada, twin["id"]], "what referred to the merged contact now counts for the survivor"

    audit = (await world.call("GET", f"/api/workspaces/{world.t.workspace}/audit", world.t.owner)).json()
    event = next(e for e in audit if e["event"] == "contact.merged")
    assert event["details"] == {"contact": ada, "merged": [twin["id"]]} and event["actor_id"] == world.t.member.id


async def test_a_merge_is_refused_whole_when_one_contact_is_not_mergeable(world):
    ada = world.ids["Ada"]
    elsewhere = await team(world.server.http_url)
    async with httpx.AsyncClient(base_url=world.server.http_url, headers=elsewhere.owner.headers) as http:
        stranger = (await http.post(f"/api/workspaces/{elsewhere.workspace}/contacts",
                                    json={"first_name": "Eve"})).json()
    refused = await world.call("POST", f"/api/contacts/{ada}/merge",
                               json={"merge": [world.ids["Alan"], stranger["id"]]})
    assert refused.status_code == 404 and refused.json()["detail"] == f"no such contact: {stranger['id']}"
    assert (await world.call("GET", f"/api/contacts/{world.ids['Alan']}")).status_code == 200, "nothing was merged"
    itself = await world.call("POST", f"/api/contacts/{ada}/merge", json={"merge": [ada]})
    assert itself.status_code == 400
    by_viewer = await world.call("POST", f"/api/contacts/{ada}/merge", world.t.viewer,
                                 json={"merge": [world.ids["Alan"]]})
    assert by_viewer.status_code == 403


async def test_a_contacts_links_list_its_deals_activities_and_notes_and_follow_a_merge(world):
    t, ada = world.t, world.ids["Ada"]
    twin = (await world.add("contacts", {"first_name": "Ada", "last_name": "King"}))["id"]
    board = t.board["id"]
    deal = await world.call("POST", f"/api/boards/{board}/cards", json={"title": "Engine", "contact": twin})
    assert deal.status_code == 201, deal.text
    call = await world.call("POST", f"/api/boards/{board}/activities",
                            json={"type": "call", "title": "Call Ada", "contact": twin})
    assert call.status_code == 201, call.text
    note = await world.call("POST", "/api/notes", json={"subject_kind": "contact", "subject_id": twin,
                                                        "board": board, "title": "Met at the salon"})
    assert note.status_code == 201, note.text
    await projected(world.server)
    links = (await world.call("GET", f"/api/contacts/{twin}/links", t.viewer)).json()
    assert ([d["title"] for d in links["deals"]], [a["title"] for a in links["activities"]],
            [n["title"] for n in links["notes"]]) == (["Engine"], ["Call Ada"], ["Met at the salon"])
    assert (await world.call("GET", f"/api/contacts/{twin}")).json()["notes_count"] == 1

    assert (await world.call("POST", f"/api/contacts/{ada}/merge", json={"merge": [twin]})).status_code == 200
    links = (await world.call("GET", f"/api/contacts/{ada}/links")).json()
    assert [d["title"] for d in links["deals"]] == ["Engine"], "at once, through merged_into"
    assert [n["title"] for n in links["notes"]] == ["Met at the salon"]

    async def repointed() -> bool:
        await projected(world.server)
        found = (await world.call("GET", f"/api/contacts/{ada}/links")).json()
        return [d["contact_id"] for d in found["deals"]] == [ada] and \
            [a["contact_id"] for a in found["activities"]] == [ada]

    await eventually(repointed)  # the board document itself now names the survivor
