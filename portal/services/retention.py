"""Retention: a case closed more than RETENTION_YEARS ago keeps its figures and loses everything about a person.

Anonymising a case (here after the retention period, or on an erasure request: portal/services/personal_data.py)
removes the resident's and any representative's details, replaces what people wrote with a fixed marker, deletes
evidence files from disk, and deletes tracking links, drafts and queued emails. What the published figures read
stays exactly as it was: the case's type, channel, language, dates, service area and closure; each stage's process,
number, dates, deadline, timeliness, outcome and themes; remedies' kinds and amounts; Ombudsman decisions; and
learning already published in words that identify no one.

A contact that another case still needs (one not yet anonymised) is left alone: the anonymised case gets a blank
contact of its own instead. The append-only history (events, who looked at the case) is never rewritten and needs
no rewriting: events keep no words anyone wrote, only what was done and pointers to the records that hold the words
(a reopening reason is an internal note; the Ombudsman's reference and notes stay on its record). Each anonymisation
adds an event holding counts only.
"""

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import delete, func, or_, select

from portal.extensions import db
from portal.models import Case, Contact, Draft, OutboxMessage, TrackingToken
from portal.models.base import utcnow
from portal.models.enums import ActorType, CaseStatus
from portal.services.events import record_event
from portal.services.uploads import discard_upload

# What replaces anything a person wrote. Stored data, not wording shown to residents: never translated.
ANONYMISED = "[anonymised]"
# Why a case was anonymised, as its event records it.
RETENTION = "retention"
ERASURE_REQUEST = "erasure_request"
PUBLISHED = "published"

# Free text on a stage, replaced by the marker when there is any (an empty one stays empty).
STAGE_TEXT = (
    "extension_reason",
    "response_text",
    "escalation_reason",
    "panel_members",
    "panel_recommendations",
    "council_response",
)


@dataclass
class CaseSummary:
    """What anonymising one case removes, in counts: what a dry run lists and the case's event records."""

    reference: str
    closed_on: date | None
    messages: int
    files: int
    tracking_links: int
    drafts: int
    emails: int
    contacts_kept: int  # contacts another case still needs, left as they are

    def counts(self) -> dict[str, int]:
        return {
            "messages": self.messages,
            "files": self.files,
            "tracking_links": self.tracking_links,
            "drafts": self.drafts,
            "emails": self.emails,
            "contacts_kept": self.contacts_kept,
        }


@dataclass
class RetentionReport:
    cutoff: date
    dry_run: bool
    cases: list[CaseSummary] = field(default_factory=list)


def retention_cutoff(today: date, years: int | None = None) -> date:
    """Return the date a case must have closed before to be due: the same day, RETENTION_YEARS years earlier."""
    years = current_app.config["RETENTION_YEARS"] if years is None else years
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February, in a year that has none
        return today.replace(year=today.year - years, day=28)


def cases_due(today: date) -> list[Case]:
    """Return the closed cases not yet anonymised whose closing date is more than the retention period ago."""
    return list(
        db.session.scalars(
            select(Case)
            .where(
                Case.status == CaseStatus.CLOSED,
                Case.closed_on < retention_cutoff(today),
                Case.anonymised_at.is_(None),
            )
            .order_by(Case.closed_on, Case.id)
        )
    )


def apply_retention(today: date | None = None, dry_run: bool = False) -> RetentionReport:
    """Anonymise every case due under the retention period, committing each in turn; with dry_run, only list them."""
    today = today or date.today()
    due = cases_due(today)
    report = RetentionReport(cutoff=retention_cutoff(today), dry_run=dry_run)
    due_ids = {case.id for case in due}
    for case in due:
        if dry_run:
            report.cases.append(summarise(case, also_going=due_ids))
        else:
            report.cases.append(anonymise_case(case, RETENTION, ActorType.SYSTEM, also_going=due_ids))
            db.session.commit()
    return report


def summarise(case: Case, also_going: set[int] = frozenset()) -> CaseSummary:
    """Count what anonymising a case would remove; cases in also_going are taken to be anonymised too."""
    return CaseSummary(
        reference=case.reference,
        closed_on=case.closed_on,
        messages=len(case.messages),
        files=len(case.attachments),
        tracking_links=_count(TrackingToken, case),
        drafts=_count(Draft, case),
        emails=_count(OutboxMessage, case),
        contacts_kept=sum(1 for contact in _contacts(case) if _still_needed(contact, case, also_going)),
    )


