"""Forms for the administration pages."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, StopValidation, ValidationError

from portal.auth.forms import new_password_field
from portal.form_base import BaseForm, ChoiceField, MultiChoiceField
from portal.services.timescales import MAX_WORKING_DAYS, MIN_WORKING_DAYS
from portal.widgets import GovCheckboxes, GovRadios

ROLE_NAMES = {
    "officer": _l("Complaints officer"),
    "manager": _l("Complaints manager"),
    "responder": _l("Service responder"),
    "investigator": _l("Independent investigator or independent person"),
    "admin": _l("Administrator"),
    "reviewer": _l("Read-only reviewer"),
}
ROLE_HINTS = {
    "officer": _l("The central complaints team: triage, acknowledge, allocate and respond."),
    "manager": _l("As an officer, and also imports spreadsheets and looks after service areas, themes and wording."),
    "responder": _l("Sees and answers only cases allocated to their service areas."),
    "investigator": _l("Sees only the children’s Stage 2 cases they are named on."),
    "admin": _l("Staff accounts, roles and settings, as well as everything a manager does."),
    "reviewer": _l("Reads cases and the dashboard, for scrutiny or audit; changes nothing."),
}
COUNTS_FROM_NAMES = {"received": _l("The date it was received"), "acknowledged": _l("The date it was acknowledged")}
PRESET_NAMES = {
    "default": _l("The usual timescales: corporate Stages 1 and 2 each 20 working days from receipt"),
    "complaint-handling-code": _l(
        "The Complaint Handling Code: corporate Stage 1 within 10 working days and Stage 2 within 20, "
        "each counted from the acknowledgement"
    ),
}
REGION_NAMES = {
    "GB-ENG": _l("England’s bank holidays"),
    "GB-WLS": _l("Wales’s bank holidays"),
    "GB-SCT": _l("Scotland’s bank holidays"),
    "GB-NIR": _l("Northern Ireland’s bank holidays"),
}
NAME_LENGTH = 120


def _name_field(label, missing):
    return StringField(
        label,
        validators=[
            DataRequired(missing),
            Length(max=NAME_LENGTH, message=_l("Name must be %(max)d characters or fewer", max=NAME_LENGTH)),
        ],
        widget=GovTextInput(),
    )


class _AccountFields(BaseForm):
    name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(_l("Enter a name")),
            Length(max=200, message=_l("Name must be 200 characters or fewer")),
        ],
        widget=GovTextInput(),
    )
    role = ChoiceField(
        _l("Role"),
        choices=[(value, name) for value, name in ROLE_NAMES.items()],
        widget=GovRadios(),
        message=_l("Select a role"),
    )
    service_areas = MultiChoiceField(
        _l("Service areas (service responders only)"),
        description=_l("A service responder sees and answers the cases allocated to these service areas."),
        choices=[],
        widget=GovCheckboxes(),
    )

    def validate_service_areas(self, field):
        if self.role.data == "responder" and not field.data:
            raise ValidationError(_l("Select at least one service area for a service responder"))


def _sign_in_email_field(label) -> StringField:
    return StringField(
        label,
        description=_l("They sign in with this address."),
        validators=[
            DataRequired(_l("Enter an email address")),
            Email(message=_l("Enter an email address in the correct format, like name@example.gov.uk")),
            Length(max=320, message=_l("Email address must be 320 characters or fewer")),
        ],
        widget=GovTextInput(),
    )


class NewUserForm(_AccountFields):
    email = _sign_in_email_field(_l("Email address"))
    password = new_password_field(_l("Password"))
    submit = SubmitField(_l("Create account"), widget=GovSubmitInput())


class UserDetailsForm(_AccountFields):
    submit = SubmitField(_l("Save changes"), widget=GovSubmitInput())


class EmailForm(BaseForm):
    email = _sign_in_email_field(_l("New email address"))
    submit = SubmitField(_l("Change email address"), widget=GovSubmitInput())


class PasswordForm(BaseForm):
    password = new_password_field(_l("New password"))
    submit = SubmitField(_l("Set password"), widget=GovSubmitInput())


class WholeNumberField(IntegerField):
    """A whole number typed in a text box, with the form's own message when it is not one."""

    def __init__(self, label=None, validators=None, invalid_message: str = "", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        if not text.isdecimal() or len(text) > 9:  # int() cannot read every digit isdigit() allows, such as ²
            self.data = None
            raise ValueError(str(self.invalid_message))
        self.data = int(text)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


def _days_field(label, missing, invalid, out_of_range):
    return WholeNumberField(
        label,
        validators=[
            InputRequired(missing),
            NumberRange(min=MIN_WORKING_DAYS, max=MAX_WORKING_DAYS, message=out_of_range),
        ],
        invalid_message=invalid,
        widget=GovTextInput(),
    )


class TimescaleForm(BaseForm):
    working_days = _days_field(
        _l("Working days to respond"),
        _l("Enter the working days to respond"),
        _l("Working days to respond must be a whole number, like 20"),
        _l("Working days to respond must be from %(min)d to %(max)d", min=MIN_WORKING_DAYS, max=MAX_WORKING_DAYS),
    )
    max_working_days = _days_field(
        _l("Longest with extensions, in working days"),
        _l("Enter the longest with extensions"),
        _l("Longest with extensions must be a whole number, like 40"),
        _l("Longest with extensions must be from %(min)d to %(max)d", min=MIN_WORKING_DAYS, max=MAX_WORKING_DAYS),
    )
    counts_from = ChoiceField(
        _l("Counted from"),
        choices=list(COUNTS_FROM_NAMES.items()),
        widget=GovRadios(),
        message=_l("Select when the working days are counted from"),
    )
    submit = SubmitField(_l("Save timescale"), widget=GovSubmitInput())

    def validate_max_working_days(self, field):
        if field.data is not None and self.working_days.data is not None and field.data < self.working_days.data:
            raise ValidationError(_l("Longest with extensions must be at least the working days to respond"))


class PresetForm(BaseForm):
    preset = ChoiceField(
        _l("Apply a set of timescales"),
        choices=list(PRESET_NAMES.items()),
        widget=GovRadios(),
        message=_l("Select a set of timescales"),
    )
    submit = SubmitField(_l("Apply timescales"), widget=GovSubmitInput())


class DirectorateForm(BaseForm):
    name = _name_field(_l("Name of the directorate"), _l("Enter a name"))
    submit = SubmitField(_l("Save directorate"), widget=GovSubmitInput())


class ServiceAreaForm(BaseForm):
    directorate = SelectField(_l("Directorate"), choices=[], widget=GovSelect())
    name = _name_field(_l("Name of the service area"), _l("Enter a name"))
    submit = SubmitField(_l("Save service area"), widget=GovSubmitInput())

    def validate_directorate(self, field):
        if not field.data:
            raise ValidationError(_l("Select a directorate"))


class RenameForm(BaseForm):
    name = _name_field(_l("Name"), _l("Enter a name"))
    submit = SubmitField(_l("Save name"), widget=GovSubmitInput())


class ThemeForm(BaseForm):
    parent = SelectField(
        _l("Where it goes"),
        description=_l("A top-level theme, or a detail under one."),
        choices=[],
        widget=GovSelect(),
    )
    name = _name_field(_l("Name of the theme"), _l("Enter a name"))
    submit = SubmitField(_l("Add theme"), widget=GovSubmitInput())


class MessageTemplateForm(BaseForm):
    subject = StringField(
        _l("Subject"),
        validators=[
            DataRequired(_l("Enter a subject")),
            Length(max=200, message=_l("Subject must be 200 characters or fewer")),
        ],
        widget=GovTextInput(),
    )
    body = StringField(
        _l("Message"),
        validators=[
            DataRequired(_l("Enter the message")),
            Length(max=10000, message=_l("Message must be 10,000 characters or fewer")),
        ],
        widget=GovTextArea(),
    )
    preview = SubmitField(_l("Preview"), widget=GovSubmitInput())
    submit = SubmitField(_l("Save wording"), widget=GovSubmitInput())
