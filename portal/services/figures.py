"""The public performance figures: grouped counts over a period, computed by the database, never case by case.

A handful of GROUP BY queries, the same number whatever the period or the size of the history, each driven by the
stage.received_on (or case.received_on) index. Nothing personal is read: no names, contact details, free text or
references, only dates, codes and the configured names of service areas and themes.
"""

import re
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from portal.extensions import cache, db
from portal.models import Case, Directorate, ServiceArea, Stage, Theme, Timescale
from portal.models.case import stage_theme
from portal.models.enums import CaseType, Outcome, Process

STAGE_MEASURES = (
    "received",
    "responded",
    "responded_within_timescale",
    "open",
    "open_overdue",
    "closed_other",
    "upheld",
    "partly_upheld",
    "not_upheld",
)
CONTACT_TYPES = tuple(CaseType)
TOP_THEMES = 3
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
LICENCE = {
    "name": "Open Government Licence v3.0",
    "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
DEFINITIONS = {
    "period": "Both dates inclusive. The cohort is every complaint stage, compliment, suggestion, service request "
    "and signposted contact received in the period.",
    "received.complaint": "Complaints whose first stage (their lowest-numbered) was received in the period.",
    "received.other": "Compliments, suggestions, service requests and signposted contacts received in the period.",
    "stages.received": "Complaint stages received in the period.",
    "stages.responded": "Of those, stages with a response sent, whenever it was sent (even after the period).",
    "stages.responded_within_timescale": "Of the responded, those sent on or before the stage's deadline "
    "(received date plus the stage's timescale in working days, or an agreed extended date).",
    "stages.within_timescale_pct": "100 * responded_within_timescale / responded, to one decimal place (halves round "
    "up); null when nothing was responded.",
    "stages.open": "Stages with neither a response nor a closure.",
    "stages.open_overdue": "Open stages whose deadline (or extended date) was before as_of.",
    "stages.closed_other": "Stages closed without a response: withdrawn, duplicate or out of time.",
    "stages.outcomes": "Upheld, partly upheld and not upheld, among the responded.",
    "totals_by_stage": "The same figures for each stage number, summed over the processes.",
    "service_areas": "Complaint stages received per service area; only service areas with at least one are listed.",
    "top_themes": "Up to three top-level root-cause themes (a detail counts towards its top-level theme, a stage once "
    "per top-level theme), with their share of the service area's complaint stages received. Empty and suppressed "
    "when the service area received fewer than small_numbers_threshold, so that no one can be identified.",
    "complaints_without_service_area": "Complaint stages received in the period not yet allocated to a service area.",
}


class InvalidPeriod(ValueError):
    """Raised for a period that is not two YYYY-MM-DD dates with the first on or before the second."""


def last_complete_financial_year(today: date) -> tuple[date, date]:
    """Return the first and last day of the latest financial year (1 April to 31 March) that has ended."""
    end_year = today.year if today >= date(today.year, 4, 1) else today.year - 1
    return date(end_year - 1, 4, 1), date(end_year, 3, 31)


def parse_period(period_from: str | None, period_to: str | None, today: date) -> tuple[date, date]:
    """Read a period from two YYYY-MM-DD strings; both missing means the last complete financial year."""
    if period_from is None and period_to is None:
        return last_complete_financial_year(today)
    if period_from is None or period_to is None:
        raise InvalidPeriod("Give both from and to as YYYY-MM-DD, or neither for the last complete financial year")
    dates = []
    for name, text in (("from", period_from), ("to", period_to)):
        # date.fromisoformat alone also takes 20240401 and week dates; the contract promises only YYYY-MM-DD.
        try:
            if not ISO_DATE.fullmatch(text):
                raise ValueError(text)
            dates.append(date.fromisoformat(text))
        except ValueError:
            raise InvalidPeriod(f"{name} must be a real date written YYYY-MM-DD") from None
    if dates[0] > dates[1]:
        raise InvalidPeriod("from must be on or before to")
    return dates[0], dates[1]


def percentage(part: int, whole: int) -> float | None:
    """Return 100 * part / whole to one decimal place, halves rounded up (6.25 -> 6.3), or None when whole is 0.

    Decimal ROUND_HALF_UP, not round(): Python's round() rounds halves to even and works on binary floats, so it
    would print 6.2 where a reader working it out by hand, or a spreadsheet's ROUND(), gets 6.3.
    """
    if not whole:
        return None
    exact = Decimal(100 * part) / Decimal(whole)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _when(condition) -> object:
    return func.sum(case((condition, 1), else_=0))


def _stage_rows(period_from: date, period_to: date, today: date):
    """Count the cohort's stages by process, stage, service area and case type, in one pass over the period."""
    responded = Stage.responded_on.is_not(None)
    closed = or_(Stage.closed_on.is_not(None), Stage.closed_reason.is_not(None))
    due = func.coalesce(Stage.extended_to, Stage.deadline)
    is_open = and_(~responded, ~closed)
    within = and_(
        responded,
        # The stored flag is what the import and the back office keep; the dates decide only where it was never set.
        or_(Stage.within_timescale.is_(True), and_(Stage.within_timescale.is_(None), Stage.responded_on <= due)),
    )
    lower = aliased(Stage)
    # A case's first stage is its lowest-numbered one, so summing first stages counts cases. Stage 1 needs no
    # look-up (CASE stops at the first match); only later stages (about one in ten) check for a lower one, which
    # the full check on every row would cost more than the rest of the query together.
    is_first = case(
        (Stage.number == 1, 1),
        (exists().where(lower.case_id == Stage.case_id, lower.number < Stage.number), 0),
        else_=1,
    )
    query = (
        select(
            Stage.process,
            Stage.number,
            Case.service_area_id,
            Case.type,
            func.count(),
            _when(responded),
            _when(within),
            _when(is_open),
            _when(and_(is_open, due < today)),
            _when(and_(~responded, closed)),
            _when(and_(responded, Stage.outcome == Outcome.UPHELD.value)),
            _when(and_(responded, Stage.outcome == Outcome.PARTLY_UPHELD.value)),
            _when(and_(responded, Stage.outcome == Outcome.NOT_UPHELD.value)),
            func.sum(is_first),
        )
        .join(Case, Case.id == Stage.case_id)
        # The case type is grouped on, not filtered, so the period index on stage drives the query, not case.type.
        .where(Stage.received_on.between(period_from, period_to))
        .group_by(Stage.process, Stage.number, Case.service_area_id, Case.type)
    )
    return db.session.execute(query).all()


def _theme_rows(period_from: date, period_to: date):
    """Count the cohort's stages per service area and top-level theme, each stage once per top-level theme."""
    top_theme = func.coalesce(Theme.parent_id, Theme.id)
    query = (
        select(Case.service_area_id, Case.type, top_theme, func.count(func.distinct(Stage.id)))
        .select_from(Stage)
        .join(stage_theme, stage_theme.c.stage_id == Stage.id)
        .join(Theme, Theme.id == stage_theme.c.theme_id)
        .join(Case, Case.id == Stage.case_id)
        # Nothing filtered on case either: a filter there could tempt the planner to drive the query from case.
        .where(Stage.received_on.between(period_from, period_to))
        .group_by(Case.service_area_id, Case.type, top_theme)
    )
    return db.session.execute(query).all()


def _contact_counts(period_from: date, period_to: date) -> dict[str, int]:
    query = (
        select(Case.type, func.count())
        .where(Case.received_on.between(period_from, period_to), Case.type != CaseType.COMPLAINT.value)
        .group_by(Case.type)
    )
    return {case_type: count for case_type, count in db.session.execute(query)}


def _stage_figures(counts: list[int]) -> dict:
    values = dict(zip(STAGE_MEASURES, counts, strict=True))
    return {
        "received": values["received"],
        "responded": values["responded"],
        "responded_within_timescale": values["responded_within_timescale"],
        "within_timescale_pct": percentage(values["responded_within_timescale"], values["responded"]),
        "open": values["open"],
        "open_overdue": values["open_overdue"],
        "closed_other": values["closed_other"],
        "outcomes": {outcome: values[outcome] for outcome in ("upheld", "partly_upheld", "not_upheld")},
    }


def _configured_stages() -> list[tuple[str, int]]:
    order = {process.value: position for position, process in enumerate(Process)}
    rows = db.session.execute(select(Timescale.process, Timescale.stage)).all()
    return sorted(((process, stage) for process, stage in rows), key=lambda r: (order.get(r[0], len(order)), r))


def cached_figures(period_from: date, period_to: date, today: date) -> dict:
    """Return the figures from the shared cache, computing them at most once per cache lifetime for a period and day.

    The JSON, the CSV (and the page) of one period share one computation, and several workers share it too when the
    cache is Redis. Figures may lag new responses by the cache lifetime (CACHE_DEFAULT_TIMEOUT, ten minutes).
    """
    threshold = current_app.config.get("SMALL_NUMBERS_THRESHOLD", 20)
    key = f"figures:{period_from.isoformat()}:{period_to.isoformat()}:{today.isoformat()}:{threshold}"
    figures = cache.get(key)
    if figures is None:
        figures = compute_figures(period_from, period_to, today)
        cache.set(key, figures)
    return figures


def compute_figures(period_from: date, period_to: date, today: date) -> dict:
    """Return the public figures for a period (both dates inclusive) as the open-data contract shapes them."""
    if period_from > period_to:
        raise InvalidPeriod("from must be on or before to")
    threshold = current_app.config.get("SMALL_NUMBERS_THRESHOLD", 20)
    width = len(STAGE_MEASURES)

    by_stage: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0] * width)
    by_area: dict[int, int] = defaultdict(int)
    without_area = 0
    first_stages = 0
    for process, number, area_id, case_type, *counts in _stage_rows(period_from, period_to, today):
        if case_type != CaseType.COMPLAINT.value:
            continue  # a stage left on a case triage later reclassified is no longer a complaint stage
        *measures, firsts = (int(value) for value in counts)
        totals = by_stage[(process, number)]
        for position, value in enumerate(measures):
            totals[position] += value
        first_stages += firsts
        if area_id is None:
            without_area += measures[0]
        else:
            by_area[area_id] += measures[0]

    configured = _configured_stages()
    stages = [{"process": p, "stage": n, **_stage_figures(by_stage[(p, n)])} for p, n in configured]
    stage_totals: dict[int, list[int]] = {}
    for process, number in configured:
        summed = stage_totals.setdefault(number, [0] * width)
        for position, value in enumerate(by_stage[(process, number)]):
            summed[position] += value
    totals_by_stage = [{"stage": number, **_stage_figures(stage_totals[number])} for number in sorted(stage_totals)]

    received = {case_type.value: 0 for case_type in CONTACT_TYPES}
    for case_type, count in _contact_counts(period_from, period_to).items():
        if case_type in received:
            received[case_type] = count
    received[CaseType.COMPLAINT.value] = first_stages

    return {
        "period": {"from": period_from.isoformat(), "to": period_to.isoformat()},
        "as_of": today.isoformat(),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "publisher": current_app.config["COUNCIL_NAME"],
        "licence": LICENCE,
        "received": received,
        "stages": stages,
        "totals_by_stage": totals_by_stage,
        "service_areas": _service_areas(by_area, period_from, period_to, threshold),
        "complaints_without_service_area": without_area,
        "small_numbers_threshold": threshold,
        "definitions": DEFINITIONS,
    }


