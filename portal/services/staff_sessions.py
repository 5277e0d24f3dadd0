"""Signed-in staff sessions, kept on the server: started at sign-in, checked on every staff page, ended from anywhere.

The browser's cookie holds only a random token. A session ends when its member of staff signs out, changes or is
given a new password, or is disabled; after STAFF_IDLE_MINUTES without a page; and STAFF_SESSION_HOURS after
signing in, however busy. An ended session cannot be brought back, so a copied cookie is worthless afterwards.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, request
from sqlalchemy import and_, or_, select, update

from portal.extensions import db
from portal.models import StaffSession, User
from portal.models.base import utcnow
from portal.services.purge import delete_or_count
from portal.services.security_log import security_event

# How often, at most, a busy session's last-seen time is written (one write a minute, not one a page).
TOUCH_EVERY = timedelta(seconds=60)
# Where the browser's cookie session keeps the token.
SESSION_KEY = "staff_session"
IDLE = "idle"
TOO_LONG = "absolute_timeout"
SIGNED_OUT = "signed_out"
PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a reason, not a password
DISABLED = "account_disabled"
ENDED_BY_OWNER = "ended_by_owner"  # "sign out of your other sessions"
ENDED_BY_ADMINISTRATOR = "ended_by_administrator"
BROWSER_LENGTH = 200


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> str:
    """Start a session for a member of staff who has just signed in; return the token for their cookie."""
    token = secrets.token_urlsafe(32)
    browser = request.user_agent.string[:BROWSER_LENGTH] or None
    db.session.add(StaffSession(user_id=user.id, token_hash=_hash(token), browser=browser))
    db.session.commit()
    return token


def _find(token: str | None) -> StaffSession | None:
    if not token:
        return None
    return db.session.scalar(select(StaffSession).where(StaffSession.token_hash == _hash(token)))


def _end(row: StaffSession, because: str) -> None:
    row.ended_at = utcnow()
    row.ended_because = because
    security_event("session_ended", user_id=row.user_id, because=because)


def check_session(user_id: int, token: str | None) -> str | None:
    """Tell why this browser's session is not valid for this account (None: it is), ending it if it just expired."""
    row = _find(token)
    if row is None or row.user_id != user_id:
        return "unknown"
    if row.ended_at is not None:
        return row.ended_because or "ended"
    now = utcnow()
    config = current_app.config
    if now - row.created_at > timedelta(hours=config["STAFF_SESSION_HOURS"]):
        _end(row, TOO_LONG)
    elif now - row.last_seen_at > timedelta(minutes=config["STAFF_IDLE_MINUTES"]):
        _end(row, IDLE)
    elif now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    else:
        return None
    db.session.commit()
    return row.ended_because


def end_session(token: str | None, because: str = SIGNED_OUT) -> None:
    """End this browser's session (signing out)."""
    row = _find(token)
    if row is not None and row.ended_at is None:
        _end(row, because)
        db.session.commit()


def end_every_session(user: User, because: str, keep_token: str | None = None) -> int:
    """End every session of an account, in every browser but the one holding `keep_token` if given.

    No commit: the caller's change commits with it.
    """
    query = update(StaffSession).where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
    if keep_token:
        query = query.where(StaffSession.token_hash != _hash(keep_token))
    result = db.session.execute(query.values(ended_at=utcnow(), ended_because=because))
    if result.rowcount:
        security_event("sessions_ended", user_id=user.id, because=because, count=result.rowcount)
    return result.rowcount


def open_sessions(user: User) -> list[StaffSession]:
    """The account's sessions still open (not ended, nor past the idle or absolute limit), the latest used first."""
    config = current_app.config
    now = utcnow()
    return list(
        db.session.scalars(
            select(StaffSession)
            .where(
                StaffSession.user_id == user.id,
                StaffSession.ended_at.is_(None),
                StaffSession.created_at > now - timedelta(hours=config["STAFF_SESSION_HOURS"]),
                StaffSession.last_seen_at > now - timedelta(minutes=config["STAFF_IDLE_MINUTES"]),
            )
            .order_by(StaffSession.last_seen_at.desc(), StaffSession.id.desc())
        )
    )


def is_this_browser(row: StaffSession, token: str | None) -> bool:
    return bool(token) and row.token_hash == _hash(token)


def purge_old_sessions(now=None, dry_run: bool = False) -> int:
    """Delete the records of sessions last used, and ended if they were, over STAFF_SESSION_RETENTION_DAYS days ago
    (with dry_run, only count them); return how many. Such a session is long over: the idle limit ended it."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["STAFF_SESSION_RETENTION_DAYS"])
    past = and_(
        StaffSession.last_seen_at < cutoff, or_(StaffSession.ended_at.is_(None), StaffSession.ended_at < cutoff)
    )
    return delete_or_count(StaffSession, past, dry_run)
