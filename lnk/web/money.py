"""Prices as the viewer reads them: Babel's currency format for the browser's language
(``£80.00`` for en-GB, ``80,00 £`` for de-DE), from the request's Accept-Language."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_name

from lnk.web.locales import viewer_locale


def price_text(amount: Decimal | float | int | None, currency: str | None) -> str:
    """``£80.00``; a price with no currency is shown as a plain number."""
    if amount is None:
        return ""
    if not currency:
        return f"{Decimal(amount):,.2f}"
    return format_currency(Decimal(amount), currency, locale=viewer_locale())


COMMON_CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "INR")


def currency_choices() -> list[tuple[str, str]]:
    """(code, label) for the currency picker: the common ones first, then every other currency
    the service accepts, by code; labels in the viewer's language (``EUR · Euro``)."""
    from lnk.services.packages import CURRENCIES

    locale = viewer_locale()
    rest = sorted(c for c in CURRENCIES if c not in COMMON_CURRENCIES)
    return [
        (code, f"{code} · {get_currency_name(code, locale=locale)}")
        for code in [*COMMON_CURRENCIES, *rest]
        if code in CURRENCIES
    ]
