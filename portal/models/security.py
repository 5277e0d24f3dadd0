"""What keeps staff accounts and case data accountable: signed-in sessions, and who looked at which case."""

from datetime import datetime

from sqlalchemy import DDL, DateTime, ForeignKey, Index, String, event
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

    Append-only: database triggers refuse UPDATE and DELETE, whatever the application asks (created with the
    table, by migration 0011 or by create_all).
    """

    __tablename__ = "case_view"
    __table_args__ = (Index("ix_case_view_case_id_viewed_at", "case_id", "viewed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    viewed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # What was looked at: the page's endpoint, such as "staff.case" or "staff.download".
    page: Mapped[str] = mapped_column(String(60))


# The triggers that keep case_view append-only, for each database (migration 0011 runs these too).
APPEND_ONLY_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER case_view_no_update BEFORE UPDATE ON case_view "
        "BEGIN SELECT RAISE(ABORT, 'case_view is append-only'); END",
        "CREATE TRIGGER case_view_no_delete BEFORE DELETE ON case_view "
        "BEGIN SELECT RAISE(ABORT, 'case_view is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION case_view_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'case_view is append-only'; END $$",
        "CREATE TRIGGER case_view_append_only BEFORE UPDATE OR DELETE ON case_view "
        "FOR EACH ROW EXECUTE FUNCTION case_view_append_only()",
        "CREATE TRIGGER case_view_no_truncate BEFORE TRUNCATE ON case_view "
        "FOR EACH STATEMENT EXECUTE FUNCTION case_view_append_only()",
    ],
}

for _dialect, _statements in APPEND_ONLY_TRIGGERS.items():
    for _statement in _statements:
        event.listen(CaseView.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
