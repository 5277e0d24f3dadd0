"""Staff sign-in and sign-out."""

import time

from flask import Blueprint, current_app, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal.auth.forms import SignInForm
from portal.extensions import limiter, not_a_post
from portal.services.users import authenticate, record_sign_in, record_sign_out

bp = Blueprint("auth", __name__, url_prefix="/staff")


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, exempt_when=not_a_post)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()
            login_user(user)
            record_sign_in(user)
            session["last_seen"] = int(time.time())
            return redirect(url_for("staff.home"), code=303)
        form.email.errors = [_("Enter a correct email address and password")]
    errors = form.error_list()
    return render_template("auth/sign_in.html", form=form, errors=errors)


@bp.post("/sign-out")
def sign_out():
    if current_user.is_authenticated:
        record_sign_out(current_user)
    logout_user()
    session.clear()
    return redirect(url_for("auth.sign_in"), code=303)
