"""The administration page showing who looked at which case, and who searched for what: the record an insider's
browsing leaves."""

from flask import render_template, request
from flask_babel import lazy_gettext as _l

from portal.admin.views import bp
from portal.services.case_views import LATEST, case_searches, case_views
from portal.services.staff_cases import staff_directory

PAGE_NAMES = {"staff.case": _l("The case"), "staff.download": _l("A file sent with it")}


def page_name(endpoint: str) -> str:
    """Say in words what a member of staff opened: the case, a file, or one of its stage pages."""
    if endpoint in PAGE_NAMES:
        return str(PAGE_NAMES[endpoint])
    return str(_l("A stage page (%(page)s)", page=endpoint.removeprefix("stages.").replace("_", " ")))


@bp.get("/case-views")
def case_views_page():
    reference = request.args.get("reference", "").strip()[:40]
    user_id = request.args.get("user", type=int)
    staff = staff_directory()
    return render_template(
        "admin/case_views.html",
        views=case_views(reference or None, user_id),
        searches=case_searches(user_id),
        staff_by_id=staff,
        reference=reference,
        user_id=user_id,
        staff=staff.values(),
        latest=LATEST,
        page_name=page_name,
        filters_in_words=filters_in_words,
    )


def filters_in_words(filters: dict) -> str:
    """The list's other filters as they were in its address, such as "status=open, overdue=1"; "none" when none."""
    return ", ".join(f"{name}={value}" for name, value in sorted(filters.items())) or str(_l("none"))
