"""Who may use each endpoint. Every route must be listed here; a test fails for any that is not."""

import time

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.models.enums import Role

PUBLIC = "public"
ALL_STAFF = frozenset(Role)
CASE_WORKERS = frozenset({Role.OFFICER, Role.MANAGER, Role.ADMIN})

ROUTE_ACCESS: dict[str, str | frozenset[Role]] = {
    "static": PUBLIC,
    "main.accessibility": PUBLIC,
    "main.privacy": PUBLIC,
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
    "performance.page": PUBLIC,
    "performance.data_json": PUBLIC,
    "performance.data_csv": PUBLIC,
    "performance.annual_reports": PUBLIC,
    "performance.annual_report": PUBLIC,
    "performance.annual_report_pdf": PUBLIC,
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
    "admin.user_password": frozenset({Role.ADMIN}),
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
    "admin.translation": frozenset({Role.ADMIN}),
}


def enforce_route_access():
    """Refuse a staff endpoint to anyone signed out, idle too long, or in a role the map does not list."""
    allowed = ROUTE_ACCESS.get(request.endpoint or "")
    if allowed is None:
        abort(404)
    if allowed == PUBLIC:
        return None
    from portal.extensions import login_manager

    if not current_user.is_authenticated:
        if "_user_id" in session:  # the account was disabled since signing in: end its session
            logout_user()
            session.clear()
        return login_manager.unauthorized()
    if _idle_too_long():
        logout_user()
        session.clear()
        flash(_("You were signed out because you had not done anything for a while. Sign in again."), "info")
        return redirect(url_for("auth.sign_in"))
    session["last_seen"] = int(time.time())
    if current_user.role not in allowed:
        abort(403)
    return None


def _idle_too_long() -> bool:
    last_seen = session.get("last_seen")
    limit = current_app.config["STAFF_IDLE_MINUTES"] * 60
    return last_seen is not None and time.time() - last_seen > limit


def may_use(endpoint: str) -> bool:
    """Tell whether the signed-in member of staff may use an endpoint (to show only the actions they can take)."""
    allowed = ROUTE_ACCESS.get(endpoint)
    if allowed == PUBLIC:
        return True
    return bool(allowed) and current_user.is_authenticated and current_user.role in allowed
