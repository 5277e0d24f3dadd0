"""The back office's forms: triage, acknowledgement, allocation, notes, imports and assisted contacts."""

from datetime import date

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, FileField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from portal.form_base import BaseForm, ChoiceField, DayMonthYearField
from portal.widgets import GovDate, GovRadios

STALE_MESSAGE = _l(
    "Someone else changed this case while you were working on it. Nothing was saved: check the case below and "
    "try again."
)


class VersionedForm(BaseForm):
    """A form about a case, carrying the version it was loaded at, so a stale save is refused."""

    version = IntegerField(widget=HiddenInput(), validators=[DataRequired()])


class TriageForm(VersionedForm):
    classification = ChoiceField(
        _l("What is it?"),
        choices=[
            ("complaint", _l("Complaint")),
            ("service_request", _l("Service request")),
            ("signposted", _l("Not for the council: signpost elsewhere")),
            ("compliment", _l("Compliment")),
            ("suggestion", _l("Suggestion")),
        ],
        widget=GovRadios(),
        message=_l("Select what it is"),
    )
    complaint_process = SelectField(
        _l("Complaint process"),
        choices=[
            ("corporate", _l("Corporate")),
            ("childrens", _l("Children’s social care (statutory)")),
            ("adults", _l("Adults’ social care (statutory)")),
        ],
        widget=GovSelect(),
    )
    service_area = SelectField(_l("Service area"), choices=[], widget=GovSelect(), validators=[Optional()])
    signposted_to = StringField(
        _l("Organisation to signpost to"),
        description=_l("For example, the NHS, the police, a parish council or a housing association."),
        validators=[Length(max=200)],
        widget=GovTextInput(),
    )
    signposting_message = StringField(
        _l("Message to the resident"), validators=[Length(max=5000)], widget=GovTextArea()
    )
    duplicate_of = StringField(
        _l("Duplicate of (reference, optional)"), validators=[Optional(), Length(max=40)], widget=GovTextInput()
    )
    submit = SubmitField(_l("Save triage"), widget=GovSubmitInput())

    def validate_signposted_to(self, field):
        if self.classification.data == "signposted" and not field.data:
            raise ValidationError(_l("Enter the organisation to signpost to"))


class AcknowledgeForm(VersionedForm):
    subject = StringField(
        _l("Subject"), validators=[DataRequired(_l("Enter a subject")), Length(max=200)], widget=GovTextInput()
    )
    body = StringField(
        _l("Message"), validators=[DataRequired(_l("Enter the message")), Length(max=10000)], widget=GovTextArea()
    )
    submit = SubmitField(_l("Send acknowledgement"), widget=GovSubmitInput())


class AllocateForm(VersionedForm):
    officer = SelectField(_l("Complaints officer"), choices=[], widget=GovSelect())
    service_area = SelectField(_l("Service area"), choices=[], widget=GovSelect())
    responding_manager = SelectField(_l("Responding manager"), choices=[], widget=GovSelect())
    submit = SubmitField(_l("Allocate"), widget=GovSubmitInput())

    def validate_officer(self, field):
        if not field.data:
            raise ValidationError(_l("Select a complaints officer"))

    def validate_service_area(self, field):
        if not field.data:
            raise ValidationError(_l("Select a service area"))


# The triage queue's one-line decisions; signposting and duplicates need the case page's fuller form.
QUEUE_DECISIONS = [
    ("complaint:corporate", _l("Complaint (corporate)")),
    ("complaint:childrens", _l("Complaint (children’s social care)")),
    ("complaint:adults", _l("Complaint (adults’ social care)")),
    ("service_request", _l("Service request")),
    ("compliment", _l("Compliment")),
    ("suggestion", _l("Suggestion")),
]


class QueueTriageForm(VersionedForm):
    decision = SelectField(_l("Triage as"), choices=QUEUE_DECISIONS, validate_choice=False)

    def validate_decision(self, field):
        if field.data not in dict(QUEUE_DECISIONS):
            raise ValidationError(_l("Select what it is"))


class QueueAcknowledgeForm(VersionedForm):
    """Send the standard acknowledgement from the queue; the case page lets the wording be edited first."""


class QueueAllocateForm(VersionedForm):
    officer = SelectField(_l("Officer"), choices=[], validate_choice=False)
    service_area = SelectField(_l("Service area"), choices=[], validate_choice=False)

    def validate_officer(self, field):
        if field.data not in {value for value, _label in field.choices if value}:
            raise ValidationError(_l("Select a complaints officer"))

    def validate_service_area(self, field):
        if field.data not in {value for value, _label in field.choices if value}:
            raise ValidationError(_l("Select a service area"))


class NoteForm(BaseForm):
    note = StringField(
        _l("Internal note"),
        description=_l("Only staff can see notes. The resident never does."),
        validators=[DataRequired(_l("Enter the note")), Length(max=10000)],
        widget=GovTextArea(),
    )
    submit = SubmitField(_l("Add note"), widget=GovSubmitInput())


class ImportForm(BaseForm):
    spreadsheet = FileField(
        _l("Spreadsheet"),
        description=_l("CSV (UTF-8) or Excel (XLSX), one row per stage of a case, with a header row."),
        widget=GovFileInput(),
    )
    dry_run = BooleanField(_l("Check only: do not import anything yet"), widget=GovCheckboxInput())
    submit = SubmitField(_l("Import"), widget=GovSubmitInput())

    def validate_spreadsheet(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Choose a spreadsheet to import"))


class AssistedContactForm(BaseForm):
    channel = ChoiceField(
        _l("How did it reach us?"),
        choices=[
            ("phone", _l("Phone")),
            ("email", _l("Email")),
            ("letter", _l("Letter")),
            ("webchat", _l("Webchat")),
            ("in_person", _l("In person")),
        ],
        widget=GovRadios(),
        message=_l("Select how it reached us"),
    )
    type = ChoiceField(
        _l("What is it?"),
        choices=[("complaint", _l("Complaint")), ("compliment", _l("Compliment")), ("suggestion", _l("Suggestion"))],
        widget=GovRadios(),
        message=_l("Select what it is"),
    )
    received_on = DayMonthYearField(
        _l("Date received"),
        validators=[DataRequired(_l("Enter the date it was received"))],
        invalid_message=_l("The date received must be a real date"),
        widget=GovDate(),
    )
    service_area = SelectField(_l("Service area"), choices=[], widget=GovSelect(), validators=[Optional()])
    description = StringField(
        _l("What they told us"),
        validators=[DataRequired(_l("Enter what they told us")), Length(max=5000)],
        widget=GovTextArea(),
    )
    desired_outcome = StringField(
        _l("What would put it right (complaints)"), validators=[Optional(), Length(max=5000)], widget=GovTextArea()
    )
    name = StringField(
        _l("Their full name"),
        validators=[DataRequired(_l("Enter their full name")), Length(max=200)],
        widget=GovTextInput(),
    )
    email = StringField(
        _l("Email address"),
        validators=[Optional(), Email(message=_l("Enter an email address in the correct format")), Length(max=320)],
        widget=GovTextInput(),
    )
    phone = StringField(_l("Phone number"), validators=[Optional(), Length(max=40)], widget=GovTextInput())
    address = StringField(_l("Postal address"), validators=[Optional(), Length(max=500)], widget=GovTextArea())
    language = SelectField(_l("Language for letters and emails"), choices=[], widget=GovSelect())
    submit = SubmitField(_l("Log the contact"), widget=GovSubmitInput())

    def validate_received_on(self, field):
        if field.data and field.data > date.today():
            raise ValidationError(_l("The date received must be today or in the past"))
