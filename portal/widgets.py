"""GOV.UK widgets adjusted so every word they print is translated and no empty hint is announced."""

from flask_babel import gettext
from govuk_frontend_wtf import wtforms_widgets as govuk


class _ErrorPrefixInPageLanguage:
    """GOV.UK's error message says "Error:" to screen readers before the message; say it in the page's language."""

    def render(self, params):
        if "errorMessage" in params:
            params["errorMessage"] = {**params["errorMessage"], "visuallyHiddenText": gettext("Error")}
        return super().render(params)


class GovTextInput(_ErrorPrefixInPageLanguage, govuk.GovTextInput):
    pass


class GovTextArea(_ErrorPrefixInPageLanguage, govuk.GovTextArea):
    pass


class GovCharacterCount(_ErrorPrefixInPageLanguage, govuk.GovCharacterCount):
    pass


class GovFileInput(_ErrorPrefixInPageLanguage, govuk.GovFileInput):
    pass


class GovCheckboxInput(_ErrorPrefixInPageLanguage, govuk.GovCheckboxInput):
    pass


class GovSelect(_ErrorPrefixInPageLanguage, govuk.GovSelect):
    pass


GovSubmitInput = govuk.GovSubmitInput


class GovLanguageSelect(GovSelect):
    """A choice of languages, each option named in its own language and marked with it (lang="pl")."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        for item in params.get("items", []):
            item["attributes"] = {**item.get("attributes", {}), "lang": item["value"]}
        return params


def _drop_empty_hint(params: dict) -> dict:
    hint = params.get("hint")
    if not hint or not hint.get("text"):
        params.pop("hint", None)
    return params


class GovRadios(_ErrorPrefixInPageLanguage, govuk.GovRadioInput):
    """Radios without an empty hint."""

    def map_gov_params(self, field, **kwargs):
        return _drop_empty_hint(super().map_gov_params(field, **kwargs))


class GovCheckboxes(_ErrorPrefixInPageLanguage, govuk.GovCheckboxesInput):
    """Checkboxes without an empty hint."""

    def map_gov_params(self, field, **kwargs):
        return _drop_empty_hint(super().map_gov_params(field, **kwargs))


class GovDate(_ErrorPrefixInPageLanguage, govuk.GovDateInput):
    """Day, month and year inputs whose labels are in the page's language."""

    def map_gov_params(self, field, **kwargs):
        if field.raw_data is not None and len(field.raw_data) != 3:
            field.raw_data = None  # a form posted without this date: show it empty, not crash
        params = super().map_gov_params(field, **kwargs)
        labels = [gettext("Day"), gettext("Month"), gettext("Year")]
        for item, label in zip(params["items"], labels, strict=True):
            item["label"] = label
        return params
