"""Staff accounts: creation, changes, disabling and password checks with argon2id."""

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, has_app_context, session
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from portal.extensions import db
from portal.models import ServiceArea, User
from portal.models.enums import ActorType, Role
from portal.search_text import in_name_order
from portal.services.events import record_event
from portal.services.security_log import security_event
from portal.services.staff_sessions import (
    DISABLED,
    ENDED_BY_ADMINISTRATOR,
    ENDED_BY_OWNER,
    PASSWORD_CHANGED,
    SESSION_KEY,
    check_session,
    end_every_session,
)

_hasher = PasswordHasher()
# Verifying against this when no account matches keeps the time the same, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("not a real password")
# Length is the only rule (no mix of character kinds): at least 8, and long passphrases are welcome.
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
# Passwords people choose most often (from breaches), which guessing tries first.
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])


class UserError(ValueError):
    """Raised when an account cannot be created or changed as asked."""


class UnknownRole(UserError):
    """Raised for a role that is not one of Role's values."""


class PasswordTooShort(UserError):
    """Raised for a password shorter than MIN_PASSWORD_LENGTH."""


class PasswordTooLong(UserError):
    """Raised for a password longer than MAX_PASSWORD_LENGTH."""


class PasswordTooGuessable(UserError):
    """Raised for a password that guessing would try early (PasswordTooCommon, PasswordTooPredictable)."""


class PasswordTooCommon(PasswordTooGuessable):
    """Raised for a password on the list of passwords people choose most often."""


class PasswordTooPredictable(PasswordTooGuessable):
    """Raised for a password that is little more than the portal's, the council's or the account's own words."""


class WrongPassword(UserError):
    pass


class EmailTaken(UserError):
    """Raised when another account already has this email address."""


class CannotLockOutSelf(UserError):
    """Raised when an administrator tries to disable their own account or give up their own admin role."""


def _check_role(role: str) -> None:
    if role not in {r.value for r in Role}:
        raise UnknownRole(f"unknown role {role!r}; choose one of: {', '.join(r.value for r in Role)}")


# Words someone guessing at this portal tries first (ASVS 6.2.11), besides the council's name and the account's own
# email and name.
CONTEXT_WORDS = frozenset({"complaint", "complaints", "compliment", "feedback", "portal", "council", "password"})


def _context_words(email: str, name: str) -> list[str]:
    council = current_app.config.get("COUNCIL_NAME", "") if has_app_context() else ""
    text = " ".join((council, email.partition("@")[0], name)).lower()
    words = {word for word in re.split(r"[^\w]+|\d+|_", text) if len(word) >= 4} | CONTEXT_WORDS
    return sorted(words, key=len, reverse=True)  # "complaints" before "complaint"


def check_password(password: str, email: str = "", name: str = "") -> None:
    """Refuse a password that is too short, too long, commonly used, or little more than this portal's and this
    account's own words ("Complaints2024!", "MetropolitanCouncil1"); no mix of kinds of character is required."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordTooLong(f"the password must be {MAX_PASSWORD_LENGTH} characters or fewer")
    if password.lower() in COMMON_PASSWORDS:
        raise PasswordTooCommon("the password is one of the most commonly used")
    rest = password.lower()
    for word in _context_words(email, name):
        rest = rest.replace(word, "")
    if len(rest) < MIN_PASSWORD_LENGTH:
        raise PasswordTooPredictable("the password is mostly words that go with this portal or this account")


def _service_areas(service_area_ids) -> list[ServiceArea]:
    ids = sorted({int(i) for i in service_area_ids})
    if not ids:
        return []
    return list(db.session.scalars(select(ServiceArea).where(ServiceArea.id.in_(ids)).order_by(ServiceArea.name)))


def _summary(user: User) -> dict:
    """What the audit trail keeps about an account: never its password or hash."""
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "active": user.active,
        "service_areas": [area.name for area in user.service_areas],
    }


def create_user(
    email: str,
    role: str,
    password: str,
    name: str = "",
    service_area_ids=(),
    actor: User | None = None,
) -> User:
    """Create a staff account with an argon2id password hash."""
    email = email.strip().lower()
    _check_role(role)
    check_password(password, email, name)
    if find_user_by_email(email) is not None:
        raise EmailTaken(f"an account for {email} already exists")
    user = User(email=email, role=role, name=name, password_hash=_hasher.hash(password), active=True)
    user.service_areas = _service_areas(service_area_ids) if role == Role.RESPONDER else []
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as error:  # another request took the address between the check and the insert
        db.session.rollback()
        raise EmailTaken(f"an account for {email} already exists") from error
    if actor is None:
        record_event(None, "user_created", ActorType.SYSTEM, user_id=user.id, role=role)
    else:
        record_event(None, "user_created", ActorType.STAFF, actor_id=actor.id, user_id=user.id, after=_summary(user))
    db.session.commit()
    return user


def list_users() -> list[User]:
    """Return every staff account, active ones first, by name, with their service areas loaded.

    Sorted in Python (portal/search_text.py::in_name_order), so the order is the same on either database.
    """
    users = in_name_order(db.session.scalars(select(User).options(selectinload(User.service_areas))))
    return sorted(users, key=lambda user: not user.active)  # a stable sort: each group stays in name order


def get_user(user_id: int) -> User | None:
    """Return a staff account by id, or None."""
    return db.session.get(User, user_id)


def update_user(user: User, actor: User, name: str, role: str, service_area_ids=()) -> bool:
    """Change an account's name, role and (for service responders) service areas; return whether anything changed."""
    _check_role(role)
    if user.id == actor.id and user.role == Role.ADMIN and role != Role.ADMIN:
        raise CannotLockOutSelf("you cannot remove your own administrator role")
    before = _summary(user)
    user.name = name
    user.role = role
    user.service_areas = _service_areas(service_area_ids) if role == Role.RESPONDER else []
    after = _summary(user)
    if before == after:
        db.session.rollback()
        return False
    record_event(None, "user_changed", ActorType.STAFF, actor_id=actor.id, user_id=user.id, before=before, after=after)
    db.session.commit()
    return True


