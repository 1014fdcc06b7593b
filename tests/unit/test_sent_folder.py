"""Finding a mailbox's Sent folder (brief J): the LIST answer parsed as aioimaplib hands it over, and
the choice — SPECIAL-USE ``\\Sent`` first, else a common name (English, German, under INBOX.), never
INBOX or a folder that cannot be opened."""

from __future__ import annotations

from server.mail.imap import list_folders
from server.services.mail_sync import sent_folder
from server.services.ports.mailboxes import Folder


def test_list_lines_give_names_as_spelled_and_attributes_in_lower_case():
    lines = [b'(\\HasNoChildren) "/" INBOX', b'(\\HasNoChildren \\Sent) "/" Gesendet',
             b'(\\HasNoChildren) "." "Sent Items"', b'(\\Noselect \\HasChildren) NIL Archive',
             b'(\\HasNoChildren) "/" "say \\"hi\\""', b'(\\HasNoChildren) "/" {7}', bytearray(b"Entw\xc3\xbcrfe"),
             b"not a list line"]
    assert list_folders(lines) == [
        Folder("INBOX", frozenset({"\\hasnochildren"})), Folder("Gesendet", frozenset({"\\hasnochildren", "\\sent"})),
        Folder("Sent Items", frozenset({"\\hasnochildren"})), Folder("Archive", frozenset({"\\noselect", "\\haschildren"})),
        Folder('say "hi"', frozenset({"\\hasnochildren"})), Folder("Entwürfe", frozenset({"\\hasnochildren"}))]


def folders(*spec: tuple[str, str]) -> list[Folder]:
    return [Folder(name, frozenset(attributes.split())) for name, attributes in spec]


def test_special_use_wins_over_a_common_name():
    assert sent_folder(folders(("INBOX", ""), ("Sent", ""), ("Postausgang", "\\sent"))) == "Postausgang"


def test_common_names_in_english_and_german_and_nested_under_inbox():
    assert sent_folder(folders(("INBOX", ""), ("Sent Items", ""))) == "Sent Items"
    assert sent_folder(folders(("INBOX", ""), ("Gesendete Elemente", ""))) == "Gesendete Elemente"
    assert sent_folder(folders(("INBOX", ""), ("INBOX.Sent", ""))) == "INBOX.Sent"
    assert sent_folder(folders(("Drafts", ""), ("SENT", ""))) == "SENT"


def test_no_sent_folder_inbox_or_one_that_cannot_be_opened_is_none():
    assert sent_folder(folders(("INBOX", ""), ("Archive", ""))) is None
    assert sent_folder(folders(("INBOX", "\\sent"))) is None  # never read INBOX twice as "sent"
    assert sent_folder(folders(("Sent", "\\noselect"), ("Gesendet", "\\nonexistent \\sent"))) is None
    assert sent_folder([]) is None
