"""The configured timescale of each process's stage, and the deadlines that follow from it."""

from datetime import date

from flask import current_app
from sqlalchemy import select

from portal.extensions import db
from portal.models import Timescale, User
from portal.models.enums import ActorType
from portal.services.calendar import add_working_days
from portal.services.events import record_event


class NoTimescale(LookupError):
    """Raised when a process and stage have no configured timescale."""


def get_timescale(process: str, stage: int) -> Timescale:
    """Return the configured timescale for a process's stage."""
    timescale = db.session.scalar(select(Timescale).filter_by(process=process, stage=stage))
    if timescale is None:
        raise NoTimescale(f"{process} stage {stage}")
    return timescale


def compute_deadline(process: str, stage: int, received_on: date) -> date:
    """Return the stage's deadline: received date plus its timescale in working days."""
    timescale = get_timescale(process, stage)
    return add_working_days(received_on, timescale.working_days, current_app.config["WORKING_DAY_REGION"])


def first_response_days() -> int:
    """Return the working days a corporate Stage 1 response takes, to tell residents."""
    return get_timescale("corporate", 1).working_days


def ensure_default_timescales() -> None:
    """Create any of the configured default timescales that are missing."""
    for process, stage, days, max_days in current_app.config["TIMESCALES"]:
        if db.session.scalar(select(Timescale).filter_by(process=process, stage=stage)) is None:
            db.session.add(Timescale(process=process, stage=stage, working_days=days, max_working_days=max_days))


# Timescale presets: (process, stage) -> (working days, longest with extensions, counted from).
PRESETS = {
    # The table in DOMAIN.md: corporate 20 + 20, children's 10/25/15, adults' 20 (+ a local review stage).
    "default": {
        ("corporate", 1): (20, 40, "received"),
        ("corporate", 2): (20, 40, "received"),
    },
    # The Complaint Handling Code: Stage 1 within 10 working days of the acknowledgement (extension normally no
    # more than 10 more), Stage 2 within 20 of the acknowledgement of the escalation (no more than 20 more).
    # It covers corporate complaints only; the statutory social care timescales stay as they are.
    "complaint-handling-code": {
        ("corporate", 1): (10, 20, "acknowledged"),
        ("corporate", 2): (20, 40, "acknowledged"),
    },
}


class UnknownPreset(LookupError):
    """Raised for a preset name that is not in PRESETS."""


def apply_timescale_preset(name: str, actor: User | None = None) -> list[str]:
    """Set the corporate timescales to a preset; return a line per change. Deadlines already set are kept."""
    if name not in PRESETS:
        raise UnknownPreset(name)
    changes = []
    for (process, stage), (days, max_days, counts_from) in PRESETS[name].items():
        timescale = get_timescale(process, stage)
        before = (timescale.working_days, timescale.max_working_days, timescale.counts_from)
        if before != (days, max_days, counts_from):
            timescale.working_days, timescale.max_working_days, timescale.counts_from = days, max_days, counts_from
            changes.append(
                f"{process} stage {stage}: {before[0]} days from {before[2]} -> {days} days from {counts_from}"
            )
    record_event(
        None,
        "timescales_changed",
        ActorType.STAFF if actor else ActorType.SYSTEM,
        actor_id=actor.id if actor else None,
        preset=name,
        changes=changes,
    )
    db.session.commit()
    return changes


# Bounds for a timescale typed in by an administrator: about a year of working days at most.
MIN_WORKING_DAYS = 1
MAX_WORKING_DAYS = 260
COUNTS_FROM = ("received", "acknowledged")


class InvalidTimescale(ValueError):
    """Raised when a timescale's numbers do not fit together (longest shorter than the timescale, out of bounds)."""


def list_timescales() -> list[Timescale]:
    """Return every configured timescale: corporate, then children's, then adults', each by stage."""
    order = {"corporate": 0, "childrens": 1, "adults": 2}
    rows = db.session.scalars(select(Timescale))
    return sorted(rows, key=lambda row: (order.get(row.process, len(order)), row.process, row.stage))


def find_timescale(timescale_id: int) -> Timescale | None:
    """Return a timescale by id, or None."""
    return db.session.get(Timescale, timescale_id)


def update_timescale(
    timescale: Timescale, actor: User, working_days: int, max_working_days: int, counts_from: str
) -> bool:
    """Change one stage's timescale; deadlines already set are kept. Return whether anything changed."""
    for value in (working_days, max_working_days):
        if not MIN_WORKING_DAYS <= value <= MAX_WORKING_DAYS:
            raise InvalidTimescale(f"working days must be from {MIN_WORKING_DAYS} to {MAX_WORKING_DAYS}")
    if max_working_days < working_days:
        raise InvalidTimescale("the longest with extensions must be at least the timescale")
    if counts_from not in COUNTS_FROM:
        raise InvalidTimescale(f"counts from must be one of {', '.join(COUNTS_FROM)}")
    before = {
        "working_days": timescale.working_days,
        "max_working_days": timescale.max_working_days,
        "counts_from": timescale.counts_from,
    }
    after = {"working_days": working_days, "max_working_days": max_working_days, "counts_from": counts_from}
    if before == after:
        return False
    timescale.working_days, timescale.max_working_days, timescale.counts_from = (
        working_days,
        max_working_days,
        counts_from,
    )
    record_event(
        None,
        "timescale_changed",
        ActorType.STAFF,
        actor_id=actor.id,
        process=timescale.process,
        stage=timescale.stage,
        before=before,
        after=after,
    )
    db.session.commit()
    return True
