"""Converting a lead leaves nothing half-done (docs/leads.md, Converting): the deal is the last step,
added with its contact and organisation in one create, so a failure before it leaves no deal; a
contact or organisation the failed conversion made is removed again, one it found is kept; a retry
makes exactly one deal and one contact. Over the memory twins, with ``BoardEdits`` for the board."""

from __future__ import annotations

import pytest

from server.domain.contacts import Filter
from server.domain.leads import LeadStatus
from server.services.permissions import WorkspacePermissions
from tests.unit.services.test_leads import contacts, crm  # noqa: F401  (the fixture)


async def organisations(crm) -> list:
    async with crm.world.begin() as unit:
        return await unit.contact_search.organisations(crm.world.workspace, Filter(), 100, 0)


def failing_once(monkeypatch, target, name: str) -> None:
    """``target.name`` raises the first time it is called, then works again."""
    real = getattr(target, name)
    calls = []

    async def once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError(f"{name} failed")
        return await real(*args, **kwargs)

    monkeypatch.setattr(target, name, once)


async def test_a_failed_organisation_step_removes_the_contact_it_made_and_a_retry_makes_one_of_each(crm, monkeypatch):
    w = crm.world
    lead = await crm.leads.create(w.member, w.workspace, {"person_name": "Eve Stone", "email": "eve@newco.test",
                                                          "organisation_name": "Newco"})
    failing_once(monkeypatch, w.organisations, "create")
    with pytest.raises(RuntimeError, match="create failed"):
        await crm.leads.convert(w.member, lead.id, crm.edits.board, None)
    assert (await crm.leads.get(w.member, lead.id)).status is LeadStatus.NEW
    assert crm.edits.deals == {} and await contacts(crm) == []
    done = await crm.leads.convert(w.member, lead.id, crm.edits.board, None)
    assert len(crm.edits.deals) == 1 and [c.id for c in await contacts(crm)] == [done.contact_id]
    deal = crm.edits.deals[done.deal_id]
    assert (deal["contact"], deal["organisation"]) == (done.contact_id, done.organisation_id)


async def test_a_failed_board_step_removes_what_it_made_and_keeps_what_it_found(crm):
    w = crm.world
    ann = await w.contacts.create(w.member, w.workspace, {"first_name": "Ann", "emails": ["ann@acme.test"]})
    lead = await crm.leads.create(w.member, w.workspace, {"person_name": "Ann", "email": "ann@acme.test",
                                                          "organisation_name": "Brand New Ltd"})
    crm.edits.fail = True
    with pytest.raises(RuntimeError, match="board is gone"):
        await crm.leads.convert(w.member, lead.id, crm.edits.board, None)
    assert [c.id for c in await contacts(crm)] == [ann.id]
    assert await organisations(crm) == []
    assert (await crm.leads.get(w.member, lead.id)).status is LeadStatus.NEW
    crm.edits.fail = False
    done = await crm.leads.convert(w.member, lead.id, crm.edits.board, None)
    assert done.contact_id == ann.id and len(crm.edits.deals) == 1 and len(await organisations(crm)) == 1


async def test_a_failed_conversion_removes_its_contact_even_where_only_admins_may_delete(crm):
    w = crm.world
    await WorkspacePermissions(w.begin).change(w.owner, w.workspace, {"delete": "admins"}, "")
    lead = await crm.leads.create(w.member, w.workspace, {"person_name": "Flo", "email": "flo@x.test"})
    crm.edits.fail = True
    with pytest.raises(RuntimeError):
        await crm.leads.convert(w.member, lead.id, crm.edits.board, None)
    assert await contacts(crm) == []
