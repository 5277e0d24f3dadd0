"""The annual complaints performance and service improvement report, in the shape the Complaint Handling Code asks for.

Volumes, outcomes and timeliness by stage come from the public figures (portal/services/figures.py). This module adds
what those do not break down: outcomes and timeliness by service area, and complaints closed without a response by
reason, each one grouped query over the year's complaint stages. Then the published learning, the published
Ombudsman figures and the published self-assessment; a part not yet published is None.
"""

from datetime import date

from flask import current_app
from sqlalchemy import and_, case, func, or_, select

from portal.extensions import db
from portal.models import Case, Stage
from portal.models.enums import CaseType, ClosedReason
from portal.services.figures import PAGE_ONLY, cached_figures
from portal.services.learning import published_learning
from portal.services.lgsco_annual import published_for_year
from portal.services.publishing import FIRST_YEAR, financial_year_dates, financial_year_label, financial_year_of
from portal.services.self_assessment import published_assessment

REFUSAL_REASONS = (ClosedReason.WITHDRAWN.value, ClosedReason.DUPLICATE.value, ClosedReason.OUT_OF_TIME.value)


class NoSuchReport(LookupError):
    """Raised for a year before the first report or one that has not started."""


def report_years(today: date, count: int = 5) -> list[int]:
    """The financial years with a report to read, newest first: the current year (so far) and those before it."""
    latest = financial_year_of(today)
    return [year for year in range(latest, latest - count, -1) if year >= FIRST_YEAR]


def _when(condition):
    return func.sum(case((condition, 1), else_=0))


def _complaint_stages(period_from: date, period_to: date):
    return and_(Stage.received_on.between(period_from, period_to), Case.type == CaseType.COMPLAINT.value)


def by_service_area(figures: dict, threshold: int) -> list[dict]:
    """Complaint stages received in the period per service area: received, answered, on time, and outcomes.

    Read from the period's figures, which count them in the same pass as everything else; stages not yet
    allocated come last. Outcomes are left out (suppressed) for fewer stages than the small-numbers threshold.
    """
    answers = figures[PAGE_ONLY]
    rows = [
        {
            "directorate": area["directorate"],
            "service_area": area["service_area"],
            "received": area["received"],
            **found,
        }
        for area, found in zip(figures["service_areas"], answers["service_area_answers"], strict=True)
    ]
    if answers["unallocated_answers"] is not None:
        rows.append(
            {
                "directorate": None,
                "service_area": None,
                "received": figures["complaints_without_service_area"],
                **answers["unallocated_answers"],
            }
        )
    for row in rows:
        row["suppressed"] = row["received"] < threshold
        if row["suppressed"]:
            row["outcomes"] = None
    return rows


def closed_without_response(period_from: date, period_to: date) -> dict:
    """Complaint stages received in the period and closed without a response, by reason and by stage number.

    Returns {"stages": [1, 2, ...], "rows": [{"reason", "counts": {stage: n}, "total"}], "total"}; the reasons are
    withdrawn, duplicate and out of time, then any other stored reason.
    """
    closed = or_(Stage.closed_on.is_not(None), Stage.closed_reason.is_not(None))
    query = (
        select(Stage.closed_reason, Stage.number, func.count())
        .select_from(Stage)
        .join(Case, Case.id == Stage.case_id)
        .where(_complaint_stages(period_from, period_to), Stage.responded_on.is_(None), closed)
        .group_by(Stage.closed_reason, Stage.number)
    )
    counts: dict[str, dict[int, int]] = {}
    for reason, number, count in db.session.execute(query):
        counts.setdefault(reason or "other", {})[number] = int(count)
    order = [*REFUSAL_REASONS, *sorted(set(counts) - set(REFUSAL_REASONS))]
    stages = sorted({number for by_stage in counts.values() for number in by_stage})
    rows = [
        {"reason": reason, "counts": counts.get(reason, {}), "total": sum(counts.get(reason, {}).values())}
        for reason in order
        if reason in counts or reason in REFUSAL_REASONS
    ]
    return {"stages": stages or [1], "rows": rows, "total": sum(row["total"] for row in rows)}


def annual_report(start_year: int, today: date) -> dict:
    """Everything the annual report shows for a financial year; None for each part not yet published."""
    if start_year < FIRST_YEAR or start_year > financial_year_of(today):
        raise NoSuchReport(str(start_year))
    period_from, period_to = financial_year_dates(start_year)
    threshold = current_app.config.get("SMALL_NUMBERS_THRESHOLD", 20)
    figures = cached_figures(period_from, period_to, today)
    return {
        "start_year": start_year,
        "label": financial_year_label(start_year),
        "period_from": period_from,
        "period_to": period_to,
        "complete": period_to < today,
        "figures": figures,
        "by_service_area": by_service_area(figures, threshold),
        "closed_without_response": closed_without_response(period_from, period_to),
        "learning": published_learning(period_from, period_to),
        "lgsco": published_for_year(start_year),
        "self_assessment": published_assessment(start_year),
        "small_numbers_threshold": threshold,
    }
