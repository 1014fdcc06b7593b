"""The contact rules as pure functions: normalising, search lexemes and queries, duplicates, merges,
custom field values, CSV sheets, and the change notices' bulk collapse."""

from __future__ import annotations

import pytest

from server.domain.accounts import InvalidInput
from server.domain.contacts import ContactValues, lexemes, normalise_phone, search_query
from server.domain.duplicates import Candidate, duplicate_pairs, merge_values, name_key, similar_names
from server.domain.fields import FieldDefinition, FieldType, check_definition, check_value, format, parse
from server.domain.transfer import CONTACT_COLUMNS, SheetError, csv_lines, read_sheet
from server.services.feed import BULK, collapse


@pytest.mark.parametrize(("raw", "digits"), [
    ("+44 (20) 7946-0958", "442079460958"), ("0044 20 7946 0958", "442079460958"), ("020 7946 0958", "02079460958"),
    ("555.0100", "5550100"), ("+1 555 0100 / 0101", "155501000101"),
])
def test_a_phone_number_is_its_digits_with_00_read_as_plus(raw, digits):
    assert normalise_phone(raw) == digits


@pytest.mark.parametrize("raw", ["12", "call me", "+44 20 7946 0958 ext 12", "1" * 21])
def test_a_phone_number_needs_3_to_20_digits_and_nothing_but_punctuation(raw):
    with pytest.raises(InvalidInput, match="expected a phone number of 3 to 20 digits"):
        normalise_phone(raw)


def test_lexemes_are_words_their_suffixes_email_parts_and_phone_digits():
    found = set(lexemes(["Zoë O'Brien"], ["zoe.obrien@mail.example"], ["4420"]))
    assert {"zoe", "o", "brien", "rien", "ien", "mail", "example", "ample", "zoeobrien", "eobrien", "4420",
            "420"} <= found
    assert "ie" not in found and "en" not in found, "suffixes are three characters or more"


@pytest.mark.parametrize(("q", "query"), [
    ("Ada Lov", "'ada':* & 'lov':*"),
    ("ada l", "'ada':*"),  # a lone letter beside a longer word is dropped
    ("l", "'l':*"),
    ("+44 (20) 7946", "'44207946':*"),
    ("0044 20", "'4420':*"),
    ("12", "'12':*"),  # too short to be a phone: a word
    ("ZOË", "'zoe':*"),
    ("  ", None), ("!!", None), (None, None),
])
def test_a_search_query_is_the_and_of_prefix_matches_of_its_fragments(q, query):
    assert search_query(q) == query


def test_names_are_similar_when_the_words_match_in_any_order_or_nearly_match():
    assert similar_names(name_key("Ada", "Lovelace"), name_key("Lovelace", "Ada"))
    assert similar_names(name_key("Jon", "Smith"), name_key("John", "Smith"))
    assert not similar_names(name_key("Ada", "Lovelace"), name_key("Alan", "Turing"))
    assert not similar_names("", "ada")


def test_duplicates_are_pairs_with_a_shared_email_or_phone_or_a_similar_name_in_one_organisation():
    people = [
        Candidate(1, "acme", "ada lovelace", ("ada@x.example",), ()),
        Candidate(2, None, "augusta king", ("ada@x.example",), ("4420",)),
        Candidate(3, "acme", "adah lovelace", (), ()),
        Candidate(4, "globex", "adah lovelace", (), ("4420",)),
        Candidate(5, "globex", "zed", (), ()),
    ]
    assert sorted(duplicate_pairs(people)) == [
        (1, 2, "same email ada@x.example"), (1, 3, "similar name in the same organisation"),
        (2, 4, "same phone 4420")]


def test_a_merge_keeps_the_survivors_values_and_gathers_everyone_elses():
    survivor = ContactValues("Ada", "", ["a@x.example"], ["+44 1"], ["441"], "acme", "", None, ["vip"], {},
                             {"tier": "gold"})
    other = ContactValues("Augusta", "King", ["b@x.example", "a@x.example"], ["0044 1", "+1 2"], ["441", "12"],
                          "globex", "Countess", "owner", ["poet", "vip"], {"city": "London"},
                          {"tier": "silver", "score": 3})
    merged = merge_values(survivor, [other])
    assert merged == ContactValues("Ada", "King", ["a@x.example", "b@x.example"], ["+44 1", "+1 2"], ["441", "12"],
                                   "acme", "Countess", "owner", ["vip", "poet"], {"city": "London"},
                                   {"tier": "gold", "score": 3})


TIER = check_definition("tier", "Tier", FieldType.SELECT, ["gold", "silver"])


@pytest.mark.parametrize(("definition", "text", "value"), [
    (FieldDefinition("n", "N", FieldType.NUMBER), "1,200", 1200.0),
    (FieldDefinition("n", "N", FieldType.NUMBER), "42", 42),
    (FieldDefinition("b", "B", FieldType.BOOL), "Yes", True),
    (FieldDefinition("d", "D", FieldType.DATE), "2027-01-31", "2027-01-31"),
    (TIER, "GOLD", "gold"),
    (TIER, "  ", None),
])
def test_custom_field_values_are_read_from_text_and_written_back(definition, text, value):
    assert parse(definition, text) == value
    if value is not None:
        assert parse(definition, format(definition, value)) == value


@pytest.mark.parametrize(("definition", "value"), [
    (FieldDefinition("n", "N", FieldType.NUMBER), True),
    (FieldDefinition("n", "N", FieldType.NUMBER), float("nan")),
    (FieldDefinition("d", "D", FieldType.DATE), "2027-1-31"),
    (FieldDefinition("t", "T", FieldType.TEXT), 5),
    (TIER, "bronze"),
])
def test_custom_field_values_of_the_wrong_kind_are_refused(definition, value):
    with pytest.raises(InvalidInput, match=f"custom field '{definition.key}'"):
        check_value(definition, value)


def test_a_sheet_numbers_rows_by_the_line_they_start_on_and_reads_aliases_and_labels():
    text = 'First Name,E-mail,Tier,shoe size\n"Ada\nAugusta",ada@x.example,gold,4\n\nAlan,,,\n'
    sheet = read_sheet(text, CONTACT_COLUMNS, {"tier": TIER})
    assert sheet.columns == ["first_name", "emails", "tier", "#3"]
    assert sheet.ignored == ["shoe size"] and sheet.mapping["shoe size"] is None
    assert [line for line, _ in sheet.rows] == [2, 5]
    assert sheet.rows[0][1]["first_name"] == "Ada\nAugusta"


def test_a_sheet_with_a_repeated_column_or_no_header_is_refused_as_a_whole():
    with pytest.raises(SheetError, match="line 1: the column 'email' appears twice"):
        read_sheet("emails,email\n", CONTACT_COLUMNS, {})
    with pytest.raises(SheetError, match="line 1: expected a CSV file with a header line"):
        read_sheet("", CONTACT_COLUMNS, {})


def test_exported_cells_that_a_spreadsheet_would_run_are_quoted():
    line = csv_lines([["=1+1", "@A1", "-2+3", "+44 20 7946", "plain", "a=b"]])
    assert line == "'=1+1,'@A1,'-2+3,'+44 20 7946,plain,a=b\r\n"


def test_a_bulk_change_collapses_to_one_notice_per_kind():
    keys = [f"contact:{i}" for i in range(BULK + 1)] + ["organisation:1", "organisation:1"]
    assert collapse(keys) == ["contact:*", "organisation:1"]
