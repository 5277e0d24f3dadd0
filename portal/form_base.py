"""What every form shares: whitespace (and NUL) stripped in one place, and radios that say what to choose.

Passwords are the exception: they are taken exactly as typed, spaces included (ASVS 6.2.x: nothing the person
chose is changed).
"""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField, PasswordField, RadioField, SelectMultipleField
from wtforms.validators import StopValidation


def _strip(value):
    # NUL goes too: nobody types it, and PostgreSQL refuses it in text.
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            # _strip leaves anything that is not text (files, dates, lists) as it is, so every field can have it.
            if not issubclass(unbound_field.field_class, PasswordField):
                options["filters"] = (_strip, *(options.get("filters") or ()))
            return unbound_field.bind(form=form, **options)

    def error_list(self) -> list[dict]:
        """Return the GOV.UK error summary items, each linking to the field it is about."""
        items = []
        for field in self:
            if field.errors:
                items.append({"text": field.errors[0], "href": f"#{error_anchor(field)}"})
        return items


def error_anchor(field) -> str:
    """Return the id of the first input a field renders, so the error summary link moves focus there."""
    if isinstance(field.widget, GovDateInput):
        return f"{field.id}-day"
    return field.id


class ChoiceField(RadioField):
    """Radios whose missing or unknown answer gets the form's own message, not WTForms' 'Not a valid choice'."""

    def __init__(self, label=None, validators=None, message: str = "", **kwargs):
        super().__init__(label, validators=validators, validate_choice=False, **kwargs)
        self._message = message

    def pre_validate(self, form):
        allowed = {str(value) for value, *_ in self.choices}
        if self.data is None or str(self.data) not in allowed:
            raise StopValidation(str(self._message))


class MultiChoiceField(SelectMultipleField):
    """Checkboxes that quietly ignore values that are not offered."""

    def pre_validate(self, form):
        allowed = {str(value) for value, *_ in self.choices}
        self.data = [value for value in (self.data or []) if value in allowed]


class DayMonthYearField(DateField):
    """A date typed as day, month and year, with a GOV.UK message when it is not a real date."""

    def __init__(self, label=None, validators=None, invalid_message: str = "", **kwargs):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        if not valuelist or not any(part.strip() for part in valuelist):
            self.data = None
            return
        try:
            super().process_formdata([part.strip() for part in valuelist])
        except ValueError as error:
            self.data = None
            raise ValueError(str(self.invalid_message)) from error
