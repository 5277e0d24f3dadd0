"""The resident's questions, one form per page."""

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, MultipleFileField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from portal.form_base import BaseForm, ChoiceField, DayMonthYearField, MultiChoiceField
from portal.models.enums import CaseType, ContactMethod
from portal.widgets import (
    GovCharacterCount,
    GovCheckboxes,
    GovCheckboxInput,
    GovDate,
    GovFileInput,
    GovLanguageSelect,
    GovRadios,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)

DESCRIPTION_MAX = 5000


def not_in_future(form, field):
    if field.data and field.data > date.today():
        raise ValidationError(_l("The date must be today or in the past"))


class FeedbackTypeForm(BaseForm):
    type = ChoiceField(
        _l("What would you like to tell us about?"),
        choices=[
            (CaseType.COMPLAINT.value, _l("A complaint")),
            (CaseType.COMPLIMENT.value, _l("A compliment")),
            (CaseType.SUGGESTION.value, _l("A suggestion")),
        ],
        widget=GovRadios(),
        message=_l("Select whether you want to make a complaint, give a compliment or make a suggestion"),
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class ServiceForm(BaseForm):
    service = ChoiceField(
        _l("Which service is it about?"),
        choices=[],
        message=_l("Select the service it is about, or select ‘I’m not sure’"),
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class ComplaintDetailsForm(BaseForm):
    description = StringField(
        _l("What happened?"),
        description=_l("Tell us what went wrong, who was involved and how it has affected you."),
        validators=[
            DataRequired(_l("Tell us what happened")),
            Length(max=DESCRIPTION_MAX, message=_l("What happened must be %(max)d characters or fewer")),
        ],
        widget=GovCharacterCount(),
    )
    occurred_on = DayMonthYearField(
        _l("When did it happen?"),
        description=_l("For example, 27 3 2026. If it went on for a while, give the date it started."),
        invalid_message=_l("The date it happened must be a real date"),
        validators=[InputRequired(_l("Enter the date it happened")), not_in_future],
        widget=GovDate(),
    )
    desired_outcome = StringField(
        _l("What would put it right?"),
        description=_l("For example, an apology, an explanation, or something being done or changed."),
        validators=[
            DataRequired(_l("Tell us what would put it right")),
            Length(max=DESCRIPTION_MAX, message=_l("What would put it right must be %(max)d characters or fewer")),
        ],
        widget=GovCharacterCount(),
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class FeedbackDetailsForm(BaseForm):
    description = StringField(
        _l("What would you like to tell us?"),
        description=_l("Tell us who or what it is about, so we can pass it on."),
        validators=[
            DataRequired(_l("Enter what you would like to tell us")),
            Length(max=DESCRIPTION_MAX, message=_l("Your message must be %(max)d characters or fewer")),
        ],
        widget=GovCharacterCount(),
    )
    occurred_on = DayMonthYearField(
        _l("When did it happen? (optional)"),
        description=_l("For example, 27 3 2026."),
        invalid_message=_l("The date it happened must be a real date"),
        validators=[Optional(), not_in_future],
        widget=GovDate(),
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class EvidenceForm(BaseForm):
    files = MultipleFileField(
        _l("Upload files (optional)"),
        description=_l("Up to 5 files, each up to 10MB: PDF, JPEG, PNG, HEIC or Word (DOCX)."),
        widget=GovFileInput(multiple=True),
    )
    upload = SubmitField(_l("Upload files"), widget=GovSubmitInput())
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class YourDetailsForm(BaseForm):
    name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(_l("Enter your full name")),
            Length(max=200, message=_l("Name must be 200 characters or fewer")),
        ],
        widget=GovTextInput(),
    )
    email = EmailField(
        _l("Email address"),
        description=_l("We’ll send your reference number and updates to this address."),
        validators=[
            Optional(),
            Email(message=_l("Enter an email address in the correct format, like name@example.com")),
            Length(max=320, message=_l("Email address must be 320 characters or fewer")),
        ],
        widget=GovTextInput(),
    )
    phone = StringField(
        _l("Phone number"),
        description=_l("For international numbers include the country code."),
        validators=[Optional(), Length(max=40, message=_l("Phone number must be 40 characters or fewer"))],
        widget=GovTextInput(),
    )
    address = StringField(
        _l("Postal address (optional)"),
        validators=[Optional(), Length(max=500, message=_l("Address must be 500 characters or fewer"))],
        widget=GovTextArea(),
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())

    def validate_phone(self, field):
        if field.data and sum(ch.isdigit() for ch in field.data) < 6:
            raise ValidationError(_l("Enter a phone number, like 01632 960 001 or 07700 900 982"))
        if field.data and any(not (ch.isdigit() or ch in " +()-") for ch in field.data):
            raise ValidationError(_l("Enter a phone number, like 01632 960 001 or 07700 900 982"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.email.data and not self.phone.data and not self.email.errors and not self.phone.errors:
            self.email.errors = [*self.email.errors, _l("Enter an email address or a phone number")]
            return False
        return valid


ADJUSTMENTS = [
    ("large_print", _l("Large print")),
    ("easy_read", _l("Easy read")),
    ("bsl", _l("British Sign Language (BSL) interpreter")),
    ("interpreter", _l("A spoken language interpreter")),
    ("braille", _l("Braille")),
    ("audio", _l("Audio recordings")),
    ("phone_not_letters", _l("A phone call instead of letters")),
    ("other", _l("Something else")),
]


class ContactPreferencesForm(BaseForm):
    preferred_contact = ChoiceField(
        _l("How should we contact you?"),
        choices=[
            (ContactMethod.EMAIL.value, _l("Email")),
            (ContactMethod.PHONE.value, _l("Phone")),
            (ContactMethod.LETTER.value, _l("Letter")),
        ],
        widget=GovRadios(),
        message=_l("Select how we should contact you"),
    )
    language = SelectField(_l("Which language should we use?"), choices=[], widget=GovLanguageSelect())
    adjustments = MultiChoiceField(
        _l("Do you need any of these to use our service? (optional)"),
        description=_l("Select all that apply."),
        choices=ADJUSTMENTS,
        widget=GovCheckboxes(),
    )
    adjustments_detail = StringField(
        _l("Tell us about anything else you need (optional)"),
        validators=[Optional(), Length(max=1000, message=_l("This must be 1000 characters or fewer"))],
        widget=GovTextArea(),
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class SomeoneElseForm(BaseForm):
    on_behalf = ChoiceField(
        _l("Are you telling us about this for someone else?"),
        choices=[("no", _l("No, it is about me")), ("yes", _l("Yes, I am acting for someone else"))],
        widget=GovRadios(),
        message=_l("Select whether you are acting for someone else"),
    )
    subject_name = StringField(
        _l("Their full name"),
        validators=[Length(max=200, message=_l("Their name must be 200 characters or fewer"))],
        widget=GovTextInput(),
    )
    relationship = StringField(
        _l("Your relationship to them"),
        description=_l("For example, parent, carer, advocate or MP’s office."),
        validators=[Length(max=200, message=_l("Relationship must be 200 characters or fewer"))],
        widget=GovTextInput(),
    )
    consent = BooleanField(
        _l("They have agreed to me acting for them, or I have the legal right to act for them"),
        widget=GovCheckboxInput(),
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.on_behalf.data != "yes":
            return valid
        if not self.subject_name.data:
            self.subject_name.errors = [*self.subject_name.errors, _l("Enter their full name")]
            valid = False
        if not self.relationship.data:
            self.relationship.errors = [*self.relationship.errors, _l("Enter your relationship to them")]
            valid = False
        if not self.consent.data:
            self.consent.errors = [*self.consent.errors, _l("Confirm that they have agreed to you acting for them")]
            valid = False
        return valid


class SubmitForm(BaseForm):
    submit = SubmitField(_l("Send"), widget=GovSubmitInput())
