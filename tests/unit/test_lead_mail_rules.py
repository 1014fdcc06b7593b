"""What a message to a leads address becomes (server/domain/lead_mail.py): the organisation from the
sender's domain (none for freemail), the lead's values, a reply's lines on the note, the token."""

from __future__ import annotations


import pytest

from server.domain.inbound_mail import parse
from server.domain.lead_mail import lead_from, note_with_reply, organisation_of, token_of
from server.domain.leads import MAX_NOTE

RAW = (b"From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <jm@vertrieb.mueller-bau.de>\r\nTo: x@y.test\r\n"
       b"Subject: Angebot bitte\r\nMessage-ID: <1@mueller-bau.de>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0100\r\n"
       b"\r\nBitte um ein Angebot.\r\n")


@pytest.mark.parametrize(("address", "organisation"), [
    ("ann@acme.com", "Acme"), ("ann@mail.acme-tools.co.uk", "Acme Tools"), ("a@mueller-bau.de", "Mueller Bau"),
    ("bo@gmail.com", ""), ("bo@GMX.de", ""), ("bo@web.de", ""), ("nobody", ""), ("x@localhost", ""),
])
def test_the_organisation_is_the_senders_domain_unless_freemail(address, organisation):
    assert organisation_of(address) == organisation


def test_a_first_message_gives_person_title_note_and_organisation():
    values = lead_from(parse(RAW))
    assert values == {"person_name": "Jürgen Müller", "email": "jm@vertrieb.mueller-bau.de",
                      "organisation_name": "Mueller Bau", "title": "Angebot bitte", "note": "Bitte um ein Angebot."}


def test_a_reply_is_added_below_the_note_and_the_note_stays_within_its_limit():
    email = parse(RAW)
    note = note_with_reply("First.", email)
    assert note == "First.\n\n— 2026-12-01 09:00 UTC, Jürgen Müller: Angebot bitte\nBitte um ein Angebot."
    assert len(note_with_reply("x" * MAX_NOTE, email)) == MAX_NOTE
    assert note_with_reply("", email).startswith("— 2026-12-01")


def test_only_a_leads_address_of_the_domain_has_a_token():
    assert token_of("<LEADS+AbC@In.Tandem.Test>", "in.tandem.test") == "abc"
    assert token_of("bcc+abc@in.tandem.test", "in.tandem.test") is None
    assert token_of("leads+abc@elsewhere.test", "in.tandem.test") is None
    assert token_of("leads+@in.tandem.test", "in.tandem.test") is None
