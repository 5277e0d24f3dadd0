"""Cases closed longer ago than the retention period lose everything about a person and keep their figures."""

import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Attachment,
    Base,
    Case,
    Contact,
    Draft,
    Event,
    LearningAction,
    Message,
    OmbudsmanRecord,
    OutboxMessage,
    Remedy,
    TrackingToken,
    User,
)
from portal.models.enums import CaseStatus
from portal.services.contact_figures import other_contact_figures
from portal.services.figures import compute_figures
from portal.services.learning import published_learning
from portal.services.ombudsman import DecisionInput, record_decision, record_enquiry
from portal.services.responses import close_case, reopen_case
from portal.services.retention import ANONYMISED, apply_retention, retention_cutoff
from tests.figure_builders import StageSpec, add_complaint, add_contact, area
from tests.files import pdf
from tests.journey import COMPLAINT, answer, first_service_id, start, submit
from tests.staff import make_staff

NAME, EMAIL, PHONE, ADDRESS = "Philippa Quennell-Smythe", "pqs@example.com", "07700 900123", "12 Acacia Avenue"
DESCRIPTION = "The bin crew shouted at me outside number 12 Acacia Avenue."
NOTE = "Spoke to Philippa on the phone; she is very upset."
PERSONAL = (NAME, "Philippa", EMAIL, PHONE, ADDRESS, "Acacia", DESCRIPTION)


def lodge_with_evidence(client, name=NAME, email=EMAIL, description=DESCRIPTION) -> str:
    """Lodge a complaint with a phone number, an address and an evidence file; return its reference."""
    token = start(client)
    answer(client, token, "type", COMPLAINT["type"])
    answer(client, token, "service", {"service": first_service_id(client)})
    answer(client, token, "details", {**COMPLAINT["details"], "description": description})
    data = {"csrf_token": token, "upload": "Upload files", "files": [(io.BytesIO(pdf()), "bin photo.pdf")]}
    client.post("/feedback/evidence", data=data, content_type="multipart/form-data")
    answer(client, token, "evidence", {"submit": "Continue"})
    answer(client, token, "your-details", {"name": name, "email": email, "phone": PHONE, "address": ADDRESS})
    answer(client, token, "contact-preferences", {"preferred_contact": "email", "language": "en"})
    answer(client, token, "someone-else", {"on_behalf": "no"})
    assert submit(client, token).status_code == 303
    html = client.get("/feedback/confirmation").get_data(as_text=True)
    return re.search(r"[A-Z]{3}-[2-9A-Z]{4}-[2-9A-Z]{4}", html).group(0)


def close(reference: str, closed_on: date, **extra) -> None:
    """Close a case on a given day, with the notes and messages a real one gathers."""
    case = db.session.scalar(select(Case).filter_by(reference=reference))
    case.status, case.closed_on, case.closed_reason = CaseStatus.CLOSED, closed_on, "resolved"
    case.closure_note = NOTE
    stage = case.stages[0]
    stage.responded_on, stage.outcome, stage.within_timescale = case.received_on + timedelta(days=10), "upheld", True
    stage.response_text = f"Dear {NAME}, we are sorry."
    stage.remedies = [Remedy(kind="apology", detail=f"Apologised to {NAME}")]
    stage.learning = [LearningAction(what_will_change=f"Crew briefed about {NAME}", owner="Waste manager")]
    case.messages.append(Message(kind="internal_note", body=NOTE))
    case.messages.append(Message(kind="from_resident", subject=f"From {NAME}", body=f"{NAME} here, at {ADDRESS}"))
    case.ombudsman_records.append(
        OmbudsmanRecord(received_on=closed_on, lgsco_reference="24 012 345", note=NOTE, remedy_kinds=[])
    )
    db.session.add(TrackingToken(case_id=case.id, token_hash=f"{case.id:064d}", expires_at=datetime(2030, 1, 1)))
    for name, value in extra.items():
        setattr(case, name, value)
    db.session.commit()


