"""A web form's language (docs/leads.md, Web forms): its snippet's labels and button are written in
it, an admin changes it like any other setting, and a language the snippet has no words for is
refused naming ``language``."""

from __future__ import annotations

import pytest

from server.domain.leads import InvalidLead
from server.services.lead_forms import snippet
from tests.unit.services.test_leads import crm  # noqa: F401  (the fixture)


async def test_a_form_speaks_english_by_default_and_german_once_changed(crm):
    w = crm.world
    form = await crm.forms.create(w.admin, w.workspace, {"name": "Kontakt", "fields": ["person_name", "email",
                                                                                       "organisation_name"]})
    assert form.language == "en" and "<label>Company " in snippet(form, "https://crm.test")
    assert '<button type="submit">Send</button>' in snippet(form, "https://crm.test")
    german = await crm.forms.update(w.admin, form.id, {"language": "de"})
    html = snippet(german, "https://crm.test")
    assert "<label>Firma " in html and "<label>E-Mail " in html and '<button type="submit">Senden</button>' in html
    [stored] = await crm.forms.forms(w.member, w.workspace)
    assert stored.language == "de"


async def test_a_language_without_words_is_refused_naming_it(crm):
    w = crm.world
    with pytest.raises(InvalidLead, match="language: expected one of en, de"):
        await crm.forms.create(w.admin, w.workspace, {"name": "Formulaire", "language": "fr"})
