"""Who may use each endpoint. Every route must be listed here; a test fails for any that is not."""

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from portal.models.enums import Role
from portal.services.security_log import security_event
from portal.services.staff_sessions import IDLE, TOO_LONG

PUBLIC = "public"
ALL_STAFF = frozenset(Role)
CASE_WORKERS = frozenset({Role.OFFICER, Role.MANAGER, Role.ADMIN})

ROUTE_ACCESS: dict[str, str | frozenset[Role]] = {
    "static": PUBLIC,
    "main.accessibility": PUBLIC,
    "main.privacy": PUBLIC,
    "main.cookies": PUBLIC,
    "main.healthz": PUBLIC,
    "public.start": PUBLIC,
    "public.begin": PUBLIC,
    "public.question": PUBLIC,
    "public.check_answers": PUBLIC,
    "public.confirmation": PUBLIC,
    "tracking.request_link": PUBLIC,
    "tracking.check_email": PUBLIC,
    "tracking.redeem": PUBLIC,
    "tracking.case": PUBLIC,
    "tracking.add_information_view": PUBLIC,
    "tracking.withdraw": PUBLIC,
    "tracking.escalate": PUBLIC,
    "auth.sign_in": PUBLIC,
    "auth.sign_out": PUBLIC,
    # Between password and code: these pages check for themselves that a password was just accepted.
    "auth.code": PUBLIC,
    "auth.set_up": PUBLIC,
    "performance.page": PUBLIC,
    "performance.data_json": PUBLIC,
    "performance.data_csv": PUBLIC,
    "performance.annual_reports": PUBLIC,
    "performance.annual_report": PUBLIC,
    "performance.annual_report_pdf": PUBLIC,
    "account.index": ALL_STAFF,
    "account.sign_out_others": ALL_STAFF,
    "account.password": ALL_STAFF,
    "staff.home": ALL_STAFF,
    "staff.keep_alive": ALL_STAFF,
    "staff.cases_csv_view": ALL_STAFF,
    "staff.triage": frozenset({Role.OFFICER, Role.MANAGER, Role.ADMIN, Role.REVIEWER}),
    "staff.case": ALL_STAFF,
    "staff.triage_case": CASE_WORKERS,
    "staff.queue_triage": CASE_WORKERS,
    "staff.queue_acknowledge": CASE_WORKERS,
    "staff.queue_allocate": CASE_WORKERS,
    "staff.acknowledge": CASE_WORKERS,
    "staff.allocate": CASE_WORKERS,
    "staff.add_note": frozenset({Role.OFFICER, Role.MANAGER, Role.ADMIN, Role.RESPONDER, Role.INVESTIGATOR}),
    "stages.respond": frozenset({Role.OFFICER, Role.MANAGER, Role.ADMIN, Role.RESPONDER, Role.INVESTIGATOR}),
    "stages.escalate": CASE_WORKERS,
    "stages.extend": frozenset({Role.OFFICER, Role.MANAGER, Role.ADMIN, Role.RESPONDER, Role.INVESTIGATOR}),
    "stages.close": CASE_WORKERS,
    "stages.reopen": CASE_WORKERS,
    "stages.complete": CASE_WORKERS,
    "stages.independent_people": CASE_WORKERS,
    "stages.panel": CASE_WORKERS,
    "stages.panel_report": CASE_WORKERS,
    "stages.ombudsman_enquiry": CASE_WORKERS,
    "stages.ombudsman_decision": CASE_WORKERS,
    "staff.import_spreadsheet": frozenset({Role.MANAGER, Role.ADMIN}),
    "staff.dashboard": frozenset({Role.OFFICER, Role.MANAGER, Role.ADMIN, Role.REVIEWER}),
    "staff.due": ALL_STAFF,
    "staff.new_contact": CASE_WORKERS,
    "staff.download": frozenset({Role.OFFICER, Role.MANAGER, Role.ADMIN, Role.RESPONDER, Role.INVESTIGATOR}),
    "reporting.index": frozenset({Role.MANAGER, Role.ADMIN}),
    "reporting.lgsco_years": frozenset({Role.MANAGER, Role.ADMIN}),
    "reporting.new_lgsco_year": frozenset({Role.MANAGER, Role.ADMIN}),
    "reporting.lgsco_year": frozenset({Role.MANAGER, Role.ADMIN}),
    "reporting.unpublish_lgsco_year": frozenset({Role.MANAGER, Role.ADMIN}),
    "reporting.learning": frozenset({Role.MANAGER, Role.ADMIN}),
    "reporting.review_learning": frozenset({Role.MANAGER, Role.ADMIN}),
    "reporting.unpublish_learning_action": frozenset({Role.MANAGER, Role.ADMIN}),
    "reporting.self_assessments": frozenset({Role.MANAGER, Role.ADMIN}),
    "reporting.new_self_assessment": frozenset({Role.MANAGER, Role.ADMIN}),
    "reporting.self_assessment": frozenset({Role.MANAGER, Role.ADMIN}),
    "reporting.unpublish_self_assessment": frozenset({Role.MANAGER, Role.ADMIN}),
    "admin.index": frozenset({Role.MANAGER, Role.ADMIN}),
    "admin.users": frozenset({Role.ADMIN}),
    "admin.new_user": frozenset({Role.ADMIN}),
    "admin.user": frozenset({Role.ADMIN}),
    "admin.disable_user": frozenset({Role.ADMIN}),
    "admin.enable_user": frozenset({Role.ADMIN}),
    "admin.reset_authenticator": frozenset({Role.ADMIN}),
    "admin.user_password": frozenset({Role.ADMIN}),
    "admin.user_email": frozenset({Role.ADMIN}),
    "admin.sign_out_user": frozenset({Role.ADMIN}),
    "admin.settings": frozenset({Role.ADMIN}),
    "admin.apply_preset": frozenset({Role.ADMIN}),
    "admin.timescale": frozenset({Role.ADMIN}),
    "admin.service_areas": frozenset({Role.MANAGER, Role.ADMIN}),
    "admin.new_directorate": frozenset({Role.MANAGER, Role.ADMIN}),
    "admin.directorate": frozenset({Role.MANAGER, Role.ADMIN}),
    "admin.new_service_area": frozenset({Role.MANAGER, Role.ADMIN}),
    "admin.service_area": frozenset({Role.MANAGER, Role.ADMIN}),
    "admin.retire_service_area": frozenset({Role.MANAGER, Role.ADMIN}),
    "admin.restore_service_area": frozenset({Role.MANAGER, Role.ADMIN}),
    "admin.themes": frozenset({Role.MANAGER, Role.ADMIN}),
    "admin.new_theme": frozenset({Role.MANAGER, Role.ADMIN}),
    "admin.theme": frozenset({Role.MANAGER, Role.ADMIN}),
    "admin.retire_theme": frozenset({Role.MANAGER, Role.ADMIN}),
    "admin.restore_theme": frozenset({Role.MANAGER, Role.ADMIN}),
    "admin.message_templates": frozenset({Role.MANAGER, Role.ADMIN}),
    "admin.message_template": frozenset({Role.MANAGER, Role.ADMIN}),
    "admin.restore_message_template": frozenset({Role.MANAGER, Role.ADMIN}),
    "admin.translations": frozenset({Role.ADMIN}),
    "admin.case_views_page": frozenset({Role.ADMIN}),
    "admin.personal_data": frozenset({Role.ADMIN}),
    "admin.export_personal_data": frozenset({Role.ADMIN}),
    "admin.erase_personal_data": frozenset({Role.ADMIN}),
    "admin.translation": frozenset({Role.ADMIN}),
}


