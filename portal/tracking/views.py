"""Residents following their case: ask for a link, open it, add information, withdraw."""

from datetime import date, datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from portal.extensions import limiter, not_a_post
from portal.htmx import checking_one_field, keep_only_triggering_field_errors, redirect_to, render_page
from portal.models.base import utcnow
from portal.models.enums import ActorType
from portal.page_cache import cached_page
from portal.services.cases import get_case
from portal.services.responses import ProcessError, escalate_case, next_stage_number
from portal.services.stage3 import council_response_days
from portal.services.tracking import (
    CaseAlreadyClosed,
    add_information,
    messages_for_resident,
    redeem_tracking_token,
    request_tracking_link,
    withdraw_case,
)
from portal.services.uploads import UploadRejected, discard_upload, store_upload
from portal.tracking.forms import AddInformationForm, EscalateForm, TrackRequestForm, WithdrawForm
from portal.upload_messages import upload_error_message

bp = Blueprint("tracking", __name__, url_prefix="/track")


def _track_limit() -> str:
    return current_app.config["TRACK_RATE_LIMIT"]


def _link_limit() -> str:
    return current_app.config["TRACK_LINK_RATE_LIMIT"]


@bp.route("", methods=["GET", "POST"])
@limiter.limit(_track_limit, exempt_when=not_a_post)
@cached_page(per_session=True)
def request_link():
    form = TrackRequestForm()
    if form.validate_on_submit() and not checking_one_field():
        request_tracking_link(form.reference.data, form.email.data)
        return redirect_to(url_for("tracking.check_email"))
    if checking_one_field():
        keep_only_triggering_field_errors(form)
    errors = form.error_list()
    return render_page(
        "tracking/request_link.html",
        "tracking/_request_link_form.html",
        form=form,
        errors=errors,
        page_title=(_("Error: ") if errors else "") + _("Check the progress of your complaint or feedback"),
    )


@bp.get("/check-your-email")
@cached_page(per_session=False)
def check_email():
    return render_template("tracking/check_email.html")


@bp.get("/link/<token>")
@limiter.limit(_link_limit)
def redeem(token: str):
    case = redeem_tracking_token(token)
    if case is None:
        return render_template("tracking/link_expired.html"), 410
    session["tracking"] = {
        "case_id": case.id,
        "until": (utcnow() + current_app.config["TRACKING_SESSION_LIFETIME"]).isoformat(),
    }
    # The case page opens in the language the resident asked us to use; the switch on it still works after.
    return redirect(url_for("tracking.case", lang=case.language))


def _tracked_case():
    """Return the case this browser was let in to by a tracking link, while that lasts."""
    tracking = session.get("tracking")
    if not tracking or datetime.fromisoformat(tracking["until"]) < utcnow():
        session.pop("tracking", None)
        return None
    return get_case(tracking["case_id"])


@bp.get("/case")
def case():
    tracked = _tracked_case()
    if tracked is None:
        return redirect(url_for("tracking.request_link"))
    return _render_case(tracked, AddInformationForm(formdata=None))


def _render_case(tracked, form, escalate_form=None):
    errors = form.error_list() + (escalate_form.error_list() if escalate_form else [])
    stage = tracked.current_stage
    return render_page(
        "tracking/case.html",
        "tracking/_add_information.html",
        case=tracked,
        next_stage=next_stage_number(tracked) if tracked.status in ("responded", "closed") else None,
        escalate_form=escalate_form or EscalateForm(prefix="escalate", formdata=None),
        stage=stage,
        today=date.today(),
        stage3_response_days=council_response_days() if stage is not None and stage.is_review_panel else None,
        messages=messages_for_resident(tracked),
        form=form,
        errors=errors,
        page_title=(_("Error: ") if errors else "") + _("Your case %(reference)s", reference=tracked.reference),
    )


@bp.post("/case/add-information")
@limiter.limit(_track_limit)
def add_information_view():
    tracked = _tracked_case()
    if tracked is None:
        return redirect_to(url_for("tracking.request_link"))
    form = AddInformationForm()
    if not form.validate_on_submit():
        return _render_case(tracked, form)
    uploads = [f for f in request.files.getlist(form.files.name) if f and f.filename]
    if len(uploads) > current_app.config["MAX_FILES"]:
        form.files.errors = [_("You can upload up to 5 files")]
        return _render_case(tracked, form)
    stored = []
    for upload in uploads:
        try:
            stored.append(store_upload(upload.stream, upload.filename))
        except UploadRejected as rejected:
            form.files.errors = [*form.files.errors, upload_error_message(rejected.code, rejected.filename)]
    if form.files.errors:
        for kept in stored:
            discard_upload(kept.stored_name)
        return _render_case(tracked, form)
    try:
        add_information(tracked, form.information.data, stored)
    except CaseAlreadyClosed:
        for kept in stored:
            discard_upload(kept.stored_name)
        form.information.errors = [_("This case is closed, so you cannot add information to it")]
        return _render_case(tracked, form)
    flash(_("Thank you. We have added your information to your case."), "success")
    return redirect_to(url_for("tracking.case"))


@bp.route("/case/withdraw", methods=["GET", "POST"])
def withdraw():
    tracked = _tracked_case()
    if tracked is None:
        return redirect(url_for("tracking.request_link"))
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            withdraw_case(tracked, form.reason.data)
            flash(
                _(
                    "You have withdrawn %(reference)s. We have sent you an email to confirm.",
                    reference=tracked.reference,
                ),
                "success",
            )
        except CaseAlreadyClosed:
            flash(_("This case was already closed."), "info")
        return redirect_to(url_for("tracking.case"))
    errors = form.error_list()
    return render_page(
        "tracking/withdraw.html",
        "tracking/_withdraw_form.html",
        case=tracked,
        form=form,
        errors=errors,
        page_title=(_("Error: ") if errors else "") + _("Withdraw %(reference)s", reference=tracked.reference),
    )


@bp.post("/case/escalate")
@limiter.limit(_track_limit)
def escalate():
    tracked = _tracked_case()
    if tracked is None:
        return redirect_to(url_for("tracking.request_link"))
    form = EscalateForm(prefix="escalate")
    if not form.validate_on_submit():
        return _render_case(tracked, AddInformationForm(formdata=None), escalate_form=form)
    try:
        stage = escalate_case(tracked, form.reason.data, ActorType.RESIDENT)
    except ProcessError:
        flash(_("This complaint cannot go to another stage with us."), "info")
    else:
        flash(_("Your complaint is now at Stage %(number)d. We have emailed you.", number=stage.number), "success")
    return redirect_to(url_for("tracking.case"))
