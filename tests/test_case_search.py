"""The back office's case list: search, filters, sorting, pages, htmx and CSV, with constant queries."""

import csv
import io

from sqlalchemy import event

from portal.extensions import db
from tests.html_checks import check_page
from tests.journey import lodge
from tests.staff import staff_client


def test_search_by_reference_name_and_email(app, client):
    first = lodge(client, {"your-details": {"name": "Ada Lovelace", "email": "ada@example.com"}})
    second = lodge(client, {"your-details": {"name": "Alan Turing", "email": "alan@example.com"}})
    officer = staff_client(app, "officer")
    page = officer.get("/staff/?q=lovelace").get_data(as_text=True)
    check_page(page, "en")
    assert first in page and second not in page
    assert second in officer.get("/staff/?q=ALAN@EXAMPLE").get_data(as_text=True)
    assert first in officer.get(f"/staff/?q={first.lower()}").get_data(as_text=True)


def test_names_and_addresses_in_any_alphabet_are_found_in_any_capitals_and_without_accents(app):
    """SQLite's own lower() knows only A to Z: these searches found nothing on it before the stored search keys."""
    olena = lodge(app.test_client(), {"your-details": {"name": "Олена Коваленко", "email": "ОЛЕНА@Приклад.укр"}})
    lukasz = lodge(app.test_client(), {"your-details": {"name": "Łukasz Żółtowski", "email": "lukasz@example.com"}})
    sian = lodge(app.test_client(), {"your-details": {"name": "SIÂN ÉVANS", "email": "Zoë.Brontë@Example.com"}})
    officer = staff_client(app, "officer")

    def found(q: str) -> set[str]:
        page = officer.get("/staff/", query_string={"q": q}).get_data(as_text=True)
        return {reference for reference in (olena, lukasz, sian) if reference in page}

    assert found("Олена") == found("олена") == found("КОВАЛЕНКО") == {olena}
    assert found("олена@приклад") == {olena}
    assert found("Łukasz") == found("łUKASZ") == found("lukasz") == found("zoltowski") == {lukasz}
    assert found("Siân Évans") == found("sian evans") == found("Évans") == {sian}
    assert found("zoë.brontë@example") == found("ZOË.BRONTË") == {sian}


def test_filters_combine_and_bad_values_are_ignored(app, client):
    complaint = lodge(client)
    compliment = lodge(client, {"type": {"type": "compliment"}})
    officer = staff_client(app, "officer")
    page = officer.get("/staff/?type=complaint&process=corporate&stage=1").get_data(as_text=True)
    assert complaint in page and compliment not in page
    page = officer.get("/staff/?type=compliment&stage=9&page=-3&sort=evil").get_data(as_text=True)
    assert compliment in page and complaint not in page


def test_overdue_filter(app, client):
    from datetime import date, timedelta

    from sqlalchemy import select

    from portal.models import Case

    late = lodge(client)
    on_time = lodge(client)
    with app.app_context():
        db.session.scalar(select(Case).filter_by(reference=late)).stages[0].deadline = date.today() - timedelta(days=1)
        db.session.commit()
    page = staff_client(app, "officer").get("/staff/?overdue=1").get_data(as_text=True)
    assert late in page and on_time not in page


def test_pages_and_sorting(app, client):
    references = [lodge(client) for _ in range(3)]
    officer = staff_client(app, "officer")
    from portal.services import case_search

    case_search.PER_PAGE, saved = 2, case_search.PER_PAGE
    try:
        first = officer.get("/staff/?sort=received-asc").get_data(as_text=True)
        second = officer.get("/staff/?sort=received-asc&page=2").get_data(as_text=True)
    finally:
        case_search.PER_PAGE = saved
    assert references[0] in first and references[1] in first and references[2] not in first
    assert references[2] in second
    assert "Page 1 of 2" in first
    assert 'href="/staff/?sort=received-asc&amp;page=2"' in first


def test_htmx_gets_only_the_results_and_the_url_is_kept_in_step(app, client):
    lodge(client)
    officer = staff_client(app, "officer")
    response = officer.get("/staff/?type=complaint", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert 'id="case-results"' in html
    assert "<html" not in html
    assert "HX-Request" in response.headers["Vary"]
    assert 'hx-push-url="true"' in officer.get("/staff/").get_data(as_text=True)


def test_csv_of_the_filtered_list_has_no_contact_details(app, client):
    reference = lodge(client, {"your-details": {"name": "Zed Private", "email": "zed@example.com"}})
    lodge(client, {"type": {"type": "suggestion"}})
    officer = staff_client(app, "officer")
    response = officer.get("/staff/cases.csv?type=complaint")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["reference"] for row in rows] == [reference]
    assert rows[0]["process"] == "corporate" and rows[0]["stage"] == "1"
    assert "Zed" not in response.get_data(as_text=True)
    assert "zed@example.com" not in response.get_data(as_text=True)


def test_responders_search_only_their_services(app, client):
    reference = lodge(client)  # Council tax
    waste = staff_client(app, "responder", email="w@example.gov.uk", areas=("Waste and recycling",))
    assert reference not in waste.get("/staff/").get_data(as_text=True)
    assert reference not in waste.get("/staff/cases.csv").get_data(as_text=True)


def test_the_number_of_queries_does_not_grow_with_the_rows_shown(app, client):
    for _ in range(2):
        lodge(client)
    officer = staff_client(app, "officer")

    def count_queries(path):
        with app.app_context():
            engine = db.engine
        statements = []

        def listen(*args):
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", listen)
        try:
            officer.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        return len(statements)

    few = count_queries("/staff/")
    for _ in range(5):
        lodge(client)
    assert count_queries("/staff/") == few
