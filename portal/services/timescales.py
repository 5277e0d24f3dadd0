"""The configured timescale of each process's stage, and the deadlines that follow from it."""

from datetime import date

from flask import current_app
from sqlalchemy import select

from portal.extensions import db
from portal.models import Timescale
from portal.services.calendar import add_working_days


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
