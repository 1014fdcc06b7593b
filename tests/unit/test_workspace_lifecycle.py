"""The pure rules of leaving Tandem: signed download links, the typed name, a note's text, CSV cells."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from pycrdt import Doc

from server.documents.edits import add_note_text
from server.domain.accounts import InvalidInput
from server.domain.workspace_lifecycle import (
    check_confirm, download_key, download_token, export_file_name, verify_download,
)
from server.services.workspace_export import cell, note_text

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


def test_a_link_names_its_export_until_it_expires():
    key, export = download_key("secret"), uuid4()
    token = download_token(key, export, NOW + timedelta(days=7))
    assert verify_download(key, token, NOW) == export
    assert verify_download(key, token, NOW + timedelta(days=7)) is None


def test_a_link_signed_with_another_key_or_altered_names_nothing():
    token = download_token(download_key("secret"), uuid4(), NOW + timedelta(days=1))
    assert verify_download(download_key("other"), token, NOW) is None
    assert verify_download(download_key("secret"), "A" + token[1:], NOW) is None
    assert verify_download(download_key("secret"), "no-dot-here", NOW) is None


def test_deleting_needs_the_name_typed_back_ignoring_case_and_spaces():
    check_confirm("  acme gmbh ", "Acme GmbH")
    for wrong in ("Acme", "", None, 3):
        with pytest.raises(InvalidInput, match="expected the workspace's name 'Acme GmbH'"):
            check_confirm(wrong, "Acme GmbH")


def test_a_notes_text_is_its_paragraphs_one_a_line():
    doc = Doc()
    add_note_text(doc, "First <b> & co\nSecond")
    assert note_text([doc.get_update()]) == "First <b> & co\nSecond"


def test_cells_join_lists_and_write_times_in_iso():
    assert (cell(None), cell(["a", "b"]), cell({"x": 1}), cell(NOW), cell(2.5)) == (
        "", "a; b", '{"x": 1}', "2026-12-06T12:00:00+00:00", "2.5")


def test_the_zip_is_named_after_the_workspace_in_safe_characters():
    assert export_file_name("Müller & Söhne", NOW) == "tandem-müller---söhne-2026-12-06.zip"
