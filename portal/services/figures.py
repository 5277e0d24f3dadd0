"""The public performance figures: grouped counts over a period, computed by the database, never case by case.

Each stage carries what the figures need: its deadline and whether it was met, copies of its case's type and
service area, and its top-level themes (portal/models/case.py keeps them in step). ix_stage_figures covers all of
it, ordered as the figures group, so a period's figures are two passes over index entries, whatever the size of
the history, each reading only the period's entries and never a table row:

1. the complaint stages, once, giving every measure by process, stage and service area at once: received,
   responded, within timescale, open, overdue, closed otherwise, the outcomes, first stages (which count
   complaints) and the stages with each top-level theme (see _Scope.where for how the index is read);
2. the other contacts by type, from ix_case_type_received_on.

A comparison (the same period a year earlier, on the page) leaves the themes out. Nothing personal is read: no
names, contact details, free text or references, only dates, codes and the configured names of service areas and
themes.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from portal.extensions import cache, db
from portal.models import Case, Directorate, ServiceArea, Stage, Theme, Timescale
from portal.models.enums import CaseType, Outcome, Process
from portal.services.publishing import financial_year_dates, financial_year_of

PAGE_ONLY = "page_only"
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
COMPARISON_PARTS = ("received", "stages", "totals_by_stage")
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
    return financial_year_dates(financial_year_of(today) - 1)


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


def _count_when(condition) -> object:
    # count() of a CASE with no ELSE counts the rows that meet the condition; in SQLite it costs less than sum().
    return func.count(case((condition, 1)))


def _count_responded_when(condition) -> object:
    # The responded stages that meet the condition: the CASE gives the response date, which count() skips when null.
    return func.count(case((condition, Stage.responded_on)))


@dataclass(frozen=True)
class _Scope:
    """The period, and every value the leading columns of ix_stage_figures can take: what each pass looks up."""

    period_from: date
    period_to: date
    configured: list[tuple[str, int]]  # the (process, stage) pairs with a timescale, in display order
    areas: list[tuple[int, str, str]]  # every service area: id, name and directorate, in display order
    themes: dict[int, str]  # every top-level theme, retired ones too: id -> name

    @classmethod
    def read(cls, period_from: date, period_to: date) -> "_Scope":
        areas = db.session.execute(
            select(ServiceArea.id, ServiceArea.name, Directorate.name)
            .join(Directorate, Directorate.id == ServiceArea.directorate_id)
            .order_by(Directorate.position, Directorate.name, ServiceArea.name)
        ).all()
        themes = dict(db.session.execute(select(Theme.id, Theme.name).where(Theme.parent_id.is_(None))).all())
        return cls(period_from, period_to, _configured_stages(), [tuple(area) for area in areas], themes)

    @property
    def area_ids(self) -> list[int]:
        return sorted(area_id for area_id, _name, _directorate in self.areas)

    @property
    def processes(self) -> list[str]:
        return sorted({process.value for process in Process} | {process for process, _stage in self.configured})

    @property
    def numbers(self) -> list[int]:
        return list(range(1, max([3, *(stage for _process, stage in self.configured)]) + 1))

    def where(self, area_ids: list[int] | None) -> list:
        """The complaint stages received in the period, in the given service areas (None: those without one).

        The conditions follow ix_stage_figures's columns, so the database looks up each case type, process, stage
        number and service area in turn and reads only the period's entries under each: already grouped, nothing to
        sort, never an entry outside the period, never the table itself. The lists hold every value those columns can
        take: all processes, stage numbers up to the highest configured (at least 3), the service areas that exist.
        """
        area = Stage.service_area_id.is_(None) if area_ids is None else Stage.service_area_id.in_(area_ids)
        return [
            Stage.case_type == CaseType.COMPLAINT.value,
            Stage.process.in_(self.processes),
            Stage.number.in_(self.numbers),
            area,
            Stage.received_on.between(self.period_from, self.period_to),
        ]


def _stage_rows(scope: _Scope, today: date, with_themes: bool):
    """Count the complaint stages by process, stage and service area: one pass over the period's index entries.

    Each row is (process, number, service area, the STAGE_MEASURES..., first stages, then with_themes the stages
    with each of scope.themes in turn).
    """
    responded = Stage.responded_on.is_not(None)
    closed = or_(Stage.closed_on.is_not(None), Stage.closed_reason.is_not(None))
    due = func.coalesce(Stage.extended_to, Stage.deadline)
    is_open = and_(~responded, ~closed)
    # The stored flag is what the import and the back office keep; the dates decide only where it was never set.
    within = or_(Stage.within_timescale.is_(True), and_(Stage.within_timescale.is_(None), Stage.responded_on <= due))
    lower = aliased(Stage)
    # A case's first stage is its lowest-numbered one, so counting first stages counts cases. Stage 1 needs no
    # look-up (CASE stops at the first match); only later stages (about one in eight) check for a lower one.
    # SELECT 1, not SELECT *: SQLite then answers from uq_stage_case_id_number alone, never reading the row.
    lower_stage = select(literal(1)).where(lower.case_id == Stage.case_id, lower.number < Stage.number)
    is_first = or_(Stage.number == 1, ~lower_stage.exists())
    measures = (
        func.count(),
        func.count(Stage.responded_on),
        _count_responded_when(within),
        _count_when(is_open),
        _count_when(and_(is_open, due < today)),
        _count_when(and_(~responded, closed)),
        _count_responded_when(Stage.outcome == Outcome.UPHELD.value),
        _count_responded_when(Stage.outcome == Outcome.PARTLY_UPHELD.value),
        _count_responded_when(Stage.outcome == Outcome.NOT_UPHELD.value),
        _count_when(is_first),
    )
    if with_themes:
        # A stage's top_theme_ids lists each of its top-level themes once: ",3,7,".
        measures += tuple(_count_when(Stage.top_theme_ids.like(f"%,{theme_id},%")) for theme_id in scope.themes)
    grouping = (Stage.process, Stage.number, Stage.service_area_id)
    allocated, unallocated = (
        select(*grouping, *measures).where(*scope.where(areas)).group_by(*grouping) for areas in (scope.area_ids, None)
    )
    return db.session.execute(allocated.union_all(unallocated)).all()


def _contact_counts(period_from: date, period_to: date) -> dict[str, int]:
    """Count the other contacts by type: for each type, its period's entries in ix_case_type_received_on."""
    others = [case_type.value for case_type in CaseType if case_type != CaseType.COMPLAINT]
    query = (
        select(Case.type, func.count())
        .where(Case.type.in_(others), Case.received_on.between(period_from, period_to))
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
    key = _cache_key("figures", period_from, period_to, today)
    figures = cache.get(key)
    if figures is None:
        figures = compute_figures(period_from, period_to, today)
        cache.set(key, figures)
    return figures


def cached_comparison(period_from: date, period_to: date, today: date) -> dict:
    """Return the figures a period is compared with (received, stages and totals_by_stage), from the cache if they are.

    The full figures serve when they are cached already; otherwise only the one pass over the stages runs, without
    the themes and service areas a comparison does not show.
    """
    full = cache.get(_cache_key("figures", period_from, period_to, today))
    if full is not None:
        return {name: full[name] for name in COMPARISON_PARTS}
    key = _cache_key("comparison", period_from, period_to, today)
    figures = cache.get(key)
    if figures is None:
        if period_from > period_to:
            raise InvalidPeriod("from must be on or before to")
        counts = _Counts(period_from, period_to, today, with_themes=False)
        figures = {"received": counts.received(), **counts.stages()}
        cache.set(key, figures)
    return figures


def _cache_key(kind: str, period_from: date, period_to: date, today: date) -> str:
    threshold = current_app.config.get("SMALL_NUMBERS_THRESHOLD", 20)
    return f"{kind}:{period_from.isoformat()}:{period_to.isoformat()}:{today.isoformat()}:{threshold}"


def compute_figures(period_from: date, period_to: date, today: date) -> dict:
    """Return the public figures for a period (both dates inclusive) as the open-data contract shapes them."""
    if period_from > period_to:
        raise InvalidPeriod("from must be on or before to")
    threshold = current_app.config.get("SMALL_NUMBERS_THRESHOLD", 20)
    counts = _Counts(period_from, period_to, today)
    return {
        "period": {"from": period_from.isoformat(), "to": period_to.isoformat()},
        "as_of": today.isoformat(),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "publisher": current_app.config["COUNCIL_NAME"],
        "licence": LICENCE,
        "received": counts.received(),
        **counts.stages(),
        "service_areas": _service_areas(counts, threshold),
        "complaints_without_service_area": counts.without_area,
        "small_numbers_threshold": threshold,
        "definitions": DEFINITIONS,
        # For the page only (open_data() leaves it out): each listed service area's answered and on-time share.
        PAGE_ONLY: _service_area_answers(counts),
    }


def open_data(figures: dict) -> dict:
    """Return the figures exactly as the open-data contract has them, without what only the page shows."""
    return {key: value for key, value in figures.items() if key != PAGE_ONLY}


def _service_area_answers(counts: "_Counts") -> dict:
    """Return each listed service area's answers (in the order of service_areas), and those of stages not yet
    allocated (None when there are none): responded, the share within timescale and the outcomes."""

    def answers(measures: list[int]) -> dict:
        figures = _stage_figures(measures)
        return {key: figures[key] for key in ("responded", "within_timescale_pct", "outcomes")}

    listed = [area_id for area_id, _name, _directorate in counts.scope.areas if area_id in counts.by_area]
    return {
        "service_area_answers": [answers(counts.measures_by_area[area_id]) for area_id in listed],
        "unallocated_answers": answers(counts.measures_by_area[None]) if counts.without_area else None,
    }


class _Counts:
    """The period's complaint stages counted in one pass, summed by stage and by service area."""

    def __init__(self, period_from: date, period_to: date, today: date, with_themes: bool = True) -> None:
        self.scope = _Scope.read(period_from, period_to)
        width = len(STAGE_MEASURES)
        self.by_stage: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0] * width)
        self.by_area: dict[int, int] = defaultdict(int)
        self.measures_by_area: dict[int | None, list[int]] = defaultdict(lambda: [0] * width)
        self.themes_by_area: dict[int, Counter] = defaultdict(Counter)
        self.without_area = 0
        self.first_stages = 0
        for process, number, area_id, *counts in _stage_rows(self.scope, today, with_themes):
            values = [int(value) for value in counts]
            measures, firsts, themes = values[:width], values[width], values[width + 1 :]
            if area_id is not None and themes:
                self.themes_by_area[area_id].update(dict(zip(self.scope.themes, themes, strict=True)))
            totals, by_area = self.by_stage[(process, number)], self.measures_by_area[area_id]
            for position, value in enumerate(measures):
                totals[position] += value
                by_area[position] += value
            self.first_stages += firsts
            if area_id is None:
                self.without_area += measures[0]
            else:
                self.by_area[area_id] += measures[0]

    def received(self) -> dict[str, int]:
        received = {case_type.value: 0 for case_type in CONTACT_TYPES}
        for case_type, count in _contact_counts(self.scope.period_from, self.scope.period_to).items():
            if case_type in received:
                received[case_type] = count
        received[CaseType.COMPLAINT.value] = self.first_stages
        return received

    def stages(self) -> dict[str, list[dict]]:
        configured = self.scope.configured
        width = len(STAGE_MEASURES)
        stages = [{"process": p, "stage": n, **_stage_figures(self.by_stage[(p, n)])} for p, n in configured]
        stage_totals: dict[int, list[int]] = {}
        for process, number in configured:
            summed = stage_totals.setdefault(number, [0] * width)
            for position, value in enumerate(self.by_stage[(process, number)]):
                summed[position] += value
        totals = [{"stage": number, **_stage_figures(stage_totals[number])} for number in sorted(stage_totals)]
        return {"stages": stages, "totals_by_stage": totals}


def _service_areas(counts: _Counts, threshold: int) -> list[dict]:
    by_area = counts.by_area
    if not by_area:
        return []
    shown = {area_id for area_id, count in by_area.items() if count >= threshold}
    theme_names = counts.scope.themes
    result = []
    for area_id, area_name, directorate_name in counts.scope.areas:
        if area_id not in by_area:
            continue
        received = by_area[area_id]
        named = [(theme_id, count) for theme_id, count in counts.themes_by_area[area_id].items() if count]
        ranked = sorted(named, key=lambda t: (-t[1], theme_names[t[0]]))[:TOP_THEMES] if area_id in shown else []
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
