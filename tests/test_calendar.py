"""Working days skip weekends and the region's bank holidays; the received day is not counted."""

from datetime import date

import pytest

from portal.services.calendar import UnknownRegion, add_working_days, is_working_day, working_days_between


def test_the_received_day_is_not_counted():
    assert add_working_days(date(2026, 11, 2), 1, "GB-ENG") == date(2026, 11, 3)


def test_weekends_are_skipped():
    assert add_working_days(date(2026, 11, 6), 1, "GB-ENG") == date(2026, 11, 9)


def test_christmas_and_new_year_bank_holidays_are_skipped():
    # 24 Dec 2026 is a Thursday; 25 and 28 Dec (Boxing Day substitute) and 1 Jan 2027 are bank holidays.
    assert add_working_days(date(2026, 12, 24), 1, "GB-ENG") == date(2026, 12, 29)
    assert add_working_days(date(2026, 12, 24), 4, "GB-ENG") == date(2027, 1, 4)


def test_easter_bank_holidays_are_skipped():
    # Good Friday 26 March 2027, Easter Monday 29 March 2027.
    assert add_working_days(date(2027, 3, 25), 1, "GB-ENG") == date(2027, 3, 30)


def test_regions_differ():
    # 2 January is a bank holiday in Scotland, not in England.
    assert is_working_day(date(2026, 1, 2), "GB-ENG")
    assert not is_working_day(date(2026, 1, 2), "GB-SCT")
    # St Andrew's Day substitute: 30 Nov 2026 is a Monday holiday in Scotland only.
    assert not is_working_day(date(2026, 11, 30), "GB-SCT")


def test_twenty_working_days_across_a_year_end():
    deadline = add_working_days(date(2026, 12, 10), 20, "GB-ENG")
    assert deadline == date(2027, 1, 12)
    assert working_days_between(date(2026, 12, 10), deadline, "GB-ENG") == 20
    assert working_days_between(deadline, date(2026, 12, 10), "GB-ENG") == -20


def test_an_unknown_region_is_refused():
    with pytest.raises(UnknownRegion):
        is_working_day(date(2026, 1, 5), "XX-YY")
