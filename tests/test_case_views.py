"""Every staff view of a case, text search of the cases and CSV download is recorded, the record cannot be changed
or deleted, and administrators read it."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from portal.extensions import db
from portal.models import Case, CaseSearch, CaseView, User
from portal.models.base import utcnow
from tests.html_checks import check_page
from tests.journey import lodge
from tests.staff import staff_client


def _views(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(select(CaseView.page, CaseView.user_id).order_by(CaseView.id))
        return [tuple(row) for row in rows]


def test_opening_a_case_is_recorded_but_acting_on_it_is_left_to_its_history(app):
    reference = lodge(app.test_client())
    officer = staff_client(app, "officer")
    assert officer.get(f"/staff/cases/{reference}").status_code == 200
    assert officer.get(f"/staff/cases/{reference}").status_code == 200
    assert officer.get("/staff/cases/CMP-AAAA-AAAA").status_code == 404  # no case, nothing to record
    assert [page for page, _ in _views(app)] == ["staff.case", "staff.case"]


def test_an_administrator_sees_who_looked_at_a_case(app):
    reference = lodge(app.test_client())
    other = lodge(app.test_client())
    officer = staff_client(app, "officer", name="Olive Officer")
    officer.get(f"/staff/cases/{reference}")
    officer.get(f"/staff/cases/{other}")
    admin = staff_client(app, "admin")
    page = admin.get(f"/staff/admin/case-views?reference={reference.lower()}").get_data(as_text=True)
    check_page(page, "en")
    assert "Olive Officer (officer@example.gov.uk)" in page and "The case" in page
    assert reference in page and other not in page
    everything = admin.get("/staff/admin/case-views").get_data(as_text=True)
    assert reference in everything and other in everything
    assert 'href="/staff/admin/case-views"' in admin.get("/staff/admin/").get_data(as_text=True)
    assert officer.get("/staff/admin/case-views").status_code == 403


def _searches(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(
            select(CaseSearch.kind, CaseSearch.search_text, CaseSearch.filters, CaseSearch.results).order_by(
                CaseSearch.id
            )
        )
        return [tuple(row) for row in rows]


def test_searching_the_cases_by_text_and_downloading_them_are_recorded_once_each(app):
    lodge(app.test_client())  # Jo Bloggs
    officer = staff_client(app, "officer", name="Olive Officer")
    assert officer.get("/staff/").status_code == 200  # the list itself, no search: nothing to record
    assert officer.get("/staff/?status=received").status_code == 200
    assert officer.get("/staff/?q=bloggs").status_code == 200
    assert officer.get("/staff/?q=bloggs&page=2").status_code == 200  # paging through it: the same search
    assert officer.get("/staff/?q=nobody+at+all&overdue=1", headers={"HX-Request": "true"}).status_code == 200
    download = officer.get("/staff/cases.csv?status=received")
    assert download.status_code == 200 and download.get_data(as_text=True).count("\n") == 2
    assert _searches(app) == [
        ("search", "bloggs", {}, 1),
        ("search", "nobody at all", {"overdue": "1"}, 0),
        ("csv", None, {"status": "received"}, 1),
    ]

    admin = staff_client(app, "admin")
    page = admin.get("/staff/admin/case-views").get_data(as_text=True)
    check_page(page, "en")
    searches = page[page.index('id="searches"') :]
    assert searches.count("Olive Officer (officer@example.gov.uk)") == 3
    assert "bloggs" in searches and "overdue=1" in searches and "Downloaded as CSV" in searches
    assert searches.index("Downloaded as CSV") < searches.index("bloggs")  # newest first
    mine = admin.get("/staff/admin/case-views?user=999").get_data(as_text=True)
    assert "No searches or downloads recorded." in mine


@pytest.mark.parametrize("model", [CaseView, CaseSearch], ids=["case_view", "case_search"])
def test_the_records_of_views_and_searches_are_append_only_in_the_database_itself(app, model):
    reference = lodge(app.test_client())
    officer = staff_client(app, "officer")
    officer.get(f"/staff/cases/{reference}")
    officer.get(f"/staff/?q={reference}")
    column = model.page if model is CaseView else model.search_text
    with app.app_context():
        for statement in (update(model).values({column: "tampered"}), delete(model)):
            with pytest.raises(DatabaseError, match="append-only"):
                db.session.execute(statement)
                db.session.flush()
            db.session.rollback()
        if db.engine.dialect.name == "postgresql":
            with pytest.raises(DatabaseError, match="append-only"):
                db.session.execute(text(f"TRUNCATE {model.__tablename__}"))
            db.session.rollback()
    assert [page for page, _ in _views(app)] == ["staff.case"]
    assert [text for _, text, _, _ in _searches(app)] == [reference]


def test_recording_a_search_or_a_view_does_not_make_the_page_read_everything_again(app):
    from sqlalchemy import event as sql_event

    for _ in range(3):
        lodge(app.test_client())  # three cases by Jo Bloggs
    reference = lodge(app.test_client(), {"your-details": {"name": "Sam Single"}})
    officer = staff_client(app, "officer")
    reads = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            reads.append(statement)

    with app.app_context():
        sql_event.listen(db.engine, "before_cursor_execute", count)
        try:
            counts = {}
            officer.get("/staff/?q=warm")  # the first request of this app context reads the account and session
            for query in ("bloggs", "single"):
                reads.clear()
                assert officer.get(f"/staff/?q={query}").status_code == 200
                counts[query] = len(reads)
            reads.clear()
            assert officer.get(f"/staff/cases/{reference}").status_code == 200
            case_page_reads = len(reads)
        finally:
            sql_event.remove(db.engine, "before_cursor_execute", count)
    assert counts["bloggs"] == counts["single"]  # three rows read as one page, not one at a time
    assert case_page_reads <= 20
    assert [text for _, text, _, _ in _searches(app)] == ["warm", "bloggs", "single"]


def _search_record(app, days_ago: int) -> None:
    with app.app_context():
        searched_at = utcnow() - timedelta(days=days_ago)
        user_id = db.session.scalar(select(User.id))
        db.session.add(
            CaseSearch(
                user_id=user_id, kind="search", search_text=f"Ann {days_ago}", results=0, searched_at=searched_at
            )
        )
        db.session.commit()


def _search_words(app) -> list[str]:
    return sorted(search_text for _, search_text, _, _ in _searches(app))


def test_retention_deletes_search_records_after_their_period_and_the_database_refuses_any_younger(app, runner):
    staff_client(app, "officer")
    for days_ago in (800, 400, 200, 1):
        _search_record(app, days_ago)

    app.config["SEARCH_RETENTION_DAYS"] = 500
    dry = runner.invoke(args=["apply-retention", "--dry-run"])
    assert "Would delete 1 records of case searches made over 500 days ago." in dry.output
    assert len(_searches(app)) == 4
    done = runner.invoke(args=["apply-retention"])
    assert done.exit_code == 0 and "Deleted 1 records of case searches made over 500 days ago." in done.output
    assert _search_words(app) == ["Ann 1", "Ann 200", "Ann 400"]

    app.config["SEARCH_RETENTION_DAYS"] = 30  # asking for less than a year still keeps a year
    done = runner.invoke(args=["apply-retention"])
    assert "Deleted 1 records of case searches made over 365 days ago." in done.output
    assert _search_words(app) == ["Ann 1", "Ann 200"]

    with app.app_context():  # and whoever asks, the database keeps them
        for statement in (delete(CaseSearch), update(CaseSearch).values(search_text="tampered")):
            with pytest.raises(DatabaseError, match="append-only"):
                db.session.execute(statement)
                db.session.flush()
            db.session.rollback()
    assert _search_words(app) == ["Ann 1", "Ann 200"]


def test_retention_deletes_records_of_opening_cases_after_their_period_and_the_database_refuses_any_younger(
    app, runner
):
    reference = lodge(app.test_client())
    staff_client(app, "officer")
    with app.app_context():
        case_id = db.session.scalar(select(Case.id).filter_by(reference=reference))
        user_id = db.session.scalar(select(User.id))
        for days_ago in (2500, 800, 400, 200, 1):
            viewed_at = utcnow() - timedelta(days=days_ago)
            db.session.add(CaseView(case_id=case_id, user_id=user_id, page=f"seen {days_ago}", viewed_at=viewed_at))
        db.session.commit()

    def pages() -> list[str]:
        return sorted((page for page, _ in _views(app)), key=lambda page: int(page.split()[1]))

    dry = runner.invoke(args=["apply-retention", "--dry-run"])  # six years by default
    assert "Would delete 1 records of staff opening cases over 2190 days ago." in dry.output
    assert len(pages()) == 5
    done = runner.invoke(args=["apply-retention"])
    assert done.exit_code == 0 and "Deleted 1 records of staff opening cases over 2190 days ago." in done.output
    assert pages() == ["seen 1", "seen 200", "seen 400", "seen 800"]

    app.config["CASE_VIEW_RETENTION_DAYS"] = 30  # asking for less than a year still keeps a year
    done = runner.invoke(args=["apply-retention"])
    assert "Deleted 2 records of staff opening cases over 365 days ago." in done.output
    assert pages() == ["seen 1", "seen 200"]

    with app.app_context():  # and whoever asks, the database keeps the younger ones
        for statement in (delete(CaseView), update(CaseView).values(page="tampered")):
            with pytest.raises(DatabaseError, match="append-only"):
                db.session.execute(statement)
                db.session.flush()
            db.session.rollback()
    assert pages() == ["seen 1", "seen 200"]
