"""``server.domain.system_mail``: every kind of system mail in English and German, dates in the
recipient's language and zone, hostile fields escaped in the HTML and kept to one line in the
subject, links only to our own origin."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from server.domain.sending import Envelope, mime
from server.domain.system_mail import TEXTS, Count, Item, Moment, absolute, locale_of, notification_line, render, \
    spoken_time

AT = datetime(2026, 12, 7, 13, 30, tzinfo=timezone.utc)
BASE = "https://crm.example.com"
HOSTILE = "<script>alert(1)</script>\r\nBcc: victim@example.com"
FIELDS = {"inviter": "Ann", "workspace": "Acme", "board": "Pipeline", "token": "tok123", "expires": Moment(AT, "UTC"),
          "minutes": Count(60, "minute"), "line": "Assigned to you: Call", "at": Moment(AT, "Europe/Berlin"),
          "name": "Mia", "count": Count(2, "unread"), "title": "Bo · Ann", "when": Moment(AT, "Europe/Berlin"),
          "guest": "Bo", "host": "Ann", "email": "bo@example.com", "length": Count(30, "minute"),
          "ics": "invite.ics", "note": "Bring the offer"}


def test_a_time_is_said_in_the_recipients_language_and_zone():
    assert spoken_time(AT, "Europe/Berlin", "de") == "Montag, 7. Dezember 2026, 14:30"
    assert spoken_time(AT, "America/New_York", "en") == "Monday, 7 December 2026, 08:30"
    assert spoken_time(AT, "Mars/Olympus", "en") == "Monday, 7 December 2026, 13:30", "an unknown zone: UTC"


def test_the_language_is_the_chosen_one_else_english():
    assert [locale_of(x) for x in ("de", "de-AT", "DE_ch", "fr", None, "")] == ["de", "de", "de", "en", "en", "en"]
    assert locale_of(None, "de") == "de", "the first one we write in"


@pytest.mark.parametrize("kind", sorted(TEXTS))
@pytest.mark.parametrize("locale", ["en", "de"])
def test_every_kind_renders_every_paragraph_in_both_languages(kind, locale):
    mail = render(kind, locale, FIELDS, f"{BASE}/x")
    assert "{" not in mail.subject + mail.text + mail.html, "no field left unfilled"
    assert len(mail.text.split("\n\n")) >= len(TEXTS[kind][locale].paragraphs), "no paragraph dropped"
    assert f'<a href="{BASE}/x">' in mail.html and f"{BASE}/x" in mail.text


def test_the_german_and_english_texts_differ_and_are_the_right_ones():
    de = render("booking_confirmed_guest", "de", FIELDS, f"{BASE}/booking/t")
    en = render("booking_confirmed_guest", None, FIELDS, f"{BASE}/booking/t")
    assert de.subject == "Gebucht: Bo · Ann, Montag, 7. Dezember 2026, 14:30 (Europe/Berlin)"
    assert en.subject == "Booked: Bo · Ann, Monday, 7 December 2026, 14:30 (Europe/Berlin)"
    assert "für 30 Minuten" in de.text and "Absagen oder verschieben: https://crm.example.com/booking/t" in de.text
    assert "for 30 minutes" in en.text and "Cancel or reschedule: https://crm.example.com/booking/t" in en.text


def test_counts_are_singular_or_plural():
    assert render("digest", "en", {**FIELDS, "count": Count(1, "unread")}).subject == "Tandem: 1 unread notification"
    assert render("digest", "de", FIELDS).subject == "Tandem: 2 ungelesene Benachrichtigungen"


def test_an_empty_field_leaves_its_paragraph_out():
    with_note = render("booking_confirmed_host", "en", FIELDS).text
    without = render("booking_confirmed_host", "en", {**FIELDS, "note": None, "ics": None}).text
    assert "Bring the offer" in with_note and "invite.ics" in with_note
    assert "note" not in without and "invite.ics" not in without


def test_a_hostile_name_is_escaped_in_the_html_and_cannot_add_a_header():
    mail = render("guest_invitation", "en", {**FIELDS, "inviter": HOSTILE}, f"{BASE}/guest/t")
    assert "<script>" not in mail.html and "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html
    assert "\r" not in mail.subject and "\n" not in mail.subject
    message = mime(Envelope(sender="crm@tandem.test", to=("a@example.com",), subject=mail.subject, text=mail.text,
                            html=mail.html, message_id="<1@tandem.test>"))
    assert message["Bcc"] is None and message["Subject"].startswith("<script>alert(1)</script> Bcc: victim")
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]


def test_a_guests_note_keeps_its_lines_and_is_escaped():
    mail = render("booking_requested_host", "en", {**FIELDS, "note": "Line one\n<b>two</b>"})
    assert "Line one\n<b>two</b>" in mail.text
    assert "Line one<br>\n&lt;b&gt;two&lt;/b&gt;" in mail.html


def test_links_stay_on_our_origin_and_a_list_item_links_each_line():
    assert absolute(BASE + "/", "/w/1/boards/2") == f"{BASE}/w/1/boards/2"
    assert absolute("", "/invite/t") == "/invite/t", "no public URL: the path alone"
    for escaping in ("https://evil.example/x", "//evil.example/x", "/x\r\nBcc: a@b"):
        with pytest.raises(ValueError, match="expected a path"):
            absolute(BASE, escaping)
    mail = render("digest", "de", FIELDS, f"{BASE}/", [Item("A <b>", f"{BASE}/w/1"), Item("B", "/w/2")])
    assert f'<li><a href="{BASE}/w/1">A &lt;b&gt;</a></li>' in mail.html
    assert "<li>B (/w/2)</li>" in mail.html, "a relative link is not an anchor"
    assert f"- A <b>\n  {BASE}/w/1" in mail.text


def test_a_notification_line_speaks_the_recipients_language():
    assert notification_line("mentioned", "“Call notes”", "Ada", "de") == "Ada hat Sie erwähnt in: “Call notes”"
    assert notification_line("mentioned", "“Call notes”", None, "en") == "Mentioned you in: “Call notes”"
    assert notification_line("deal_changed", "Globex: won", None, "de") == "Gefolgter Deal: Globex: gewonnen"
    assert notification_line("deal_changed", "Globex: moved to Offer", None, "de") == \
        "Gefolgter Deal: Globex: verschoben nach Offer"
    assert notification_line("assigned", "Call", None, None) == "Assigned to you: Call"
    assert notification_line("booking_request", "Jana, 8 Dec", None, "de") == "Terminanfrage: Jana, 8 Dec"
