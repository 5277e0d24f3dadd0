"""A member of staff's own account: their password, and the browsers they are signed in on."""

from flask import Blueprint, current_app, flash, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from ua_parser import parse as parse_user_agent

from portal.access import enforce_route_access
from portal.auth.forms import ChangePasswordForm, guessable_password_message
from portal.extensions import limiter, not_a_post
from portal.htmx import redirect_to
from portal.services.staff_sessions import SESSION_KEY, is_this_browser, open_sessions
from portal.services.users import (
    PasswordTooGuessable,
    PasswordTooLong,
    PasswordTooShort,
    WrongPassword,
    change_own_password,
    sign_out_other_sessions,
)

bp = Blueprint("account", __name__, url_prefix="/staff/account")
bp.before_request(enforce_route_access)


def _limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def describe_browser(user_agent: str | None) -> str:
    """Say "Firefox on Windows", from the User-Agent a session started with; a plain phrase when it says nothing."""
    parsed = parse_user_agent(user_agent or "")
    browser = parsed.user_agent.family if parsed.user_agent else None
    system = parsed.os.family if parsed.os else None
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("An unknown browser")


@bp.get("/")
def index():
    token = session.get(SESSION_KEY)
    sessions = [
        {"row": row, "browser": describe_browser(row.browser), "this": is_this_browser(row, token)}
        for row in open_sessions(current_user)
    ]
    return render_template(
        "auth/account.html", sessions=sessions, others=sum(1 for item in sessions if not item["this"])
    )


@bp.post("/sign-out-others")
def sign_out_others():
    ended = sign_out_other_sessions(current_user, session.get(SESSION_KEY))
    if ended:
        message = ngettext(
            "You were signed out of %(num)d other browser.", "You were signed out of %(num)d other browsers.", ended
        )
        flash(message, "success")
    else:
        flash(_("You were not signed in anywhere else."), "info")
    return redirect_to(url_for("account.index"))


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(_limit, exempt_when=not_a_post)
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_own_password(
                current_user, form.current_password.data, form.new_password.data, session.get(SESSION_KEY)
            )
        except WrongPassword:
            form.current_password.errors.append(_("Your current password is not right"))
        except (PasswordTooShort, PasswordTooLong):
            form.new_password.errors.append(_("Enter a password of the right length"))
        except PasswordTooGuessable as refused:
            form.new_password.errors.append(guessable_password_message(refused))
        else:
            flash(_("Your password is changed. You were signed out everywhere else."), "success")
            return redirect_to(url_for("account.index"))
    return render_template("auth/change_password.html", form=form, errors=form.error_list())
