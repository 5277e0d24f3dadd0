"""Hand-made case histories for the performance figures: cases and stages written straight to the database."""

from dataclasses import dataclass, field
from datetime import date
from itertools import count

from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, Contact, ServiceArea, Stage, Theme
from portal.models.enums import CaseStatus
from portal.services.organisation import ensure_service_area
from portal.services.timescales import compute_deadline

_references = count(1)


@dataclass
class StageSpec:
    """One stage of a hand-made complaint; the deadline and the within-timescale flag follow as the import sets them."""

    received_on: date
    process: str = "corporate"
    number: int = 1
    responded_on: date | None = None
    extended_to: date | None = None
    outcome: str | None = None
    closed_on: date | None = None
    closed_reason: str | None = None
    themes: tuple[str, ...] = field(default_factory=tuple)


def area(name: str = "Waste and recycling", directorate: str = "Place") -> ServiceArea:
    """Return a service area, creating it and its directorate when they are new."""
    return ensure_service_area(directorate, name)


def theme(name: str, parent: str | None = None) -> Theme:
    """Return a configured theme by name (a detail theme by its parent's name too)."""
    query = select(Theme).filter_by(name=name)
    if parent is None:
        query = query.where(Theme.parent_id.is_(None))
    else:
        top = db.session.scalar(select(Theme).filter_by(name=parent, parent_id=None))
        query = query.where(Theme.parent_id == top.id)
    found = db.session.scalar(query)
    assert found is not None, f"no theme {parent or ''}/{name}"
    return found


def _case(case_type: str, received_on: date, service_area: ServiceArea | None) -> Case:
    return Case(
        reference=f"FIG-{next(_references):06d}",
        type=case_type,
        status=CaseStatus.RECEIVED,
        received_on=received_on,
        service_area=service_area,
        resident=Contact(name="Hand-made history", adjustments=[]),
        description="Built by tests/figure_builders.py",
    )


def add_contact(case_type: str, received_on: date, service_area: ServiceArea | None = None) -> Case:
    """Record a compliment, suggestion, service request or signposted contact."""
    case = _case(case_type, received_on, service_area)
    db.session.add(case)
    db.session.flush()
    return case


def add_complaint(
    *stages: StageSpec, service_area: ServiceArea | None = None, allocated: bool = True, case_type: str = "complaint"
) -> Case:
    """Record a complaint with the given stages (in Waste and recycling unless told), received with its first stage."""
    case = _case(case_type, stages[0].received_on, (service_area or area()) if allocated else None)
    for spec in stages:
        deadline = compute_deadline(spec.process, spec.number, spec.received_on)
        due = spec.extended_to or deadline
        case.stages.append(
            Stage(
                process=spec.process,
                number=spec.number,
                received_on=spec.received_on,
                deadline=deadline,
                extended_to=spec.extended_to,
                responded_on=spec.responded_on,
                within_timescale=(spec.responded_on <= due) if spec.responded_on else None,
                outcome=spec.outcome,
                closed_on=spec.closed_on,
                closed_reason=spec.closed_reason,
                themes=[_theme_by_path(path) for path in spec.themes],
            )
        )
    db.session.add(case)
    db.session.flush()
    return case


def _theme_by_path(path: str) -> Theme:
    """Find "Top" or "Top/Detail"."""
    parent, _, name = path.rpartition("/")
    return theme(name, parent or None)
