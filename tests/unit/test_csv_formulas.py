"""CSV exports never hand a spreadsheet a formula (issue 13, item 10): cells that would run are
prefixed with ``'``, including ``;=1+1`` (a new cell where a reader splits at ``;``) and cells led
by whitespace; import takes exactly that prefix off again, so every cell survives the round trip."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.transfer import CONTACT_COLUMNS, csv_lines, read_sheet, runs_as_formula


def exported(cell: str) -> str:
    """The cell as a spreadsheet reads it back from an export."""
    return next(csv.reader(io.StringIO(csv_lines([[cell]]), newline="")))[0]


def imported(cell: str) -> str:
    """The cell as an import reads it from an exported file."""
    text = csv_lines([["first_name"], [cell]])
    return read_sheet(text, CONTACT_COLUMNS, {}).rows[0][1]["first_name"]


@pytest.mark.parametrize("cell", [
    "=cmd|' /C calc'!A0", "=1+1", "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=1+1", "\tplain", "\rplain",
    ";=1+1", ",=1+1", "|=1+1", " =1+1", "  +44 20 7946 0958", "\n=1+1", "\u00a0=1", "; ; -2", "\"=1+1", "'=1+1",
])
def test_a_cell_a_spreadsheet_would_run_is_exported_with_a_quote_in_front(cell):
    assert exported(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Ada", "a=1", "x;=1+1", "1-1", "user@example.com", "", "'quoted", "; plain"])
def test_a_cell_that_cannot_start_a_formula_is_exported_as_it_is(cell):
    assert exported(cell) == cell


@pytest.mark.parametrize("cell", [";=1+1", "=cmd", "@x", "+1", "-1", "\tx", " =1", "'=1", "''@x", "plain"])
def test_an_exported_cell_imports_as_what_it_was(cell):
    assert imported(cell) == cell


@given(st.text(alphabet=st.sampled_from("=+-@\t\r ;,|'\"aZ1"), max_size=8))
def test_every_cell_survives_export_and_import(cell):
    if cell.strip():  # an import skips blank rows
        assert imported(cell) == cell


@given(st.text(max_size=12))
def test_no_exported_cell_starts_a_formula_after_what_a_spreadsheet_skips_or_splits_at(cell):
    out = exported(cell)
    leads_formula = out[:1] in ("\t", "\r") or out.lstrip(" \t\r\n\v\f\u00a0;,|\"")[:1] in ("=", "+", "-", "@")
    assert out.startswith("'") or not leads_formula
    assert out == ("'" + cell if runs_as_formula(cell) else cell)