def _service_areas(by_area: dict[int, int], period_from: date, period_to: date, threshold: int) -> list[dict]:
    if not by_area:
        return []
    shown = {area_id for area_id, count in by_area.items() if count >= threshold}
    themes: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if shown:
        for area_id, case_type, theme_id, count in _theme_rows(period_from, period_to):
            if area_id in shown and case_type == CaseType.COMPLAINT.value:
                themes[area_id].append((theme_id, count))
    theme_names = dict(db.session.execute(select(Theme.id, Theme.name).where(Theme.parent_id.is_(None))).all())
    areas = db.session.execute(
        select(ServiceArea.id, ServiceArea.name, Directorate.name)
        .join(Directorate, Directorate.id == ServiceArea.directorate_id)
        .where(ServiceArea.id.in_(by_area))
        .order_by(Directorate.position, Directorate.name, ServiceArea.name)
    ).all()
    result = []
    for area_id, area_name, directorate_name in areas:
        received = by_area[area_id]
        named = [(theme_id, count) for theme_id, count in themes[area_id] if theme_id in theme_names]
        ranked = sorted(named, key=lambda t: (-t[1], theme_names[t[0]]))[:TOP_THEMES]
        result.append(
            {
                "directorate": directorate_name,
                "service_area": area_name,
                "received": received,
                "suppressed": area_id not in shown,
                "top_themes": [
                    {"theme": theme_names[theme_id], "count": count, "pct": percentage(count, received)}
                    for theme_id, count in ranked
                ],
            }
        )
    return result
