"""Finding cases."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Case, User
from portal.models.enums import Role


def find_case_by_reference(reference: str) -> Case | None:
    """Return the case with this exact reference, or None."""
    return db.session.scalar(select(Case).filter_by(reference=reference))


def get_case(case_id: int) -> Case | None:
    """Return a case by id, or None."""
    return db.session.get(Case, case_id)


def list_recent_cases_for(user: User, limit: int = 50) -> list[Case]:
    """Return the newest cases this member of staff may see, newest first."""
    query = select(Case).options(selectinload(Case.service_area)).order_by(Case.received_at.desc()).limit(limit)
    if user.role == Role.RESPONDER:
        area_ids = [area.id for area in user.service_areas]
        query = query.where(Case.service_area_id.in_(area_ids))
    elif user.role == Role.INVESTIGATOR:
        # Investigators see only the statutory Stage 2 cases assigned to them; assignment comes with the back office.
        return []
    return list(db.session.scalars(query))
