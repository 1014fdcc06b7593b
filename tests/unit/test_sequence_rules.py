"""The pure rules of e-mail sequences (issue 17 item 6): what an inbound message means (a person's
reply, an out-of-office answer, a bounce), the send window, and unsubscribe tokens that cannot be
forged."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from email.message import EmailMessage

import pytest

from server.domain.accounts import InvalidInput
from server.domain.sequences import (
    Kind, Step, Window, check_draft, next_opening, read_inbound, unsubscribe_key, unsubscribe_token,
    verify_unsubscribe,
)

KEY = unsubscribe_key("secret")


def mail(subject: str = "Re: Hello", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "Ann Client <Ann@Client.test>", "me@mail.test", subject
    message["In-Reply-To"] = "<step1@mail.test>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Thanks!")
    return bytes(message)


def test_a_persons_answer_is_a_reply_naming_what_it_answers():
    inbound = read_inbound(mail())
    assert (inbound.kind, inbound.sender, inbound.refers_to) == (Kind.REPLY, "ann@client.test", ["step1@mail.test"])
    assert read_inbound(mail(Auto_Submitted="no")).kind is Kind.REPLY


@pytest.mark.parametrize("headers", [
    {"Auto_Submitted": "auto-replied"}, {"Auto_Submitted": "auto-generated"}, {"X_Autoreply": "yes"},
    {"X_Autorespond": "1"}, {"Precedence": "auto_reply"}, {"X_Auto_Response_Suppress": "All"},
    {"subject": "Automatic reply: Hello"}, {"subject": "Out of Office: Hello"},
    {"subject": "Abwesenheitsnotiz: Hallo"}, {"subject": "Automatische Antwort: Hallo"},
], ids=lambda h: next(iter(h.values())))
def test_out_of_office_answers_are_auto_replies(headers):
    assert read_inbound(mail(**headers)).kind is Kind.AUTO_REPLY


def dsn(action: str) -> bytes:
    report = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.client.test>\r\nTo: me@mail.test\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.client.test\r\n\r\n"
        f"Final-Recipient: rfc822; gone@client.test\r\nAction: {action}\r\nStatus: 5.1.1\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: me@mail.test\r\nTo: gone@client.test\r\n"
        "Message-ID: <step1@mail.test>\r\nSubject: Hello\r\n\r\n--B--\r\n")
    return report.encode()


def test_a_failed_delivery_report_is_a_bounce_naming_the_message_and_recipient():
    inbound = read_inbound(dsn("failed"))
    assert (inbound.kind, inbound.refers_to, inbound.recipients) == (
        Kind.BOUNCE, ["step1@mail.test"], ["gone@client.test"])


def test_a_delayed_delivery_report_stops_nothing():
    assert read_inbound(dsn("delayed")).kind is Kind.AUTO_REPLY


def test_the_send_window_moves_a_time_to_its_next_opening_in_the_sequences_zone():
    office = Window(9, 17, (0, 1, 2, 3, 4), "Europe/Berlin")
    monday_10 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)  # 10:00 in Berlin
    assert next_opening(office, monday_10) == monday_10
    friday_evening = datetime(2026, 11, 6, 17, 30, tzinfo=timezone.utc)  # 18:30 in Berlin
    assert next_opening(office, friday_evening) == datetime(2026, 11, 9, 8, 0, tzinfo=timezone.utc)  # Monday 9:00
    assert next_opening(Window(), friday_evening) == friday_evening


def test_a_sequence_is_checked_before_it_is_kept():
    step = Step(uuid.uuid4(), 1, 0)
    assert check_draft("  Onboarding ", [step], Window(weekdays=(2, 1, 1))).window.weekdays == (1, 2)
    for name, steps, window, field in [
        ("", [step], Window(), "name"), ("S", [], Window(), "steps"),
        ("S", [Step(uuid.uuid4(), 0, 24)], Window(), "steps[1]"), ("S", [step], Window(10, 9), "window"),
        ("S", [step], Window(weekdays=(7,)), "window.weekdays"), ("S", [step], Window(time_zone="Mars/Base"),
                                                                  "window.time_zone")]:
        with pytest.raises(InvalidInput, match=field.replace("[", r"\[")):
            check_draft(name, steps, window)


def test_an_unsubscribe_token_names_its_enrolment_and_cannot_be_forged_or_altered():
    enrolment = uuid.uuid4()
    token = unsubscribe_token(KEY, enrolment)
    assert verify_unsubscribe(KEY, token) == enrolment
    assert verify_unsubscribe(unsubscribe_key("another"), token) is None
    other = unsubscribe_token(KEY, uuid.uuid4())
    assert verify_unsubscribe(KEY, token.split(".")[0] + "." + other.split(".")[1]) is None  # a MAC moved over
    flipped = token[:3] + ("A" if token[3] != "A" else "B") + token[4:]
    assert verify_unsubscribe(KEY, flipped) is None
    assert verify_unsubscribe(KEY, token[:-2]) is None and verify_unsubscribe(KEY, "garbage") is None
