"""Who may use each endpoint. Every route must be listed here; a test fails for any that is not."""

from flask import abort, request
from flask_login import current_user

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
    "performance.data_json": PUBLIC,
    "performance.data_csv": PUBLIC,
    "staff.home": ALL_STAFF,
    "staff.cases_csv_view": ALL_STAFF,
    "staff.triage": frozenset({Role.OFFICER, Role.MANAGER, Role.ADMIN, Role.REVIEWER}),
    "staff.case": ALL_STAFF,
    "staff.triage_case": CASE_WORKERS,
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
    "staff.import_spreadsheet": frozenset({Role.MANAGER, Role.ADMIN}),
    "staff.dashboard": frozenset({Role.OFFICER, Role.MANAGER, Role.ADMIN, Role.REVIEWER}),
    "staff.due": ALL_STAFF,
    "staff.new_contact": CASE_WORKERS,
    "staff.download": frozenset({Role.OFFICER, Role.MANAGER, Role.ADMIN, Role.RESPONDER, Role.INVESTIGATOR}),
}


def enforce_route_access():
    """Refuse a staff endpoint to anyone signed out or in a role the map does not list."""
    allowed = ROUTE_ACCESS.get(request.endpoint or "")
    if allowed is None:
        abort(404)
    if allowed == PUBLIC:
        return None
    if not current_user.is_authenticated:
        from portal.extensions import login_manager

        return login_manager.unauthorized()
    if current_user.role not in allowed:
        abort(403)
    return None


def may_use(endpoint: str) -> bool:
    """Tell whether the signed-in member of staff may use an endpoint (to show only the actions they can take)."""
    allowed = ROUTE_ACCESS.get(endpoint)
    if allowed == PUBLIC:
        return True
    return bool(allowed) and current_user.is_authenticated and current_user.role in allowed
