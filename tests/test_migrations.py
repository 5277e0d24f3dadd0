"""The migrations build the schema the models describe, with the default timescales and themes."""

from datetime import date, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import JSON, column, delete, func, insert, select, table, update
from sqlalchemy.exc import DatabaseError

from portal.config import DEFAULT_TIMESCALES
from portal.extensions import db
from portal.models import Base, Case, CaseSearch, CaseView, Contact, Event, Message, Theme, Timescale
from portal.models.base import utcnow
from portal.models.enums import ActorType, CaseStatus
from portal.search_text import email_key, name_key
from portal.services.events import record_event
from portal.services.organisation import DEFAULT_THEMES
from tests.conftest import empty_database
from tests.figure_builders import add_contact
from tests.staff import make_staff


def test_upgrade_from_empty_matches_the_models_and_seeds_the_defaults(app):
    with app.app_context():
        empty_database()
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []
        timescales = {
            (t.process, t.stage): (t.working_days, t.max_working_days) for t in db.session.scalars(select(Timescale))
        }
        assert timescales == {(p, s): (d, m) for p, s, d, m in DEFAULT_TIMESCALES}
        top = db.session.scalars(select(Theme).filter_by(parent_id=None)).all()
        assert {t.name: sorted(d.name for d in t.details) for t in top} == {
            k: sorted(v) for k, v in DEFAULT_THEMES.items()
        }
        db.session.close()  # PostgreSQL's DROP TABLE waits for any open transaction on the table
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert db.inspect(connection).get_table_names() in ([], ["alembic_version"])
        empty_database()
        db.create_all()


def _compliment_on_an_older_schema(number: int) -> Case:
    """A case whose contact goes in through Core with the columns every revision has: the model's may be newer."""
    contact = table("contact", column("id"), column("name"), column("language"), column("adjustments", JSON))
    resident_id = db.session.scalar(
        insert(contact).values(name="Hand-made history", language="en", adjustments=[]).returning(contact.c.id)
    )
    case = Case(
        reference=f"MIG-{number:06d}",
        type="compliment",
        status=CaseStatus.RECEIVED,
        received_on=date(2026, 1, 5),
        resident_id=resident_id,
        description="Built before the newest migrations",
    )
    db.session.add(case)
    db.session.flush()
    return case


def test_migration_0016_takes_the_words_staff_wrote_out_of_the_history(app):
    """Events recorded before 0016 held a reopening reason and the Ombudsman's reference and notes in full."""
    with app.app_context():
        empty_database()
        upgrade(revision="0015")
    with app.app_context():
        cases = {case.reference: case for case in (_compliment_on_an_older_schema(n) for n in range(2))}
        kept, anonymised = sorted(cases)
        cases[anonymised].anonymised_at = datetime(2026, 1, 1)
        for reference in (kept, anonymised):
            record_event(cases[reference], "case_reopened", ActorType.STAFF, note=f"Reason for {reference}")
        state = {"decision": "upheld", "remedy": "Pay Ann Other £50", "note": "Ann Other agreed", "complied": None}
        record_event(cases[kept], "ombudsman_enquiry_recorded", ActorType.STAFF, record_id=1, lgsco_reference="24 1")
        record_event(
            cases[kept],
            "ombudsman_decision_recorded",
            ActorType.STAFF,
            record_id=1,
            lgsco_reference="24 1",
            before={**state, "remedy": None, "note": None, "decision": None},
            after=state,
        )
        db.session.commit()
        case_ids = {reference: case.id for reference, case in cases.items()}
        db.session.close()
        upgrade()

        events = {(e.case_id, e.action): e.detail for e in db.session.scalars(select(Event))}
        assert "Reason for" not in repr(events) and "Ann Other" not in repr(events) and "24 1" not in repr(events)
        note = db.session.get(Message, events[(case_ids[kept], "case_reopened")]["note_id"])
        assert (note.case_id, note.kind, note.body) == (case_ids[kept], "internal_note", f"Reason for {kept}")
        assert events[(case_ids[anonymised], "case_reopened")] == {}  # an anonymised case gets no note back
        assert db.session.scalars(select(Message).filter_by(case_id=case_ids[anonymised])).all() == []
        decision = events[(case_ids[kept], "ombudsman_decision_recorded")]
        assert decision["record_id"] == 1 and decision["after"] == {
            "decision": "upheld",
            "remedy_written": True,
            "note_written": True,
            "complied": None,
        }
        assert decision["before"]["remedy_written"] is False
        assert events[(case_ids[kept], "ombudsman_enquiry_recorded")] == {"record_id": 1}
        db.session.close()


def test_the_migrated_audit_records_let_retention_delete_only_rows_over_a_year_old(app):
    """Migrations 0017 and 0018 made the case_search and case_view triggers again: what create_all gives the tests."""
    with app.app_context():
        empty_database()
        upgrade()
        user_id = make_staff(app, "officer")
        case_id = add_contact("compliment", date(2026, 1, 5)).id
        for days_ago in (400, 10):
            at = utcnow() - timedelta(days=days_ago)
            db.session.add(CaseView(case_id=case_id, user_id=user_id, page=f"seen {days_ago}", viewed_at=at))
            db.session.add(
                CaseSearch(user_id=user_id, kind="search", search_text=f"Ann {days_ago}", results=0, searched_at=at)
            )
        db.session.commit()
        for model, column in ((CaseView, CaseView.viewed_at), (CaseSearch, CaseSearch.searched_at)):
            year_ago = utcnow() - timedelta(days=365)
            assert db.session.execute(delete(model).where(column < year_ago)).rowcount == 1
            db.session.commit()
            for statement in (
                delete(model),
                update(model).values(kind="csv") if model is CaseSearch else update(model).values(page="tampered"),
            ):
                with pytest.raises(DatabaseError, match="append-only"):
                    db.session.execute(statement)
                    db.session.flush()
                db.session.rollback()
            assert db.session.scalar(select(func.count()).select_from(model)) == 1
        db.session.remove()


def test_migration_0019_gives_existing_contacts_the_keys_the_searches_match(app):
    """Contacts stored before 0019 had no search keys: the migration folds every one, over more than one batch."""
    people = [("Олена Коваленко", "Olena.K@Example.com"), ("Siân Ŵyn", None), ("ŁUKASZ Nowak", "ZOË@EXAMPLE.COM")]
    contact = table("contact", column("name"), column("email"), column("language"), column("adjustments", JSON))
    with app.app_context():
        empty_database()
        upgrade(revision="0018")
        rows = [
            {"name": f"{name} {n}", "email": email, "language": "en", "adjustments": []}
            for n in range(700)
            for name, email in people
        ]  # 2,100 rows: three batches of a thousand
        db.session.execute(insert(contact), rows)
        db.session.commit()
        upgrade()

        stored = db.session.execute(select(Contact.name, Contact.email, Contact.name_key, Contact.email_key)).all()
        assert len(stored) == len(rows)
        assert all(row.name_key == name_key(row.name) and row.email_key == email_key(row.email) for row in stored)
        keys = {(row.name_key.rsplit(" ", 1)[0], row.email_key) for row in stored}
        assert keys == {
            ("олена коваленко", "olena.k@example.com"),
            ("sian wyn", None),
            ("lukasz nowak", "zoë@example.com"),
        }
        db.session.close()
