"""The Ombudsman's annual figures: entered and checked in the back office, public only once published."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Event, LgscoAnnualFigures
from portal.services.lgsco_annual import CATEGORIES, comparison
from portal.services.publishing import financial_year_label, parse_financial_year
from tests.conftest import csrf_token
from tests.html_checks import check_page
from tests.staff import staff_client

YEAR_2024 = "/performance?from=2024-04-01&to=2025-03-31"


def figures_form(**overrides) -> dict:
    data = {f"category_{code}": "0" for code in CATEGORIES}
    data.update(
        {
            "category_adult_care": "3",
            "category_highways": "4",
            "category_housing": "5",
            "detailed_investigations": "6",
            "upheld": "83.3",
            "upheld_average": "77",
            "compliance": "99",
            "compliance_average": "99",
            "remedy": "",
            "remedy_average": "10",
        }
    )
    data.update(overrides)
    return data


def post_new(client, **overrides):
    page = client.get("/staff/reporting/ombudsman/new")
    return client.post(
        "/staff/reporting/ombudsman/new",
        data={"csrf_token": csrf_token(page), "year": "2024/25", **figures_form(**overrides)},
    )


def post_edit(client, start_year=2024, **fields):
    page = client.get(f"/staff/reporting/ombudsman/{start_year}")
    return client.post(
        f"/staff/reporting/ombudsman/{start_year}", data={"csrf_token": csrf_token(page), **figures_form(), **fields}
    )


def test_financial_years_are_read_as_councils_write_them():
    assert parse_financial_year("2024/25") == 2024
    assert parse_financial_year(" 2024-25 ") == 2024
    assert parse_financial_year("2024/2025") == 2024
    assert parse_financial_year("1999/00") is None
    assert parse_financial_year("2024/26") is None
    assert parse_financial_year("2024") is None
    assert parse_financial_year("") is None
    assert financial_year_label(2099) == "2099/00"


def test_comparison_says_higher_lower_or_the_same():
    assert comparison(Decimal("83.3"), Decimal("77")) == "higher"
    assert comparison(Decimal("9.5"), Decimal("10")) == "lower"
    assert comparison(Decimal("99"), Decimal("99.0")) == "same"
    assert comparison(None, Decimal("10")) is None


def test_a_manager_enters_a_year_which_stays_private_until_published(app):
    manager = staff_client(app, "manager")
    page = manager.get("/staff/reporting/ombudsman/new")
    check_page(page.get_data(as_text=True), "en")
    response = post_new(manager)
    assert response.status_code == 303
    assert response.location.endswith("/staff/reporting/ombudsman/2024")
    with app.app_context():
        figures = db.session.scalar(select(LgscoAnnualFigures))
        assert figures.start_year == 2024 and figures.published is False
        assert figures.received_total == 12  # the categories summed
        assert {row.category: row.count for row in figures.categories}["housing"] == 5
        assert (figures.upheld_tenths, figures.upheld_average_tenths) == (833, 770)
        assert figures.remedy_tenths is None and figures.remedy_average_tenths == 100
        assert db.session.scalar(select(Event.action).where(Event.action.like("lgsco_%"))) == "lgsco_figures_saved"

    edit = manager.get("/staff/reporting/ombudsman/2024").get_data(as_text=True)
    check_page(edit, "en")
    assert 'value="83.3"' in edit and "Not published" in edit
    listing = manager.get("/staff/reporting/ombudsman").get_data(as_text=True)
    check_page(listing, "en")
    assert "2024/25" in listing

    public = app.test_client()
    before = public.get(YEAR_2024).get_data(as_text=True)
    assert "annual figures about us are not published yet" in before
    assert "83.3%" not in before


def test_publishing_shows_each_figure_beside_similar_authorities_in_words(app):
    manager = staff_client(app, "manager")
    post_new(manager)
    public = app.test_client()
    assert "83.3%" not in public.get(YEAR_2024).get_data(as_text=True)  # now cached without the figures

    response = post_edit(manager, publish="Save and publish")
    assert response.status_code == 303
    page = public.get(YEAR_2024).get_data(as_text=True)
    check_page(page, "en")
    assert "These are its figures about us for 2024/25" in page
    assert "Highways and transport" in page and ">12<" in page.replace("<strong>", "").replace("</strong>", "")
    assert "investigated 6 complaints about us in detail" in page
    assert "83.3%" in page and "77%" in page and "higher than similar authorities" in page
    assert "99%" in page and "the same as similar authorities" in page
    assert "no figure to compare" in page  # the letter gave no remedy figure for the council
    welsh = public.get(YEAR_2024 + "&lang=cy").get_data(as_text=True)
    check_page(welsh, "cy")
    assert "83.3%" in welsh
    public.get(YEAR_2024 + "&lang=en")  # back to English for the rest

    # Saving a published year changes the public pages at once.
    post_edit(manager, upheld="70")
    assert "lower than similar authorities" in public.get(YEAR_2024).get_data(as_text=True)

    unpublish_page = manager.get("/staff/reporting/ombudsman/2024")
    response = manager.post(
        "/staff/reporting/ombudsman/2024/unpublish", data={"csrf_token": csrf_token(unpublish_page)}
    )
    assert response.status_code == 303
    assert "70%" not in public.get(YEAR_2024).get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(select(Event.action).where(Event.action.like("lgsco_%")).order_by(Event.id)).all()
        assert actions == [
            "lgsco_figures_saved",
            "lgsco_figures_published",
            "lgsco_figures_saved",
            "lgsco_figures_unpublished",
        ]


def test_a_period_without_its_own_year_shows_the_latest_published_and_says_which(app):
    manager = staff_client(app, "manager")
    page = manager.get("/staff/reporting/ombudsman/new")
    data = {"csrf_token": csrf_token(page), "year": "2023/24", **figures_form(), "publish": "Save and publish"}
    assert manager.post("/staff/reporting/ombudsman/new", data=data).status_code == 303
    html = app.test_client().get(YEAR_2024).get_data(as_text=True)
    assert "figures for 2024/25 are not published yet" in html
    assert "These are the latest we have published, for 2023/24" in html
    assert "83.3%" in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("year", "", "Enter the financial year, for example 2024/25"),
        ("year", "2024/26", "Enter the financial year as two years one after the other, like 2024/25"),
        ("category_housing", "", "Enter the number for Housing, or 0"),
        ("category_housing", "-1", "The number for Housing must be a whole number, 0 or more"),
        ("category_housing", "1.5", "The number for Housing must be a whole number, 0 or more"),
        ("detailed_investigations", "six", "The number of detailed investigations must be a whole number, 0 or more"),
        ("upheld", "100.5", "Enter Detailed investigations upheld as a percentage from 0 to 100"),
        ("upheld", "77.55", "Enter Detailed investigations upheld as a percentage from 0 to 100"),
        ("compliance", "-3", "Enter Recommendations the council complied with as a percentage"),
        ("remedy_average", "", "Enter the similar authorities’ average for Cases where the council had offered"),
        ("upheld_average", "abc", "Enter the similar authorities’ average for Detailed investigations upheld as a"),
    ],
)
def test_entry_is_checked_with_messages_that_say_what_to_do(app, field, value, message):
    manager = staff_client(app, "manager")
    response = post_new(manager, **{field: value})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    check_page(html, "en")
    assert "There is a problem" in html and html.count(message) >= 2  # in the summary and beside the field
    assert "<title>Error: " in html
    with app.app_context():
        assert db.session.scalar(select(LgscoAnnualFigures)) is None


def test_percentages_take_a_percent_sign_and_whole_numbers_take_commas(app):
    manager = staff_client(app, "manager")
    assert post_new(manager, upheld="77.5%", category_housing="1,200").status_code == 303
    with app.app_context():
        figures = db.session.scalar(select(LgscoAnnualFigures))
        assert figures.upheld_tenths == 775 and figures.received_total == 1207


def test_a_year_cannot_be_entered_twice(app):
    manager = staff_client(app, "manager")
    post_new(manager)
    html = post_new(manager, year="2024-25").get_data(as_text=True)
    assert "Figures for 2024/25 are already entered" in html


def test_only_complaints_managers_and_administrators_may_enter_figures(app):
    manager = staff_client(app, "manager")
    post_new(manager)
    admin = staff_client(app, "admin")
    assert admin.get("/staff/reporting/ombudsman/2024").status_code == 200
    for role in ("officer", "responder", "investigator", "reviewer"):
        other = staff_client(app, role)
        for url in ("/staff/reporting/", "/staff/reporting/ombudsman", "/staff/reporting/ombudsman/2024"):
            assert other.get(url).status_code == 403, (role, url)
        token = csrf_token(other.get("/staff/"))
        assert other.post("/staff/reporting/ombudsman/2024/unpublish", data={"csrf_token": token}).status_code == 403
        response = other.post("/staff/reporting/ombudsman/new", data={"csrf_token": token, **figures_form()})
        assert response.status_code == 403
    assert app.test_client().get("/staff/reporting/ombudsman").status_code == 302
    assert manager.get("/staff/reporting/ombudsman/2030").status_code == 404


def test_the_staff_navigation_links_to_the_reports_for_those_who_may_use_them(app):
    manager = staff_client(app, "manager")
    assert "/staff/reporting/" in manager.get("/staff/").get_data(as_text=True)
    officer = staff_client(app, "officer")
    assert "/staff/reporting/" not in officer.get("/staff/").get_data(as_text=True)
    index = manager.get("/staff/reporting/").get_data(as_text=True)
    check_page(index, "en")
    check_page(manager.get("/staff/reporting/ombudsman/new?lang=cy").get_data(as_text=True), "en")