def anonymise_case(
    case: Case, reason: str, actor_type: ActorType, actor_id: int | None = None, also_going: set[int] = frozenset()
) -> CaseSummary:
    """Remove a closed case's personal data and record it; the caller commits.

    also_going names the other cases being anonymised in the same run, so that the summary counts as kept only the
    contacts a case outside the run still needs.
    """
    if case.anonymised_at is not None:
        raise AlreadyAnonymised(case.reference)
    if case.status != CaseStatus.CLOSED:
        raise CaseStillOpen(case.reference)
    summary = summarise(case, also_going)
    stored_names = [attachment.stored_name for attachment in case.attachments]
    _release_contacts(case)
    _blank_case(case)
    for attachment in case.attachments:
        attachment.original_name = ANONYMISED
        attachment.stored_name = f"anonymised-{attachment.id}"
        attachment.sha256 = ""
        attachment.draft_id = None
    for message in case.messages:
        message.subject = ANONYMISED if message.subject else None
        message.body = ANONYMISED
    for stage in case.stages:
        _blank_stage(stage)
    for record in case.ombudsman_records:
        record.lgsco_reference = None
        record.remedy = _marker(record.remedy)
        record.note = _marker(record.note)
    db.session.execute(delete(TrackingToken).where(TrackingToken.case_id == case.id))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.case_id == case.id))
    for draft in db.session.scalars(select(Draft).where(Draft.case_id == case.id)).all():
        for attachment in draft.attachments:
            if attachment.case_id is None:  # a file left on the draft, never part of the case
                stored_names.append(attachment.stored_name)
                db.session.delete(attachment)
        db.session.delete(draft)
    case.anonymised_at = utcnow()
    record_event(case, "case_anonymised", actor_type, actor_id=actor_id, reason=reason, **summary.counts())
    db.session.flush()
    # Before the commit: should it fail, the case is not marked anonymised and the next run deletes what is left.
    for name in stored_names:
        discard_upload(name)
    return summary


class AlreadyAnonymised(ValueError):
    """Raised when a case has already been anonymised."""


class CaseStillOpen(ValueError):
    """Raised when asked to anonymise a case that is not closed: the council still needs it."""


def _marker(text: str | None) -> str | None:
    return ANONYMISED if text else text


def _blank_case(case: Case) -> None:
    case.description = ANONYMISED
    case.desired_outcome = _marker(case.desired_outcome)
    case.closure_note = _marker(case.closure_note)
    case.representative_relationship = None
    case.submission_key = None


def _blank_stage(stage) -> None:
    for name in STAGE_TEXT:
        setattr(stage, name, _marker(getattr(stage, name)))
    for remedy in stage.remedies:
        remedy.detail = _marker(remedy.detail)
    for action in stage.learning:
        action.what_will_change = ANONYMISED
        # Published wording was approved as identifying no one, and the public pages show it: it stays.
        if action.publication_status != PUBLISHED:
            action.public_text = None


def _blank_contact(contact: Contact) -> None:
    contact.name = ANONYMISED
    contact.email = contact.phone = contact.address = None
    contact.preferred_contact = None
    contact.adjustments = []
    contact.adjustments_detail = None


def _contacts(case: Case) -> list[Contact]:
    """The case's resident and representative, each once."""
    if case.representative is None or case.representative is case.resident:
        return [case.resident]
    return [case.resident, case.representative]


def _still_needed(contact: Contact, case: Case, also_going: set[int] = frozenset()) -> bool:
    """Tell whether another case that is not (and is not about to be) anonymised has this contact."""
    others = select(Case.id).where(
        Case.id != case.id,
        Case.anonymised_at.is_(None),
        or_(Case.resident_id == contact.id, Case.representative_id == contact.id),
    )
    return any(other not in also_going for other in db.session.scalars(others))


def _release_contacts(case: Case) -> None:
    """Blank the case's contacts, except one another case still needs: the case gets a blank one of its own."""
    for contact in _contacts(case):
        if _still_needed(contact, case):
            stand_in = Contact(name=ANONYMISED, language=contact.language, adjustments=[])
            if case.resident is contact:
                case.resident = stand_in
            if case.representative is contact:
                case.representative = stand_in
        else:
            _blank_contact(contact)


def _count(model, case: Case) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.case_id == case.id)) or 0
