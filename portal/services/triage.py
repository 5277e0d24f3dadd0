"""Triage, acknowledgement, allocation and notes: the back office's first steps with a new contact."""

from datetime import date

from flask import current_app
from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, Message, Stage, User
from portal.models.base import utcnow
from portal.models.enums import ActorType, CaseStatus, CaseType, ClosedReason, Process
from portal.services.content import SERVICE_AREA, council_text_plain
from portal.services.events import record_event
from portal.services.message_templates import fill_in, get_message_template
from portal.services.outbox import send_now
from portal.services.resident_mail import email_resident
from portal.services.timescales import compute_deadline, get_timescale

CLASSIFICATIONS = ("complaint", "service_request", "signposted", "compliment", "suggestion")


class StaleCase(RuntimeError):
    """Raised when someone else changed the case since this member of staff loaded it."""


class TriageError(ValueError):
    """Raised when a triage decision is incomplete or contradicts the case."""


def _check_version(case: Case, expected_version: int) -> None:
    if case.version_id != expected_version:
        raise StaleCase(case.reference)


def _close_open_stage(case: Case, reason: str, today: date) -> None:
    stage = case.current_stage
    if stage is not None and stage.responded_on is None and stage.closed_on is None:
        stage.closed_on, stage.closed_reason = today, reason


def classify_case(
    case: Case,
    user: User,
    expected_version: int,
    classification: str,
    process: str | None = None,
    service_area_id: int | None = None,
    signposted_to: str | None = None,
    signposting_message: str | None = None,
    duplicate_of: Case | None = None,
    today: date | None = None,
) -> None:
    """Record what a new contact really is; triage is internal and never shown to the resident as a stage."""
    _check_version(case, expected_version)
    today = today or date.today()
    if classification not in CLASSIFICATIONS:
        raise TriageError("classification")
    before = {"type": case.type, "service_area_id": case.service_area_id, "process": _process_of(case)}
    case.service_area_id = service_area_id if service_area_id is not None else case.service_area_id
    case.triage_class = classification
    case.triaged_at = case.triaged_at or utcnow()

    if duplicate_of is not None:
        if duplicate_of.id == case.id:
            raise TriageError("duplicate_of")
        case.duplicate_of_id = duplicate_of.id
        case.status, case.closed_on, case.closed_reason = CaseStatus.CLOSED, today, ClosedReason.DUPLICATE
        _close_open_stage(case, ClosedReason.DUPLICATE, today)
    elif classification == "complaint":
        _make_complaint(case, Process(process or Process.CORPORATE))
    else:
        for stage in list(case.stages):
            if stage.responded_on is None:
                case.stages.remove(stage)
        case.type = classification
        if classification == "signposted":
            if not signposted_to:
                raise TriageError("signposted_to")
            case.signposted_to = signposted_to
            case.status, case.closed_on = CaseStatus.CLOSED, today
            if signposting_message:
                db.session.add(Message(case=case, kind="to_resident", body=signposting_message, author_id=user.id))
        else:
            case.status = CaseStatus.WITH_SERVICE
    after = {"type": case.type, "service_area_id": case.service_area_id, "process": _process_of(case)}
    record_event(
        case,
        "case_triaged",
        ActorType.STAFF,
        actor_id=user.id,
        classification=classification,
        before=before,
        after=after,
        duplicate_of=duplicate_of.reference if duplicate_of else None,
        signposted_to=signposted_to,
    )
    signposting = None
    if classification == "signposted" and signposting_message:
        signposting = email_resident(case, "signposted", message=signposting_message)
    db.session.commit()
    send_now(signposting)


def _process_of(case: Case) -> str | None:
    return case.current_stage.process if case.current_stage else None


def _make_complaint(case: Case, process: Process) -> None:
    case.type = CaseType.COMPLAINT
    stage = case.current_stage
    if stage is None:
        case.stages.append(
            Stage(
                process=process,
                number=1,
                received_on=case.received_on,
                deadline=compute_deadline(process, 1, case.received_on),
            )
        )
    elif stage.process != process and stage.number == 1 and stage.responded_on is None:
        stage.process = process
        stage.deadline = compute_deadline(process, 1, _counting_from(stage))


