"""Forms for the yearly publications: the Ombudsman's figures, learning for 'you said, we did', the self-assessment."""

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import Field, RadioField, StringField, SubmitField
from wtforms.validators import Length, StopValidation, ValidationError

from portal.form_base import BaseForm, ChoiceField
from portal.services.lgsco_annual import CATEGORIES, MEASURES
from portal.services.publishing import parse_financial_year
from portal.services.self_assessment import REQUIREMENTS, STATUSES, TEXT_MAX
from portal.widgets import GovRadios

WHOLE_NUMBER = re.compile(r"\d{1,7}")
PERCENT = re.compile(r"(\d{1,3})(?:\.(\d))?\s*%?")


class WholeNumberField(Field):
    """A count typed as a whole number of 0 or more, with the form's own messages."""

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, required_message="", invalid_message="", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required_message = required_message
        self.invalid_message = invalid_message
        self.text = ""

    def process_formdata(self, valuelist):
        self.text = (valuelist[0] if valuelist else "").strip().replace(",", "")
        self.data = int(self.text) if WHOLE_NUMBER.fullmatch(self.text) else None

    def process_data(self, value):
        self.data = value
        self.text = "" if value is None else str(value)

    def _value(self):
        return self.text

    def pre_validate(self, form):
        if not self.text:
            raise StopValidation(str(self.required_message))
        if self.data is None:
            raise StopValidation(str(self.invalid_message))


class PercentageField(Field):
    """A percentage from 0 to 100 with at most one decimal place ("77", "77.5" or "77.5%")."""

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, required_message="", invalid_message="", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required_message = required_message  # empty: the field may be left blank
        self.invalid_message = invalid_message
        self.text = ""

    def process_formdata(self, valuelist):
        self.text = (valuelist[0] if valuelist else "").strip()
        match = PERCENT.fullmatch(self.text)
        value = Decimal(f"{match[1]}.{match[2] or 0}") if match else None
        self.data = value if value is not None and value <= 100 else None

    def process_data(self, value):
        self.text = "" if value in (None, "") else str(value)
        match = PERCENT.fullmatch(self.text)
        self.data = Decimal(f"{match[1]}.{match[2] or 0}") if match else None

    def _value(self):
        return self.text

    def pre_validate(self, form):
        if not self.text:
            if self.required_message:
                raise StopValidation(str(self.required_message))
            return
        if self.data is None:
            raise StopValidation(str(self.invalid_message))


