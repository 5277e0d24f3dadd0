"""The back office: the triage queue, the case page and its actions."""

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import enforce_route_access, may_use
from portal.htmx import redirect_to, render_page, wants_fragment
from portal.languages import language_choices
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.case_search import CaseFilters, cases_csv, search_cases
from portal.services.case_views import record_case_view, record_search
from portal.services.dashboard import build_dashboard
from portal.services.deadlines import due_soon
from portal.services.publishing import financial_year_dates, financial_year_of
from portal.services.responses import next_stage_number
from portal.services.staff_cases import (
    CaseNotVisible,
    case_timeline,
    find_download,
    get_staff_member,
    get_visible_case,
    internal_notes,
    queue_item,
    service_area_options,
    staff_directory,
    staff_options,
    triage_queue,
)
from portal.services.submissions import log_assisted_contact
from portal.services.triage import (
    StaleCase,
    TriageError,
    acknowledge_case,
    acknowledgement_draft,
    add_internal_note,
    allocate_case,
    classify_case,
    find_case_for_duplicate,
)
from portal.services.uploads import upload_path
from portal.staff.forms import (
    QUEUE_DECISIONS,
    STALE_MESSAGE,
    AcknowledgeForm,
    AllocateForm,
    AssistedContactForm,
    ImportForm,
    NoteForm,
    QueueAcknowledgeForm,
    QueueAllocateForm,
    QueueTriageForm,
    TriageForm,
)

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(enforce_route_access)


@bp.get("/")
def home():
    filters = CaseFilters.from_args(request.args)
    result = search_cases(current_user, filters, date.today())
    if filters.q and filters.page == 1:
        record_search(current_user, filters.q, filters.as_args(q="", page=""), result.total)
    return render_page(
        "staff/home.html",
        "staff/_case_results.html",
        result=result,
        filters=filters,
        service_areas=service_area_options(),
        officers=staff_options(Role.OFFICER, Role.MANAGER),
        page_title=_("Cases"),
    )


@bp.get("/cases.csv")
def cases_csv_view():
    filters = CaseFilters.from_args(request.args)
    body, rows = cases_csv(current_user, filters, date.today())
    record_search(current_user, filters.q, filters.as_args(q="", page=""), rows, kind="csv")
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=cases-{date.today().isoformat()}.csv"},
    )


@bp.post("/keep-alive")
def keep_alive():
    """Reset the idle timer (the warning's "Stay signed in" button); enforce_route_access did the work."""
    return "", 204


@bp.get("/triage")
def triage():
    page = request.args.get("page", "1")
    queue = triage_queue(current_user, utcnow(), int(page) if page.isdecimal() and len(page) <= 9 else 1)
    return render_template("staff/triage.html", queue=queue, errors=[], **_row_context())


def _row_context(**extra) -> dict:
    """Return what every queue row needs: the people and services to allocate to, and any message per row."""
    return {
        "officers": staff_options(Role.OFFICER, Role.MANAGER),
        "service_areas": service_area_options(),
        "queue_decisions": QUEUE_DECISIONS,
        "row_errors": {},
        "done": {},
        **extra,
    }


def _queue_step(reference: str, form_class, apply):
    """Apply one of a queue row's actions; htmx gets the row back, a browser without JavaScript the queue page."""
    found = _case_or_404(reference)
    form = form_class(prefix=f"q{found.id}")
    if isinstance(form, QueueAllocateForm):
        form.officer.choices = staff_options(Role.OFFICER, Role.MANAGER)
        form.service_area.choices = service_area_options()
    done = None
    if form.validate_on_submit():
        try:
            done = apply(found, form)
        except StaleCase:
            form.form_errors.append(str(STALE_MESSAGE))
        except TriageError as error:
            form.form_errors.append(_("Check the triage decision: %(what)s", what=str(error)))
    if done and not wants_fragment():
        flash(done, "success")
        return redirect_to(url_for("staff.triage"))
    errors = [{"text": message, "href": f"#queue-{found.reference}"} for message in form.form_errors]
    errors += form.error_list()
    context = _row_context(row_errors={found.id: errors} if errors else {}, done={found.id: done} if done else {})
    if wants_fragment():
        return render_page("staff/triage.html", "staff/_queue_row.html", item=queue_item(found, utcnow()), **context)
    # Without JavaScript, an error comes back on the whole queue, summarised at the top and shown in its row.
    queue = triage_queue(current_user, utcnow())
    return render_template("staff/triage.html", queue=queue, errors=errors, **context)


@bp.post("/triage/<reference>/triage")
def queue_triage(reference: str):
    def apply(found, form):
        classification, _sep, process = form.decision.data.partition(":")
        classify_case(found, current_user, form.version.data, classification, process=process or None)
        return _("%(reference)s triaged.", reference=found.reference)

    return _queue_step(reference, QueueTriageForm, apply)


