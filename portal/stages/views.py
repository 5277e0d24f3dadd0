"""Staff steps through a case's stages: respond, escalate, extend, close, reopen, independent people, the
children's Stage 3 review panel and the Ombudsman's enquiries and decisions."""

from decimal import Decimal

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import enforce_route_access
from portal.htmx import redirect_to
from portal.models.enums import ActorType, Role
from portal.services.case_views import record_case_view
from portal.services.ombudsman import (
    DecisionInput,
    OmbudsmanRecordNotOnCase,
    get_ombudsman_record,
    record_decision,
    record_enquiry,
)
from portal.services.responses import (
    LearningInput,
    ProcessError,
    RemedyInput,
    assign_independent_people,
    close_case,
    complete_case,
    escalate_case,
    extend_deadline,
    record_panel,
    record_panel_report,
    reopen_case,
    respond_to_stage,
    response_draft,
    top_level_themes,
)
from portal.services.staff_cases import CaseNotVisible, get_staff_member, get_visible_case, staff_options
from portal.services.stage3 import council_response_days
from portal.services.triage import StaleCase
from portal.stages.forms import (
    CloseForm,
    ExtendForm,
    IndependentPeopleForm,
    OmbudsmanDecisionForm,
    OmbudsmanEnquiryForm,
    PanelForm,
    PanelReportForm,
    ReasonForm,
    RespondForm,
)

bp = Blueprint("stages", __name__, url_prefix="/staff/cases/<reference>")
bp.before_request(enforce_route_access)


def _case(reference: str):
    try:
        found = get_visible_case(current_user, reference)
    except CaseNotVisible:
        abort(404)
    if request.method == "GET":  # what was done is in the case's history; this records who looked
        record_case_view(current_user, found, request.endpoint)
    return found


def _step(reference: str, form, template: str, title: str, apply, prefill=None, **context):
    """Show a step's page; on a valid POST apply it, refusing a stale save without losing what was typed."""
    case = _case(reference)
    if not form.is_submitted():
        form.version.data = case.version_id
        if prefill is not None:
            prefill(case, form)
    if form.validate_on_submit():
        try:
            apply(case, form)
        except StaleCase:
            form.form_errors.append(
                _("Someone else changed this case while you were working on it. Nothing was saved.")
            )
        except ProcessError as error:
            form.form_errors.append(_("This cannot be done: %(why)s", why=str(error)))
        else:
            return redirect_to(url_for("staff.case", reference=case.reference))
    errors = [{"text": message, "href": "#main-content"} for message in form.form_errors] + form.error_list()
    return render_template(
        template, case=case, stage=case.current_stage, form=form, errors=errors, heading=title, **context
    )


@bp.route("/respond", methods=["GET", "POST"])
def respond(reference: str):
    form = RespondForm()
    themes = top_level_themes()
    form.themes.choices = [
        (str(theme.id), theme.name if theme is top else f"{top.name}: {theme.name}")
        for top in themes
        for theme in [top, *top.details]
        if theme.active  # a retired detail is not offered; stages that recorded it keep it
    ]

    def apply(case, form):
        remedies = [
            RemedyInput(kind=kind, amount_pence=int(form.amount.data * 100) if kind == "financial" else None)
            for kind in form.remedies.data
        ]
        learning = (
            [LearningInput(form.learning.data, form.learning_owner.data, form.learning_due.data)]
            if form.learning.data
            else []
        )
        respond_to_stage(
            case,
            current_user,
            form.version.data,
            form.outcome.data,
            form.response_text.data,
            [int(theme_id) for theme_id in form.themes.data],
            remedies,
            learning,
        )
        flash(_("Response sent."), "success")

    def prefill(case, form):
        form.response_text.data = response_draft(case, current_user)[1]

    return _step(reference, form, "stages/respond.html", _("Send the response"), apply, prefill=prefill, themes=themes)


@bp.route("/escalate", methods=["GET", "POST"])
def escalate(reference: str):
    def apply(case, form):
        escalate_case(case, form.reason.data, ActorType.STAFF, actor=current_user)
        flash(_("Escalated to the next stage."), "success")

    return _step(reference, ReasonForm(), "stages/reason.html", _("Escalate to the next stage"), apply)


@bp.route("/extend", methods=["GET", "POST"])
def extend(reference: str):
    def apply(case, form):
        extend_deadline(case, current_user, form.version.data, form.new_date.data, form.reason.data)
        flash(_("Deadline extended and the resident told."), "success")

    return _step(reference, ExtendForm(), "stages/extend.html", _("Extend the deadline"), apply)


@bp.route("/close", methods=["GET", "POST"])
def close(reference: str):
    def apply(case, form):
        close_case(case, current_user, form.version.data, form.reason.data, form.note.data)
        flash(_("Case closed."), "success")

    return _step(reference, CloseForm(), "stages/close.html", _("Close without a response"), apply)


