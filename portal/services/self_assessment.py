"""The council's yearly self-assessment against the Complaint Handling Code, filled in and published by a manager.

The requirements are a configurable list: REQUIREMENTS below says, in our own words, what each of the Code's areas
asks for, and the SELF_ASSESSMENT_REQUIREMENTS setting (a list of keys) may choose and order them for a council.
A year copies the list when it is started, so later changes to the list leave past years as they were published.
"""

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.models import SelfAssessment, SelfAssessmentItem, User
from portal.models.base import utcnow
from portal.models.enums import ActorType
from portal.services.events import record_event
from portal.services.publishing import financial_year_label, public_pages_changed

REQUIREMENTS = {
    "definition": (
        _l("What counts as a complaint"),
        _l(
            "One clear definition of a complaint, used by everyone, that tells a complaint apart from a request for "
            "a service and accepts a complaint however it reaches us."
        ),
    ),
    "exclusions": (
        _l("When we do not take a complaint forward"),
        _l(
            "We refuse a complaint only for a reason our policy sets out (such as a matter more than 12 months old), "
            "explain the reason in writing and say the resident may go to the Ombudsman."
        ),
    ),
    "accessibility": (
        _l("Accessibility and awareness"),
        _l(
            "Residents know how to complain and can do so in more than one way; we make reasonable adjustments and "
            "accept complaints made for someone by a representative."
        ),
    ),
    "staff": (
        _l("The people who handle complaints"),
        _l(
            "Someone is responsible for complaints, with the authority and training to put things right and access "
            "to senior managers."
        ),
    ),
    "process": (
        _l("The complaints process"),
        _l(
            "Two stages and no more: each complaint is logged and acknowledged within 5 working days, and every "
            "response gives the decision, the reasons, any remedy and how to take it further."
        ),
    ),
    "stage_1": (
        _l("Stage 1 timescales"),
        _l(
            "A response within 10 working days of the acknowledgement; any extension (normally no more than 10 "
            "working days) is explained to the resident with the Ombudsman's details."
        ),
    ),
    "stage_2": (
        _l("Stage 2 timescales"),
        _l(
            "A request to escalate is acknowledged within 5 working days and answered within 20 working days of the "
            "acknowledgement; any extension (normally no more than 20) is explained."
        ),
    ),
    "putting_right": (
        _l("Putting things right"),
        _l(
            "Where something went wrong we say so and put it right: an apology, redress, doing what should have been "
            "done, or changing how we work."
        ),
    ),
    "learning": (
        _l("Learning from complaints"),
        _l("We look at what complaints tell us, act on it and tell residents what changed."),
    ),
    "reporting": (
        _l("Self-assessment, reporting and compliance"),
        _l(
            "Each year we publish a report on complaint handling and service improvement with this self-assessment, "
            "and assess ourselves again after any significant change."
        ),
    ),
    "scrutiny": (
        _l("Scrutiny and oversight"),
        _l(
            "A senior councillor or committee has responsibility for complaints, sees our performance regularly and "
            "holds us to account."
        ),
    ),
}
STATUSES = {"met": _l("Met"), "partly_met": _l("Partly met"), "not_met": _l("Not met")}
TEXT_MAX = 5000


class YearAlreadyStarted(ValueError):
    """Raised when a self-assessment for a financial year is started a second time."""


class Incomplete(ValueError):
    """Raised when publishing a self-assessment with requirements not yet assessed; carries their keys."""

    def __init__(self, missing: dict[str, list[str]]):
        super().__init__("the self-assessment is not complete")
        self.missing = missing  # requirement key -> the parts missing: status, evidence, action_planned


@dataclass(frozen=True)
class ItemInput:
    requirement: str
    status: str | None
    evidence: str | None
    action_planned: str | None


def requirement_keys() -> list[str]:
    """The configured requirements, in order (every known one unless SELF_ASSESSMENT_REQUIREMENTS chooses)."""
    chosen = current_app.config.get("SELF_ASSESSMENT_REQUIREMENTS") or list(REQUIREMENTS)
    return [key for key in chosen if key in REQUIREMENTS]


