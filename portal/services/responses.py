"""Responding to a stage, escalating to the next, extending a deadline, closing and reopening."""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from portal.extensions import db
from portal.models import Case, LearningAction, Message, Remedy, Stage, Theme, User
from portal.models.enums import ActorType, CaseStatus, CaseType, ClosedReason, Outcome, Process
from portal.services.calendar import add_working_days, working_days_between
from portal.services.content import SERVICE_AREA, council_text_plain
from portal.services.events import record_event
from portal.services.message_templates import fill_in, get_message_template
from portal.services.outbox import send_now
from portal.services.resident_mail import email_resident
from portal.services.stage3 import (
    chain_state,
    council_response_days,
    council_response_due,
    report_due,
    start_chain,
)
from portal.services.timescales import NoTimescale, compute_deadline, get_timescale
from portal.services.triage import StaleCase, internal_note

REMEDY_KINDS = ("apology", "financial", "service_provided", "training", "procedure_change")
CLOSING_REASONS = (ClosedReason.WITHDRAWN, ClosedReason.DUPLICATE, ClosedReason.OUT_OF_TIME)


class ProcessError(ValueError):
    """Raised when a step does not fit where the case is (nothing to respond to, no further stage, ...)."""


class NotAReviewPanel(ProcessError):
    """Raised for a review panel step on a stage that is not a children's Stage 3."""


class StepOutOfOrder(ProcessError):
    """Raised when a step of the Stage 3 chain comes before the one it follows (a report before the panel met)."""


class NotExtendable(ProcessError):
    """Raised when extending a stage whose timescales the regulations fix (the Stage 3 chain)."""


@dataclass(frozen=True)
class RemedyInput:
    kind: str
    amount_pence: int | None = None
    detail: str | None = None


@dataclass(frozen=True)
class LearningInput:
    what_will_change: str
    owner: str
    due_on: date | None = None


def _check(case: Case, expected_version: int | None) -> Stage:
    if expected_version is not None and case.version_id != expected_version:
        raise StaleCase(case.reference)
    stage = case.current_stage
    if stage is None:
        raise ProcessError(_("this case has no stage"))
    return stage


def mark_case_changed(case: Case) -> None:
    """Count a change to a case's stages or records as a change to the case, so its version moves on."""
    flag_modified(case, "status")


def next_stage_number(case: Case) -> int | None:
    """Return the number of the stage a resident could escalate to, or None after the last one."""
    stage = case.current_stage
    if stage is None:
        return None
    try:
        get_timescale(stage.process, stage.number + 1)
    except NoTimescale:
        return None
    return stage.number + 1


def respond_to_stage(
    case: Case,
    user: User,
    expected_version: int,
    outcome: str,
    response_text: str,
    theme_ids: list[int],
    remedies: list[RemedyInput] = (),
    learning: list[LearningInput] = (),
    today: date | None = None,
) -> Stage:
    """Send the stage's response and record its outcome, themes, remedies and learning."""
    stage = _check(case, expected_version)
    if stage.responded_on is not None or stage.closed_on is not None:
        raise ProcessError(_("this stage already has a response or is closed"))
    if outcome not in {o.value for o in Outcome}:
        raise ProcessError("outcome")
    if not theme_ids:
        raise ProcessError("themes")
    if not stage.ready_for_response:
        raise StepOutOfOrder(_("record the review panel’s report and recommendations first"))
    today = today or date.today()
    stage.responded_on = today
    stage.within_timescale = today <= stage.due_on
    stage.outcome = outcome
    stage.response_text = response_text
    if stage.is_review_panel:
        stage.council_response = response_text
    stage.themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(theme_ids))))
    stage.remedies = [Remedy(kind=r.kind, amount_pence=r.amount_pence, detail=r.detail) for r in remedies]
    stage.learning = [
        LearningAction(what_will_change=a.what_will_change, owner=a.owner, due_on=a.due_on) for a in learning
    ]
    case.status = CaseStatus.RESPONDED
    db.session.add(Message(case=case, kind="to_resident", subject=None, body=response_text, author_id=user.id))
    record_event(
        case,
        "stage_responded",
        ActorType.STAFF,
        actor_id=user.id,
        stage=stage.number,
        outcome=outcome,
        within_timescale=stage.within_timescale,
        themes=[theme.name for theme in stage.themes],
        remedies=[r.kind for r in remedies],
    )
    subject, _body = response_draft(case, user)
    email = email_resident(case, "response", subject=subject, stage=stage, next_stage=next_stage_number(case))
    db.session.commit()
    send_now(email)
    return stage


