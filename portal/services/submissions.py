"""Turning a resident's finished draft into a case, once."""

from datetime import date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Case, Contact, Draft, OutboxMessage, Stage
from portal.models.enums import ActorType, CaseStatus, CaseType, Channel, Process
from portal.services.events import record_event
from portal.services.outbox import enqueue_email, send_now
from portal.services.references import generate_reference
from portal.services.timescales import compute_deadline


def _contact_from(answers: dict) -> Contact:
    return Contact(
        name=answers["name"],
        email=answers.get("email") or None,
        phone=answers.get("phone") or None,
        address=answers.get("address") or None,
        preferred_contact=answers.get("preferred_contact"),
        language=answers.get("language") or "en",
        adjustments=list(answers.get("adjustments") or []),
        adjustments_detail=answers.get("adjustments_detail") or None,
    )


def _build_case(draft: Draft, today: date) -> Case:
    answers = draft.answers
    submitter = _contact_from(answers)
    on_behalf = answers.get("on_behalf") == "yes"
    if on_behalf:
        resident = Contact(name=answers["subject_name"], language=submitter.language, adjustments=[])
        representative = submitter
    else:
        resident, representative = submitter, None
    service_area_id = answers.get("service_area_id")
    case = Case(
        reference=generate_reference(answers["type"]),
        type=answers["type"],
        status=CaseStatus.RECEIVED,
        channel=Channel.WEB,
        language=submitter.language,
        received_on=today,
        service_area_id=int(service_area_id) if service_area_id not in (None, "", "not_sure") else None,
        resident=resident,
        representative=representative,
        representative_relationship=answers.get("relationship") if on_behalf else None,
        consent_confirmed=bool(answers.get("consent")) if on_behalf else False,
        description=answers["description"],
        occurred_on=date.fromisoformat(answers["occurred_on"]) if answers.get("occurred_on") else None,
        desired_outcome=answers.get("desired_outcome") if answers["type"] == CaseType.COMPLAINT else None,
        submission_key=draft.id,
    )
    if case.type == CaseType.COMPLAINT:
        # Triage confirms or changes the process; until then the corporate timescale applies.
        case.stages.append(
            Stage(
                process=Process.CORPORATE,
                number=1,
                received_on=today,
                deadline=compute_deadline(Process.CORPORATE, 1, today),
            )
        )
    return case


def submit_draft(draft: Draft, today: date | None = None) -> tuple[Case, bool]:
    """Create the case a draft describes; return it with True, or the existing case with False when resubmitted."""
    if draft.case_id is not None:
        return db.session.get(Case, draft.case_id), False
    case = _build_case(draft, today or date.today())
    db.session.add(case)
    for attachment in draft.attachments:
        attachment.case = case
    record_event(case, "case_submitted", ActorType.RESIDENT, channel=Channel.WEB, files=len(draft.attachments))
    try:
        db.session.flush()
        draft.case_id = case.id
        receipt = enqueue_receipt(case)
        db.session.commit()
    except IntegrityError:
        # Another request submitted the same draft a moment ago: that one's case is the case.
        db.session.rollback()
        existing = db.session.scalar(select(Case).filter_by(submission_key=draft.id))
        if existing is None:
            raise
        return existing, False
    send_now(receipt)
    return case, True


def enqueue_receipt(case: Case) -> OutboxMessage | None:
    """Queue the reference and what happens next for the resident (or their representative); None without an address.

    Its delivery is recorded on the case as receipt_sent, giving up on it as receipt_failed (services/outbox.py).
    """
    correspondent = case.correspondent
    if not correspondent.email:
        return None
    return enqueue_email(
        correspondent.email,
        "receipt",
        case.language,
        case=case,
        council_name=current_app.config["COUNCIL_NAME"],
        acknowledge_days=current_app.config["ACKNOWLEDGE_WITHIN_DAYS"],
    )


def log_assisted_contact(user, answers: dict, channel: str, received_on: date) -> Case:
    """Record a contact that reached the council by phone, email, letter, webchat or in person, for the resident."""
    draft = Draft(id=f"assisted-{generate_reference(answers['type'])}", answers={**answers, "on_behalf": "no"})
    case = _build_case(draft, received_on)
    case.channel = channel
    case.submission_key = None
    case.received_at = datetime.combine(received_on, datetime.min.time())
    db.session.add(case)
    record_event(case, "case_submitted", ActorType.STAFF, actor_id=user.id, channel=channel, assisted=True)
    receipt = enqueue_receipt(case)
    db.session.commit()
    send_now(receipt)
    return case
