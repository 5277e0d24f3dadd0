"""Searching, filtering, sorting and paging the cases a member of staff may see."""

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from portal.extensions import db
from portal.models import Case, Contact, Stage, User
from portal.search_text import email_key, name_key
from portal.services.staff_cases import visible_cases

SORTS = {
    "received-desc": lambda: Case.received_at.desc(),
    "received-asc": lambda: Case.received_at.asc(),
    "reference": lambda: Case.reference.asc(),
}
PER_PAGE = 25


@dataclass
class CaseFilters:
    q: str = ""
    status: str = ""
    type: str = ""
    process: str = ""
    stage: str = ""
    service_area: str = ""
    officer: str = ""
    overdue: bool = False
    sort: str = "received-desc"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "CaseFilters":
        """Read filters from a query string, ignoring anything malformed."""
        page = args.get("page", "1")
        return cls(
            q=_text(args, "q").strip()[:200],
            status=_text(args, "status"),
            type=_text(args, "type"),
            process=_text(args, "process"),
            stage=args.get("stage", "") if args.get("stage", "") in {"1", "2", "3"} else "",
            service_area=args.get("service_area", "") if _whole(args.get("service_area", "")) else "",
            officer=args.get("officer", "") if _whole(args.get("officer", "")) else "",
            overdue=args.get("overdue") == "1",
            sort=args.get("sort") if args.get("sort") in SORTS else "received-desc",
            page=int(page) if _whole(page) and int(page) > 0 else 1,
        )

    def as_args(self, **changes) -> dict:
        """Return the filters as query arguments (only those set), with some changed."""
        values = {
            "q": self.q,
            "status": self.status,
            "type": self.type,
            "process": self.process,
            "stage": self.stage,
            "service_area": self.service_area,
            "officer": self.officer,
            "overdue": "1" if self.overdue else "",
            "sort": self.sort if self.sort != "received-desc" else "",
            "page": str(self.page) if self.page != 1 else "",
        }
        values.update({key: str(value) for key, value in changes.items()})
        return {key: value for key, value in values.items() if value}


def _text(args, name: str) -> str:
    # PostgreSQL refuses NUL in a query's text, and no search or filter needs one.
    return args.get(name, "").replace("\x00", "")


def _whole(text: str) -> bool:
    """Tell whether text is an id or page number int() reads and the database holds (² is a digit, not a number)."""
    return text.isdecimal() and len(text) <= 9


@dataclass(frozen=True)
class SearchResult:
    cases: list[Case]
    total: int
    page: int
    pages: int


def _filtered(user: User, filters: CaseFilters, today: date):
    """Build the filtered query, joining contacts and the latest stage only when a filter needs them."""
    latest = aliased(Stage)
    newest_stage = select(func.max(Stage.number)).where(Stage.case_id == Case.id).correlate(Case).scalar_subquery()
    query = visible_cases(user)
    if filters.process or filters.stage or filters.overdue:
        query = query.join(latest, and_(latest.case_id == Case.id, latest.number == newest_stage))
    if filters.q:
        # Names and addresses are matched on their stored keys, folded in Python: SQLite's lower() knows only A-Z.
        # References are plain ASCII, so lower() serves them on either database.
        folded, lowered = f"%{name_key(filters.q)}%", f"%{email_key(filters.q)}%"
        representative = aliased(Contact)
        query = query.join(Contact, Contact.id == Case.resident_id)
        query = query.outerjoin(representative, representative.id == Case.representative_id).where(
            or_(
                func.lower(Case.reference).like(lowered),
                Contact.name_key.like(folded),
                Contact.email_key.like(lowered),
                representative.name_key.like(folded),
                representative.email_key.like(lowered),
            )
        )
    if filters.status:
        query = query.where(Case.status == filters.status)
    if filters.type:
        query = query.where(Case.type == filters.type)
    if filters.process:
        query = query.where(latest.process == filters.process)
    if filters.stage:
        query = query.where(latest.number == int(filters.stage))
    if filters.service_area:
        query = query.where(Case.service_area_id == int(filters.service_area))
    if filters.officer:
        query = query.where(Case.assigned_officer_id == int(filters.officer))
    if filters.overdue:
        query = query.where(
            latest.responded_on.is_(None),
            latest.closed_on.is_(None),
            func.coalesce(latest.extended_to, latest.deadline) < today,
        )
    return query, latest


def search_cases(user: User, filters: CaseFilters, today: date, per_page: int | None = None) -> SearchResult:
    """Return one page of matching cases and how many match in all (two queries, whatever the page size)."""
    per_page = per_page or PER_PAGE
    query, latest = _filtered(user, filters, today)
    total = db.session.scalar(select(func.count()).select_from(query.with_only_columns(Case.id).subquery()))
    pages = max(1, -(-total // per_page))
    page = min(filters.page, pages)
    rows = (
        db.session.scalars(
            query.options(
                selectinload(Case.resident),
                selectinload(Case.service_area),
                selectinload(Case.stages),
            )
            .order_by(SORTS[filters.sort](), Case.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        .unique()
        .all()
    )
    return SearchResult(cases=list(rows), total=total, page=page, pages=pages)


CSV_COLUMNS = ["reference", "type", "status", "received_on", "process", "stage", "due_on", "service_area", "channel"]


def cases_csv(user: User, filters: CaseFilters, today: date, limit: int = 100_000) -> tuple[str, int]:
    """Return every matching case as CSV (no free text, no contact details), and how many cases it holds."""
    query, _latest = _filtered(user, filters, today)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    rows = db.session.scalars(
        query.options(selectinload(Case.service_area), selectinload(Case.stages))
        .order_by(SORTS[filters.sort](), Case.id)
        .limit(limit)
    )
    count = 0
    for count, case in enumerate(rows, start=1):  # noqa: B007 - the count is the loop's result
        stage = case.current_stage
        writer.writerow(
            [
                case.reference,
                case.type,
                case.status,
                case.received_on.isoformat(),
                stage.process if stage else "",
                stage.number if stage else "",
                stage.due_on.isoformat() if stage else "",
                case.service_area.name if case.service_area else "",
                case.channel,
            ]
        )
    return out.getvalue(), count