def change_email(user: User, actor: User, email: str) -> bool:
    """Give an account a new sign-in address (a typo, a change of name); return whether it changed.

    The password, the authenticator app and the sessions stay as they are: the person is the same. The audit trail
    keeps the old and new address, as it keeps every change to an account.
    """
    email = email.strip().lower()
    if email == user.email:
        return False
    other = find_user_by_email(email)
    if other is not None and other.id != user.id:
        raise EmailTaken(f"an account for {email} already exists")
    before = _summary(user)
    user.email = email
    try:
        db.session.flush()
    except IntegrityError as error:  # another request took the address between the check and the change
        db.session.rollback()
        raise EmailTaken(f"an account for {email} already exists") from error
    record_event(
        None, "user_changed", ActorType.STAFF, actor_id=actor.id, user_id=user.id, before=before, after=_summary(user)
    )
    security_event("sign_in_email_changed", user_id=user.id, actor_id=actor.id)
    db.session.commit()
    return True


def set_user_active(user: User, actor: User, active: bool) -> None:
    """Disable an account (it can no longer sign in, and its sessions end) or enable it again."""
    if user.id == actor.id and not active:
        raise CannotLockOutSelf("you cannot disable your own account")
    if user.active == active:
        return
    user.active = active
    if not active:
        end_every_session(user, DISABLED)
    record_event(
        None,
        "user_enabled" if active else "user_disabled",
        ActorType.STAFF,
        actor_id=actor.id,
        user_id=user.id,
        before={"active": not active},
        after={"active": active},
    )
    db.session.commit()


def set_password(user: User, actor: User, password: str) -> None:
    """Give an account a new password; the audit trail says only that it changed."""
    check_password(password, user.email, user.name)
    user.password_hash = _hasher.hash(password)
    end_every_session(user, PASSWORD_CHANGED)
    record_event(None, "user_password_set", ActorType.STAFF, actor_id=actor.id, user_id=user.id)
    db.session.commit()


def change_own_password(user: User, current_password: str, new_password: str, keep_token: str | None) -> None:
    """A member of staff changes their own password, giving the current one first (ASVS 6.2.3).

    Every other session of theirs ends; the browser holding `keep_token` stays signed in. The audit trail and the
    security log say that it changed, never what to.
    """
    try:
        _hasher.verify(user.password_hash, current_password)
    except (VerificationError, InvalidHashError):
        security_event("password_change_refused", user_id=user.id, because="wrong_password")
        raise WrongPassword("the current password is not right") from None
    check_password(new_password, user.email, user.name)
    user.password_hash = _hasher.hash(new_password)
    end_every_session(user, PASSWORD_CHANGED, keep_token=keep_token)
    record_event(None, "user_password_changed", ActorType.STAFF, actor_id=user.id, user_id=user.id)
    security_event("password_changed", user_id=user.id)
    db.session.commit()


def sign_out_other_sessions(user: User, keep_token: str | None) -> int:
    """End every session of the user's but this browser's; return how many ended."""
    ended = end_every_session(user, ENDED_BY_OWNER, keep_token=keep_token)
    if ended:
        record_event(None, "user_signed_out_elsewhere", ActorType.STAFF, actor_id=user.id, user_id=user.id, count=ended)
    db.session.commit()
    return ended


def sign_out_everywhere(user: User, actor: User) -> int:
    """An administrator ends every session of an account (a lost laptop, say); return how many ended."""
    ended = end_every_session(user, ENDED_BY_ADMINISTRATOR)
    record_event(None, "user_signed_out_everywhere", ActorType.STAFF, actor_id=actor.id, user_id=user.id, count=ended)
    db.session.commit()
    return ended


def find_user_by_email(email: str) -> User | None:
    """Return the account with this email, ignoring case."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def password_matches(user: User, password: str) -> bool:
    """Tell whether this is the account's password (for checks, not sign-in: nothing is logged or rehashed)."""
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(email: str, password: str) -> User | None:
    """Return the active account these credentials belong to, or None."""
    user = find_user_by_email(email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        because = "wrong_password" if user else "unknown_account"
        security_event("sign_in_failed", user_id=user.id if user else None, because=because)
        return None
    if user is None or not user.active:
        security_event("sign_in_failed", user_id=user.id if user else None, because="account_disabled")
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        db.session.commit()
    return user


def load_user(user_id: str) -> User | None:
    """Return the signed-in account, if it is active and this browser's session on the server is still open.

    When the session has ended, `g.staff_session_ended` says why (idle, too long, signed out elsewhere...).
    """
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active:
        return None
    ended = check_session(user.id, session.get(SESSION_KEY))
    if ended:
        g.staff_session_ended = ended
        return None
    return user


def record_sign_in(user: User) -> None:
    """Record that a member of staff signed in."""
    record_event(None, "signed_in", ActorType.STAFF, actor_id=user.id)
    db.session.commit()


def record_sign_out(user: User) -> None:
    """Record that a member of staff signed out."""
    record_event(None, "signed_out", ActorType.STAFF, actor_id=user.id)
    db.session.commit()