def response_draft(case: Case, officer: User) -> tuple[str, str]:
    """Return the response's subject and a draft of its body, from the council's wording in the resident's language."""
    subject, body, _default = get_message_template("response", case.language)
    stage = case.current_stage
    values = {
        "reference": case.reference,
        "name": case.correspondent.name,
        "officer": officer.name or officer.email,
        "service": council_text_plain(SERVICE_AREA, case.service_area.name, case.language) if case.service_area else "",
        "stage": str(stage.number) if stage else "",
    }
    return fill_in(subject, **values), fill_in(body, **values)


def escalate_case(
    case: Case, reason: str, actor_type: ActorType, actor: User | None = None, today: date | None = None
) -> Stage:
    """Open the next stage of the same process, with its own deadline."""
    stage = _check(case, None)
    number = next_stage_number(case)
    if case.type != CaseType.COMPLAINT or number is None:
        raise ProcessError(_("there is no further stage"))
    if stage.responded_on is None:
        raise ProcessError(_("the current stage has not been answered yet"))
    today = today or date.today()
    new_stage = Stage(
        process=stage.process,
        number=number,
        received_on=today,
        deadline=compute_deadline(stage.process, number, today),
        escalation_reason=reason,
    )
    if new_stage.is_review_panel:
        start_chain(new_stage)
    case.stages.append(new_stage)
    case.status = CaseStatus.WITH_SERVICE if case.assigned_officer_id else CaseStatus.RECEIVED
    case.closed_on = case.closed_reason = None
    record_event(
        case,
        "case_escalated",
        actor_type,
        actor_id=actor.id if actor else None,
        stage=number,
        deadline=new_stage.deadline.isoformat(),
    )
    response_days = council_response_days() if new_stage.is_review_panel else None
    email = email_resident(case, "escalated", stage=new_stage, stage3_response_days=response_days)
    db.session.commit()
    send_now(email)
    return new_stage


def assign_independent_people(
    case: Case, user: User, expected_version: int, investigator: User, independent_person: User
) -> None:
    """Name the independent investigator and independent person a children's Stage 2 needs."""
    stage = _check(case, expected_version)
    if stage.process != Process.CHILDRENS or stage.number != 2:
        raise ProcessError(_("only a children's Stage 2 has an independent investigator"))
    if investigator.id == independent_person.id:
        raise ProcessError(_("the investigator and the independent person must be different people"))
    stage.investigator_id, stage.independent_person_id = investigator.id, independent_person.id
    mark_case_changed(case)
    record_event(
        case,
        "independent_people_assigned",
        ActorType.STAFF,
        actor_id=user.id,
        investigator_id=investigator.id,
        independent_person_id=independent_person.id,
    )
    db.session.commit()


def extend_deadline(case: Case, user: User, expected_version: int, new_date: date, reason: str) -> None:
    """Move the stage's deadline within the allowed limit, with a reason, and tell the resident."""
    stage = _check(case, expected_version)
    if stage.is_review_panel:
        raise NotExtendable(_("the review panel’s timescales are set by the regulations and cannot be extended"))
    timescale = get_timescale(stage.process, stage.number)
    region = current_app.config["WORKING_DAY_REGION"]
    latest = add_working_days(stage.received_on, timescale.max_working_days, region)
    if new_date <= stage.due_on:
        raise ProcessError(_("the new date must be later than the current one"))
    if new_date > latest:
        raise ProcessError(f"the longest allowed is {timescale.max_working_days} working days, to {latest.isoformat()}")
    before = stage.due_on
    stage.extended_to, stage.extension_reason = new_date, reason
    mark_case_changed(case)
    # before and after are dicts, like every other event's, so the case page's timeline can list what changed.
    record_event(
        case,
        "deadline_extended",
        ActorType.STAFF,
        actor_id=user.id,
        before={"due_on": before.isoformat()},
        after={"due_on": new_date.isoformat()},
        working_days=working_days_between(stage.received_on, new_date, region),
    )
    email = email_resident(case, "extended", stage=stage, reason=reason)
    db.session.commit()
    send_now(email)


def _open_review_panel(case: Case, expected_version: int) -> Stage:
    stage = _check(case, expected_version)
    if not stage.is_review_panel:
        raise NotAReviewPanel(_("only a children’s Stage 3 has a review panel"))
    if stage.responded_on is not None or stage.closed_on is not None or case.status == CaseStatus.CLOSED:
        raise ProcessError(_("this stage already has a response or is closed"))
    return stage


