"""The Local Government and Social Care Ombudsman's involvement in a case: its enquiries, decisions and remedies."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, OmbudsmanRecord, User
from portal.models.enums import ActorType
from portal.services.events import record_event
from portal.services.responses import ProcessError, mark_case_changed
from portal.services.triage import StaleCase

DECISIONS = {
    "upheld": _l("Upheld"),
    "not_upheld": _l("Not upheld"),
    "closed_after_initial_enquiries": _l("Closed after initial enquiries"),
    "referred_back": _l("Referred back for local resolution"),
    "advice_given": _l("Advice given"),
    "incomplete_invalid": _l("Incomplete or invalid"),
}

REMEDIES = {
    "apology": _l("Apology"),
    "financial": _l("Financial redress"),
    "training": _l("Staff training"),
    "procedure_change": _l("Change to a procedure"),
    "service_provided": _l("Providing a service"),
}


class OmbudsmanRecordNotOnCase(LookupError):
    """Raised when a record does not exist or belongs to another case (the same answer for both)."""


class OmbudsmanError(ProcessError):
    """Raised when an Ombudsman record's details do not fit together (a decision before the enquiry, ...)."""


@dataclass(frozen=True)
class DecisionInput:
    decision: str
    decided_on: date
    remedy_kinds: list[str]
    amount_pence: int | None = None
    remedy: str | None = None
    note: str | None = None
    complied: bool | None = None
    complied_on: date | None = None


def _check_version(case: Case, expected_version: int) -> None:
    if case.version_id != expected_version:
        raise StaleCase(case.reference)


def get_ombudsman_record(case: Case, record_id: int) -> OmbudsmanRecord:
    """Return one of this case's Ombudsman records."""
    record = db.session.scalar(
        select(OmbudsmanRecord).where(OmbudsmanRecord.id == record_id, OmbudsmanRecord.case_id == case.id)
    )
    if record is None:
        raise OmbudsmanRecordNotOnCase(record_id)
    return record


def record_enquiry(
    case: Case,
    user: User,
    expected_version: int,
    received_on: date,
    lgsco_reference: str,
    today: date | None = None,
) -> OmbudsmanRecord:
    """Record that the Ombudsman has asked about this case, with its own reference."""
    _check_version(case, expected_version)
    if received_on > (today or date.today()):
        raise OmbudsmanError(_("the date the enquiry was received cannot be in the future"))
    record = OmbudsmanRecord(received_on=received_on, lgsco_reference=lgsco_reference, remedy_kinds=[])
    case.ombudsman_records.append(record)
    mark_case_changed(case)
    db.session.flush()
    record_event(
        case,
        "ombudsman_enquiry_recorded",
        ActorType.STAFF,
        actor_id=user.id,
        record_id=record.id,
        received_on=received_on.isoformat(),
    )
    db.session.commit()
    return record


def _state(record: OmbudsmanRecord) -> dict:
    """What an event keeps of a decision: no words anyone wrote; they stay on the record, which anonymisation blanks."""
    return {
        "decision": record.decision,
        "decided_on": record.decided_on.isoformat() if record.decided_on else None,
        "remedy_kinds": list(record.remedy_kinds or []),
        "amount_pence": record.amount_pence,
        "remedy_written": bool(record.remedy),
        "note_written": bool(record.note),
        "complied": record.complied,
        "complied_on": record.complied_on.isoformat() if record.complied_on else None,
    }


def _validate(record: OmbudsmanRecord, decision: DecisionInput, today: date) -> None:
    if decision.decision not in DECISIONS:
        raise OmbudsmanError(_("choose one of the Ombudsman’s decisions"))
    if decision.decided_on < record.received_on:
        raise OmbudsmanError(_("the decision cannot come before the enquiry was received"))
    if decision.decided_on > today:
        raise OmbudsmanError(_("the date of the decision cannot be in the future"))
    if any(kind not in REMEDIES for kind in decision.remedy_kinds):
        raise OmbudsmanError(_("choose remedies from the list"))
    if "financial" in decision.remedy_kinds and decision.amount_pence is None:
        raise OmbudsmanError(_("enter the amount of financial redress"))
    if decision.amount_pence is not None and decision.amount_pence < 0:
        raise OmbudsmanError(_("the amount cannot be negative"))
    if decision.complied is not None and not decision.remedy_kinds:
        raise OmbudsmanError(_("the Ombudsman asked for no remedy, so there is nothing to comply with"))
    if decision.complied and decision.complied_on is None:
        raise OmbudsmanError(_("enter the date the council complied"))
    if decision.complied_on is not None:
        if not decision.complied:
            raise OmbudsmanError(_("a date of compliance needs the answer yes"))
        if decision.complied_on < decision.decided_on or decision.complied_on > today:
            raise OmbudsmanError(_("the date the council complied must be between the decision and today"))


def record_decision(
    case: Case,
    record: OmbudsmanRecord,
    user: User,
    expected_version: int,
    decision: DecisionInput,
    today: date | None = None,
) -> OmbudsmanRecord:
    """Record (or correct) the Ombudsman's decision, the remedies it asked for and whether the council complied."""
    _check_version(case, expected_version)
    if record.case_id != case.id:
        raise OmbudsmanRecordNotOnCase(record.id)
    _validate(record, decision, today or date.today())
    before = _state(record)
    record.decision, record.decided_on = decision.decision, decision.decided_on
    record.remedy_kinds = list(decision.remedy_kinds)
    record.amount_pence = decision.amount_pence if "financial" in decision.remedy_kinds else None
    record.remedy, record.note = decision.remedy or None, decision.note or None
    record.complied, record.complied_on = decision.complied, decision.complied_on
    mark_case_changed(case)
    record_event(
        case,
        "ombudsman_decision_recorded",
        ActorType.STAFF,
        actor_id=user.id,
        record_id=record.id,
        before=before,
        after=_state(record),
    )
    db.session.commit()
    return record