@bp.route("/reopen", methods=["GET", "POST"])
def reopen(reference: str):
    def apply(case, form):
        reopen_case(case, current_user, form.version.data, form.reason.data)
        flash(_("Case reopened."), "success")

    return _step(reference, ReasonForm(), "stages/reason.html", _("Reopen the case"), apply)


@bp.route("/complete", methods=["GET", "POST"])
def complete(reference: str):
    def apply(case, form):
        complete_case(case, current_user, form.version.data)
        flash(_("Case closed."), "success")

    return _step(reference, ReasonForm(), "stages/reason.html", _("Close after the response"), apply)


@bp.route("/independent-people", methods=["GET", "POST"])
def independent_people(reference: str):
    form = IndependentPeopleForm()
    people = [("", _("Choose someone"))] + staff_options(Role.INVESTIGATOR)
    form.investigator.choices = form.independent_person.choices = people

    def apply(case, form):
        investigator = get_staff_member(form.investigator.data)
        independent = get_staff_member(form.independent_person.data)
        if investigator is None or independent is None:
            raise ProcessError(_("choose both people"))
        assign_independent_people(case, current_user, form.version.data, investigator, independent)
        flash(_("Independent people assigned."), "success")

    return _step(reference, form, "stages/independent_people.html", _("Independent investigation"), apply)


def _review_panel_case(reference: str):
    found = _case(reference)
    if found.current_stage is None or not found.current_stage.is_review_panel:
        abort(404)
    return found


@bp.route("/panel", methods=["GET", "POST"])
def panel(reference: str):
    stage = _review_panel_case(reference).current_stage
    members = [stage.panel_chair, *stage.panel_other_members] if stage.panel_members else []
    names = dict(zip(("chair", "first_member", "second_member"), members, strict=False))
    form = PanelForm(data={"panel_date": stage.panel_date, **names})

    def apply(case, form):
        record_panel(
            case,
            current_user,
            form.version.data,
            form.panel_date.data,
            form.chair.data,
            [form.first_member.data, form.second_member.data],
        )
        flash(_("Panel meeting saved."), "success")

    return _step(reference, form, "stages/panel.html", _("Review panel meeting"), apply)


@bp.route("/panel-report", methods=["GET", "POST"])
def panel_report(reference: str):
    stage = _review_panel_case(reference).current_stage
    form = PanelReportForm(
        data={"received_on": stage.panel_report_received_on, "recommendations": stage.panel_recommendations}
    )

    def apply(case, form):
        record_panel_report(case, current_user, form.version.data, form.received_on.data, form.recommendations.data)
        flash(_("The panel’s report and recommendations saved."), "success")

    return _step(
        reference,
        form,
        "stages/panel_report.html",
        _("The review panel’s report"),
        apply,
        stage3_response_days=council_response_days(),
    )


@bp.route("/ombudsman", methods=["GET", "POST"])
def ombudsman_enquiry(reference: str):
    def apply(case, form):
        record_enquiry(case, current_user, form.version.data, form.received_on.data, form.lgsco_reference.data)
        flash(_("Ombudsman enquiry saved."), "success")

    return _step(reference, OmbudsmanEnquiryForm(), "stages/ombudsman_enquiry.html", _("Ombudsman enquiry"), apply)


def _pounds(pence: int | None) -> Decimal | None:
    return None if pence is None else Decimal(pence) / 100


@bp.route("/ombudsman/<int:record_id>", methods=["GET", "POST"])
def ombudsman_decision(reference: str, record_id: int):
    try:
        record = get_ombudsman_record(_case(reference), record_id)
    except OmbudsmanRecordNotOnCase:
        abort(404)
    complied = {True: "yes", False: "no", None: "not_yet"}[record.complied]
    form = OmbudsmanDecisionForm(
        data={
            "decision": record.decision,
            "decided_on": record.decided_on,
            "remedies": record.remedy_kinds,
            "amount": _pounds(record.amount_pence),
            "remedy": record.remedy,
            "complied": complied,
            "complied_on": record.complied_on,
            "note": record.note,
        }
    )

    def apply(case, form):
        kinds = list(form.remedies.data or [])
        amount = form.amount.data if "financial" in kinds else None
        decision = DecisionInput(
            decision=form.decision.data,
            decided_on=form.decided_on.data,
            remedy_kinds=kinds,
            amount_pence=int((amount * 100).to_integral_value()) if amount is not None else None,
            remedy=form.remedy.data,
            note=form.note.data,
            complied={"yes": True, "no": False}.get(form.complied.data),
            complied_on=form.complied_on.data,
        )
        record_decision(case, record, current_user, form.version.data, decision)
        flash(_("Ombudsman decision saved."), "success")

    return _step(
        reference,
        form,
        "stages/ombudsman_decision.html",
        _("The Ombudsman’s decision"),
        apply,
        record=record,
    )
