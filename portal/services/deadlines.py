"""Stages due soon or overdue, for the back office's list and the reminder emails officers get."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager

from portal.extensions import db
from portal.models import Case, Stage, User
from portal.models.enums import ActorType, CaseStatus
from portal.services.calendar import add_working_days, working_days_between
from portal.services.events import record_event
from portal.services.outbox import enqueue_email, send_now
from portal.services.staff_cases import visible_cases


@dataclass(frozen=True)
class DueItem:
    case: Case
    stage: Stage
    due_on: date
    working_days_left: int

    @property
    def overdue(self) -> bool:
        return self.working_days_left < 0


def _open_stages_due_by(last_day: date):
    due = func.coalesce(Stage.extended_to, Stage.deadline)
    return (
        select(Stage)
        .join(Stage.case)
        .options(contains_eager(Stage.case))
        .where(
            Stage.responded_on.is_(None),
            Stage.closed_on.is_(None),
            Case.status != CaseStatus.CLOSED,
            due <= last_day,
        )
        .order_by(due, Case.reference)
    )


def due_soon(user: User, today: date, within_days: int) -> list[DueItem]:
    """Return the open stages this member of staff may see that are overdue or due within N working days."""
    region = current_app.config["WORKING_DAY_REGION"]
    last_day = add_working_days(today, within_days, region)
    visible = visible_cases(user).with_only_columns(Case.id).scalar_subquery()
    stages = db.session.scalars(_open_stages_due_by(last_day).where(and_(Case.id.in_(visible)))).unique().all()
    return [DueItem(s.case, s, s.due_on, working_days_between(today, s.due_on, region)) for s in stages]


def send_reminders(today: date, within_days: int) -> dict[str, int]:
    """Email each officer the cases allocated to them that are overdue or due within N working days."""
    region = current_app.config["WORKING_DAY_REGION"]
    last_day = add_working_days(today, within_days, region)
    by_officer: dict[int, list[DueItem]] = defaultdict(list)
    for stage in db.session.scalars(
        _open_stages_due_by(last_day).where(Case.assigned_officer_id.is_not(None))
    ).unique():
        by_officer[stage.case.assigned_officer_id].append(
            DueItem(stage.case, stage, stage.due_on, working_days_between(today, stage.due_on, region))
        )
    reminders = []
    for officer_id, items in by_officer.items():
        officer = db.session.get(User, officer_id)
        if officer is None or not officer.active:
            continue
        # References and dates only: the email leaves the system, so no names or complaint text go in it.
        reminders.append(
            enqueue_email(officer.email, "reminder", "en", officer=officer, items=items, within_days=within_days)
        )
        record_event(None, "reminder_sent", ActorType.SYSTEM, officer_id=officer.id, cases=len(items))
    db.session.commit()
    send_now(*reminders)
    return {"officers": len(reminders), "cases": sum(len(items) for items in by_officer.values())}
