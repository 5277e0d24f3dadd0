"""Staff accounts: creation, changes, disabling and password checks with argon2id."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import ServiceArea, User
from portal.models.enums import ActorType, Role
from portal.services.events import record_event

_hasher = PasswordHasher()
# Verifying against this when no account matches keeps the time the same, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("not a real password")
# Length is the only rule (no mix of character kinds): at least 8, and long passphrases are welcome.
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256


class UserError(ValueError):
    """Raised when an account cannot be created or changed as asked."""


class UnknownRole(UserError):
    """Raised for a role that is not one of Role's values."""


class PasswordTooShort(UserError):
    """Raised for a password shorter than MIN_PASSWORD_LENGTH."""


class PasswordTooLong(UserError):
    """Raised for a password longer than MAX_PASSWORD_LENGTH."""


class EmailTaken(UserError):
    """Raised when another account already has this email address."""


class CannotLockOutSelf(UserError):
    """Raised when an administrator tries to disable their own account or give up their own admin role."""


def _check_role(role: str) -> None:
    if role not in {r.value for r in Role}:
        raise UnknownRole(f"unknown role {role!r}; choose one of: {', '.join(r.value for r in Role)}")


def check_password(password: str) -> None:
    """Refuse a password that is too short or too long; nothing else about it is required."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordTooLong(f"the password must be {MAX_PASSWORD_LENGTH} characters or fewer")


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
    check_password(password)
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
    """Return every staff account, active ones first, by name, with their service areas loaded."""
    return list(
        db.session.scalars(
            select(User)
            .options(selectinload(User.service_areas))
            .order_by(User.active.desc(), func.lower(User.name), User.email)
        )
    )


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


def set_user_active(user: User, actor: User, active: bool) -> None:
    """Disable an account (it can no longer sign in, and its sessions end) or enable it again."""
    if user.id == actor.id and not active:
        raise CannotLockOutSelf("you cannot disable your own account")
    if user.active == active:
        return
    user.active = active
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
    check_password(password)
    user.password_hash = _hasher.hash(password)
    record_event(None, "user_password_set", ActorType.STAFF, actor_id=actor.id, user_id=user.id)
    db.session.commit()


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
    """Return the active account for a session's user id; a disabled account's sessions stop working."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def record_sign_in(user: User) -> None:
    """Record that a member of staff signed in."""
    record_event(None, "signed_in", ActorType.STAFF, actor_id=user.id)
    db.session.commit()


def record_sign_out(user: User) -> None:
    """Record that a member of staff signed out."""
    record_event(None, "signed_out", ActorType.STAFF, actor_id=user.id)
    db.session.commit()
