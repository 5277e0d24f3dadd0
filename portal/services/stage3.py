"""The children's Stage 3 chain: the review panel meets, it reports, and the council responds, each in its time.

Children Act 1989 Representations Procedure (England) Regulations 2006: the panel meets within 30 working days of
the request, reports within 5 working days of meeting, and the council responds within 15 working days of receiving
the panel's recommendations. The first two are settings (STAGE3_PANEL_WORKING_DAYS, STAGE3_REPORT_WORKING_DAYS);
the third is the configured timescale for the children's Stage 3. A stage's `deadline` is always the date the next
link is due, so the due-soon list and the reminders follow the chain without knowing about it.
"""

from datetime import date

from flask import current_app

from portal.models import Stage
from portal.models.enums import Process
from portal.services.calendar import add_working_days
from portal.services.timescales import get_timescale


def _add(start: date, days: int) -> date:
    return add_working_days(start, days, current_app.config["WORKING_DAY_REGION"])


def panel_due(requested_on: date) -> date:
    """Return the last day the review panel may meet, counted from the request for it."""
    return _add(requested_on, current_app.config["STAGE3_PANEL_WORKING_DAYS"])


def report_due(panel_date: date) -> date:
    """Return the last day for the panel's report, counted from the day it met."""
    return _add(panel_date, current_app.config["STAGE3_REPORT_WORKING_DAYS"])


def council_response_days() -> int:
    """Return the working days the council has to respond after receiving the panel's recommendations."""
    return get_timescale(Process.CHILDRENS, 3).working_days


def council_response_due(report_received_on: date) -> date:
    """Return the last day for the council's response, counted from receiving the panel's recommendations."""
    return _add(report_received_on, council_response_days())


def start_chain(stage: Stage) -> None:
    """Set a new review panel stage's first link: the panel is due to meet within its working days."""
    stage.panel_due_on = panel_due(stage.received_on)
    stage.deadline = stage.panel_due_on
    stage.extended_to = None


def chain_state(stage: Stage) -> dict:
    """Return the chain's dates and records as plain values, for an event's before and after."""

    def iso(value: date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "panel_due_on": iso(stage.panel_due_on),
        "panel_date": iso(stage.panel_date),
        "panel_members": stage.panel_members,
        "panel_report_due_on": iso(stage.panel_report_due_on),
        "panel_report_received_on": iso(stage.panel_report_received_on),
        "panel_recommendations": stage.panel_recommendations,
        "deadline": iso(stage.deadline),
    }
