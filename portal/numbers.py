"""Numbers and percentages written as the page's language writes them: 12,345 or 12 345, 87.5% or 87,5 %."""

from decimal import Decimal

from babel import Locale
from babel.numbers import format_decimal, format_percent
from flask_babel import get_locale


def number(value: int | float | Decimal) -> str:
    """A count or an amount, grouped and with the decimal sign of the page's language."""
    return format_decimal(value, locale=get_locale())


def percent(value: int | float | Decimal, decimals: int | None = 1) -> str:
    """A percentage kept as 0 to 100 (87.5), with the sign, spacing and decimal sign of the page's language.

    With `decimals`, exactly that many places (a column of figures lines up: 80.0%, 87.5%); with None, the places
    the value has (77% or 77.5%, as the Ombudsman's letters write them).
    """
    locale = get_locale()
    # Through Decimal, so 33.3 stays 33.3 rather than a float's 33.299999999999997.
    fraction = Decimal(str(value)) / 100
    if decimals is None:
        return format_percent(fraction, locale=locale, decimal_quantization=False)
    pattern = Locale.parse(locale).percent_formats[None].pattern
    last_digit = pattern.rindex("0") + 1
    pattern = pattern[:last_digit] + ("." + "0" * decimals if decimals else "") + pattern[last_digit:]
    return format_percent(fraction, format=pattern, locale=locale)
