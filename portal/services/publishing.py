"""What the yearly publications share: financial years as people write them, and refreshing the public pages."""

import re
from datetime import date

from portal.extensions import cache

FINANCIAL_YEAR = re.compile(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})")
FIRST_YEAR = 2000


def financial_year_label(start_year: int) -> str:
    """Write a financial year as councils do: 2024/25 for April 2024 to March 2025."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def parse_financial_year(text: str | None) -> int | None:
    """Read "2024/25" (or 2024-25, 2024/2025) as the year it starts in; None for anything else."""
    match = FINANCIAL_YEAR.fullmatch((text or "").strip())
    if not match:
        return None
    start, end = int(match[1]), match[2]
    expected = str(start + 1) if len(end) == 4 else f"{(start + 1) % 100:02d}"
    if end != expected or start < FIRST_YEAR:
        return None
    return start


def financial_year_of(day: date) -> int:
    """Return the start year of the financial year (1 April to 31 March) that a day falls in."""
    return day.year if day >= date(day.year, 4, 1) else day.year - 1


def financial_year_dates(start_year: int) -> tuple[date, date]:
    """Return the first and last day of a financial year."""
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


def public_pages_changed() -> None:
    """Forget every cached page (and the cached figures), so the public pages show what was just published.

    Cached pages are keyed by a hash of their address and language, so they cannot be picked out one by one; a
    publication is rare, and the next visitor to each page simply builds it again.
    """
    cache.clear()
