"""The record of which member of staff looked at which case, and who searched the cases for what, and when: added
to, never changed."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, CaseSearch, CaseView, User
from portal.models.base import utcnow
from portal.models.security import CASE_VIEW_RECORD_MIN_DAYS, SEARCH_RECORD_MIN_DAYS
from portal.services.purge import delete_or_count

LATEST = 200


def _commit_keeping_what_is_loaded() -> None:
    """Commit an audit row without expiring what the request has loaded to show.

    A plain commit expires every loaded object, so the page drawn afterwards would read each case, stage and event
    again, one query at a time: 96 queries instead of 10 for a page of search results (bench/backoffice.py).
    """
    session = db.session()
    expiring = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


def record_case_view(user: User, case: Case, page: str) -> None:
    """Note that this member of staff opened a page or file of this case."""
    db.session.add(CaseView(case_id=case.id, user_id=user.id, page=page))
    _commit_keeping_what_is_loaded()


def case_views(reference: str | None = None, user_id: int | None = None) -> list[tuple[datetime, str, User, str]]:
    """The latest views, newest first, of one case and/or by one member of staff: (when, reference, who, page)."""
    query = (
        select(CaseView.viewed_at, Case.reference, User, CaseView.page)
        .join(Case, Case.id == CaseView.case_id)
        .join(User, User.id == CaseView.user_id)
        .order_by(CaseView.viewed_at.desc(), CaseView.id.desc())
        .limit(LATEST)
    )
    if reference:
        query = query.where(Case.reference == reference.strip().upper())
    if user_id:
        query = query.where(CaseView.user_id == user_id)
    return [tuple(row) for row in db.session.execute(query)]


def record_search(user: User, search_text: str, filters: dict, results: int, kind: str = "search") -> None:
    """Note a text search of the cases (on its first page) or a CSV download, with what it found."""
    db.session.add(
        CaseSearch(user_id=user.id, kind=kind, search_text=search_text or None, filters=filters, results=results)
    )
    _commit_keeping_what_is_loaded()


def case_searches(user_id: int | None = None) -> list[CaseSearch]:
    """The latest searches and downloads, newest first, of everyone or of one member of staff."""
    query = select(CaseSearch).order_by(CaseSearch.searched_at.desc(), CaseSearch.id.desc()).limit(LATEST)
    if user_id:
        query = query.where(CaseSearch.user_id == user_id)
    return list(db.session.scalars(query))


def search_retention_days() -> int:
    """How long a search record is kept: SEARCH_RETENTION_DAYS, but never less than the database allows."""
    return max(current_app.config["SEARCH_RETENTION_DAYS"], SEARCH_RECORD_MIN_DAYS)


def view_retention_days() -> int:
    """How long a record of staff opening a case is kept: CASE_VIEW_RETENTION_DAYS, but never less than the
    database allows."""
    return max(current_app.config["CASE_VIEW_RETENTION_DAYS"], CASE_VIEW_RECORD_MIN_DAYS)


def purge_old_searches(now: datetime | None = None, dry_run: bool = False) -> int:
    """Delete the records of searches and downloads made over search_retention_days() ago (with dry_run, only count
    them); return how many. Their words may name a resident, and the period is long enough to look into a concern."""
    cutoff = (now or utcnow()) - timedelta(days=search_retention_days())
    return delete_or_count(CaseSearch, CaseSearch.searched_at < cutoff, dry_run)


def purge_old_views(now: datetime | None = None, dry_run: bool = False) -> int:
    """Delete the records of staff opening cases over view_retention_days() ago (with dry_run, only count them);
    return how many."""
    cutoff = (now or utcnow()) - timedelta(days=view_retention_days())
    return delete_or_count(CaseView, CaseView.viewed_at < cutoff, dry_run)
