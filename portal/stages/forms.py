"""Forms for a stage's response, escalation, extension, closure and reopening, the review panel and the Ombudsman."""

import re

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import DecimalField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.form_base import ChoiceField, DayMonthYearField, MultiChoiceField
from portal.services.ombudsman import DECISIONS as OMBUDSMAN_DECISIONS
from portal.services.ombudsman import REMEDIES as OMBUDSMAN_REMEDIES
from portal.staff.forms import VersionedForm
from portal.widgets import GovCheckboxes, GovDate, GovRadios

UNWRITTEN_PROMPT = re.compile(r"\[[^\]\n]{12,}\]")


class RespondForm(VersionedForm):
    outcome = ChoiceField(
        _l("Outcome"),
        choices=[
            ("upheld", _l("Upheld")),
            ("partly_upheld", _l("Partly upheld")),
            ("not_upheld", _l("Not upheld")),
        ],
        widget=GovRadios(),
        message=_l("Select the outcome"),
    )
    themes = MultiChoiceField(
        _l("Root causes"), description=_l("Select all that apply."), choices=[], widget=GovCheckboxes()
    )
    response_text = StringField(
        _l("Response to the resident"),
        description=_l("Say what you found, the decision and why, any remedy, and anything still to be done."),
        validators=[DataRequired(_l("Enter the response")), Length(max=20000)],
        widget=GovTextArea(),
    )
    remedies = MultiChoiceField(
        _l("Remedies (optional)"),
        choices=[
            ("apology", _l("Apology")),
            ("financial", _l("Financial redress")),
            ("service_provided", _l("Service provided")),
            ("training", _l("Staff training")),
            ("procedure_change", _l("Change to a procedure")),
        ],
        widget=GovCheckboxes(),
    )
    amount = DecimalField(
        _l("Financial redress in pounds (optional)"),
        places=2,
        validators=[Optional(), NumberRange(min=0, max=1_000_000, message=_l("Enter an amount from 0 to 1,000,000"))],
        widget=GovTextInput(),
    )
    learning = StringField(_l("What will change (optional)"), validators=[Length(max=5000)], widget=GovTextArea())
    learning_owner = StringField(_l("Who will make the change"), validators=[Length(max=200)], widget=GovTextInput())
    learning_due = DayMonthYearField(
        _l("By when"), validators=[Optional()], invalid_message=_l("The date must be a real date"), widget=GovDate()
    )
    submit = SubmitField(_l("Send response"), widget=GovSubmitInput())

    def validate_response_text(self, field):
        # The drafted wording marks what the officer must write in [square brackets]; none may be sent as it is.
        if field.data and UNWRITTEN_PROMPT.search(field.data):
            raise ValidationError(_l("Replace every prompt in [square brackets] with your own words"))

    def validate_themes(self, field):
        if not field.data:
            raise ValidationError(_l("Select at least one root cause"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Optional() stops the amount's own checks when it is blank, so the dependency is checked here.
        if "financial" in (self.remedies.data or []) and self.amount.data is None and not self.amount.errors:
            self.amount.errors = [*self.amount.errors, _l("Enter the amount of financial redress")]
            return False
        return valid

    def validate_learning_owner(self, field):
        if self.learning.data and not field.data:
            raise ValidationError(_l("Enter who will make the change"))


class ReasonForm(VersionedForm):
    reason = StringField(
        _l("Reason"), validators=[DataRequired(_l("Enter the reason")), Length(max=5000)], widget=GovTextArea()
    )
    submit = SubmitField(_l("Confirm"), widget=GovSubmitInput())


class ExtendForm(VersionedForm):
    new_date = DayMonthYearField(
        _l("New response date"),
        validators=[DataRequired(_l("Enter the new date"))],
        invalid_message=_l("The new date must be a real date"),
        widget=GovDate(),
    )
    reason = StringField(
        _l("Why more time is needed"),
        description=_l("The resident is told this, with the new date."),
        validators=[DataRequired(_l("Enter why more time is needed")), Length(max=2000)],
        widget=GovTextArea(),
    )
    submit = SubmitField(_l("Extend"), widget=GovSubmitInput())


class CloseForm(VersionedForm):
    reason = ChoiceField(
        _l("Why is it closing without a response?"),
        choices=[
            ("withdrawn", _l("Withdrawn")),
            ("duplicate", _l("Duplicate")),
            ("out_of_time", _l("Out of time (more than 12 months after the matter)")),
        ],
        widget=GovRadios(),
        message=_l("Select why it is closing"),
    )
    note = StringField(
        _l("Note"), validators=[DataRequired(_l("Enter a note")), Length(max=5000)], widget=GovTextArea()
    )
    submit = SubmitField(_l("Close case"), widget=GovSubmitInput())


class IndependentPeopleForm(VersionedForm):
    investigator = SelectField(_l("Independent investigating officer"), choices=[], widget=GovSelect())
    independent_person = SelectField(_l("Independent person"), choices=[], widget=GovSelect())
    submit = SubmitField(_l("Assign"), widget=GovSubmitInput())


# Required dates below use InputRequired, not DataRequired: a date typed but not real keeps its "must be a real
# date" message instead of being told to enter one.
class PanelForm(VersionedForm):
    panel_date = DayMonthYearField(
        _l("Date of the panel meeting"),
        description=_l("The date the panel met, or the date arranged for it to meet. For example, 27 3 2026"),
        validators=[InputRequired(_l("Enter the date of the panel meeting"))],
        invalid_message=_l("The date of the panel meeting must be a real date"),
        widget=GovDate(),
    )
    chair = StringField(
        _l("Chair of the panel"),
        validators=[DataRequired(_l("Enter the name of the panel’s chair")), Length(max=200)],
        widget=GovTextInput(),
    )
    first_member = StringField(
        _l("First panel member"),
        validators=[DataRequired(_l("Enter the name of the first panel member")), Length(max=200)],
        widget=GovTextInput(),
    )
    second_member = StringField(
        _l("Second panel member"),
        validators=[DataRequired(_l("Enter the name of the second panel member")), Length(max=200)],
        widget=GovTextInput(),
    )
    submit = SubmitField(_l("Save the panel meeting"), widget=GovSubmitInput())


class PanelReportForm(VersionedForm):
    received_on = DayMonthYearField(
        _l("Date the panel’s report was received"),
        description=_l("For example, 27 3 2026"),
        validators=[InputRequired(_l("Enter the date the panel’s report was received"))],
        invalid_message=_l("The date the panel’s report was received must be a real date"),
        widget=GovDate(),
    )
    recommendations = StringField(
        _l("The panel’s recommendations"),
        validators=[DataRequired(_l("Enter the panel’s recommendations")), Length(max=20000)],
        widget=GovTextArea(),
    )
    submit = SubmitField(_l("Save the report"), widget=GovSubmitInput())


class OmbudsmanEnquiryForm(VersionedForm):
    received_on = DayMonthYearField(
        _l("Date the Ombudsman’s enquiry was received"),
        description=_l("For example, 27 3 2026"),
        validators=[InputRequired(_l("Enter the date the Ombudsman’s enquiry was received"))],
        invalid_message=_l("The date the Ombudsman’s enquiry was received must be a real date"),
        widget=GovDate(),
    )
    lgsco_reference = StringField(
        _l("The Ombudsman’s reference"),
        description=_l("For example, 24 001 234"),
        validators=[DataRequired(_l("Enter the Ombudsman’s reference")), Length(max=40)],
        widget=GovTextInput(),
    )
    submit = SubmitField(_l("Save the enquiry"), widget=GovSubmitInput())


class OmbudsmanDecisionForm(VersionedForm):
    decision = ChoiceField(
        _l("The Ombudsman’s decision"),
        choices=[(code, words) for code, words in OMBUDSMAN_DECISIONS.items()],
        widget=GovRadios(),
        message=_l("Select the Ombudsman’s decision"),
    )
    decided_on = DayMonthYearField(
        _l("Date of the decision"),
        description=_l("For example, 27 3 2026"),
        validators=[InputRequired(_l("Enter the date of the decision"))],
        invalid_message=_l("The date of the decision must be a real date"),
        widget=GovDate(),
    )
    remedies = MultiChoiceField(
        _l("Remedies the Ombudsman asked for (optional)"),
        description=_l("Select all that apply."),
        choices=[(code, words) for code, words in OMBUDSMAN_REMEDIES.items()],
        widget=GovCheckboxes(),
    )
    amount = DecimalField(
        _l("Financial redress in pounds (optional)"),
        places=2,
        validators=[Optional(), NumberRange(min=0, max=1_000_000, message=_l("Enter an amount from 0 to 1,000,000"))],
        widget=GovTextInput(),
    )
    remedy = StringField(
        _l("What the Ombudsman asked the council to do (optional)"),
        validators=[Length(max=5000)],
        widget=GovTextArea(),
    )
    complied = ChoiceField(
        _l("Has the council done what the Ombudsman asked?"),
        choices=[("not_yet", _l("Not yet, or nothing was asked")), ("yes", _l("Yes")), ("no", _l("No"))],
        default="not_yet",
        widget=GovRadios(),
        message=_l("Select whether the council has done what the Ombudsman asked"),
    )
    complied_on = DayMonthYearField(
        _l("Date the council did it (optional)"),
        description=_l("For example, 27 3 2026"),
        validators=[Optional()],
        invalid_message=_l("The date the council did it must be a real date"),
        widget=GovDate(),
    )
    note = StringField(_l("Note (optional)"), validators=[Length(max=5000)], widget=GovTextArea())
    submit = SubmitField(_l("Save the decision"), widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Optional() stops these fields' own checks when they are blank, so the dependencies are checked here.
        if "financial" in (self.remedies.data or []) and self.amount.data is None and not self.amount.errors:
            self.amount.errors = [*self.amount.errors, _l("Enter the amount of financial redress")]
            valid = False
        if self.complied.data == "yes" and self.complied_on.data is None and not self.complied_on.errors:
            self.complied_on.errors = [*self.complied_on.errors, _l("Enter the date the council did it")]
            valid = False
        if self.complied.data in ("yes", "no") and not self.remedies.data and not self.complied.errors:
            self.complied.errors = [
                *self.complied.errors,
                _l("Select the remedies the Ombudsman asked for, or answer ‘Not yet, or nothing was asked’"),
            ]
            valid = False
        return valid
