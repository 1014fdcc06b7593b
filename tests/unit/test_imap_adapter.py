"""The pure parts of the IMAP adapter (``server.mail.imap``): UID sets, FETCH responses as
aioimaplib hands them over, INTERNALDATE."""

from __future__ import annotations

from datetime import UTC, datetime

from server.mail.imap import _internaldate, _messages, uid_set


def test_a_uid_set_folds_runs_into_ranges():
    assert uid_set([7, 1, 2, 3, 3, 9, 10]) == "1:3,7,9:10"
    assert uid_set([5]) == "5"


def test_a_fetch_response_gives_each_messages_uid_arrival_and_bytes():
    lines = [b'1 FETCH (UID 41 INTERNALDATE "06-Dec-2026 15:38:03 +0100" BODY[] {5}', bytearray(b"hello"), b")",
             b'2 FETCH (INTERNALDATE "garbage" UID 42 BODY[] {3}', bytearray(b"bye"), b")",
             b"3 FETCH (FLAGS (\\Seen))", b"Fetch completed (0.001 + 0.000 secs)."]
    assert _messages(lines) == [(41, datetime(2026, 12, 6, 14, 38, 3, tzinfo=UTC), b"hello"), (42, None, b"bye")]
    assert _internaldate(b"1 FETCH (UID 1)") is None