def _counting_from(stage: Stage) -> date:
    timescale = get_timescale(stage.process, stage.number)
    if timescale.counts_from == "acknowledged" and stage.acknowledged_on:
        return stage.acknowledged_on
    return stage.received_on


def acknowledge_case(case: Case, user: User, expected_version: int, subject: str, body: str, today: date | None = None):
    """Send the resident the acknowledgement in their language and record the date."""
    _check_version(case, expected_version)
    today = today or date.today()
    case.acknowledged_on = today
    stage = case.current_stage
    if stage is not None:
        stage.acknowledged_on = today
        if get_timescale(stage.process, stage.number).counts_from == "acknowledged":
            stage.deadline = compute_deadline(stage.process, stage.number, today)
    if case.status == CaseStatus.RECEIVED:
        case.status = CaseStatus.ACKNOWLEDGED
    db.session.add(Message(case=case, kind="to_resident", subject=subject, body=body, author_id=user.id))
    record_event(case, "case_acknowledged", ActorType.STAFF, actor_id=user.id, on=today.isoformat())
    acknowledgement = email_resident(case, "acknowledgement", subject=subject, message=body)
    db.session.commit()
    send_now(acknowledgement)


def acknowledgement_draft(case: Case, officer: User | None) -> tuple[str, str]:
    """Return the acknowledgement's subject and body in the resident's language, filled in for this case."""
    subject, body, _default = get_message_template("acknowledgement", case.language)
    stage = case.current_stage
    values = {
        "reference": case.reference,
        "name": case.correspondent.name,
        "officer": (officer.name or officer.email) if officer else current_app.config["COUNCIL_NAME"],
        "service": council_text_plain(SERVICE_AREA, case.service_area.name, case.language) if case.service_area else "",
        "due_date": _long_date(stage.due_on, case.language) if stage else "",
    }
    return fill_in(subject, **values), fill_in(body, **values)


def _long_date(value: date, language: str) -> str:
    from babel.dates import format_date

    return format_date(value, format="d MMMM yyyy", locale=language)


def allocate_case(
    case: Case,
    user: User,
    expected_version: int,
    officer: User | None,
    service_area_id: int | None,
    responding_manager: User | None,
) -> None:
    """Give the case an officer and a service (and its stage a responding manager)."""
    _check_version(case, expected_version)
    before = {
        "officer_id": case.assigned_officer_id,
        "service_area_id": case.service_area_id,
        "responding_manager_id": case.current_stage.responding_manager_id if case.current_stage else None,
    }
    case.assigned_officer_id = officer.id if officer else None
    if service_area_id is not None:
        case.service_area_id = service_area_id
    if case.current_stage is not None:
        case.current_stage.responding_manager_id = responding_manager.id if responding_manager else None
    if case.status in (CaseStatus.RECEIVED, CaseStatus.ACKNOWLEDGED) and case.service_area_id and officer:
        case.status = CaseStatus.WITH_SERVICE
    case.triaged_at = case.triaged_at or utcnow()
    after = {
        "officer_id": case.assigned_officer_id,
        "service_area_id": case.service_area_id,
        "responding_manager_id": responding_manager.id if responding_manager else None,
    }
    record_event(case, "case_allocated", ActorType.STAFF, actor_id=user.id, before=before, after=after)
    db.session.commit()


def internal_note(case: Case, user: User, text: str) -> Message:
    """Put a note only staff can read on the case, flushed so that it has its id; the caller commits."""
    note = Message(case=case, kind="internal_note", body=text, author_id=user.id)
    db.session.add(note)
    db.session.flush()
    return note


def add_internal_note(case: Case, user: User, text: str) -> Message:
    """Add a note only staff can read."""
    note = internal_note(case, user, text)
    record_event(case, "note_added", ActorType.STAFF, actor_id=user.id)
    db.session.commit()
    return note


def find_case_for_duplicate(reference: str) -> Case | None:
    """Return the case a duplicate points at, by reference."""
    return db.session.scalar(select(Case).filter_by(reference=reference.strip().upper()))
