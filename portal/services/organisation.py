"""Reading and seeding the council's directorates, service areas and root-cause themes."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Directorate, ServiceArea, Theme

DEFAULT_THEMES = {
    "Quality of service": ["Failure to do something", "Not to the standard expected", "Delay in doing something"],
    "Communication": ["Lack of contact", "No response to calls or messages", "Incorrect or insufficient information"],
    "Staff conduct": ["Inappropriate behaviour", "Poor staff attitude", "Refusal to assist"],
    "Payment or disputed charges": ["Disagrees with charges"],
    "Policy or procedure": ["Disagrees with policy or procedure"],
}


def list_directorates() -> list[Directorate]:
    """Return directorates in display order, each with its active service areas loaded."""
    directorates = db.session.scalars(
        select(Directorate)
        .options(selectinload(Directorate.service_areas))
        .order_by(Directorate.position, Directorate.name)
    ).all()
    return [d for d in directorates if any(area.active for area in d.service_areas)]


def get_service_area(service_area_id) -> ServiceArea | None:
    """Return a service area by id, or None (including for 'not sure')."""
    if service_area_id in (None, "", "not_sure"):
        return None
    return db.session.get(ServiceArea, int(service_area_id))


def ensure_service_area(directorate_name: str, service_area_name: str) -> ServiceArea:
    """Return the service area, creating it and its directorate when they are new."""
    directorate = db.session.scalar(select(Directorate).filter_by(name=directorate_name))
    if directorate is None:
        directorate = Directorate(name=directorate_name)
        db.session.add(directorate)
        db.session.flush()
    area = db.session.scalar(select(ServiceArea).filter_by(directorate_id=directorate.id, name=service_area_name))
    if area is None:
        area = ServiceArea(directorate=directorate, name=service_area_name, active=True)
        db.session.add(area)
        db.session.flush()
    return area


def ensure_default_themes() -> None:
    """Create any missing theme of the default taxonomy."""
    for top_name, details in DEFAULT_THEMES.items():
        top = db.session.scalar(select(Theme).filter_by(parent_id=None, name=top_name))
        if top is None:
            top = Theme(name=top_name, active=True)
            db.session.add(top)
            db.session.flush()
        for detail in details:
            if db.session.scalar(select(Theme).filter_by(parent_id=top.id, name=detail)) is None:
                db.session.add(Theme(parent_id=top.id, name=detail, active=True))
