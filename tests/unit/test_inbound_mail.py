"""Reading a message from a mailbox (``server.domain.inbound_mail``): headers as people wrote them,
what is kept storable and safe, threading by References / In-Reply-To, and whom it is filed under."""

from __future__ import annotations

from datetime import UTC, datetime

from server.domain.inbound_mail import (
    MAX_TEXT, SNIPPET, ancestors, correspondents, message_ids, parse, storable, thread_of,
)

MULTIPART = (
    b'From: "Ann =?utf-8?q?W=C3=B6rld?=" <ANN@Example.com>\r\n'
    b"To: me@tandem.test,\r\n Bob <bob@x.org>\r\n"
    b"Cc: carol@x.org\r\n"
    b"Subject: Hello\r\n =?utf-8?q?W=C3=B6rld?=\r\n"
    b"Date: Tue, 1 Dec 2026 10:00:00 +0100\r\n"
    b"Message-ID: <abc@example.com>\r\n"
    b"References: <root@x>\r\n <mid@x>\r\n"
    b"In-Reply-To: <mid@x>\r\n"
    b"Content-Type: multipart/alternative; boundary=b\r\n\r\n"
    b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHi   there,\r\n\r\nsee you\r\n"
    b"--b\r\nContent-Type: text/html\r\n\r\n<p onclick=\"x()\">Hi<script>alert(1)</script>"
    b'<img src="http://tracker.test/p.gif"><a href="https://x.test" target="_blank">link</a></p>\r\n--b--\r\n')


def test_headers_read_as_written_folded_and_encoded_words_decoded_addresses_lower_cased():
    mail = parse(MULTIPART)
    assert (mail.message_id, mail.in_reply_to, mail.references) == ("abc@example.com", "mid@x", ["root@x", "mid@x"])
    assert (mail.from_address, mail.from_name, mail.subject) == ("ann@example.com", "Ann Wörld", "Hello Wörld")
    assert (mail.to, mail.cc) == (["me@tandem.test", "bob@x.org"], ["carol@x.org"])
    assert mail.sent_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert mail.thread_id == "root@x"  # provisional: the References' root


def test_the_html_part_is_sanitised_and_the_snippet_is_the_text_on_one_line():
    mail = parse(MULTIPART)
    assert "script" not in mail.body_html and "onclick" not in mail.body_html
    assert "<img" not in mail.body_html and "tracker.test" not in mail.body_html  # no remote loads
    assert 'href="https://x.test"' in mail.body_html and "noopener" in mail.body_html
    assert mail.body_text.startswith("Hi   there,") and mail.snippet == "Hi there, see you"


def test_a_message_without_a_message_id_gets_the_same_one_on_every_read():
    raw = b"From: a@x.test\r\nSubject: no id\r\n\r\nbody\r\n"
    first, again = parse(raw), parse(raw)
    assert first.message_id == again.message_id and first.message_id.endswith("@tandem.invalid")
    assert parse(raw + b"more").message_id != first.message_id


def test_what_postgres_cannot_store_is_dropped_and_huge_bodies_are_cut():
    raw = b"From: a@x.test\r\nSubject: nul\x00here\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + \
        b"\x00" + b"x" * (MAX_TEXT + 10)
    mail = parse(raw)
    assert "\x00" not in mail.subject and "\x00" not in mail.body_text and len(mail.body_text) == MAX_TEXT
    assert len(mail.snippet) == SNIPPET
    assert storable("a\ud800b") == "a?b"  # a lone surrogate (surrogateescape decoding) is replaced


def test_garbage_still_parses_and_an_unreadable_date_falls_back_to_the_arrival():
    arrived = datetime(2026, 5, 1, tzinfo=UTC)
    mail = parse(b"Date: yesterday-ish\r\nFrom: <<<>>>\r\n\r\n\xff\xfe", arrived)
    assert (mail.sent_at, mail.from_address, mail.to) == (arrived, "", [])
    assert parse(b"no headers at all").sent_at == datetime.fromtimestamp(0, UTC)


def test_message_ids_take_every_bracketed_id_once_in_order_or_a_bare_one():
    assert message_ids("<a@x> <b@x>\r\n <a@x>") == ["a@x", "b@x"]
    assert message_ids("bare@x") == ["bare@x"] and message_ids(None) == [] and message_ids("two words") == []


def test_a_reply_joins_the_thread_of_its_nearest_known_ancestor():
    reply = parse(b"Message-ID: <r@x>\r\nIn-Reply-To: <p@x>\r\nReferences: <root@x> <p@x>\r\n\r\n.")
    assert ancestors(reply) == ["p@x", "root@x"]
    assert thread_of(reply, {}) == "root@x"
    assert thread_of(reply, {"p@x": "older-thread@x"}) == "older-thread@x"  # the parent's, even if filed elsewhere
    lone = parse(b"Message-ID: <l@x>\r\nIn-Reply-To: <gone@x>\r\n\r\n.")  # a client that drops References
    assert thread_of(lone, {}) == "gone@x" and thread_of(lone, {"gone@x": "t@x"}) == "t@x"
    assert thread_of(parse(b"Message-ID: <new@x>\r\n\r\n."), {}) == "new@x"


def test_a_message_is_filed_under_everyone_on_it_but_the_mailbox_itself():
    mail = parse(MULTIPART)
    assert correspondents(mail, "ME@tandem.test") == ["ann@example.com", "bob@x.org", "carol@x.org"]
