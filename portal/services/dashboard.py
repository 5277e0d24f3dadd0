"""The backlog dashboard in the shape councils report it: open cases by where they sit, and a period's intake."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, literal_column, select

from portal.extensions import db
from portal.models import Case, Stage, User
from portal.models.enums import CaseStatus
from portal.services.staff_cases import visible_cases

GROUPS = ("adults", "childrens", "corporate", "other")


@dataclass
class BacklogRow:
    total: int = 0
    not_started: int = 0
    with_team: int = 0
    with_service: int = 0

    def add(self, where: str, count: int) -> None:
        self.total += count
        setattr(self, where, getattr(self, where) + count)


@dataclass
class PeriodRow:
    received: int = 0
    with_service: int = 0
    with_team: int = 0
    complete: int = 0
    closed_other: int = 0


@dataclass
class Dashboard:
    backlog: dict[str, BacklogRow] = field(default_factory=dict)
    backlog_total: BacklogRow = field(default_factory=BacklogRow)
    period: dict[tuple[str, int], PeriodRow] = field(default_factory=dict)
    contacts: dict[str, int] = field(default_factory=dict)


def _where(status_column, triaged_column):
    """Sort an open case into: not started, with the complaints team, or with the service."""
    return case(
        (and_(status_column == CaseStatus.RECEIVED, triaged_column.is_(None)), "not_started"),
        (status_column == CaseStatus.WITH_SERVICE, "with_service"),
        else_="with_team",
    )


def build_dashboard(user: User, period_from: date, period_to: date) -> Dashboard:
    """Count open cases by process and where they sit, and a period's stages by process, stage and outcome."""
    visible = visible_cases(user).with_only_columns(Case.id).scalar_subquery()
    latest = select(Stage.case_id, func.max(Stage.number).label("number")).group_by(Stage.case_id).subquery("latest")
    open_rows = db.session.execute(
        select(
            func.coalesce(Stage.process, "other").label("grp"),
            _where(Case.status, Case.triaged_at).label("place"),
            func.count(Case.id),
        )
        .select_from(Case)
        .outerjoin(latest, latest.c.case_id == Case.id)
        .outerjoin(Stage, and_(Stage.case_id == Case.id, Stage.number == latest.c.number))
        .where(Case.id.in_(visible), Case.status.notin_([CaseStatus.CLOSED, CaseStatus.RESPONDED]))
        # By label: PostgreSQL does not see two copies of an expression with bound values as the same.
        .group_by(literal_column("grp"), literal_column("place"))
    ).all()
    dashboard = Dashboard(backlog={group: BacklogRow() for group in GROUPS})
    for group, where, count in open_rows:
        dashboard.backlog.setdefault(group, BacklogRow()).add(where, count)
        dashboard.backlog_total.add(where, count)

    outcome = case(
        (Stage.responded_on.is_not(None), "complete"),
        (Stage.closed_on.is_not(None), "closed_other"),
        (Case.status == CaseStatus.WITH_SERVICE, "with_service"),
        else_="with_team",
    )
    stage_rows = db.session.execute(
        select(Stage.process, Stage.number, outcome.label("bucket"), func.count(Stage.id))
        .join(Case, Case.id == Stage.case_id)
        .where(Case.id.in_(visible), Stage.received_on.between(period_from, period_to))
        .group_by(Stage.process, Stage.number, literal_column("bucket"))
    ).all()
    for process, number, bucket, count in stage_rows:
        row = dashboard.period.setdefault((process, number), PeriodRow())
        row.received += count
        setattr(row, bucket, getattr(row, bucket) + count)
    dashboard.period = dict(sorted(dashboard.period.items()))

    contact_rows = db.session.execute(
        select(Case.type, func.count(Case.id))
        .where(Case.id.in_(visible), Case.type != "complaint", Case.received_on.between(period_from, period_to))
        .group_by(Case.type)
    ).all()
    dashboard.contacts = dict(contact_rows)
    return dashboard