@bp.post("/triage/<reference>/acknowledge")
def queue_acknowledge(reference: str):
    def apply(found, form):
        officer = get_staff_member(str(found.assigned_officer_id)) if found.assigned_officer_id else current_user
        subject, body = acknowledgement_draft(found, officer)
        acknowledge_case(found, current_user, form.version.data, subject, body)
        return _("Acknowledgement sent for %(reference)s.", reference=found.reference)

    return _queue_step(reference, QueueAcknowledgeForm, apply)


@bp.post("/triage/<reference>/allocate")
def queue_allocate(reference: str):
    def apply(found, form):
        stage = found.current_stage
        allocate_case(
            found,
            current_user,
            form.version.data,
            officer=get_staff_member(form.officer.data),
            service_area_id=int(form.service_area.data),
            responding_manager=get_staff_member(str(stage.responding_manager_id))
            if stage and stage.responding_manager_id
            else None,
        )
        return _("%(reference)s allocated.", reference=found.reference)

    return _queue_step(reference, QueueAllocateForm, apply)


def _case_or_404(reference: str):
    try:
        found = get_visible_case(current_user, reference)
    except CaseNotVisible:
        abort(404)
    if request.method == "GET":  # what was done is in the case's history; this records who looked
        record_case_view(current_user, found, request.endpoint)
    return found


def _forms_for(case, formdata=None):
    # The page names its staff from the directory anyway: the officer who signs the acknowledgement comes from it.
    officer = staff_directory().get(case.assigned_officer_id) if case.assigned_officer_id else current_user
    if officer is None or not officer.active:
        officer = current_user
    subject, body = acknowledgement_draft(case, officer)
    areas = service_area_options()
    stage = case.current_stage
    # Each form has its own prefix, so the page's four forms never share an id.
    triage_form = TriageForm(
        prefix="triage",
        formdata=formdata,
        data={
            "version": case.version_id,
            "classification": case.triage_class or (case.type if case.type != "complaint" or case.triaged_at else ""),
            "complaint_process": stage.process if stage else "corporate",
            "service_area": str(case.service_area_id or ""),
        },
    )
    triage_form.service_area.choices = [("", _("Not known"))] + areas
    ack_form = AcknowledgeForm(
        prefix="ack", formdata=formdata, data={"version": case.version_id, "subject": subject, "body": body}
    )
    allocate_form = AllocateForm(
        prefix="allocate",
        formdata=formdata,
        data={
            "version": case.version_id,
            "officer": str(case.assigned_officer_id or ""),
            "service_area": str(case.service_area_id or ""),
            "responding_manager": str(stage.responding_manager_id or "") if stage else "",
        },
    )
    allocate_form.officer.choices = [("", _("Choose an officer"))] + staff_options(Role.OFFICER, Role.MANAGER)
    allocate_form.service_area.choices = [("", _("Choose a service area"))] + areas
    allocate_form.responding_manager.choices = [("", _("None yet"))] + staff_options(Role.RESPONDER, Role.MANAGER)
    return {
        "triage_form": triage_form,
        "ack_form": ack_form,
        "allocate_form": allocate_form,
        "note_form": NoteForm(prefix="note", formdata=formdata),
    }


def _render_case(case, forms, errors=None, done=None):
    """Render the case page, or for htmx only its content (which the page includes), with any errors or news."""
    errors = errors or []
    title = _("Case %(reference)s", reference=case.reference)
    return render_page(
        "staff/case.html",
        "staff/_case_page.html",
        page_title=(_("Error: ") if errors else "") + title,
        case=case,
        stage=case.current_stage,
        timeline=case_timeline(case),
        next_stage=next_stage_number(case),
        notes=internal_notes(case),
        people=staff_directory(),
        errors=errors,
        done=done,
        can_act=may_use("staff.triage_case"),
        can_note=may_use("staff.add_note"),
        **forms,
    )


@bp.get("/cases/<reference>")
def case(reference: str):
    found = _case_or_404(reference)
    return _render_case(found, _forms_for(found))


def _act(reference: str, form_name: str, apply):
    """Validate one of the case page's forms and apply it; a stale version is refused and nothing is lost.

    Without JavaScript a success redirects to the case page; htmx gets the case page's content back in place,
    with fresh forms and the news at the top.
    """
    found = _case_or_404(reference)
    forms = _forms_for(found, formdata=request.form)
    form = forms[form_name]
    if form.validate():
        try:
            done = apply(found, form)
        except StaleCase:
            form.form_errors.append(str(STALE_MESSAGE))
        except TriageError as error:
            form.form_errors.append(_("Check the triage decision: %(what)s", what=str(error)))
        else:
            if wants_fragment():
                fresh = _case_or_404(reference)
                return _render_case(fresh, _forms_for(fresh), done=done)
            flash(done, "success")
            return redirect_to(url_for("staff.case", reference=found.reference))
    errors = [{"text": message, "href": f"#{form_name}"} for message in form.form_errors] + form.error_list()
    return _render_case(found, forms, errors=errors)


