"""Staff sign-in (a password, then a code from an authenticator app) and sign-out."""

import time

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal.auth.forms import CodeForm, SignInForm
from portal.extensions import limiter, not_a_post
from portal.models import User
from portal.services import mfa
from portal.services.security_log import security_event
from portal.services.staff_sessions import SESSION_KEY, end_session, start_session
from portal.services.users import authenticate, get_user, record_sign_in, record_sign_out

bp = Blueprint("auth", __name__, url_prefix="/staff")

# Between the password and the code: who passed the password, and when (the code must follow within minutes).
PENDING_USER, PENDING_SINCE, NEW_SECRET = "mfa_user", "mfa_since", "mfa_new_secret"
PENDING_SECONDS = 5 * 60


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _complete_sign_in(user: User):
    session.clear()
    login_user(user)
    session[SESSION_KEY] = start_session(user)
    record_sign_in(user)
    security_event("signed_in", user_id=user.id)
    return redirect(url_for("staff.home"), code=303)


def _pending_user() -> User | None:
    """The account whose password was just given, while the few minutes for its code last."""
    user_id, since = session.get(PENDING_USER), session.get(PENDING_SINCE, 0)
    if user_id is None or time.time() - since > PENDING_SECONDS:
        return None
    user = get_user(user_id)
    return user if user is not None and user.active else None


def _start_again():
    session.clear()
    flash(_("Sign in again: the code must be entered within 5 minutes of the password."), "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, exempt_when=not_a_post)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            if not current_app.config["MFA_REQUIRED"]:
                return _complete_sign_in(user)
            session.clear()
            session[PENDING_USER], session[PENDING_SINCE] = user.id, time.time()
            security_event("password_accepted", user_id=user.id)
            step = "auth.code" if user.totp_secret else "auth.set_up"
            return redirect(url_for(step), code=303)
        form.email.errors = [_("Enter a correct email address and password")]
    errors = form.error_list()
    return render_template("auth/sign_in.html", form=form, errors=errors)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, exempt_when=not_a_post)
def code():
    user = _pending_user()
    if user is None or not user.totp_secret:
        return _start_again()
    form = CodeForm()
    if form.validate_on_submit():
        if mfa.check_code(user, form.code.data):
            return _complete_sign_in(user)
        form.code.errors = [_("The code is not right, or was used already. Enter the code your app shows now")]
    return render_template("auth/code.html", form=form, errors=form.error_list())


@bp.route("/sign-in/set-up", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, exempt_when=not_a_post)
def set_up():
    user = _pending_user()
    if user is None or user.totp_secret:
        return _start_again()
    secret = session.setdefault(NEW_SECRET, mfa.new_secret())
    form = CodeForm()
    if form.validate_on_submit():
        if mfa.set_up(user, secret, form.code.data):
            response = _complete_sign_in(user)
            flash(_("Your authenticator app is set up. You will need a code from it each time you sign in."), "success")
            return response
        form.code.errors = [_("The code is not right. Enter the code your app shows now")]
    link = mfa.setup_link(user, secret)
    return render_template(
        "auth/set_up.html",
        form=form,
        errors=form.error_list(),
        qr_code=mfa.qr_code_svg(link, _("QR code to set up your authenticator app")),
        secret=mfa.grouped(secret),
    )


@bp.post("/sign-out")
def sign_out():
    if current_user.is_authenticated:
        record_sign_out(current_user)
    end_session(session.get(SESSION_KEY))
    logout_user()
    session.clear()
    return redirect(url_for("auth.sign_in"), code=303)