def record_panel(
    case: Case, user: User, expected_version: int, panel_date: date, chair: str, members: list[str]
) -> Stage:
    """Record when the review panel meets (or met) and who sits on it; its report is then due within its days."""
    stage = _open_review_panel(case, expected_version)
    if stage.panel_report_received_on is not None:
        raise StepOutOfOrder(_("the panel’s report has already been recorded"))
    if panel_date < stage.received_on:
        raise StepOutOfOrder(_("the panel cannot meet before the review was asked for"))
    names = [" ".join(name.split()) for name in [chair, *members]]
    if len(names) != 3 or not all(names):
        raise ProcessError(_("a review panel has a chair and two other members"))
    before = chain_state(stage)
    stage.panel_date = panel_date
    stage.panel_members = "\n".join(names)
    stage.panel_report_due_on = report_due(panel_date)
    stage.deadline, stage.extended_to = stage.panel_report_due_on, None
    mark_case_changed(case)
    record_event(
        case,
        "panel_recorded",
        ActorType.STAFF,
        actor_id=user.id,
        before=before,
        after=chain_state(stage),
        after_due=bool(stage.panel_due_on and panel_date > stage.panel_due_on),
    )
    db.session.commit()
    return stage


def record_panel_report(
    case: Case, user: User, expected_version: int, received_on: date, recommendations: str, today: date | None = None
) -> Stage:
    """Record the panel's report and recommendations; the council's response is then due within its timescale."""
    stage = _open_review_panel(case, expected_version)
    today = today or date.today()
    if stage.panel_date is None:
        raise StepOutOfOrder(_("record the panel meeting first"))
    if stage.panel_date > today:
        raise StepOutOfOrder(_("the panel has not met yet"))
    if received_on < stage.panel_date:
        raise StepOutOfOrder(_("the report cannot come before the panel met"))
    if received_on > today:
        raise StepOutOfOrder(_("the date the report was received cannot be in the future"))
    before = chain_state(stage)
    stage.panel_report_received_on = received_on
    stage.panel_recommendations = recommendations
    stage.deadline, stage.extended_to = council_response_due(received_on), None
    mark_case_changed(case)
    record_event(
        case,
        "panel_report_recorded",
        ActorType.STAFF,
        actor_id=user.id,
        before=before,
        after=chain_state(stage),
        after_due=bool(stage.panel_report_due_on and received_on > stage.panel_report_due_on),
    )
    db.session.commit()
    return stage


def close_case(case: Case, user: User, expected_version: int, reason: str, note: str, today: date | None = None):
    """Close a case without a response (withdrawn, duplicate, out of time), with a note."""
    stage = case.current_stage
    if expected_version is not None and case.version_id != expected_version:
        raise StaleCase(case.reference)
    if reason not in CLOSING_REASONS:
        raise ProcessError("reason")
    today = today or date.today()
    case.status, case.closed_on, case.closed_reason, case.closure_note = CaseStatus.CLOSED, today, reason, note
    if stage is not None and stage.responded_on is None and stage.closed_on is None:
        stage.closed_on, stage.closed_reason = today, reason
    record_event(case, "case_closed", ActorType.STAFF, actor_id=user.id, reason=reason)
    db.session.commit()


def reopen_case(case: Case, user: User, expected_version: int, note: str) -> None:
    """Reopen a closed case; its open stage (if closed without a response) is open again."""
    if case.version_id != expected_version:
        raise StaleCase(case.reference)
    if case.status != CaseStatus.CLOSED:
        raise ProcessError(_("only a closed case can be reopened"))
    stage = case.current_stage
    if stage is not None and stage.responded_on is None:
        stage.closed_on = stage.closed_reason = None
    case.status = CaseStatus.WITH_SERVICE if case.assigned_officer_id else CaseStatus.RECEIVED
    case.closed_on = case.closed_reason = None
    # The reason is an internal note, which anonymisation blanks; the append-only event only points at it.
    reason = internal_note(case, user, note)
    record_event(case, "case_reopened", ActorType.STAFF, actor_id=user.id, note_id=reason.id)
    db.session.commit()


def complete_case(case: Case, user: User, expected_version: int, today: date | None = None) -> None:
    """Close a case whose last response was accepted (or not escalated)."""
    stage = _check(case, expected_version)
    if stage.responded_on is None:
        raise ProcessError(_("the current stage has not been answered yet"))
    case.status, case.closed_on, case.closed_reason = CaseStatus.CLOSED, today or date.today(), ClosedReason.RESOLVED
    record_event(case, "case_closed", ActorType.STAFF, actor_id=user.id, reason=ClosedReason.RESOLVED)
    db.session.commit()


def top_level_themes() -> list[Theme]:
    """Return the root-cause taxonomy, top level with details loaded."""
    return list(
        db.session.scalars(select(Theme).where(Theme.parent_id.is_(None), Theme.active.is_(True)).order_by(Theme.name))
    )
