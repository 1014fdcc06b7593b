"""Money rules: ISO 4217 codes, the currency a locale suggests, and totals that never mix currencies."""

from __future__ import annotations

from uuid import uuid4

import pytest

from server.domain.crm import Stage, StageKind
from server.domain.money import InvalidCurrency, MoneySettings, check_currency, check_rates, convert, currency_for_locale
from server.domain.reports import DealFacts, pipeline_report


@pytest.mark.parametrize("code", ["XXXX", "XXX", "eur", "EU", "", "ABC", " EUR"])
def test_only_active_iso_4217_codes_are_currencies(code):
    with pytest.raises(InvalidCurrency) as refused:
        check_currency(code, "currency")
    assert refused.value.field == "currency"


@pytest.mark.parametrize(("locale", "currency"), [
    ("de-DE", "EUR"), ("de-AT", "EUR"), ("de-CH", "CHF"), ("de", "EUR"), ("en-GB", "GBP"), ("en-US", "USD"),
    ("en", "USD"), ("de-DE,de;q=0.9,en;q=0.8", "EUR"), (None, "USD"), ("xx", "USD"),
])
def test_a_new_workspace_starts_in_the_currency_of_its_creators_locale(locale, currency):
    assert currency_for_locale(locale) == currency


def test_a_rate_into_the_workspace_currency_itself_or_not_positive_is_refused():
    for rates in ({"EUR": 1.0}, {"USD": 0}, {"USD": float("nan")}, {"USD": True}):
        with pytest.raises(InvalidCurrency):
            check_rates(rates, "EUR")
    assert check_rates({"USD": 1}, "EUR") == {"USD": 1.0}


def test_totals_are_converted_only_where_a_rate_is_known_and_the_rest_is_kept_apart():
    totals = {"EUR": 1_000_000.0, "USD": 275_600.0, "JPY": 10_000.0}
    converted = convert(totals, MoneySettings("EUR", {"USD": 0.5}))
    assert (converted.amount, converted.unconverted, converted.converted) == (1_137_800.0, {"JPY": 10_000.0}, True)
    same = convert({"EUR": 5.0}, MoneySettings("EUR", {}))
    assert (same.amount, same.unconverted, same.converted) == (5.0, {}, False)


def test_the_report_keeps_a_stage_per_currency_and_converts_it_once_rates_are_set():
    stage = Stage(uuid4(), "Lead in", "a", 50.0, 0, StageKind.OPEN)
    deals = [DealFacts(uuid4(), stage.id, "open", 1_000_000.0, "EUR", None, None),
             DealFacts(uuid4(), stage.id, "open", 275_600.0, "USD", None, None)]
    plain = pipeline_report([stage], deals, [])["stages"][0]
    assert plain["value"] == {"EUR": 1_000_000.0, "USD": 275_600.0} and plain["converted"] is None
    row = pipeline_report([stage], deals, [], MoneySettings("USD", {"EUR": 1.1}))["stages"][0]
    assert row["converted"] == {"currency": "USD", "value": 1_375_600.0, "weighted": 687_800.0,
                                "unconverted": {}, "unconverted_weighted": {}}
