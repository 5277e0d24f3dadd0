"""Builders for the things tests need: service areas, answers, cases and staff."""

from portal.extensions import db
from portal.services.organisation import ensure_service_area

SERVICE_AREAS = {"Place": ["Waste and recycling", "Libraries"], "Exchequer": ["Council tax"]}


def build_service_areas() -> dict[str, int]:
    """Create a few service areas and return their ids by name."""
    ids = {}
    for directorate, areas in SERVICE_AREAS.items():
        for name in areas:
            ids[name] = ensure_service_area(directorate, name).id
    db.session.commit()
    return ids