def enforce_route_access():
    """Refuse a staff endpoint to anyone signed out, idle too long, or in a role the map does not list."""
    allowed = ROUTE_ACCESS.get(request.endpoint or "")
    if allowed is None:
        abort(404)
    if allowed == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return _signed_out()
    # Re-sign the cookie: Flask refuses one written longer ago than PERMANENT_SESSION_LIFETIME, and the server's
    # record, not the cookie, decides how long a session lasts.
    session.modified = True
    if current_user.role not in allowed:
        security_event("access_refused", user_id=current_user.id, role=current_user.role)
        abort(403)
    return None


# Why a session ended, in the words the sign-in page shows; other reasons just ask the visitor to sign in.
ENDED_MESSAGES = {
    IDLE: _l("You were signed out because you had not done anything for a while. Sign in again."),
    TOO_LONG: _l("You were signed out because you had been signed in for %(hours)d hours. Sign in again."),
}


def _signed_out():
    """Send a visitor who is not signed in (or whose session just ended) to sign in, saying why it ended."""
    from portal.extensions import login_manager

    ended = g.pop("staff_session_ended", None)
    if "_user_id" in session:  # the session ended, or the account was disabled, since signing in
        logout_user()
        session.clear()
    message = ENDED_MESSAGES.get(ended)
    if message is None:
        return login_manager.unauthorized()
    flash(str(message) % {"hours": current_app.config["STAFF_SESSION_HOURS"]}, "info")
    return redirect(url_for("auth.sign_in"))


def may_use(endpoint: str) -> bool:
    """Tell whether the signed-in member of staff may use an endpoint (to show only the actions they can take)."""
    allowed = ROUTE_ACCESS.get(endpoint)
    if allowed == PUBLIC:
        return True
    return bool(allowed) and current_user.is_authenticated and current_user.role in allowed
