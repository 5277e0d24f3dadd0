"""Every staff view of a case is recorded, the record cannot be changed or deleted, and administrators read it."""

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from portal.extensions import db
from portal.models import CaseView
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


def test_the_record_of_views_is_append_only_in_the_database_itself(app):
    reference = lodge(app.test_client())
    staff_client(app, "officer").get(f"/staff/cases/{reference}")
    with app.app_context():
        for statement in (update(CaseView).values(page="tampered"), delete(CaseView)):
            with pytest.raises(DatabaseError, match="append-only"):
                db.session.execute(statement)
                db.session.flush()
            db.session.rollback()
        if db.engine.dialect.name == "postgresql":
            with pytest.raises(DatabaseError, match="append-only"):
                db.session.execute(text("TRUNCATE case_view"))
            db.session.rollback()
    assert [page for page, _ in _views(app)] == ["staff.case"]