class OptionalChoiceField(RadioField):
    """Radios that may be left unanswered; a value that is not offered counts as no answer."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators=validators, validate_choice=False, **kwargs)

    def pre_validate(self, form):
        if self.data not in {value for value, *_ in self.choices}:
            self.data = None


class LgscoFiguresForm(BaseForm):
    """A year's figures from the Ombudsman's annual letter. Category fields are added below, one per category."""

    detailed_investigations = WholeNumberField(
        _l("Detailed investigations"),
        description=_l("How many complaints the Ombudsman investigated in detail and decided in the year."),
        required_message=_l("Enter the number of detailed investigations, or 0"),
        invalid_message=_l("The number of detailed investigations must be a whole number, 0 or more"),
    )
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())
    publish = SubmitField(_l("Save and publish"), widget=GovSubmitInput())

    def percentage_fields(self):
        for measure in MEASURES:
            yield self[measure], self[f"{measure}_average"]

    def category_fields(self):
        for code in CATEGORIES:
            yield self[f"category_{code}"]


for _code, _name in CATEGORIES.items():
    setattr(
        LgscoFiguresForm,
        f"category_{_code}",
        WholeNumberField(
            _name,
            required_message=_l("Enter the number for %(category)s, or 0", category=_name),
            invalid_message=_l("The number for %(category)s must be a whole number, 0 or more", category=_name),
        ),
    )

for _measure, _name in MEASURES.items():
    setattr(
        LgscoFiguresForm,
        _measure,
        PercentageField(
            _l("Our council"),
            description=_l("Leave blank if the letter gives no figure for the council."),
            invalid_message=_l(
                "Enter %(measure)s as a percentage from 0 to 100, with at most one decimal place", measure=_name
            ),
        ),
    )
    setattr(
        LgscoFiguresForm,
        f"{_measure}_average",
        PercentageField(
            _l("Average of similar authorities"),
            required_message=_l("Enter the similar authorities’ average for %(measure)s", measure=_name),
            invalid_message=_l(
                "Enter the similar authorities’ average for %(measure)s as a percentage from 0 to 100, with at most "
                "one decimal place",
                measure=_name,
            ),
        ),
    )


class NewLgscoFiguresForm(LgscoFiguresForm):
    year = StringField(
        _l("Financial year"),
        description=_l("As the Ombudsman’s letter gives it, for example 2024/25 for April 2024 to March 2025."),
        widget=GovTextInput(),
    )

    def validate_year(self, field):
        if not field.data:
            raise ValidationError(_l("Enter the financial year, for example 2024/25"))
        if parse_financial_year(field.data) is None:
            raise ValidationError(_l("Enter the financial year as two years one after the other, like 2024/25"))


class NewYearForm(BaseForm):
    year = StringField(
        _l("Financial year"),
        description=_l("For example, 2024/25 for April 2024 to March 2025."),
        widget=GovTextInput(),
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())

    def validate_year(self, field):
        if not field.data:
            raise ValidationError(_l("Enter the financial year, for example 2024/25"))
        if parse_financial_year(field.data) is None:
            raise ValidationError(_l("Enter the financial year as two years one after the other, like 2024/25"))


class LearningReviewForm(BaseForm):
    public_text = StringField(
        _l("What we did, as the public will read it"),
        description=_l(
            "Write what changed in plain words. Do not include names, addresses, dates of birth, case references, "
            "exact dates or anything else that could identify the resident, their family or a member of staff."
        ),
        validators=[Length(max=2000, message=_l("The public wording must be 2,000 characters or fewer"))],
        widget=GovTextArea(),
    )
    decision = ChoiceField(
        _l("Publish this in ‘You said, we did’?"),
        choices=[
            ("publish", _l("Yes, publish it in these words")),
            ("decline", _l("No, do not publish it")),
        ],
        widget=GovRadios(),
        message=_l("Select whether to publish this learning"),
    )
    submit = SubmitField(_l("Save decision"), widget=GovSubmitInput())

    def validate_public_text(self, field):
        if self.decision.data == "publish" and not field.data:
            raise ValidationError(_l("Enter the wording to publish"))


def self_assessment_form(keys: list[str]):
    """Build the self-assessment form for these requirements: whether met, the evidence, the action planned."""

    class SelfAssessmentForm(BaseForm):
        submit = SubmitField(_l("Save"), widget=GovSubmitInput())
        publish = SubmitField(_l("Save and publish"), widget=GovSubmitInput())

        def rows(self):
            for key in keys:
                yield key, self[f"status_{key}"], self[f"evidence_{key}"], self[f"action_{key}"]

    status_choices = list(STATUSES.items())
    for key in keys:
        title = REQUIREMENTS[key][0]
        setattr(
            SelfAssessmentForm,
            f"status_{key}",
            OptionalChoiceField(
                _l("%(requirement)s: is it met?", requirement=title), choices=status_choices, widget=GovRadios()
            ),
        )
        setattr(
            SelfAssessmentForm,
            f"evidence_{key}",
            StringField(
                _l("%(requirement)s: evidence", requirement=title),
                validators=[Length(max=TEXT_MAX, message=_l("Evidence must be 5,000 characters or fewer"))],
                widget=GovTextArea(),
            ),
        )
        setattr(
            SelfAssessmentForm,
            f"action_{key}",
            StringField(
                _l("%(requirement)s: action planned", requirement=title),
                description=_l("Needed when the requirement is partly met or not met."),
                validators=[Length(max=TEXT_MAX, message=_l("Action planned must be 5,000 characters or fewer"))],
                widget=GovTextArea(),
            ),
        )
    return SelfAssessmentForm
