"""The resident's pages: start, the questions, check your answers, confirmation and tracking."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from portal.extensions import limiter, not_a_post
from portal.htmx import checking_one_field, keep_only_triggering_field_errors, redirect_to, render_page
from portal.languages import language_choices
from portal.page_cache import cached_page, note_draft_changed
from portal.public import forms
from portal.public.journey import STEPS_BY_SLUG, answers_from, first_incomplete, form_data, next_step
from portal.services.cases import find_case_by_reference
from portal.services.drafts import (
    TooManyFiles,
    add_draft_file,
    find_draft,
    forget_answers,
    remove_draft_file,
    save_answers,
    start_draft,
)
from portal.services.organisation import get_service_area, list_directorates
from portal.services.submissions import submit_draft
from portal.services.timescales import first_response_days
from portal.services.uploads import UploadRejected
from portal.upload_messages import upload_error_message

bp = Blueprint("public", __name__)


def _submit_limit() -> str:
    return current_app.config["SUBMIT_RATE_LIMIT"]


def _answer_limit() -> str:
    return current_app.config["ANSWER_RATE_LIMIT"]


@bp.get("/")
@cached_page(per_session=False)
def start():
    return render_template(
        "public/start.html",
        acknowledge_days=current_app.config["ACKNOWLEDGE_WITHIN_DAYS"],
        response_days=first_response_days(),
    )


@bp.get("/feedback/begin")
def begin():
    """Carry on with the current answers, or start afresh, at the first unanswered page.

    Nothing is stored here: the draft is created by the first page's answers, so following the start link (as
    crawlers and link previews do) writes nothing.
    """
    draft = _current_draft()
    if draft is None:
        session.pop("draft_id", None)
    step = first_incomplete(draft.answers if draft else {})
    return redirect(url_for("public.question", slug=step.slug) if step else url_for("public.check_answers"))


def _current_draft():
    draft = find_draft(session.get("draft_id"))
    if draft is None or draft.case_id is not None:
        return None
    return draft


def _build_form(step, answers, directorates):
    form_class = step.form_class(answers)
    # Stored answers fill the form only when showing it: a POST must stand on what was sent.
    form = form_class(data=form_data(answers)) if request.method == "GET" else form_class()
    if step.slug == "service":
        form.service.choices = [
            (str(area.id), area.name)
            for directorate in directorates
            for area in directorate.service_areas
            if area.active
        ] + [("not_sure", _("I’m not sure"))]
    if step.slug == "contact-preferences":
        form.language.choices = language_choices(current_app.config["LANGUAGES"])
        if request.method == "GET" and not answers.get("language"):
            form.language.data = session.get("lang") or request.cookies.get("lang") or "en"
    return form


def _after_saving(step, draft):
    if request.args.get("change") and first_incomplete(draft.answers) is None:
        return redirect_to(url_for("public.check_answers"))
    following = next_step(step)
    if following is None:
        return redirect_to(url_for("public.check_answers"))
    return redirect_to(url_for("public.question", slug=following.slug, change=request.args.get("change")))


@bp.route("/feedback/<slug>", methods=["GET", "POST"])
@limiter.shared_limit(_answer_limit, scope="answers", exempt_when=not_a_post)  # answers and files fill the disk
@cached_page(per_session=True)
def question(slug: str):
    step = STEPS_BY_SLUG.get(slug)
    if step is None:
        abort(404)
    draft = _current_draft()
    saved = draft.answers if draft else {}  # no draft yet: the first page's answers will start one
    earliest = first_incomplete(saved)
    if earliest is not None and list(STEPS_BY_SLUG).index(earliest.slug) < list(STEPS_BY_SLUG).index(slug):
        return redirect(url_for("public.question", slug=earliest.slug))

    # The service page's choices and its radios, grouped by directorate, from one read.
    directorates = list_directorates() if step.slug == "service" else []
    form = _build_form(step, saved, directorates)
    if step.slug == "evidence":
        response = _handle_evidence(form, draft, step)
        if response is not None:
            return response
    elif form.validate_on_submit():
        if checking_one_field():
            keep_only_triggering_field_errors(form)
        else:
            answers = answers_from(form)
            if draft is None:  # the first page's answers start the draft
                draft = start_draft(answers)
                session["draft_id"] = draft.id
            else:
                save_answers(draft, answers)
            if slug == "type" and answers["type"] != "complaint":
                forget_answers(draft, "desired_outcome")
            note_draft_changed()
            return _after_saving(step, draft)
    elif checking_one_field():
        keep_only_triggering_field_errors(form)

    return _render_question(step, form, draft, directorates)


def _render_question(step, form, draft, directorates):
    errors = form.error_list()
    title = str(step.title) if step.slug != "details" else _details_title(draft.answers)
    page_title = (_("Error: ") if errors else "") + title
    return render_page(
        step.template,
        step.fragment,
        form=form,
        step=step,
        heading=title,
        page_title=page_title,
        errors=errors,
        draft=draft,
        directorates=directorates,
        action=url_for("public.question", slug=step.slug, change=request.args.get("change")),
        back_url=_back_url(step),
    )


def _details_title(answers: dict) -> str:
    if answers.get("type") == "compliment":
        return _("Tell us about your compliment")
    if answers.get("type") == "suggestion":
        return _("Tell us your suggestion")
    return _("Tell us what happened")


def _back_url(step) -> str:
    if request.args.get("change"):
        return url_for("public.check_answers")
    slugs = list(STEPS_BY_SLUG)
    index = slugs.index(step.slug)
    return url_for("public.question", slug=slugs[index - 1]) if index else url_for("public.start")


def _handle_evidence(form, draft, step):
    """Upload, remove or move on from evidence files; return a response, or None to show the page again."""
    if request.method != "POST" or not form.validate_on_submit():
        return None
    remove_id = request.form.get("remove")
    if remove_id and remove_id.isdecimal() and len(remove_id) <= 9:
        remove_draft_file(draft, int(remove_id))
        note_draft_changed()
        return None
    uploads = [f for f in request.files.getlist(form.files.name) if f and f.filename]
    if uploads:
        note_draft_changed()
    for upload in uploads:
        try:
            add_draft_file(draft, upload.stream, upload.filename)
        except UploadRejected as rejected:
            form.files.errors = [*form.files.errors, upload_error_message(rejected.code, rejected.filename)]
        except TooManyFiles:
            form.files.errors = [*form.files.errors, _("You can upload up to 5 files")]
            break
    if request.form.get("upload") is not None and not uploads:
        form.files.errors = [_("Select a file to upload")]  # "Upload files" pressed with none chosen
    if form.files.errors or uploads or request.form.get("upload") is not None:
        return None
    save_answers(draft, {"evidence_done": True})
    note_draft_changed()
    return _after_saving(step, draft)


@bp.route("/feedback/check-answers", methods=["GET", "POST"])
@limiter.limit(_submit_limit, exempt_when=not_a_post)
@cached_page(per_session=True)
def check_answers():
    form = forms.SubmitForm()
    key = request.form.get("submission_key") if request.method == "POST" else None
    draft = find_draft(key) if key else _current_draft()
    if draft is None:
        return redirect(url_for("public.begin"))
    if draft.case_id is None:
        step = first_incomplete(draft.answers)
        if step is not None:
            return redirect(url_for("public.question", slug=step.slug))
    if form.validate_on_submit():
        case, _created = submit_draft(draft)
        session.pop("draft_id", None)
        session["confirmation_reference"] = case.reference
        return redirect_to(url_for("public.confirmation"))
    if draft.case_id is not None:
        return redirect(url_for("public.confirmation"))
    return render_template(
        "public/check_answers.html",
        form=form,
        draft=draft,
        answers=draft.answers,
        service_area=get_service_area(draft.answers.get("service_area_id")),
        adjustment_labels=dict(forms.ADJUSTMENTS),
    )


@bp.get("/feedback/confirmation")
@cached_page(per_session=True)
def confirmation():
    reference = session.get("confirmation_reference")
    if not reference:
        return redirect(url_for("public.start"))
    case = find_case_by_reference(reference)
    if case is None:
        abort(404)
    return render_template(
        "public/confirmation.html",
        case=case,
        acknowledge_days=current_app.config["ACKNOWLEDGE_WITHIN_DAYS"],
        response_days=first_response_days(),
    )
