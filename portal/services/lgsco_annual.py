"""The Ombudsman's (LGSCO) annual figures: entered by a complaints manager from the annual letter, then published.

Each year holds the complaints and enquiries the Ombudsman received about the council by category, how many it
investigated in detail, and three percentages (upheld, compliance with its recommendations, a satisfactory remedy
offered before it got involved), each beside the average of similar authorities. The public pages show a year only
once it is published.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.models import LgscoAnnualFigures, LgscoCategoryCount, User
from portal.models.base import utcnow
from portal.models.enums import ActorType
from portal.numbers import percent
from portal.services.events import record_event
from portal.services.publishing import financial_year_label, financial_year_of, public_pages_changed

# The Ombudsman's own categories, in the order its annual letters list them.
CATEGORIES = {
    "adult_care": _l("Adult care services"),
    "benefits_tax": _l("Benefits and tax"),
    "corporate": _l("Corporate and other services"),
    "education_children": _l("Education and children’s services"),
    "environment": _l("Environmental services, public protection and regulation"),
    "highways": _l("Highways and transport"),
    "housing": _l("Housing"),
    "planning": _l("Planning and development"),
    "other": _l("Other"),
}
# Each percentage the letter gives, with the column holding the council's figure and the similar authorities' one.
MEASURES = {
    "upheld": _l("Detailed investigations upheld"),
    "compliance": _l("Recommendations the council complied with"),
    "remedy": _l("Cases where the council had offered a satisfactory remedy before the Ombudsman got involved"),
}


class YearAlreadyEntered(ValueError):
    """Raised when figures for a financial year are added a second time."""


@dataclass(frozen=True)
class LgscoInput:
    categories: dict[str, int]
    detailed_investigations: int
    upheld: Decimal | None
    upheld_average: Decimal
    compliance: Decimal | None
    compliance_average: Decimal
    remedy: Decimal | None
    remedy_average: Decimal


def _tenths(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 10).to_integral_value())


def _percent(tenths: int | None) -> Decimal | None:
    return None if tenths is None else Decimal(tenths) / 10


def _percent_text(value: Decimal | None) -> str | None:
    """77% or 77.5%, as the Ombudsman's letters write them, in the page's language (77,5 % in Spanish)."""
    return None if value is None else percent(value, decimals=None)


def list_years() -> list[LgscoAnnualFigures]:
    """Every year entered, newest first."""
    return list(db.session.scalars(select(LgscoAnnualFigures).order_by(LgscoAnnualFigures.start_year.desc())))


def get_year(start_year: int) -> LgscoAnnualFigures | None:
    return db.session.scalar(select(LgscoAnnualFigures).filter_by(start_year=start_year))


def form_values(figures: LgscoAnnualFigures) -> dict:
    """The stored figures as the entry form shows them (percentages as typed, categories by code)."""
    counts = {row.category: row.count for row in figures.categories}
    values = {f"category_{code}": counts.get(code, 0) for code in CATEGORIES}
    values["detailed_investigations"] = figures.detailed_investigations
    for measure in MEASURES:
        for suffix in ("", "_average"):
            value = _percent(getattr(figures, f"{measure}{suffix}_tenths"))
            values[f"{measure}{suffix}"] = "" if value is None else f"{value:g}"
    return values


def save_year(start_year: int, data: LgscoInput, user: User, *, new: bool, publish: bool = False) -> LgscoAnnualFigures:
    """Store a year's figures (adding the year when new), publishing them too when asked."""
    figures = get_year(start_year)
    if new and figures is not None:
        raise YearAlreadyEntered(financial_year_label(start_year))
    if figures is None:
        figures = LgscoAnnualFigures(start_year=start_year)
        db.session.add(figures)
    # Rows are changed in place: replacing them would insert the new before deleting the old, against the unique key.
    rows = {row.category: row for row in figures.categories}
    for position, code in enumerate(CATEGORIES):
        row = rows.get(code)
        if row is None:
            row = LgscoCategoryCount(category=code)
            figures.categories.append(row)
        row.count, row.position = data.categories.get(code, 0), position
    figures.received_total = sum(data.categories.get(code, 0) for code in CATEGORIES)
    figures.detailed_investigations = data.detailed_investigations
    for measure in MEASURES:
        setattr(figures, f"{measure}_tenths", _tenths(getattr(data, measure)))
        setattr(figures, f"{measure}_average_tenths", _tenths(getattr(data, f"{measure}_average")))
    figures.updated_by_id = user.id
    figures.updated_at = utcnow()
    was_public = figures.published
    if publish and not figures.published:
        figures.published, figures.published_at = True, utcnow()
    action = "lgsco_figures_published" if publish and not was_public else "lgsco_figures_saved"
    record_event(None, action, ActorType.STAFF, actor_id=user.id, year=financial_year_label(start_year))
    db.session.commit()
    if figures.published:
        public_pages_changed()
    return figures


def set_published(figures: LgscoAnnualFigures, user: User, published: bool) -> None:
    """Publish a year's figures on the public pages, or take them off."""
    if figures.published == published:
        return
    figures.published = published
    figures.published_at = utcnow() if published else None
    action = "lgsco_figures_published" if published else "lgsco_figures_unpublished"
    record_event(None, action, ActorType.STAFF, actor_id=user.id, year=financial_year_label(figures.start_year))
    db.session.commit()
    public_pages_changed()


def comparison(value: Decimal | None, average: Decimal | None) -> str | None:
    """Say how the council's percentage compares with the similar authorities' average: higher, lower or same."""
    if value is None or average is None:
        return None
    if value > average:
        return "higher"
    if value < average:
        return "lower"
    return "same"


def public_view(figures: LgscoAnnualFigures) -> dict:
    """A published year as plain values for the public pages."""
    measures = []
    for measure, name in MEASURES.items():
        value = _percent(getattr(figures, f"{measure}_tenths"))
        average = _percent(getattr(figures, f"{measure}_average_tenths"))
        measures.append(
            {
                "key": measure,
                "name": name,
                "value": value,
                "average": average,
                "comparison": comparison(value, average),
                "value_text": _percent_text(value),
                "average_text": _percent_text(average),
            }
        )
    counts = {row.category: row.count for row in figures.categories}
    return {
        "start_year": figures.start_year,
        "label": financial_year_label(figures.start_year),
        "received_total": figures.received_total,
        "categories": [{"name": name, "count": counts.get(code, 0)} for code, name in CATEGORIES.items()],
        "detailed_investigations": figures.detailed_investigations,
        "measures": measures,
    }


def published_for_year(start_year: int) -> dict | None:
    """The published figures of exactly this year, or None."""
    figures = db.session.scalar(select(LgscoAnnualFigures).filter_by(start_year=start_year, published=True))
    return public_view(figures) if figures else None


def published_for_period(period_from: date, period_to: date) -> dict | None:
    """The published figures for the financial year a period starts in, else the latest published year.

    The result says which year it is and whether it is the period's own year, so the page can say so.
    """
    wanted = financial_year_of(period_from)
    figures = db.session.scalar(select(LgscoAnnualFigures).filter_by(start_year=wanted, published=True))
    if figures is None:
        figures = db.session.scalar(
            select(LgscoAnnualFigures)
            .where(LgscoAnnualFigures.published.is_(True))
            .order_by(LgscoAnnualFigures.start_year.desc())
            .limit(1)
        )
    if figures is None:
        return None
    return {
        **public_view(figures),
        "period_year": financial_year_label(wanted),
        "is_period_year": figures.start_year == wanted,
    }
