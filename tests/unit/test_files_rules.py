"""The pure rules of files (server/domain/files.py): names made safe, types sniffed from bytes and
never taken on trust, and what a download is served as."""

from __future__ import annotations

import pytest

from server.domain.files import (
    FileTooLarge, check_size, disposition, sanitise_name, served_type, sniff,
)


@pytest.mark.parametrize("raw, clean", [
    ("offer.pdf", "offer.pdf"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\ada\\Desktop\\plan.xlsx", "plan.xlsx"),
    ("..hidden", "hidden"),
    ("a<b>c:d\"e|f?g*.txt", "a_b_c_d_e_f_g_.txt"),
    ("bell\x07\x00name.txt", "bell__name.txt"),
    ("   ", "file"),
    ("", "file"),
    ("..", "file"),
    ("Cafe\u0301.txt", "Café.txt"),  # NFC
])
def test_a_name_keeps_only_its_last_part_without_control_or_reserved_characters(raw, clean):
    assert sanitise_name(raw) == clean


def test_a_long_name_is_cut_keeping_its_extension():
    name = sanitise_name("x" * 500 + ".pdf")
    assert len(name) <= 200 and name.endswith(".pdf")


@pytest.mark.parametrize("head, kind", [
    (b"\x89PNG\r\n\x1a\n" + bytes(40), "image/png"),
    (b"%PDF-1.7\n" + bytes(40), "application/pdf"),
    (b"\xff\xd8\xff\xe0" + bytes(40), "image/jpeg"),
    (b"<!DOCTYPE html><p>hi", "text/html"),
    (b"  <html><script>x</script>", "text/html"),
    (b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
    (b"<svg onload=alert(1)>", "image/svg+xml"),
    ("Grüße, Straße\n".encode(), "text/plain"),
    (b"\x00\x01\x02\xfe\xff\x80" * 10, "application/octet-stream"),
    (b"", "application/octet-stream"),
])
def test_the_type_is_sniffed_from_the_bytes(head, kind):
    assert sniff(head) == kind


def test_a_utf8_character_cut_at_the_sample_end_is_still_text():
    text = ("ä" * 4095).encode() + "ä".encode()[:1]
    assert sniff(text) == "text/plain"


@pytest.mark.parametrize("stored, served", [
    ("text/html", "application/octet-stream"), ("image/svg+xml", "application/octet-stream"),
    ("application/xml", "application/octet-stream"), ("image/png", "image/png"), ("text/plain", "text/plain"),
])
def test_active_types_are_served_as_octets(stored, served):
    assert served_type(stored) == served


def test_a_download_is_an_attachment_with_an_ascii_fallback_and_the_exact_name():
    header = disposition('Angebot "März" 2027.pdf')
    assert header.startswith('attachment; filename="Angebot _M_rz_ 2027.pdf"')
    assert header.endswith("filename*=UTF-8''Angebot%20%22M%C3%A4rz%22%202027.pdf")


def test_a_size_over_the_cap_is_refused_naming_the_cap():
    check_size(10, 10)
    with pytest.raises(FileTooLarge, match="at most 10 bytes"):
        check_size(11, 10)
