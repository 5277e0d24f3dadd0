"""The administration page for a resident's rights: find their cases by email, export everything, or erase it.

The email address travels only in POST bodies: a search shown in answer to a GET would put it in the address bar,
the server's logs and the browser's history.
"""

from datetime import date

from flask import abort, flash, make_response, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from portal.admin.views import bp
from portal.form_base import BaseForm
from portal.htmx import redirect_to
from portal.services.erasure_ledger import LedgerError
from portal.services.personal_data import (
    REPRESENTATIVE,
    RESIDENT,
    SOMEONE_ELSES,
    STILL_OPEN,
    erase_personal_data,
    erasure_plan,
    export_personal_data,
    find_cases,
)

EMAIL_LENGTH = 320
ROLE_NAMES = {RESIDENT: _l("The resident"), REPRESENTATIVE: _l("Acting for the resident")}
REFUSAL_REASONS = {
    STILL_OPEN: _l(
        "Not erased: the case is still open, and the council needs it to finish handling the complaint. "
        "Erase it once it is closed."
    ),
    SOMEONE_ELSES: _l(
        "Not erased: they acted for someone else on this case, so it holds that person’s complaint, not theirs."
    ),
}


class FindPersonForm(BaseForm):
    email = StringField(
        _l("What is the email address of the person asking?"),
        description=_l(
            "Every case with this address is found, as the resident’s or a representative’s, whatever its capitals."
        ),
        validators=[
            DataRequired(_l("Enter the email address of the person asking")),
            Length(max=EMAIL_LENGTH, message=_l("Email address must be %(max)d characters or fewer", max=EMAIL_LENGTH)),
            Email(_l("Enter an email address in the correct format, like name@example.com")),
        ],
        widget=GovTextInput(),
    )
    submit = SubmitField(_l("Find their cases"), widget=GovSubmitInput())


class PersonForm(BaseForm):
    """The hidden address carried from the search to the export or erasure; the button is the template's."""

    email = HiddenField(validators=[DataRequired(), Length(max=EMAIL_LENGTH), Email()])


class ConfirmErasureForm(PersonForm):
    case_ids = HiddenField()  # the cases the administrator was shown, comma-separated
    confirm = HiddenField()

    def confirmed_ids(self) -> set[int]:
        # isdecimal, not isdigit: int() cannot read ² (a digit), nor more than 4300 digits.
        return {int(part) for part in (self.case_ids.data or "").split(",") if part.isdecimal() and len(part) <= 9}


def _person_or_400(form: PersonForm) -> str:
    if not form.validate_on_submit():
        abort(400)
    return form.email.data


@bp.route("/personal-data", methods=["GET", "POST"])
def personal_data():
    form = FindPersonForm()
    found = find_cases(form.email.data) if form.validate_on_submit() else None
    return render_template(
        "admin/personal_data.html",
        form=form,
        errors=form.error_list(),
        found=found,
        email=form.email.data if found is not None else None,
        role_names=ROLE_NAMES,
    )


@bp.post("/personal-data/export", endpoint="export_personal_data")
def export_personal_data_view():
    email = _person_or_400(PersonForm())
    archive, _case_ids = export_personal_data(email, current_user)
    response = make_response(archive)
    response.headers["Content-Type"] = "application/zip"
    # The name says when, never whose: the address stays out of download folders and history.
    response.headers["Content-Disposition"] = f"attachment; filename=personal-data-{date.today().isoformat()}.zip"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/personal-data/erase", endpoint="erase_personal_data")
def erase_personal_data_view():
    form = ConfirmErasureForm()
    email = _person_or_400(form)
    if form.confirm.data != "yes":
        plan = erasure_plan(email)
        return render_template(
            "admin/personal_data_erase.html",
            form=form,
            email=email,
            plan=plan,
            case_ids=",".join(str(case.id) for case in plan.erasable),
            reasons=REFUSAL_REASONS,
        )
    try:
        done = erase_personal_data(email, current_user, form.confirmed_ids())
    except LedgerError:
        flash(
            _(
                "Nothing was erased: the portal could not write to its erasure ledger, which stops a restored backup "
                "bringing erased cases back. Ask whoever runs the portal to check the ERASURE_LEDGER setting, then "
                "try again."
            ),
            "info",
        )
        return redirect_to(url_for("admin.personal_data"))
    references = ", ".join(case.reference for case in done.erasable)
    if done.erasable:
        message = ngettext(
            "Erased %(num)d case: %(references)s. Its figures are kept; nothing else about the person is.",
            "Erased %(num)d cases: %(references)s. Their figures are kept; nothing else about the person is.",
            len(done.erasable),
            references=references,
        )
    else:
        message = _("Nothing was erased.")
    if done.refused:
        message += " " + ngettext("%(num)d case was not erased.", "%(num)d cases were not erased.", len(done.refused))
    flash(message, "success" if done.erasable else "info")
    return redirect_to(url_for("admin.personal_data"))
