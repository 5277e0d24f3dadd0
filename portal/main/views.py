"""Pages every visitor may need: accessibility statement, privacy notice, cookies and a health check."""

from datetime import timedelta

from flask import Blueprint, current_app, jsonify, render_template
from flask_babel import format_timedelta

from portal.app_setup import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE
from portal.page_cache import cached_page
from portal.services.health import database_is_reachable, shared_store_status

bp = Blueprint("main", __name__)


@bp.get("/accessibility")
@cached_page(per_session=False)
def accessibility():
    return render_template("main/accessibility.html")


@bp.get("/privacy")
@cached_page(per_session=False)
def privacy():
    # Babel counts a year as 365 days, so this reads "6 years" in each language.
    retention = format_timedelta(timedelta(days=365 * current_app.config["RETENTION_YEARS"]), threshold=1)
    return render_template("main/privacy.html", retention=retention)


@bp.get("/cookies")
@cached_page(per_session=False)
def cookies():
    """List every cookie the portal sets, with names and lifetimes taken from the code that sets them."""
    config = current_app.config
    return render_template(
        "main/cookies.html",
        session_cookie=config["SESSION_COOKIE_NAME"],
        session_lifetime=format_timedelta(config["PERMANENT_SESSION_LIFETIME"], threshold=1),
        staff_idle=format_timedelta(timedelta(minutes=config["STAFF_IDLE_MINUTES"]), threshold=1),
        staff_most=format_timedelta(timedelta(hours=config["STAFF_SESSION_HOURS"]), threshold=1),
        language_cookie=LANGUAGE_COOKIE,
        language_lifetime=format_timedelta(timedelta(seconds=LANGUAGE_COOKIE_MAX_AGE), threshold=1),
    )


@bp.get("/healthz")
def healthz():
    """Say whether the portal can serve, and what was checked; never stored by a cache or proxy."""
    reachable = database_is_reachable()
    checks = {"database": "ok" if reachable else "unreachable"}
    shared_store = shared_store_status()
    if shared_store is not None:
        checks["redis"] = shared_store
    if not reachable:
        status = "database unreachable"
    elif shared_store == "unreachable":
        status = "degraded: redis unreachable"  # still serving (limits per process, no page cache): stay in
    else:
        status = "ok"
    response = jsonify(status=status, checks=checks)
    response.status_code = 200 if reachable else 503
    response.headers["Cache-Control"] = "no-store"
    return response
