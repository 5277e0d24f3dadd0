"""What a member of staff may see: the cases, the triage queue, one case and its history."""

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, g
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Attachment, Case, Event, Message, Stage, User
from portal.models.enums import CaseStatus, Process, Role
from portal.search_text import in_name_order
from portal.services.calendar import add_working_days
from portal.services.security_log import security_event

SEES_EVERY_CASE = {Role.OFFICER, Role.MANAGER, Role.ADMIN, Role.REVIEWER}


class CaseNotVisible(LookupError):
    """Raised when a case does not exist or this member of staff may not see it (the same answer for both)."""


def visible_cases(user: User) -> Select:
    """Return a query of the cases this member of staff may see."""
    query = select(Case)
    if user.role in SEES_EVERY_CASE:
        return query
    if user.role == Role.RESPONDER:
        return query.where(Case.service_area_id.in_([area.id for area in user.service_areas]))
    if user.role == Role.INVESTIGATOR:
        assigned = select(Stage.case_id).where(
            Stage.number == 2,
            Stage.process == Process.CHILDRENS,
            or_(Stage.investigator_id == user.id, Stage.independent_person_id == user.id),
        )
        return query.where(Case.id.in_(assigned))
    return query.where(Case.id.is_(None))


def get_visible_case(user: User, reference: str) -> Case:
    """Return the case with this reference if this member of staff may see it."""
    if "\x00" in reference:  # the address can hold anything, but no reference has NUL and PostgreSQL refuses it
        raise CaseNotVisible(reference)
    case = db.session.scalar(
        visible_cases(user)
        .where(Case.reference == reference)
        .options(
            selectinload(Case.stages),
            selectinload(Case.attachments),
            selectinload(Case.messages),
            selectinload(Case.resident),
            selectinload(Case.representative),
            selectinload(Case.service_area),
        )
    )
    if case is None:
        security_event("case_refused", user_id=user.id, reference=reference[:20])
        raise CaseNotVisible(reference)
    return case


@dataclass(frozen=True)
class QueueItem:
    case: Case
    age_hours: int
    acknowledge_by: date
    triage_overdue: bool

    @property
    def next_step(self) -> str | None:
        """Return the team's next first step with this contact: triage, acknowledge, allocate, or None when done."""
        case = self.case
        if case.triaged_at is None:
            return "triage"
        if case.status not in (CaseStatus.RECEIVED, CaseStatus.ACKNOWLEDGED):
            return None
        if case.type == "complaint" and case.acknowledged_on is None:
            return "acknowledge"
        return "allocate"


# Contacts stay in the queue until the team has triaged, acknowledged and allocated them.
WAITING_FOR_THE_TEAM = (CaseStatus.RECEIVED, CaseStatus.ACKNOWLEDGED)


QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    total: int
    page: int
    pages: int


def triage_queue(user: User, now: datetime, page: int = 1) -> QueuePage:
    """Return a page of contacts waiting for triage, acknowledgement or allocation, oldest first."""
    waiting = visible_cases(user).where(Case.status.in_(WAITING_FOR_THE_TEAM))
    total = db.session.scalar(select(func.count()).select_from(waiting.subquery())) or 0
    pages = max(1, -(-total // QUEUE_PAGE_SIZE))
    page = min(max(page, 1), pages)
    cases = db.session.scalars(
        waiting.options(selectinload(Case.service_area), selectinload(Case.resident), selectinload(Case.stages))
        .order_by(Case.received_at, Case.id)
        .offset((page - 1) * QUEUE_PAGE_SIZE)
        .limit(QUEUE_PAGE_SIZE)
    ).all()
    return QueuePage([queue_item(case, now) for case in cases], total, page, pages)


def queue_item(case: Case, now: datetime) -> QueueItem:
    """Return one contact as the triage queue shows it."""
    region = current_app.config["WORKING_DAY_REGION"]
    age = int((now - case.received_at).total_seconds() // 3600)
    return QueueItem(
        case=case,
        age_hours=age,
        acknowledge_by=add_working_days(case.received_on, current_app.config["ACKNOWLEDGE_WITHIN_DAYS"], region),
        triage_overdue=case.triaged_at is None and age > current_app.config["TRIAGE_TARGET_HOURS"],
    )


def case_timeline(case: Case) -> list[Event]:
    """Return every recorded event of a case, oldest first."""
    return list(db.session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.occurred_at, Event.id)))


def internal_notes(case: Case) -> list[Message]:
    """Return the notes staff wrote for each other, newest first."""
    return sorted((m for m in case.messages if m.kind == "internal_note"), key=lambda m: m.id, reverse=True)


def staff_directory() -> dict[int, User]:
    """Return every member of staff by id (for names in timelines and pickers), read once a request."""
    if "staff_directory" not in g:
        g.staff_directory = {user.id: user for user in in_name_order(db.session.scalars(select(User)))}
    return g.staff_directory


def may_download(user: User, case: Case, attachment: Attachment) -> bool:
    """Tell whether this member of staff may open a file on a case they can see."""
    return attachment.case_id == case.id and user.role != Role.REVIEWER


def find_download(user: User, case: Case, attachment_id: int) -> Attachment | None:
    """The case's file this member of staff asked for, or None (logged) when it is not there or not for them."""
    attachment = next((a for a in case.attachments if a.id == attachment_id), None)
    if attachment is None or not may_download(user, case, attachment):
        because = "no_such_file" if attachment is None else "role"
        security_event("file_refused", user_id=user.id, reference=case.reference[:20], because=because)
        return None
    return attachment


def service_area_options() -> list[tuple[str, str]]:
    """Return (id, 'Directorate: Service area') for every active service area."""
    from portal.services.organisation import list_directorates

    return [
        (str(area.id), f"{directorate.name}: {area.name}")
        for directorate in list_directorates()
        for area in directorate.service_areas
        if area.active
    ]


def staff_options(*roles: Role) -> list[tuple[str, str]]:
    """Return (id, name) for active staff in these roles."""
    users = db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(roles)))
    return [(str(user.id), user.name or user.email) for user in in_name_order(users)]


def get_staff_member(user_id: str | None) -> User | None:
    """Return an active member of staff by id, or None."""
    if not user_id or not str(user_id).isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None