def everything(app) -> dict[str, list[tuple]]:
    """Every row of every table, as text: what a copy of the database would give away."""
    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: sorted(tuple(str(value) for value in row) for row in connection.execute(table.select()))
            for table in Base.metadata.sorted_tables
        }


def personal_data_left(app) -> list[str]:
    """The resident's details still anywhere in the database, in any capitals (a search key is folded)."""
    dump = repr(everything(app)).casefold()
    return [text for text in PERSONAL if text.casefold() in dump]


def long_ago(years: int = 7) -> date:
    return date.today() - timedelta(days=365 * years + 2)


def test_a_case_closed_longer_ago_than_the_retention_period_keeps_nothing_about_the_person(app, runner, tmp_path):
    reference = lodge_with_evidence(app.test_client())
    with app.app_context():
        close(reference, long_ago())
        assert len(personal_data_left(app)) == len(PERSONAL)  # the check below can see them
        stored = db.session.scalar(select(Attachment.stored_name))
    upload = Path(tmp_path / "uploads" / stored)
    assert upload.is_file()

    result = runner.invoke(args=["apply-retention"])
    assert result.exit_code == 0, result.output
    assert f"Anonymised 1 cases closed before {retention_cutoff_today(app)}." in result.output
    assert reference in result.output

    assert personal_data_left(app) == []
    assert not upload.exists()
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        assert case.description == ANONYMISED and case.closure_note == ANONYMISED
        assert (case.resident.name, case.resident.email, case.resident.phone, case.resident.address) == (
            ANONYMISED,
            None,
            None,
            None,
        )
        assert [m.body for m in case.messages] == [ANONYMISED] * len(case.messages)
        assert case.attachments[0].original_name == ANONYMISED
        assert case.ombudsman_records[0].lgsco_reference is None
        assert db.session.scalars(select(TrackingToken)).all() == []
        assert db.session.scalars(select(Draft)).all() == []
        assert db.session.scalars(select(OutboxMessage)).all() == []
        # What the figures count stays.
        stage = case.stages[0]
        assert (case.type, case.status, case.channel, case.language) == ("complaint", "closed", "web", "en")
        assert case.service_area_id is not None and case.closed_on == long_ago()
        assert (stage.outcome, stage.within_timescale, stage.responded_on) == ("upheld", True, stage.responded_on)
        assert stage.remedies[0].kind == "apology" and stage.remedies[0].detail == ANONYMISED
        event = db.session.scalar(select(Event).filter_by(case_id=case.id, action="case_anonymised"))
        assert event.detail["reason"] == "retention" and event.detail["files"] == 1 and event.detail["messages"] >= 2
        assert event.actor_type == "system"


def retention_cutoff_today(app) -> str:
    with app.app_context():
        return retention_cutoff(date.today()).isoformat()


def test_what_staff_wrote_while_working_the_case_leaves_no_trace_in_its_history(app, runner):
    """The reopening reason and the Ombudsman's reference and notes, typed through the services staff use, are
    kept on records anonymisation blanks; the append-only history only points at them."""
    reference = lodge_with_evidence(app.test_client())
    officer_id = make_staff(app, "officer")
    reason, lgsco_reference = f"{NAME} rang with new evidence", "24 987 654"
    remedy, note = f"Apologise to {NAME}", f"{NAME} accepted the apology"
    with app.app_context():
        officer = db.session.get(User, officer_id)
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        close_case(case, officer, case.version_id, "withdrawn", "Rang to withdraw", today=long_ago(8))
        reopen_case(case, officer, case.version_id, reason)
        record = record_enquiry(case, officer, case.version_id, long_ago(8), lgsco_reference)
        decision = DecisionInput("upheld", long_ago(8), ["apology"], remedy=remedy, note=note)
        record_decision(case, record, officer, case.version_id, decision)
        close_case(case, officer, case.version_id, "withdrawn", "Rang to withdraw again", today=long_ago())
        written = (reason, lgsco_reference, remedy, note)
        assert all(text in repr(everything(app)) for text in written)  # the check below can see them
        events = db.session.scalars(select(Event).filter_by(case_id=case.id)).all()
        assert not [event.action for event in events if any(text in repr(event.detail) for text in written)]

    assert runner.invoke(args=["apply-retention"]).exit_code == 0
    dump = repr(everything(app))
    assert [text for text in (*written, *PERSONAL) if text in dump] == []


