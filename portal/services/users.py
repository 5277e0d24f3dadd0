"""Staff accounts: creation and password checks with argon2id."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import User
from portal.models.enums import ActorType, Role
from portal.services.events import record_event

_hasher = PasswordHasher()
# Verifying against this when no account matches keeps the time the same, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD_LENGTH = 12


class UserError(ValueError):
    """Raised when an account cannot be created as asked."""


def create_user(email: str, role: str, password: str, name: str = "") -> User:
    """Create a staff account with an argon2id password hash."""
    email = email.strip().lower()
    if role not in {r.value for r in Role}:
        raise UserError(f"unknown role {role!r}; choose one of: {', '.join(r.value for r in Role)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if find_user_by_email(email) is not None:
        raise UserError(f"an account for {email} already exists")
    user = User(email=email, role=role, name=name, password_hash=_hasher.hash(password))
    db.session.add(user)
    db.session.flush()
    record_event(None, "user_created", ActorType.SYSTEM, user_id=user.id, role=role)
    db.session.commit()
    return user


def find_user_by_email(email: str) -> User | None:
    """Return the account with this email, ignoring case."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """Return the active account these credentials belong to, or None."""
    user = find_user_by_email(email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        db.session.commit()
    return user


def load_user(user_id: str) -> User | None:
    """Return the account for a session's user id."""
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def record_sign_in(user: User) -> None:
    """Record that a member of staff signed in."""
    record_event(None, "signed_in", ActorType.STAFF, actor_id=user.id)
    db.session.commit()


def record_sign_out(user: User) -> None:
    """Record that a member of staff signed out."""
    record_event(None, "signed_out", ActorType.STAFF, actor_id=user.id)
    db.session.commit()
