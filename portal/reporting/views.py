"""Back-office pages for what the council publishes each year: the Ombudsman's annual figures, 'you said, we did'
learning from closed complaints, and the self-assessment against the Complaint Handling Code."""

from flask import Blueprint, abort, flash, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import enforce_route_access
from portal.htmx import redirect_to
from portal.reporting.forms import LearningReviewForm, LgscoFiguresForm, NewLgscoFiguresForm, NewYearForm
from portal.reporting.forms import self_assessment_form as build_self_assessment_form
from portal.services.learning import (
    DECLINED,
    PUBLISHED,
    UNPUBLISHED,
    NotReviewable,
    awaiting_closure_count,
    decline_learning,
    get_learning_action,
    publish_learning,
    review_queue,
    reviewed,
    unpublish_learning,
)
from portal.services.lgsco_annual import (
    CATEGORIES,
    MEASURES,
    LgscoInput,
    YearAlreadyEntered,
    form_values,
    get_year,
    list_years,
    save_year,
    set_published,
)
from portal.services.publishing import financial_year_label, parse_financial_year
from portal.services.self_assessment import (
    REQUIREMENTS,
    STATUSES,
    Incomplete,
    ItemInput,
    YearAlreadyStarted,
    get_assessment,
    list_assessments,
    requirement_summary,
    requirement_title,
    save_assessment,
    start_assessment,
    unpublish_assessment,
)

bp = Blueprint("reporting", __name__, url_prefix="/staff/reporting")
bp.before_request(enforce_route_access)


@bp.get("/")
def index():
    return render_template("reporting/index.html")


# The Ombudsman's annual figures


@bp.get("/ombudsman")
def lgsco_years():
    return render_template("reporting/lgsco_years.html", years=list_years(), year_label=financial_year_label)


def _lgsco_input(form) -> LgscoInput:
    return LgscoInput(
        categories={code: form[f"category_{code}"].data for code in CATEGORIES},
        detailed_investigations=form.detailed_investigations.data,
        **{name: form[name].data for measure in MEASURES for name in (measure, f"{measure}_average")},
    )


def _render_lgsco(form, figures=None, start_year=None):
    heading = (
        _("Ombudsman figures for %(year)s", year=financial_year_label(start_year))
        if start_year is not None
        else _("Add a year’s Ombudsman figures")
    )
    return render_template(
        "reporting/lgsco_form.html",
        form=form,
        figures=figures,
        heading=heading,
        measures=MEASURES,
        errors=form.error_list(),
    )


@bp.route("/ombudsman/new", methods=["GET", "POST"])
def new_lgsco_year():
    form = NewLgscoFiguresForm(data={f"category_{code}": 0 for code in CATEGORIES})
    if form.validate_on_submit():
        start_year = parse_financial_year(form.year.data)
        try:
            save_year(start_year, _lgsco_input(form), current_user, new=True, publish=form.publish.data)
        except YearAlreadyEntered:
            form.year.errors.append(
                _("Figures for %(year)s are already entered", year=financial_year_label(start_year))
            )
        else:
            flash(_published_message(form.publish.data, financial_year_label(start_year)), "success")
            return redirect_to(url_for("reporting.lgsco_year", start_year=start_year))
    return _render_lgsco(form)


def _published_message(published: bool, year: str) -> str:
    if published:
        return _("Ombudsman figures for %(year)s saved and published.", year=year)
    return _("Ombudsman figures for %(year)s saved. They are not published yet.", year=year)


@bp.route("/ombudsman/<int:start_year>", methods=["GET", "POST"])
def lgsco_year(start_year: int):
    figures = get_year(start_year)
    if figures is None:
        abort(404)
    form = LgscoFiguresForm(data=form_values(figures))
    if form.validate_on_submit():
        publish = bool(form.publish.data) or figures.published
        save_year(start_year, _lgsco_input(form), current_user, new=False, publish=publish)
        flash(_published_message(publish, financial_year_label(start_year)), "success")
        return redirect_to(url_for("reporting.lgsco_year", start_year=start_year))
    return _render_lgsco(form, figures, start_year)


@bp.post("/ombudsman/<int:start_year>/unpublish")
def unpublish_lgsco_year(start_year: int):
    figures = get_year(start_year)
    if figures is None:
        abort(404)
    set_published(figures, current_user, False)
    flash(
        _("Ombudsman figures for %(year)s are no longer published.", year=financial_year_label(start_year)), "success"
    )
    return redirect_to(url_for("reporting.lgsco_year", start_year=start_year))


# 'You said, we did'


@bp.get("/learning")
def learning():
    return render_template(
        "reporting/learning.html",
        queue=review_queue(),
        published=reviewed(PUBLISHED),
        set_aside=sorted(
            reviewed(DECLINED) + reviewed(UNPUBLISHED), key=lambda action: action.reviewed_at, reverse=True
        ),
        waiting=awaiting_closure_count(),
    )


