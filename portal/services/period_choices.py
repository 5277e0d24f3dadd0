"""The periods residents can pick on the performance page, and how a figure changed from a year before."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from portal.numbers import number
from portal.services.figures import last_complete_financial_year


@dataclass(frozen=True)
class PeriodChoice:
    label: str
    start: date
    end: date


def year_earlier(day: date) -> date:
    """Return the same day a year before (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def period_choices(today: date) -> list[PeriodChoice]:
    """Return the last three complete financial years, then the quarters and bi-monthly periods of the last one."""
    start, end = last_complete_financial_year(today)
    choices = []
    for years_back in range(3):
        year_start = start.replace(year=start.year - years_back)
        year_end = end.replace(year=end.year - years_back)
        label = _("April %(first)d to March %(second)d", first=year_start.year, second=year_end.year)
        choices.append(PeriodChoice(label, year_start, year_end))
    for quarter in range(4):
        q_start = _add_months(start, quarter * 3)
        q_end = _add_months(q_start, 3) - timedelta(days=1)
        choices.append(
            PeriodChoice(_("Quarter %(number)d, %(year)d", number=quarter + 1, year=q_start.year), q_start, q_end)
        )
    for pair in range(6):
        b_start = _add_months(start, pair * 2)
        b_end = _add_months(b_start, 2) - timedelta(days=1)
        label = _("%(first)s and %(second)s %(year)d", first=_month(b_start), second=_month(b_end), year=b_end.year)
        choices.append(PeriodChoice(label, b_start, b_end))
    return choices


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    return date(day.year + month_index // 12, month_index % 12 + 1, 1)


def _month(day: date) -> str:
    from flask_babel import format_date

    return format_date(day, format="MMMM")


def describe_change(now: float | None, before: float | None, percent: bool = False) -> str:
    """Say in words how a figure moved since the same period a year earlier."""
    if now is None or before is None:
        return _("no figure to compare with")
    difference = round(now - before, 1)
    if difference == 0:
        return _("no change")
    amount = abs(difference)
    shown = number(amount)
    if percent:
        if difference > 0:
            return _("up %(amount)s percentage points", amount=shown)
        return _("down %(amount)s percentage points", amount=shown)
    if difference > 0:
        return _("up %(amount)s", amount=shown)
    return _("down %(amount)s", amount=shown)
