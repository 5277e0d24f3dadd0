"""Reading, seeding and changing the council's directorates, service areas and root-cause themes."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Directorate, ServiceArea, Theme, User
from portal.models.enums import ActorType
from portal.services.events import record_event
from portal.services.publishing import public_pages_changed

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


class OrganisationError(ValueError):
    """Raised when a directorate, service area or theme cannot be changed as asked."""


class DuplicateName(OrganisationError):
    """Raised when the name is already used by a sibling (same directorate, same parent theme)."""


class NotFound(OrganisationError):
    """Raised when the directorate, service area or parent theme asked for does not exist."""


def list_all_directorates() -> list[Directorate]:
    """Return every directorate with all its service areas, retired ones too, for the administration pages."""
    return list(
        db.session.scalars(
            select(Directorate)
            .options(selectinload(Directorate.service_areas))
            .order_by(Directorate.position, Directorate.name)
        )
    )


def get_directorate(directorate_id: int) -> Directorate | None:
    return db.session.get(Directorate, directorate_id)


def _same_name(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def save_configuration_change(actor: User, action: str, **detail) -> None:
    """Record a change to the organisation's configuration, commit it, and refresh the public pages that show it."""
    record_event(None, action, ActorType.STAFF, actor_id=actor.id, **detail)
    db.session.commit()
    public_pages_changed()


def add_directorate(actor: User, name: str) -> Directorate:
    """Add a directorate (it shows to residents once it has an active service area)."""
    if any(_same_name(d.name, name) for d in db.session.scalars(select(Directorate))):
        raise DuplicateName(name)
    directorate = Directorate(name=name)
    db.session.add(directorate)
    db.session.flush()
    save_configuration_change(actor, "directorate_added", directorate_id=directorate.id, after=name)
    return directorate


def rename_directorate(actor: User, directorate: Directorate, name: str) -> None:
    """Rename a directorate."""
    if directorate.name == name:
        return
    others = db.session.scalars(select(Directorate).where(Directorate.id != directorate.id))
    if any(_same_name(d.name, name) for d in others):
        raise DuplicateName(name)
    before, directorate.name = directorate.name, name
    save_configuration_change(actor, "directorate_renamed", directorate_id=directorate.id, before=before, after=name)


def _check_area_name(directorate_id: int, name: str, except_id: int | None = None) -> None:
    query = select(ServiceArea).where(ServiceArea.directorate_id == directorate_id)
    if except_id is not None:
        query = query.where(ServiceArea.id != except_id)
    if any(_same_name(area.name, name) for area in db.session.scalars(query)):
        raise DuplicateName(name)


def add_service_area(actor: User, directorate_id: int, name: str) -> ServiceArea:
    """Add a service area to a directorate; residents are offered it straight away."""
    directorate = get_directorate(directorate_id)
    if directorate is None:
        raise NotFound("directorate")
    _check_area_name(directorate.id, name)
    area = ServiceArea(directorate=directorate, name=name, active=True)
    db.session.add(area)
    db.session.flush()
    save_configuration_change(
        actor, "service_area_added", service_area_id=area.id, after={"directorate": directorate.name, "name": name}
    )
    return area


def rename_service_area(actor: User, area: ServiceArea, name: str) -> None:
    """Rename a service area; cases already in it show the new name."""
    if area.name == name:
        return
    _check_area_name(area.directorate_id, name, except_id=area.id)
    before, area.name = area.name, name
    save_configuration_change(actor, "service_area_renamed", service_area_id=area.id, before=before, after=name)


def set_service_area_active(actor: User, area: ServiceArea, active: bool) -> None:
    """Retire a service area (residents are no longer offered it; cases keep it) or restore it."""
    if area.active == active:
        return
    area.active = active
    save_configuration_change(
        actor,
        "service_area_restored" if active else "service_area_retired",
        service_area_id=area.id,
        name=area.name,
        before={"active": not active},
        after={"active": active},
    )


def theme_tree() -> list[Theme]:
    """Return every top-level theme with its details, retired ones too, for the administration page."""
    return list(
        db.session.scalars(
            select(Theme).where(Theme.parent_id.is_(None)).options(selectinload(Theme.details)).order_by(Theme.name)
        )
    )


def get_theme(theme_id: int) -> Theme | None:
    return db.session.get(Theme, theme_id)


def _check_theme_name(parent_id: int | None, name: str, except_id: int | None = None) -> None:
    query = select(Theme).where(Theme.parent_id.is_(None) if parent_id is None else Theme.parent_id == parent_id)
    if except_id is not None:
        query = query.where(Theme.id != except_id)
    if any(_same_name(theme.name, name) for theme in db.session.scalars(query)):
        raise DuplicateName(name)


def add_theme(actor: User, name: str, parent_id: int | None = None) -> Theme:
    """Add a top-level root-cause theme, or a detail under one."""
    if parent_id is not None:
        parent = get_theme(parent_id)
        if parent is None or parent.parent_id is not None:
            raise NotFound("parent theme")
    _check_theme_name(parent_id, name)
    theme = Theme(parent_id=parent_id, name=name, active=True)
    db.session.add(theme)
    db.session.flush()
    save_configuration_change(actor, "theme_added", theme_id=theme.id, parent_id=parent_id, after=name)
    return theme


def rename_theme(actor: User, theme: Theme, name: str) -> None:
    """Rename a theme; stages that recorded it show the new name."""
    if theme.name == name:
        return
    _check_theme_name(theme.parent_id, name, except_id=theme.id)
    before, theme.name = theme.name, name
    save_configuration_change(actor, "theme_renamed", theme_id=theme.id, before=before, after=name)


def set_theme_active(actor: User, theme: Theme, active: bool) -> None:
    """Retire a theme (no longer offered when responding; stages that recorded it keep it) or restore it."""
    if theme.active == active:
        return
    theme.active = active
    save_configuration_change(
        actor,
        "theme_restored" if active else "theme_retired",
        theme_id=theme.id,
        name=theme.name,
        before={"active": not active},
        after={"active": active},
    )
