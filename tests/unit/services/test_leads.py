"""The leads inbox and web forms over the memory twins: converting finds the contact by e-mail
instead of making a second one, a converted lead is not converted again (409), archive and restore,
who may do what, and a form's post (signed id, honeypot, fields named when wrong, throttle).

The board edits are the one stand-in: ``Boards`` and ``Crm`` need live rooms, so ``BoardEdits``
records the deals a conversion adds (the integration tests run the real ones)."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import UUID, uuid4

import pytest

from server.domain.access import Access, Forbidden, NotFound, Role
from server.domain.accounts import Conflict, Throttled
from server.domain.contacts import Filter
from server.domain.leads import InvalidLead, LeadFilter, LeadSource, LeadStatus
from server.domain.throttle import Rule, Scope
from server.services.lead_forms import LeadFormsService, public_id
from server.services.leads import LeadsService
from tests.unit.services.test_contacts import Crm


class BoardEdits:
    """``Boards.get`` and ``Crm.create_card``/``update_card`` for one pipeline board of ``workspace``."""

    def __init__(self, workspace: UUID) -> None:
        self.board = uuid4()
        self.workspace = workspace
        self.deals: dict[UUID, dict] = {}
        self.fail = False

    async def get(self, caller, board: UUID):
        if board != self.board:
            raise NotFound("no such board")
        return SimpleNamespace(access=Access.WRITE, board=SimpleNamespace(kind="pipeline", workspace_id=self.workspace))

    async def create_card(self, caller, board: UUID, values: dict, *, stage=None):
        if self.fail:
            raise RuntimeError("the board is gone")
        deal = uuid4()
        self.deals[deal] = {**values, "stage": stage}
        return SimpleNamespace(id=deal)

    async def update_card(self, caller, board: UUID, card: UUID, changes: dict):
        self.deals[card].update(changes)


@pytest.fixture
async def crm() -> SimpleNamespace:
    world = await Crm().start()
    edits = BoardEdits(world.workspace)
    leads = LeadsService(world.begin, edits, edits, world.contacts, world.organisations)  # type: ignore[arg-type]
    rules = {Scope.LEAD_FORM_ADDRESS: Rule(free=3, first_delay=60, longest=60),
             Scope.LEAD_FORM: Rule(free=100, first_delay=1, longest=1)}
    return SimpleNamespace(world=world, edits=edits, leads=leads, forms=LeadFormsService(world.begin, rules))


async def contacts(crm) -> list:
    async with crm.world.begin() as unit:
        return await unit.contact_search.contacts(crm.world.workspace, Filter(), 100, 0)


async def test_converting_finds_the_contact_by_email_and_the_organisation_by_name(crm):
    w = crm.world
    ann = await w.contacts.create(w.member, w.workspace, {"first_name": "Ann", "emails": ["ann@acme.test"]})
    acme = await w.organisations.create(w.member, w.workspace, {"name": "Acme"})
    lead = await crm.leads.create(w.member, w.workspace, {"person_name": "Ann Lee", "email": "ANN@acme.test",
                                                          "organisation_name": "acme", "value": 900,
                                                          "currency": "EUR"})
    done = await crm.leads.convert(w.member, lead.id, crm.edits.board, None)
    assert done.status is LeadStatus.CONVERTED and done.contact_id == ann.id and done.organisation_id == acme.id
    assert [c.id for c in await contacts(crm)] == [ann.id]
    deal = crm.edits.deals[done.deal_id]
    assert deal["contact"] == ann.id and deal["organisation"] == acme.id
    assert (deal["title"], deal["value"], deal["currency"], deal["owner"]) == ("acme · Ann Lee", 900, "EUR",
                                                                              w.member.id)


async def test_converting_without_a_known_email_makes_the_contact_and_organisation(crm):
    w = crm.world
    lead = await crm.leads.create(w.member, w.workspace, {"person_name": "Bo van Dam", "email": "bo@new.test",
                                                          "phone": "+49 30 123456", "organisation_name": "Newco"})
    done = await crm.leads.convert(w.member, lead.id, crm.edits.board, None)
    made = await w.contacts.get(w.member, done.contact_id)
    assert (made.values.first_name, made.values.last_name, made.values.emails) == ("Bo", "van Dam", ["bo@new.test"])
    assert (await w.organisations.get(w.member, done.organisation_id)).values.name == "Newco"
    found = await crm.leads.inbox(w.member, w.workspace, LeadFilter(status=LeadStatus.CONVERTED,
                                                                    deal=done.deal_id))
    assert [x.id for x in found.leads] == [lead.id]


async def test_a_converted_lead_cannot_be_converted_twice_or_edited(crm):
    w = crm.world
    lead = await crm.leads.create(w.member, w.workspace, {"person_name": "Cy"})
    await crm.leads.convert(w.member, lead.id, crm.edits.board, None)
    with pytest.raises(Conflict, match="converted already"):
        await crm.leads.convert(w.colleague, lead.id, crm.edits.board, None)
    with pytest.raises(Conflict):
        await crm.leads.update(w.member, lead.id, {"note": "later"})
    assert len(crm.edits.deals) == 1 and len(await contacts(crm)) == 1


async def test_a_conversion_that_fails_on_the_board_leaves_the_lead_as_it_was(crm):
    w = crm.world
    lead = await crm.leads.create(w.member, w.workspace, {"person_name": "Di", "email": "di@x.test"})
    await crm.leads.update(w.member, lead.id, {"status": "qualified"})
    crm.edits.fail = True
    with pytest.raises(RuntimeError):
        await crm.leads.convert(w.member, lead.id, crm.edits.board, None)
    assert (await crm.leads.get(w.member, lead.id)).status is LeadStatus.QUALIFIED
    assert await contacts(crm) == []


async def test_archive_hides_a_lead_restore_brings_back_its_status_and_an_archived_lead_is_not_converted(crm):
    w = crm.world
    lead = await crm.leads.create(w.member, w.workspace, {"title": "Big one", "email": "x@y.test"})
    await crm.leads.update(w.member, lead.id, {"status": "qualified"})
    assert await crm.leads.archive(w.member, w.workspace, [lead.id], True) == [lead.id]
    inbox = await crm.leads.inbox(w.viewer, w.workspace, LeadFilter())
    assert inbox.leads == [] and inbox.counts == {"archived": 1}
    with pytest.raises(Conflict, match="archived"):
        await crm.leads.convert(w.member, lead.id, crm.edits.board, None)
    await crm.leads.archive(w.member, w.workspace, [lead.id], False)
    assert (await crm.leads.get(w.member, lead.id)).status is LeadStatus.QUALIFIED


async def test_viewers_read_members_write_and_strangers_are_told_nothing_exists(crm):
    w = crm.world
    with pytest.raises(Forbidden):
        await crm.leads.create(w.viewer, w.workspace, {"person_name": "Ed"})
    lead = await crm.leads.create(w.member, w.workspace, {"person_name": "Ed", "owner": str(w.colleague.id)})
    assert lead.owner_id == w.colleague.id and lead.source is LeadSource.MANUAL
    with pytest.raises(NotFound, match="no such lead"):
        await crm.leads.get(w.stranger, lead.id)
    with pytest.raises(InvalidLead, match="owner"):
        await crm.leads.create(w.member, w.workspace, {"person_name": "Fay", "owner": str(w.stranger.id)})
    with pytest.raises(InvalidLead, match="status"):
        await crm.leads.update(w.member, lead.id, {"status": "converted"})


@pytest.mark.parametrize("values, field", [
    ({}, "person_name"), ({"email": "not-an-address"}, "email"), ({"person_name": "A", "value": -1}, "value"),
    ({"person_name": "A", "currency": "EURO"}, "currency"), ({"person_name": "A", "colour": "red"}, "colour"),
])
async def test_a_bad_lead_is_refused_naming_the_field(crm, values, field):
    with pytest.raises(InvalidLead) as refused:
        await crm.leads.create(crm.world.member, crm.world.workspace, values)
    assert refused.value.field == field


async def test_a_form_post_makes_a_lead_for_the_forms_owner_who_is_notified(crm):
    w = crm.world
    form = await crm.forms.create(w.admin, w.workspace, {"name": "Contact us", "owner": str(w.member.id),
                                                         "fields": ["person_name", "email", "note"],
                                                         "redirect_url": "https://example.com/thanks"})
    token = public_id(form)
    got = await crm.forms.capture(token, {"person_name": "Gil", "email": "gil@site.test", "note": "call me",
                                          "value": "99999", "title": "ignored: not a field of the form"}, "198.51.100.1")
    assert got.redirect_url == "https://example.com/thanks"
    assert (got.lead.source, got.lead.owner_id, got.lead.form_id, got.lead.value) == (
        LeadSource.WEB_FORM, w.member.id, form.id, None)
    async with w.begin() as unit:
        assert [n.message for n in await unit.notifications.of_user(w.member.id)] == [
            "New lead from the form Contact us: Gil"]


async def test_a_form_post_with_the_honeypot_filled_is_answered_alike_and_kept_nowhere(crm):
    w = crm.world
    form = await crm.forms.create(w.admin, w.workspace, {"name": "Contact us"})
    token = public_id(form)
    got = await crm.forms.capture(token, {"person_name": "Bot", "website": "http://spam.test"}, "198.51.100.2")
    assert got.lead is None
    assert (await crm.leads.inbox(w.member, w.workspace, LeadFilter())).leads == []


async def test_a_forged_form_id_is_not_found_and_an_address_is_throttled(crm):
    w = crm.world
    form = await crm.forms.create(w.admin, w.workspace, {"name": "Contact us"})
    forged = f"{form_id_part(form)}.AAAAAAAAAAAAAAAA"
    with pytest.raises(NotFound):
        await crm.forms.capture(forged, {"person_name": "X"}, "198.51.100.3")
    with pytest.raises(NotFound):
        await crm.forms.capture("garbage", {"person_name": "X"}, "198.51.100.3")
    with pytest.raises(InvalidLead, match="email"):
        await crm.forms.capture(form_id_part(form, whole=True), {"email": "nope"}, "198.51.100.3")
    with pytest.raises(Throttled):
        await crm.forms.capture(form_id_part(form, whole=True), {"person_name": "X"}, "198.51.100.3")


async def test_forms_are_kept_by_admins_and_a_redirect_must_be_https(crm):
    w = crm.world
    with pytest.raises(Forbidden):
        await crm.forms.create(w.member, w.workspace, {"name": "Mine"})
    with pytest.raises(InvalidLead, match="redirect_url"):
        await crm.forms.create(w.admin, w.workspace, {"name": "Mine", "redirect_url": "http://example.com"})
    with pytest.raises(InvalidLead, match="fields"):
        await crm.forms.create(w.admin, w.workspace, {"name": "Mine", "fields": ["phone"]})
    form = await crm.forms.create(w.admin, w.workspace, {"name": "Mine"})
    assert form.owner_id == w.admin.id and form.fields == ["person_name", "email", "note"]
    changed = await crm.forms.update(w.admin, form.id, {"name": "Demo", "fields": ["email", "phone"]})
    assert [f.name for f in await crm.forms.forms(w.viewer, w.workspace)] == ["Demo"] and changed.fields == [
        "email", "phone"]
    await crm.forms.delete(w.admin, form.id)
    assert await crm.forms.forms(w.member, w.workspace) == []


def form_id_part(form, whole: bool = False) -> str:
    token = public_id(form)
    return token if whole else token.split(".")[0]