@bp.post("/cases/<reference>/triage")
def triage_case(reference: str):
    def apply(found, form):
        duplicate = None
        if form.duplicate_of.data:
            duplicate = find_case_for_duplicate(form.duplicate_of.data)
            if duplicate is None:
                raise TriageError(_("no case has reference %(reference)s", reference=form.duplicate_of.data))
        classify_case(
            found,
            current_user,
            form.version.data,
            form.classification.data,
            process=form.complaint_process.data,
            service_area_id=int(form.service_area.data) if form.service_area.data else None,
            signposted_to=form.signposted_to.data or None,
            signposting_message=form.signposting_message.data or None,
            duplicate_of=duplicate,
        )
        return _("Triage saved.")

    return _act(reference, "triage_form", apply)


@bp.post("/cases/<reference>/acknowledge")
def acknowledge(reference: str):
    def apply(found, form):
        acknowledge_case(found, current_user, form.version.data, form.subject.data, form.body.data)
        return _("Acknowledgement sent.")

    return _act(reference, "ack_form", apply)


@bp.post("/cases/<reference>/allocate")
def allocate(reference: str):
    def apply(found, form):
        allocate_case(
            found,
            current_user,
            form.version.data,
            officer=get_staff_member(form.officer.data),
            service_area_id=int(form.service_area.data),
            responding_manager=get_staff_member(form.responding_manager.data),
        )
        return _("Case allocated.")

    return _act(reference, "allocate_form", apply)


@bp.post("/cases/<reference>/notes")
def add_note(reference: str):
    def apply(found, form):
        add_internal_note(found, current_user, form.note.data)
        return _("Note added.")

    return _act(reference, "note_form", apply)


@bp.get("/cases/<reference>/files/<int:attachment_id>")
def download(reference: str, attachment_id: int):
    found = _case_or_404(reference)
    attachment = find_download(current_user, found, attachment_id)
    if attachment is None:
        abort(404)
    path = upload_path(attachment.stored_name)
    if found.anonymised_at is not None or not path.is_file():  # deleted by retention or erasure
        abort(404)
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.original_name,
        max_age=0,
    )
    # A resident's evidence: saved, never shown in the page as whatever it claims to be, and kept in no cache
    # (send_file would otherwise let any proxy keep it for SEND_FILE_MAX_AGE_DEFAULT).
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers.pop("Expires", None)
    return response


@bp.route("/import", methods=["GET", "POST"])
def import_spreadsheet():
    """Let a complaints manager bring in a spreadsheet's history: all of it, or nothing and every problem listed."""
    from portal.services.importer import ImportConflict, UnreadableFile, import_cases

    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.spreadsheet.data
        try:
            report = import_cases(upload.stream, upload.filename, dry_run=form.dry_run.data, actor_id=current_user.id)
        except (UnreadableFile, ImportConflict) as error:
            form.spreadsheet.errors = [*form.spreadsheet.errors, str(error)]
    return render_template("staff/import.html", form=form, report=report, errors=form.error_list())


def _period_from_args(today: date) -> tuple[date, date]:
    """Read ?from=&to= (ISO dates); default to this financial year so far."""
    default = (financial_year_dates(financial_year_of(today))[0], today)
    try:
        chosen = (date.fromisoformat(request.args["from"]), date.fromisoformat(request.args["to"]))
    except (KeyError, ValueError):
        return default
    return chosen if chosen[0] <= chosen[1] else default


@bp.get("/dashboard")
def dashboard():
    period_from, period_to = _period_from_args(date.today())
    return render_template(
        "staff/dashboard.html",
        dashboard=build_dashboard(current_user, period_from, period_to),
        period_from=period_from,
        period_to=period_to,
    )


@bp.get("/due")
def due():
    days = request.args.get("within", "5")
    within = int(days) if days.isdecimal() and len(days) <= 2 and 0 < int(days) <= 60 else 5
    return render_template("staff/due.html", items=due_soon(current_user, date.today(), within), within=within)


@bp.route("/new-contact", methods=["GET", "POST"])
def new_contact():
    """Log a complaint, compliment or suggestion that came by phone, email, letter, webchat or in person."""
    form = AssistedContactForm()
    form.service_area.choices = [("", _("Not known"))] + service_area_options()
    form.language.choices = language_choices(current_app.config["LANGUAGES"])
    if request.method == "GET":
        form.received_on.data = date.today()
    if form.validate_on_submit():
        answers = {
            "type": form.type.data,
            "service_area_id": form.service_area.data or None,
            "description": form.description.data,
            "desired_outcome": form.desired_outcome.data or None,
            "name": form.name.data,
            "email": form.email.data or None,
            "phone": form.phone.data or None,
            "address": form.address.data or None,
            "preferred_contact": "email" if form.email.data else ("phone" if form.phone.data else "letter"),
            "language": form.language.data,
            "adjustments": [],
        }
        logged = log_assisted_contact(current_user, answers, form.channel.data, form.received_on.data)
        flash(_("Logged as %(reference)s.", reference=logged.reference), "success")
        return redirect_to(url_for("staff.case", reference=logged.reference))
    return render_template("staff/new_contact.html", form=form, errors=form.error_list())