@bp.route("/learning/<int:action_id>", methods=["GET", "POST"])
def review_learning(action_id: int):
    action = get_learning_action(action_id)
    if action is None:
        abort(404)
    form = LearningReviewForm(data={"public_text": action.public_text or action.what_will_change})
    reviewable = action.stage.case.status == "closed"
    if reviewable and form.validate_on_submit():
        try:
            if form.decision.data == "publish":
                publish_learning(action, current_user, form.public_text.data)
                flash(_("Published in ‘You said, we did’."), "success")
            else:
                decline_learning(action, current_user)
                flash(_("Learning declined: it will not be published."), "success")
        except NotReviewable:
            abort(409)
        return redirect_to(url_for("reporting.learning"))
    return render_template(
        "reporting/learning_review.html",
        action=action,
        form=form,
        reviewable=reviewable,
        errors=form.error_list(),
    )


@bp.post("/learning/<int:action_id>/unpublish")
def unpublish_learning_action(action_id: int):
    action = get_learning_action(action_id)
    if action is None:
        abort(404)
    try:
        unpublish_learning(action, current_user)
    except NotReviewable:
        abort(409)
    flash(_("Learning taken off ‘You said, we did’."), "success")
    return redirect_to(url_for("reporting.learning"))


# The self-assessment against the Complaint Handling Code


@bp.get("/self-assessment")
def self_assessments():
    return render_template(
        "reporting/self_assessments.html", assessments=list_assessments(), year_label=financial_year_label
    )


@bp.route("/self-assessment/new", methods=["GET", "POST"])
def new_self_assessment():
    form = NewYearForm()
    if form.validate_on_submit():
        start_year = parse_financial_year(form.year.data)
        try:
            start_assessment(start_year, current_user)
        except YearAlreadyStarted:
            form.year.errors.append(
                _("A self-assessment for %(year)s is already started", year=financial_year_label(start_year))
            )
        else:
            return redirect_to(url_for("reporting.self_assessment", start_year=start_year))
    return render_template(
        "reporting/new_year.html",
        form=form,
        errors=form.error_list(),
        heading=_("Start a self-assessment"),
        back=url_for("reporting.self_assessments"),
    )


def _item_errors(form, keys: list[str], missing: dict[str, list[str]]) -> None:
    messages = {
        "status": lambda title: _("Select whether ‘%(requirement)s’ is met", requirement=title),
        "evidence": lambda title: _("Enter the evidence for ‘%(requirement)s’", requirement=title),
        "action_planned": lambda title: _("Enter the action planned for ‘%(requirement)s’", requirement=title),
    }
    prefixes = {"status": "status", "evidence": "evidence", "action_planned": "action"}
    for key in keys:
        for part in missing.get(key, ()):
            field = form[f"{prefixes[part]}_{key}"]
            field.errors = [*field.errors, messages[part](str(REQUIREMENTS[key][0]))]


@bp.route("/self-assessment/<int:start_year>", methods=["GET", "POST"])
def self_assessment(start_year: int):
    assessment = get_assessment(start_year)
    if assessment is None:
        abort(404)
    keys = [item.requirement for item in assessment.items if item.requirement in REQUIREMENTS]
    values = {}
    for item in assessment.items:
        values[f"status_{item.requirement}"] = item.status
        values[f"evidence_{item.requirement}"] = item.evidence or ""
        values[f"action_{item.requirement}"] = item.action_planned or ""
    form = build_self_assessment_form(keys)(data=values)
    year = financial_year_label(start_year)
    if form.validate_on_submit():
        items = [
            ItemInput(key, status.data, evidence.data, action.data) for key, status, evidence, action in form.rows()
        ]
        publish = bool(form.publish.data)
        try:
            save_assessment(assessment, items, current_user, publish=publish)
        except Incomplete as problem:
            _item_errors(form, keys, problem.missing)
        else:
            if assessment.published:
                flash(_("Self-assessment for %(year)s saved and published.", year=year), "success")
            else:
                flash(_("Self-assessment for %(year)s saved. It is not published yet.", year=year), "success")
            return redirect_to(url_for("reporting.self_assessment", start_year=start_year))
    return render_template(
        "reporting/self_assessment.html",
        assessment=assessment,
        form=form,
        errors=form.error_list(),
        heading=_("Self-assessment for %(year)s", year=year),
        statuses=STATUSES,
        titles={item.requirement: requirement_title(item) for item in assessment.items},
        summaries={item.requirement: requirement_summary(item) for item in assessment.items},
    )


@bp.post("/self-assessment/<int:start_year>/unpublish")
def unpublish_self_assessment(start_year: int):
    assessment = get_assessment(start_year)
    if assessment is None:
        abort(404)
    unpublish_assessment(assessment, current_user)
    year = financial_year_label(start_year)
    flash(_("The self-assessment for %(year)s is no longer published.", year=year), "success")
    return redirect_to(url_for("reporting.self_assessment", start_year=start_year))
