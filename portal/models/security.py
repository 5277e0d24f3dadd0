"""What keeps staff accounts and case data accountable: signed-in sessions, who looked at which case, who searched."""

from datetime import datetime

from sqlalchemy import DDL, JSON, DateTime, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow


class StaffSession(Base):
    """One signed-in browser of a member of staff, kept on the server so that it can be ended from anywhere.

    The browser holds a random token; only its SHA-256 is stored, so a copy of the database signs nobody in.
    Signing out, a password change and disabling the account end sessions by setting `ended_at`.
    """

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_because: Mapped[str | None] = mapped_column(String(30))
    browser: Mapped[str | None] = mapped_column(String(200))  # the User-Agent it started with, cut to 200


class CaseView(Base):
    """A member of staff opened a page or file of a case: the audit of who looked, not only who changed.

    Append-only: database triggers refuse UPDATE, and DELETE of a record under CASE_VIEW_RECORD_MIN_DAYS old,
    whatever the application asks (made by migration 0018 or by create_all).
    """

    __tablename__ = "case_view"
    __table_args__ = (Index("ix_case_view_case_id_viewed_at", "case_id", "viewed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    viewed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # What was looked at: the page's endpoint, such as "staff.case" or "staff.download".
    page: Mapped[str] = mapped_column(String(60))


class CaseSearch(Base):
    """A member of staff searched the cases by text, or downloaded them as CSV: how an insider would look for
    someone they know. Append-only, like case_view (migration 0014 or create_all adds its triggers).

    A search is recorded on its first page (paging through its results is not recorded again; changing its
    filters is a new search), a download every time.
    """

    __tablename__ = "case_search"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    searched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "search" or "csv"
    search_text: Mapped[str | None] = mapped_column(String(200))  # what was typed in the search box, if anything
    filters: Mapped[dict] = mapped_column(JSON, default=dict)  # the other filters, as the list's query arguments
    results: Mapped[int] = mapped_column(Integer)


# A search record's words may name a resident, so `flask apply-retention` deletes it after SEARCH_RETENTION_DAYS.
# The database itself refuses to delete one younger than this, whoever asks.
SEARCH_RECORD_MIN_DAYS = 365
# A record of staff opening a case says what a member of staff did: `flask apply-retention` deletes it after
# CASE_VIEW_RETENTION_DAYS, and the database refuses to delete one younger than this, long enough to look into a
# concern that someone browsed cases they had no business in.
CASE_VIEW_RECORD_MIN_DAYS = 365


def drop_append_only_triggers(table: str) -> dict[str, list[str]]:
    """The statements that remove what append_only_triggers made, for each database, so they can be made again."""
    return {
        "sqlite": [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"],
        "postgresql": [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        ],
    }


def append_only_triggers(table: str, deletable_after: tuple[str, int] | None = None) -> dict[str, list[str]]:
    """The statements that make a table refuse UPDATE and DELETE (and TRUNCATE), for each database.

    With deletable_after, a (timestamp column, days) pair, a row whose timestamp (UTC) is more than that many days
    ago may be deleted, one row at a time; nothing can be changed, and nothing younger deleted.
    """
    sqlite_old_enough = ""
    postgres_old_enough = ""
    if deletable_after is not None:
        column, days = deletable_after
        sqlite_old_enough = f"WHEN old.{column} > datetime('now', '-{int(days)} days') "
        postgres_old_enough = (
            f"IF TG_OP = 'DELETE' THEN IF OLD.{column} < (now() AT TIME ZONE 'UTC') - interval '{int(days)} days' "
            "THEN RETURN OLD; END IF; END IF; "
        )
    return {
        "sqlite": [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} {sqlite_old_enough}"
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        ],
        "postgresql": [
            f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {postgres_old_enough}RAISE EXCEPTION '{table} is append-only'; END $$",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()",
        ],
    }


# The triggers migration 0011 first gave case_view, before its records had a keeping time.
APPEND_ONLY_TRIGGERS = append_only_triggers("case_view")

# Migration 0018 runs these for case_view.
VIEW_TRIGGERS = append_only_triggers("case_view", deletable_after=("viewed_at", CASE_VIEW_RECORD_MIN_DAYS))

# Migration 0017 runs these for case_search.
SEARCH_TRIGGERS = append_only_triggers("case_search", deletable_after=("searched_at", SEARCH_RECORD_MIN_DAYS))

for _table, _triggers in ((CaseView.__table__, VIEW_TRIGGERS), (CaseSearch.__table__, SEARCH_TRIGGERS)):
    for _dialect, _statements in _triggers.items():
        for _statement in _statements:
            event.listen(_table, "after_create", DDL(_statement).execute_if(dialect=_dialect))
