"""Money: ISO 4217 currency codes, a workspace's currency and exchange rates, and totals that
never add two currencies into one number.

A workspace has one currency (new boards and deals default to it) and, if an admin sets them,
exchange rates into it: ``rates["USD"] = 0.92`` says one US dollar counts as 0.92 of the
workspace currency. Totals are kept per currency; ``convert`` adds them into the workspace
currency only where a rate is known and keeps the rest apart (``unconverted``), so a total
never silently mixes currencies. No I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from server.domain.accounts import InvalidInput

# Active ISO 4217 codes (the list of the ISO 4217 maintenance agency, 2024), without the funds,
# precious metals and test codes (XAU, XTS, XXX...), which no deal is priced in.
CURRENCIES = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR
NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP
STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG
XOF XPF YER ZAR ZMW ZWG
""".split())

# What a picker offers first: the currencies of German-speaking and English-speaking sales teams.
COMMON = ("EUR", "USD", "GBP", "CHF", "AUD", "CAD", "SEK", "NOK", "DKK", "PLN", "CZK", "JPY")

FALLBACK = "USD"
_BY_REGION = {"DE": "EUR", "AT": "EUR", "LU": "EUR", "BE": "EUR", "NL": "EUR", "FR": "EUR", "IT": "EUR",
              "ES": "EUR", "IE": "EUR", "FI": "EUR", "CH": "CHF", "LI": "CHF", "GB": "GBP", "US": "USD",
              "AU": "AUD", "CA": "CAD", "NZ": "NZD", "IN": "INR", "ZA": "ZAR", "SE": "SEK", "NO": "NOK",
              "DK": "DKK", "PL": "PLN", "CZ": "CZK"}
_BY_LANGUAGE = {"de": "EUR", "fr": "EUR", "nl": "EUR", "it": "EUR", "es": "EUR", "en": "USD"}
MAX_RATES = 200


class InvalidCurrency(InvalidInput):
    """Not an ISO 4217 code, or a rate that is not a positive number (HTTP 422, naming ``field``)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field


class MoneySettings(NamedTuple):
    """A workspace's currency and its exchange rates into it (currency -> units of ``currency``)."""

    currency: str
    rates: Mapping[str, float] = {}


class Converted(NamedTuple):
    """Totals added up in ``currency``: ``amount`` of what had a rate (or was in ``currency``),
    ``unconverted`` per currency what had none. ``converted`` says whether any rate was used."""

    currency: str
    amount: float
    unconverted: dict[str, float]
    converted: bool


def check_currency(raw: object, field: str = "currency") -> str:
    """``raw`` if it is an active ISO 4217 code (``EUR``); ``InvalidCurrency`` naming ``field`` otherwise."""
    if isinstance(raw, str) and raw in CURRENCIES:
        return raw
    shown = repr(raw[:20]) if isinstance(raw, str) else type(raw).__name__
    raise InvalidCurrency(field, f"expected an ISO 4217 currency code such as EUR, USD or CHF, got {shown}")


def check_rates(raw: Mapping[str, object], currency: str) -> dict[str, float]:
    """Rates into ``currency``, each a positive finite number, keyed by another ISO 4217 code."""
    if len(raw) > MAX_RATES:
        raise InvalidCurrency("rates", f"expected at most {MAX_RATES} rates, got {len(raw)}")
    rates: dict[str, float] = {}
    for code, rate in raw.items():
        check_currency(code, f"rates.{code[:20]}")
        if code == currency:
            raise InvalidCurrency(f"rates.{code}", f"{code} is the workspace currency: it needs no rate")
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not math.isfinite(rate) or rate <= 0:
            raise InvalidCurrency(f"rates.{code}", f"expected a positive number, got {rate!r}"[:120])
        rates[code] = float(rate)
    return rates


def currency_for_locale(locale: str | None) -> str:
    """The currency a workspace created from ``locale`` (``de-DE``, ``en-GB``, an Accept-Language
    header) starts with: by region where given, else by language; USD if neither is known."""
    first = (locale or "").split(",")[0].split(";")[0].strip().replace("_", "-")
    parts = first.split("-")
    if len(parts) > 1 and parts[-1].upper() in _BY_REGION:
        return _BY_REGION[parts[-1].upper()]
    return _BY_LANGUAGE.get(parts[0].lower(), FALLBACK)


def add(totals: dict[str, float], currency: str | None, amount: float | None, default: str) -> None:
    """Add ``amount`` to ``totals`` under its currency (``default`` where the deal names none)."""
    if amount is not None:
        key = currency or default
        totals[key] = round(totals.get(key, 0.0) + amount, 2)


def per_currency(amounts: Iterable[tuple[str | None, float | None]], default: str) -> dict[str, float]:
    totals: dict[str, float] = {}
    for currency, amount in amounts:
        add(totals, currency, amount, default)
    return totals


def convert(totals: Mapping[str, float], settings: MoneySettings) -> Converted:
    """``totals`` in the workspace currency where a rate allows; the rest kept per currency."""
    amount, unconverted, used = 0.0, {}, False
    for code, value in totals.items():
        if code == settings.currency:
            amount += value
        elif code in settings.rates:
            amount, used = amount + value * settings.rates[code], True
        else:
            unconverted[code] = value
    return Converted(settings.currency, round(amount, 2), unconverted, used)