def requirement_title(item: SelfAssessmentItem) -> str:
    """The requirement's name in the page's language, or as it was stored when it is no longer configured."""
    known = REQUIREMENTS.get(item.requirement)
    return str(known[0]) if known else item.title


def requirement_summary(item: SelfAssessmentItem) -> str:
    known = REQUIREMENTS.get(item.requirement)
    return str(known[1]) if known else ""


def list_assessments() -> list[SelfAssessment]:
    return list(db.session.scalars(select(SelfAssessment).order_by(SelfAssessment.start_year.desc())))


def get_assessment(start_year: int) -> SelfAssessment | None:
    return db.session.scalar(select(SelfAssessment).filter_by(start_year=start_year))


def start_assessment(start_year: int, user: User) -> SelfAssessment:
    """Start a year's self-assessment with one empty row per configured requirement."""
    if get_assessment(start_year) is not None:
        raise YearAlreadyStarted(financial_year_label(start_year))
    assessment = SelfAssessment(
        start_year=start_year,
        updated_by_id=user.id,
        items=[
            SelfAssessmentItem(requirement=key, title=str(REQUIREMENTS[key][0]), position=position)
            for position, key in enumerate(requirement_keys())
        ],
    )
    db.session.add(assessment)
    record_event(
        None, "self_assessment_started", ActorType.STAFF, actor_id=user.id, year=financial_year_label(start_year)
    )
    db.session.commit()
    return assessment


def missing_parts(items: list[ItemInput]) -> dict[str, list[str]]:
    """What each requirement still needs before publishing: a status, evidence, and an action unless it is met."""
    missing = {}
    for item in items:
        parts = []
        if not item.status:
            parts.append("status")
        if not item.evidence:
            parts.append("evidence")
        if item.status in ("partly_met", "not_met") and not item.action_planned:
            parts.append("action_planned")
        if parts:
            missing[item.requirement] = parts
    return missing


def save_assessment(assessment: SelfAssessment, items: list[ItemInput], user: User, publish: bool = False) -> None:
    """Store what was entered; with publish, only when every requirement is complete (else Incomplete)."""
    if publish or assessment.published:
        missing = missing_parts(items)
        if missing:
            raise Incomplete(missing)
    by_key = {item.requirement: item for item in items}
    for row in assessment.items:
        entered = by_key.get(row.requirement)
        if entered is None:
            continue
        row.status = entered.status or None
        row.evidence = (entered.evidence or "")[:TEXT_MAX] or None
        row.action_planned = (entered.action_planned or "")[:TEXT_MAX] or None
    assessment.updated_at, assessment.updated_by_id = utcnow(), user.id
    newly = publish and not assessment.published
    if newly:
        assessment.published, assessment.published_at = True, utcnow()
    year = financial_year_label(assessment.start_year)
    action = "self_assessment_published" if newly else "self_assessment_saved"
    record_event(None, action, ActorType.STAFF, actor_id=user.id, year=year)
    db.session.commit()
    if assessment.published:
        public_pages_changed()


def unpublish_assessment(assessment: SelfAssessment, user: User) -> None:
    if not assessment.published:
        return
    assessment.published, assessment.published_at = False, None
    year = financial_year_label(assessment.start_year)
    record_event(None, "self_assessment_unpublished", ActorType.STAFF, actor_id=user.id, year=year)
    db.session.commit()
    public_pages_changed()


def published_assessment(start_year: int) -> list[dict] | None:
    """A published year's rows as plain values for the public report, or None when it is not published."""
    assessment = db.session.scalar(select(SelfAssessment).filter_by(start_year=start_year, published=True))
    if assessment is None:
        return None
    return [
        {
            "title": requirement_title(item),
            "status": str(STATUSES[item.status]) if item.status in STATUSES else "",
            "evidence": item.evidence or "",
            "action_planned": item.action_planned or "",
        }
        for item in assessment.items
    ]
