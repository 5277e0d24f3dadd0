"""'You said, we did': learning from closed complaints, reviewed by a complaints manager before anyone sees it.

A learning action is recorded with a stage's response. Once its case is closed, a complaints manager writes the
public wording (so that no one can be identified) and publishes it, or declines it; a published one can be taken
down again. Each decision is recorded as an event on the case.

The public pages show only the public wording and the service (with its directorate), never the case, its
reference, names or dates. A period takes the actions whose stage's response was sent in it: the response is when
the learning was found, and every action has one (the case's closure can come long after, or not at all when a
resident escalates).
"""

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from portal.extensions import db
from portal.models import Case, Directorate, LearningAction, ServiceArea, Stage, User
from portal.models.base import utcnow
from portal.models.enums import ActorType, CaseStatus, CaseType
from portal.services.events import record_event
from portal.services.publishing import public_pages_changed

PENDING, PUBLISHED, DECLINED, UNPUBLISHED = "pending", "published", "declined", "unpublished"
PUBLIC_TEXT_MAX = 2000


class NotReviewable(ValueError):
    """Raised for a decision on an action whose case is not a closed complaint, or that is not published."""


def _actions():
    return (
        select(LearningAction)
        .join(Stage, Stage.id == LearningAction.stage_id)
        .join(Case, Case.id == Stage.case_id)
        .options(contains_eager(LearningAction.stage).contains_eager(Stage.case))
        .where(Case.type == CaseType.COMPLAINT.value)
    )


def review_queue() -> list[LearningAction]:
    """Learning from closed complaints that no one has reviewed yet, oldest response first."""
    query = _actions().where(LearningAction.publication_status == PENDING, Case.status == CaseStatus.CLOSED.value)
    return list(db.session.scalars(query.order_by(Stage.responded_on, LearningAction.id)))


def reviewed(status: str) -> list[LearningAction]:
    """Reviewed learning in one state (published, declined or unpublished), most recently reviewed first."""
    query = _actions().where(LearningAction.publication_status == status)
    return list(db.session.scalars(query.order_by(LearningAction.reviewed_at.desc(), LearningAction.id.desc())))


def awaiting_closure_count() -> int:
    """How many unreviewed actions wait for their case to close before they can be reviewed."""
    query = _actions().where(LearningAction.publication_status == PENDING, Case.status != CaseStatus.CLOSED.value)
    return len(db.session.scalars(query).all())


def get_learning_action(action_id: int) -> LearningAction | None:
    return db.session.scalar(_actions().where(LearningAction.id == action_id))


def _check_reviewable(action: LearningAction) -> None:
    case = action.stage.case
    if case.type != CaseType.COMPLAINT or case.status != CaseStatus.CLOSED:
        raise NotReviewable("only learning from a closed complaint can be reviewed")


def _decide(action: LearningAction, user: User, status: str, event: str) -> None:
    was_public = action.publication_status == PUBLISHED
    action.publication_status = status
    action.approved_for_publication = status == PUBLISHED
    action.reviewed_at, action.reviewed_by_id = utcnow(), user.id
    record_event(
        action.stage.case,
        event,
        ActorType.STAFF,
        actor_id=user.id,
        learning_action=action.id,
        stage=action.stage.number,
        public_text=action.public_text if status == PUBLISHED else None,
    )
    db.session.commit()
    if was_public or status == PUBLISHED:
        public_pages_changed()


def publish_learning(action: LearningAction, user: User, public_text: str) -> None:
    """Approve an action for publication in the given words."""
    _check_reviewable(action)
    text = (public_text or "").strip()
    if not text:
        raise NotReviewable("the public wording is empty")
    action.public_text = text[:PUBLIC_TEXT_MAX]
    _decide(action, user, PUBLISHED, "learning_published")


def decline_learning(action: LearningAction, user: User) -> None:
    """Decide not to publish an action (it stays on the case, only out of the public account)."""
    _check_reviewable(action)
    _decide(action, user, DECLINED, "learning_declined")


def unpublish_learning(action: LearningAction, user: User) -> None:
    """Take a published action off the public pages."""
    if action.publication_status != PUBLISHED:
        raise NotReviewable("only published learning can be unpublished")
    _decide(action, user, UNPUBLISHED, "learning_unpublished")


def published_learning(period_from: date, period_to: date) -> list[dict]:
    """Published learning whose stage's response was sent in the period, grouped by directorate and service.

    Returns [{"directorate", "service_area", "items": [public text, ...]}, ...]; learning from a complaint that was
    never allocated to a service comes last, with None for both names. Nothing else about the case is read.
    """
    query = (
        select(Directorate.name, ServiceArea.name, LearningAction.public_text)
        .select_from(LearningAction)
        .join(Stage, Stage.id == LearningAction.stage_id)
        .join(Case, Case.id == Stage.case_id)
        .outerjoin(ServiceArea, ServiceArea.id == Case.service_area_id)
        .outerjoin(Directorate, Directorate.id == ServiceArea.directorate_id)
        .where(
            LearningAction.publication_status == PUBLISHED,
            LearningAction.public_text.is_not(None),
            Case.type == CaseType.COMPLAINT.value,
            Stage.responded_on.between(period_from, period_to),
        )
        .order_by(
            Directorate.position.is_(None),
            Directorate.position,
            Directorate.name,
            ServiceArea.name,
            LearningAction.id,
        )
    )
    groups: dict[tuple, list[str]] = defaultdict(list)
    for directorate, service_area, text in db.session.execute(query):
        groups[(directorate, service_area)].append(text)
    return [
        {"directorate": directorate, "service_area": service_area, "items": items}
        for (directorate, service_area), items in groups.items()
    ]
