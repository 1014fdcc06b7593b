"""The rules of importing as people do it (``server.domain.imports``): what bytes a file holds,
where its cells split, how amounts and dates written the German way read, and what update and
merge do to a record."""

from __future__ import annotations

from datetime import date

import pytest

from server.domain.imports import OnDuplicate, combine, decode, delimiter, parse_amount, parse_date


def test_a_file_is_read_as_utf8_with_or_without_bom_utf16_or_else_windows_1252():
    assert decode("Name;Ort\nMüller;Köln\n".encode("cp1252"))[1:] == ("cp1252", ";")
    assert decode("Name;Ort\nMüller;Köln\n".encode("cp1252")).text == "Name;Ort\nMüller;Köln\n"
    assert decode("\ufeffName,Ort\nZoë,Köln\n".encode("utf-8"))[:2] == ("Name,Ort\nZoë,Köln\n", "utf-8-sig")
    assert decode("Name\tOrt\nZoë\tKöln\n".encode("utf-16"))[1:] == ("utf-16", "\t")
    assert decode(b"Name,Ort\n")[1:] == ("utf-8", ",")
    assert decode(b"a;\x81b\n").encoding == "cp1252", "a byte cp1252 leaves undefined still reads"


def test_the_delimiter_is_the_one_the_header_line_uses_most_outside_quotes():
    assert delimiter('Name;"Firma, Sitz";Wert\n"A";"B, C";"1,5"\n') == ";"
    assert delimiter("name,value\n") == "," and delimiter("single\n") == ","
    assert delimiter("a\tb\tc\n1,2;3\n") == "\t"


@pytest.mark.parametrize(("text", "comma", "value"), [
    ("1.200,50", True, 1200.5), ("1200,50", True, 1200.5), ("1.200", True, 1200.0), ("€ 99", True, 99.0),
    ("1,200.50", False, 1200.5), ("1,200", False, 1200.0), ("1200.5", False, 1200.5), ("12.5", True, 12.5),
])
def test_amounts_read_with_the_separators_the_file_uses(text, comma, value):
    assert parse_amount(text, decimal_comma=comma) == value


def test_dates_read_as_iso_or_german():
    assert parse_date("31.12.2026") == parse_date("2026-12-31") == date(2026, 12, 31)
    with pytest.raises(ValueError):
        parse_date("12/31/2026")


def test_update_overwrites_with_filled_cells_and_merge_only_fills_blanks_and_adds_to_lists():
    current = {"job_title": "Analyst", "emails": ["a@x.example"], "city": "", "fields": {"tier": "gold"}}
    incoming = {"job_title": "Countess", "emails": ["b@x.example"], "city": "London", "fields": {"tier": "silver"}}
    assert combine(current, incoming, OnDuplicate.UPDATE) == {
        "job_title": "Countess", "emails": ["b@x.example"], "city": "London", "fields": {"tier": "silver"}}
    assert combine(current, incoming, OnDuplicate.MERGE) == {
        "emails": ["a@x.example", "b@x.example"], "city": "London"}
    assert combine(current, {"job_title": "", "emails": []}, OnDuplicate.UPDATE) == {}, "empty cells change nothing"
