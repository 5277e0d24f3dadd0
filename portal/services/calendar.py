"""Working days: weekends and the configured region's bank holidays are skipped."""

from datetime import date, timedelta
from functools import lru_cache

import holidays


class UnknownRegion(ValueError):
    """Raised for a WORKING_DAY_REGION the holidays package does not know."""


@lru_cache(maxsize=16)
def _holidays_for(region: str, year: int) -> frozenset[date]:
    country, _, subdivision = region.partition("-")
    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError as exc:
        raise UnknownRegion(region) from exc
    return frozenset(calendar.keys())


def is_working_day(day: date, region: str) -> bool:
    """Tell whether a day is neither a weekend nor a bank holiday in the region."""
    return day.weekday() < 5 and day not in _holidays_for(region, day.year)


def add_working_days(start: date, days: int, region: str) -> date:
    """Return the date `days` working days after `start`; `start` itself is not counted."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current, region):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, region: str) -> int:
    """Count working days after `start` up to and including `end` (negative when end is earlier)."""
    if end < start:
        return -working_days_between(end, start, region)
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current, region):
            count += 1
    return count
