"""The second step of staff sign-in: a six-digit code from an authenticator app (TOTP, RFC 6238), usable once.

A code is accepted for the 30-second step it belongs to and one step either side (a phone's clock drifts), and
only for a step later than the last one accepted, so a code seen over a shoulder or replayed is refused.
"""

import hmac
import time

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import undefer
from sqlalchemy.orm.attributes import flag_modified

from portal.extensions import db
from portal.models import User
from portal.models.enums import ActorType
from portal.services.events import record_event
from portal.services.security_log import security_event
from portal.services.staff_sessions import end_every_session

STEP_SECONDS = 30
CODE_DIGITS = 6


def new_secret() -> str:
    """A fresh random secret (160 bits, base32) for an authenticator app."""
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def setup_link(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    issuer = f"{current_app.config['COUNCIL_NAME']} complaints"
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_code_svg(link: str, title: str) -> Markup:
    """The set-up link as an inline SVG QR code (no script, no image request)."""
    svg = segno.make(link, error="m").svg_inline(scale=5, title=title, dark="#0b0c0c", light="#ffffff")
    return Markup(svg)  # noqa: S704 - segno writes the SVG and escapes the title; nothing here is user input


def _accepted_step(secret: str, code: str, last_step: int | None, now: float) -> int | None:
    code = "".join(code.split())
    # ASCII only: isdigit() also takes ² and ١, which compare_digest refuses to compare (a TypeError, not a no).
    if len(code) != CODE_DIGITS or not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def check_code(user: User, code: str) -> bool:
    """Accept a code from the member of staff's app once; record the step so the same code cannot sign in again."""
    step = _accepted_step(user.totp_secret or "", code, user.totp_last_step, time.time()) if user.totp_secret else None
    if step is None:
        security_event("mfa_failed", user_id=user.id)
        return False
    user.totp_last_step = step
    db.session.commit()
    return True


def set_up(user: User, secret: str, code: str) -> bool:
    """Keep a new secret for this account once the app shows it can make codes from it."""
    step = _accepted_step(secret, code, None, time.time())
    if step is None:
        security_event("mfa_set_up_failed", user_id=user.id)
        return False
    user.totp_secret, user.totp_last_step = secret, step
    record_event(None, "mfa_set_up", ActorType.STAFF, actor_id=user.id, user_id=user.id)
    db.session.commit()
    return True


def reset(user: User, actor: User) -> None:
    """Forget an account's app (a lost phone): it sets up a new one at its next sign-in, and its sessions end."""
    user.totp_secret, user.totp_last_step = None, None
    end_every_session(user, "mfa_reset")
    record_event(None, "mfa_reset", ActorType.STAFF, actor_id=actor.id, user_id=user.id)
    db.session.commit()


def reencrypt_secrets() -> int:
    """Encrypt every authenticator secret again under the first of MFA_ENCRYPTION_KEYS (after a new key is put
    first); return how many there were. A secret no configured key opens stops it, with nothing changed."""
    query = select(User).options(undefer(User.totp_secret)).where(User.totp_secret.is_not(None))
    users = list(db.session.scalars(query))
    for user in users:
        flag_modified(user, "totp_secret")  # the same secret, written again: encrypted under the first key
    db.session.commit()
    return len(users)
