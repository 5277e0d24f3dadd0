"""Numbers and percentages on residents' pages are written as each language writes them."""

from datetime import date
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.numbers import number, percent
from portal.services.period_choices import describe_change
from tests.figure_builders import StageSpec, add_complaint, area
from tests.html_checks import check_page

NBSP = "\N{NO-BREAK SPACE}"


@pytest.mark.parametrize(
    ("language", "count", "share", "ombudsman"),
    [
        ("en", "12,345", "87.5%", "77.5%"),
        ("cy", "12,345", "87.5%", "77.5%"),
        ("pl", f"12{NBSP}345", "87,5%", "77,5%"),
        ("es", "12.345", f"87,5{NBSP}%", f"77,5{NBSP}%"),
        ("uk", f"12{NBSP}345", "87,5%", "77,5%"),
        ("ar", "12,345", "87.5%", "77.5%"),
    ],
)
def test_counts_and_percentages_follow_the_language(app, language, count, share, ombudsman):
    with app.test_request_context(f"/?lang={language}"):
        assert number(12345) == count
        assert percent(87.5) == share
        # The Ombudsman's figures keep the places the letter used: 77% and 77.5%.
        assert percent(Decimal("77.0"), decimals=None) in ("77%", f"77{NBSP}%")
        assert percent(Decimal("77.5"), decimals=None) == ombudsman


def test_a_column_of_figures_keeps_one_decimal_place(app):
    with app.test_request_context("/?lang=en"):
        assert [percent(v) for v in (100.0, 80, 0.0, 33.3)] == ["100.0%", "80.0%", "0.0%", "33.3%"]


def test_a_change_is_described_with_the_languages_decimal_sign(app):
    with app.test_request_context("/?lang=pl"):
        assert describe_change(12.5, 10.0, percent=True) == "wzrost o 2,5 pkt proc."
    with app.test_request_context("/?lang=en"):
        assert describe_change(12.5, 10.0, percent=True) == "up 2.5 percentage points"
        assert describe_change(1500, 20) == "up 1,480"


def test_the_performance_page_writes_shares_as_the_language_does(app, client):
    with app.app_context():
        waste = area()
        # Two of three answered within the timescale: 66.7%.
        for day, responded in ((1, date(2025, 5, 20)), (2, date(2025, 5, 21)), (3, date(2025, 8, 29))):
            add_complaint(StageSpec(date(2025, 5, day), responded_on=responded), service_area=waste)
        db.session.commit()
    period = "from=2025-04-01&to=2026-03-31"
    english = client.get(f"/performance?{period}&lang=en").get_data(as_text=True)
    assert ">66.7%<" in english
    spanish = client.get(f"/performance?{period}&lang=es").get_data(as_text=True)
    check_page(spanish, "es")
    assert f">66,7{NBSP}%<" in spanish and ">66.7%<" not in spanish
