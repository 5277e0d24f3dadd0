"""The questions on the tracking pages."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, MultipleFileField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from portal.form_base import BaseForm
from portal.widgets import GovCharacterCount, GovCheckboxInput, GovFileInput, GovSubmitInput, GovTextArea, GovTextInput

DESCRIPTION_MAX = 5000


class TrackRequestForm(BaseForm):
    reference = StringField(
        _l("Reference number"),
        description=_l("This is in the email we sent you, for example CMP-7K4Q-2M9X."),
        validators=[
            DataRequired(_l("Enter your reference number")),
            Length(max=40, message=_l("Enter a reference number, like CMP-7K4Q-2M9X")),
        ],
        widget=GovTextInput(),
    )
    email = EmailField(
        _l("Email address"),
        description=_l("The email address you gave us."),
        validators=[
            DataRequired(_l("Enter your email address")),
            Email(message=_l("Enter an email address in the correct format, like name@example.com")),
        ],
        widget=GovTextInput(),
    )
    submit = SubmitField(_l("Send me a link"), widget=GovSubmitInput())


class AddInformationForm(BaseForm):
    information = StringField(
        _l("What would you like to add?"),
        validators=[
            DataRequired(_l("Enter the information you want to add")),
            Length(max=DESCRIPTION_MAX, message=_l("This must be %(max)d characters or fewer")),
        ],
        widget=GovCharacterCount(),
    )
    files = MultipleFileField(
        _l("Upload files (optional)"),
        description=_l("Up to 5 files, each up to 10MB: PDF, JPEG, PNG, HEIC or Word (DOCX)."),
        widget=GovFileInput(multiple=True),
    )
    submit = SubmitField(_l("Send information"), widget=GovSubmitInput())


class WithdrawForm(BaseForm):
    reason = StringField(
        _l("Why are you withdrawing it? (optional)"),
        validators=[Optional(), Length(max=1000, message=_l("This must be 1000 characters or fewer"))],
        widget=GovTextArea(),
    )
    confirm = BooleanField(
        _l("I want to withdraw this and understand the council will stop looking into it"), widget=GovCheckboxInput()
    )
    submit = SubmitField(_l("Withdraw"), widget=GovSubmitInput())

    def validate_confirm(self, field):
        if not field.data:
            raise ValidationError(_l("Confirm that you want to withdraw"))


class EscalateForm(BaseForm):
    reason = StringField(
        _l("Why are you not satisfied with our response?"),
        description=_l("Tell us what you think we got wrong or did not answer."),
        validators=[DataRequired(_l("Tell us why you are not satisfied")), Length(max=DESCRIPTION_MAX)],
        widget=GovCharacterCount(),
    )
    submit = SubmitField(_l("Ask for the next stage"), widget=GovSubmitInput())
