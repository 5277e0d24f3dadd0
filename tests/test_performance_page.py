"""The public performance page: figures beside a year earlier in words, small numbers suppressed, both languages."""

from datetime import date

from portal.extensions import db
from tests.figure_builders import StageSpec, add_complaint, add_contact, area
from tests.html_checks import check_page


def _history(app):
    with app.app_context():
        waste = area()
        for day in range(1, 21):
            add_complaint(
                StageSpec(
                    date(2025, 5, day), responded_on=date(2025, 5, 22), outcome="upheld", themes=("Communication",)
                ),
                service_area=waste,
            )
        add_complaint(
            StageSpec(date(2024, 5, 1), responded_on=date(2024, 7, 30), outcome="not_upheld"), service_area=waste
        )
        add_complaint(StageSpec(date(2025, 6, 2)), service_area=area("Libraries"))
        add_contact("compliment", date(2025, 6, 3))
        db.session.commit()


def test_the_page_shows_a_period_beside_a_year_earlier_in_words(app, client):
    _history(app)
    page = client.get("/performance?from=2025-04-01&to=2026-03-31").get_data(as_text=True)
    check_page(page, "en")
    assert "From 1 April 2025 to 31 March 2026" in page
    assert "up 20" in page  # complaints received: 21 against 1
    assert "100.0%" in page
    assert "up 100 percentage points" in page  # within timescale: 100.0% against 0.0%
    assert "Communication (95.2%)" in page or "Communication" in page
    assert "Small numbers, no common themes" in page  # Libraries has one complaint
    assert 'role="img"' in page and '<title id="timeliness-title">' in page
    assert "/performance/data.json?from=2025-04-01&amp;to=2026-03-31" in page


def test_the_page_is_in_welsh_and_defaults_to_the_last_complete_year(app, client):
    page = client.get("/performance?lang=cy").get_data(as_text=True)
    check_page(page, "cy")
    english = client.get("/performance?lang=en").get_data(as_text=True)
    assert "How we handle complaints" in english
    assert "How we handle complaints" not in page


def test_period_links_switch_in_place_with_htmx_and_without_it(app, client):
    html = client.get("/performance").get_data(as_text=True)
    assert 'hx-push-url="true"' in html
    fragment = client.get("/performance?from=2025-04-01&to=2025-06-30", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and 'id="figures"' in text
    assert "From 1 April 2025 to 30 June 2025" in text


def test_a_bad_period_falls_back_to_the_default(app, client):
    response = client.get("/performance?from=2026-13-01&to=nonsense")
    assert response.status_code == 200
    assert "31 March" in response.get_data(as_text=True)


def test_compliments_and_suggestions_by_directorate_and_the_ten_services_asked_for_most(app, client):
    from portal.services.contact_figures import other_contact_figures

    with app.app_context():
        libraries, waste = area("Libraries"), area("Waste and recycling")
        tax = area("Council tax", "Exchequer")
        add_contact("compliment", date(2025, 6, 3), libraries)
        add_contact("compliment", date(2025, 6, 4), tax)
        add_contact("suggestion", date(2025, 6, 5), waste)
        add_contact("compliment", date(2024, 6, 5), waste)  # the year before: not counted
        add_contact("suggestion", date(2025, 6, 6))  # no service area yet
        names = [f"Service {n:02d}" for n in range(12)]
        for rank, name in enumerate(names):
            for _ in range(12 - rank):
                add_contact("service_request", date(2025, 7, 1), area(name, "Place"))
        db.session.commit()
        figures = other_contact_figures(date(2025, 4, 1), date(2026, 3, 31))
    assert figures["by_directorate"] == [
        {"directorate": "Exchequer", "compliments": 1, "suggestions": 0},
        {"directorate": "Place", "compliments": 1, "suggestions": 1},
        {"directorate": None, "compliments": 0, "suggestions": 1},
    ]
    top = figures["top_service_requests"]
    assert [row["service_area"] for row in top] == names[:10]
    assert [row["count"] for row in top][:2] == [12, 11]

    page = client.get("/performance?from=2025-04-01&to=2026-03-31").get_data(as_text=True)
    check_page(page, "en")
    assert "Compliments and suggestions by directorate" in page
    assert "The ten services residents asked for most" in page
    assert "Service 09" in page and "Service 10" not in page


def test_each_service_area_shows_its_share_answered_within_timescale_but_the_open_data_does_not(app, client):
    _history(app)
    page = client.get("/performance?from=2025-04-01&to=2026-03-31").get_data(as_text=True)
    waste = page[page.index("Waste and recycling <span") :].split("</tr>")[0]
    assert ">100.0%<" in waste  # twenty answered on 22 May, all within 20 working days
    libraries = page[page.index("Libraries <span") :].split("</tr>")[0]
    assert "None answered yet" in libraries
    data = client.get("/performance/data.json?from=2025-04-01&to=2026-03-31").get_json()
    assert "page_only" not in data and set(data["service_areas"][0]) == {
        "directorate",
        "service_area",
        "received",
        "suppressed",
        "top_themes",
    }