def test_staff_still_see_the_anonymised_case_and_its_figures(app, runner):
    from tests.staff import staff_client

    reference = lodge_with_evidence(app.test_client())
    with app.app_context():
        close(reference, long_ago())
        attachment_id = db.session.scalar(select(Attachment.id))
    runner.invoke(args=["apply-retention"])
    officer = staff_client(app, "officer")
    page = officer.get(f"/staff/cases/{reference}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert ANONYMISED in html and NAME not in html and DESCRIPTION not in html
    # Its file is gone: said so on the page, and its old address finds nothing.
    assert "A file, deleted when the case was anonymised" in html and "/files/" not in html
    assert officer.get(f"/staff/cases/{reference}/files/{attachment_id}").status_code == 404


def test_cases_within_the_period_or_still_open_are_left_alone(app, runner):
    recent = lodge_with_evidence(app.test_client())
    open_for_years = lodge_with_evidence(app.test_client())
    with app.app_context():
        close(recent, long_ago(5))
        case = db.session.scalar(select(Case).filter_by(reference=open_for_years))
        case.received_on = long_ago(9)
        db.session.commit()
    before = everything(app)
    result = runner.invoke(args=["apply-retention"])
    assert result.exit_code == 0, result.output
    assert "Anonymised 0 cases" in result.output
    assert everything(app) == before


def test_the_retention_period_is_a_setting_and_counts_whole_years(make_app):
    app = make_app(RETENTION_YEARS=2)
    reference = lodge_with_evidence(app.test_client())
    with app.app_context():
        assert retention_cutoff(date(2032, 2, 29)) == date(2030, 2, 28)
        close(reference, date(2030, 5, 10))
        assert apply_retention(today=date(2032, 5, 10)).cases == []  # exactly two years: not yet
        assert [c.reference for c in apply_retention(today=date(2032, 5, 11)).cases] == [reference]


def test_a_dry_run_lists_the_cases_and_what_would_go_and_changes_nothing(app, runner, tmp_path):
    reference = lodge_with_evidence(app.test_client())
    with app.app_context():
        close(reference, long_ago())
    before = everything(app)
    files = sorted(p.name for p in (tmp_path / "uploads").iterdir())
    result = runner.invoke(args=["apply-retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would anonymise 1 cases" in result.output
    assert f"{reference} (closed {long_ago().isoformat()}): 2 messages, 1 files, 1 tracking links, 1 drafts" in (
        result.output
    )
    assert "Dry run: nothing was changed." in result.output
    assert NAME not in result.output and EMAIL not in result.output
    assert everything(app) == before
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == files


def test_running_it_again_changes_nothing(app, runner):
    reference = lodge_with_evidence(app.test_client())
    with app.app_context():
        close(reference, long_ago())
    assert reference in runner.invoke(args=["apply-retention"]).output
    after_first = everything(app)
    second = runner.invoke(args=["apply-retention"])
    assert second.exit_code == 0 and "Anonymised 0 cases" in second.output
    assert everything(app) == after_first


def test_a_contact_a_newer_case_still_needs_is_kept(app, runner):
    old = lodge_with_evidence(app.test_client())
    newer = lodge_with_evidence(app.test_client(), description="The bins were missed again.")
    also_old = lodge_with_evidence(app.test_client())
    with app.app_context():
        # One person, three cases: the council's import or a merge can leave them sharing a contact.
        cases = {ref: db.session.scalar(select(Case).filter_by(reference=ref)) for ref in (old, newer, also_old)}
        shared = cases[old].resident
        cases[newer].resident = shared
        cases[also_old].representative = shared
        db.session.commit()
        close(old, long_ago())
        close(also_old, long_ago(8))
        shared_id = shared.id
    dry = runner.invoke(args=["apply-retention", "--dry-run"]).output
    assert "1 contacts kept for another case" in dry
    runner.invoke(args=["apply-retention"])
    with app.app_context():
        contact = db.session.get(Contact, shared_id)
        assert (contact.name, contact.email, contact.phone) == (NAME, EMAIL, PHONE)
        newer_case = db.session.scalar(select(Case).filter_by(reference=newer))
        assert newer_case.resident_id == shared_id and newer_case.description == "The bins were missed again."
        for ref in (old, also_old):
            case = db.session.scalar(select(Case).filter_by(reference=ref))
            assert shared_id not in (case.resident_id, case.representative_id)
            assert case.resident.name == ANONYMISED and case.resident.email is None
        # Once the newer case is due too, the contact goes with it.
        close(newer, long_ago(7))
        apply_retention()
        assert db.session.get(Contact, shared_id).email is None


def test_a_contact_shared_only_by_cases_that_are_due_is_anonymised(app, runner):
    first = lodge_with_evidence(app.test_client())
    second = lodge_with_evidence(app.test_client())
    with app.app_context():
        shared = db.session.scalar(select(Case).filter_by(reference=first)).resident
        second_case = db.session.scalar(select(Case).filter_by(reference=second))
        db.session.delete(second_case.resident)
        second_case.resident = shared
        db.session.commit()
        close(first, long_ago())
        close(second, long_ago(8))
    dry = runner.invoke(args=["apply-retention", "--dry-run"]).output
    assert "kept for another case" not in dry
    runner.invoke(args=["apply-retention"])
    assert personal_data_left(app) == []


def _history(year: int) -> None:
    """A year of complaints and other contacts, closed long ago, with themes, outcomes and published learning."""
    waste, libraries = area(), area("Libraries")
    for month in range(4, 13):
        stages = [
            StageSpec(
                date(year, month, 2),
                responded_on=date(year, month, 20 + month % 3 * 5),
                outcome=("upheld", "not_upheld", "partly_upheld")[month % 3],
                themes=("Communication/Lack of contact", "Quality of service"),
            )
        ]
        if month % 4 == 0:
            stages.append(
                StageSpec(date(year, month, 25), number=2, responded_on=date(year + 1, 1, 5), outcome="upheld")
            )
        case = add_complaint(*stages, service_area=waste if month % 2 else libraries)
        case.status, case.closed_on = CaseStatus.CLOSED, date(year + 1, 2, 1)
        case.stages[0].learning = [
            LearningAction(
                what_will_change=f"Told {NAME} we would retrain the crew",
                owner="Waste manager",
                publication_status="published",
                approved_for_publication=True,
                public_text="Crews now check every bin on the list.",
            )
        ]
        case.resident.name, case.resident.email = NAME, EMAIL
        case.description = DESCRIPTION
    withdrawn = add_complaint(StageSpec(date(year, 6, 1), closed_on=date(year, 6, 9), closed_reason="withdrawn"))
    withdrawn.status, withdrawn.closed_on = CaseStatus.CLOSED, date(year, 6, 9)
    for kind in ("compliment", "suggestion", "service_request", "signposted"):
        contact = add_contact(kind, date(year, 9, 9), waste)
        contact.status, contact.closed_on = CaseStatus.CLOSED, date(year, 9, 10)
    db.session.commit()


def test_the_published_figures_for_past_years_do_not_change(database):
    _history(2024)
    period, today = (date(2024, 4, 1), date(2025, 3, 31)), date(2032, 6, 1)

    def published():
        return (
            {key: value for key, value in compute_figures(*period, today).items() if key != "generated_at"},
            other_contact_figures(*period),
            published_learning(*period),
        )

    before = published()
    assert before[0]["received"]["complaint"] == 10 and before[0]["service_areas"]  # figures worth comparing
    assert before[2] and sum(before[0]["received"].values()) > 10

    report = apply_retention(today=today)
    assert len(report.cases) == 14
    db.session.expire_all()
    assert published() == before
    assert db.session.scalars(select(Case).where(Case.anonymised_at.is_(None))).all() == []
    assert NAME not in repr(db.session.scalars(select(Contact.name)).all())
