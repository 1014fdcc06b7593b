"""E-mail templates over the memory twins: defaults seeded once in the caller's language, who may
keep them, and previews that render merge fields in a sandbox and list what is missing."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from server.domain.access import Forbidden, NotFound
from server.domain.accounts import Conflict, InvalidInput
from server.domain.email_templates import TemplateError, check_draft, merge_fields, render
from server.services.contacts import Contacts
from server.services.email_templates import EmailTemplatesService, Subjects
from server.services.organisations import Organisations
from tests.unit.services.test_contacts import Crm


@pytest.fixture
async def crm() -> Crm:
    return await Crm().start()


@pytest.fixture
def templates(crm: Crm) -> EmailTemplatesService:
    return EmailTemplatesService(crm.begin)


async def test_the_first_look_seeds_four_defaults_in_the_callers_language_once(crm, templates):
    german = dataclasses.replace(crm.member, locale="de") if dataclasses.is_dataclass(crm.member) \
        else crm.member._replace(locale="de")
    seeded = await templates.list(german, crm.workspace)
    assert [t.name for t in seeded] == ["Nachfassen", "Onboarding", "Terminerinnerung", "Willkommen"]
    assert {t.locale for t in seeded} == {"de"}
    await templates.delete(crm.member, crm.workspace, seeded[0].id)
    again = await templates.list(crm.owner, crm.workspace)  # English caller: no English defaults now
    assert [t.name for t in again] == ["Onboarding", "Terminerinnerung", "Willkommen"]


async def test_members_keep_templates_viewers_read_them_and_strangers_see_none(crm, templates):
    made = await templates.create(crm.member, crm.workspace, "Offer", "en", "Offer for {{ organisation.name }}",
                                  "<p>{{ contact.first_name }}</p>")
    with pytest.raises(Conflict, match="Offer"):
        await templates.create(crm.colleague, crm.workspace, "Offer", "en", "S", "B")
    with pytest.raises(Forbidden):
        await templates.create(crm.viewer, crm.workspace, "Mine", "en", "S", "B")
    assert made.id in {t.id for t in await templates.list(crm.viewer, crm.workspace)}
    with pytest.raises(NotFound):
        await templates.list(crm.stranger, crm.workspace)
    with pytest.raises(NotFound):
        await templates.update(crm.stranger, crm.other, made.id, "X", "en", "S", "B")
    changed = await templates.update(crm.colleague, crm.workspace, made.id, "Offer", "de", "Angebot", "<p>B</p>")
    assert (changed.locale, changed.subject) == ("de", "Angebot")


async def test_a_preview_fills_contact_organisation_and_sender_and_names_what_is_missing(crm, templates):
    organisation = await Organisations(crm.begin, crm.feed).create(crm.member, crm.workspace, {"name": "Globex"})
    contact = await Contacts(crm.begin, crm.feed).create(crm.member, crm.workspace, {
        "first_name": "Ada", "last_name": "", "emails": ["ada@globex.test"], "organisation_id": organisation.id})
    made = await templates.create(crm.member, crm.workspace, "Hi", "en", "Hi {{ contact.first_name }}",
                                  "<p>{{ contact.last_name }} at {{ organisation.name }} — {{ deal.title }}, "
                                  "{{ sender.name }}</p>")
    shown = await templates.preview(crm.member, crm.workspace, made.id, Subjects(contact=contact.id))
    assert shown.subject == "Hi Ada"
    assert shown.body == "<p> at Globex — , Member</p>"  # the organisation comes with the contact
    assert shown.missing == ["contact.last_name", "deal.title"]
    unsafe = await templates.create(crm.member, crm.workspace, "Raw", "en", "S",
                                    '<p onclick="x()">{{ contact.first_name }}<script>alert(1)</script></p>')
    assert (await templates.preview(crm.member, crm.workspace, unsafe.id, Subjects(contact=contact.id))).body == \
        "<p>Ada</p>"  # what a member typed as HTML is sanitised before anyone's browser shows it
    with pytest.raises(NotFound):  # another workspace's contact is not there
        await templates.preview(crm.stranger, crm.other, made.id, Subjects(contact=contact.id))
    with pytest.raises(NotFound):
        await templates.preview(crm.member, crm.workspace, uuid.uuid4(), Subjects())


def test_merge_fields_are_escaped_in_the_body_and_not_in_the_subject():
    shown = render("About {{ contact.first_name }}", "<p>{{ contact.first_name }}</p>",
                   {"contact": {"first_name": "<b>Bo</b> & co"}})
    assert shown.subject == "About <b>Bo</b> & co"
    assert shown.body == "<p>&lt;b&gt;Bo&lt;/b&gt; &amp; co</p>" and shown.missing == []


def test_empty_values_custom_fields_and_unknown_names_are_listed_as_missing():
    shown = render("", "{{ contact.fields.industry }}{{ contact.fields.size }}{{ mystery }}{{ deal.stage.name }}",
                   {"contact": {"fields": {"industry": "", "size": 12}}})
    assert shown.body == "12"
    assert shown.missing == ["mystery", "contact.fields.industry", "deal.stage"]


def test_the_sandbox_refuses_reaching_into_python():
    with pytest.raises(TemplateError, match="may not use"):
        render("", "{{ ''.__class__.__mro__[1].__subclasses__() }}", {})
    hidden = render("", "{{ contact.__class__.__init__.__globals__ }}{{ contact._values }}", {"contact": {"a": 1}})
    assert hidden.body == "" and hidden.missing == ["contact.__class__", "contact._values"]
    shown = render("", "{{ contact.items }}{{ contact.values }}", {"contact": {"values": "v"}})
    assert (shown.body, shown.missing) == ("v", ["contact.items"])  # only fields, never methods


def test_drafts_are_checked_and_list_their_fields():
    with pytest.raises(TemplateError, match="body: the template does not parse at line 1"):
        check_draft("X", "en", "S", "{{ contact.first_name")
    with pytest.raises(InvalidInput, match="locale"):
        check_draft("X", "fr", "S", "B")
    with pytest.raises(InvalidInput, match="subject"):
        check_draft("X", "en", "one\ntwo", "B")
    assert merge_fields("{{ contact.first_name }} {{ sender.name }} {{ contact.first_name }}") == [
        "contact.first_name", "sender.name"]
