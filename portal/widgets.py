"""GOV.UK widgets adjusted so every word they print is translated and no empty hint is announced."""

from flask_babel import gettext
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovDateInput, GovRadioInput


def _drop_empty_hint(params: dict) -> dict:
    hint = params.get("hint")
    if not hint or not hint.get("text"):
        params.pop("hint", None)
    return params


class GovRadios(GovRadioInput):
    """Radios without an empty hint."""

    def map_gov_params(self, field, **kwargs):
        return _drop_empty_hint(super().map_gov_params(field, **kwargs))


class GovCheckboxes(GovCheckboxesInput):
    """Checkboxes without an empty hint."""

    def map_gov_params(self, field, **kwargs):
        return _drop_empty_hint(super().map_gov_params(field, **kwargs))


class GovDate(GovDateInput):
    """Day, month and year inputs whose labels are in the page's language."""

    def map_gov_params(self, field, **kwargs):
        if field.raw_data is not None and len(field.raw_data) != 3:
            field.raw_data = None  # a form posted without this date: show it empty, not crash
        params = super().map_gov_params(field, **kwargs)
        labels = [gettext("Day"), gettext("Month"), gettext("Year")]
        for item, label in zip(params["items"], labels, strict=True):
            item["label"] = label
        return params
