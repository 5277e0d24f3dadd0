"""GOV.UK widgets adjusted so every word they print is translated and no empty hint is announced.

Every widget is drawn by GOV.UK Frontend's Jinja macros, which take about a millisecond each. Their markup depends
only on their parameters, and most residents meet the same ones (the same choices, the same empty boxes), so each
distinct rendering is kept (in this process, the most recent few thousand) and reused. Nothing a resident typed is
kept: a text box with an answer in it, or radios revealing other fields, is drawn afresh each time.
"""

import threading

from cachetools import LRUCache
from flask_babel import get_locale, gettext
from govuk_frontend_wtf import wtforms_widgets as govuk
from markupsafe import Markup

RENDERED_KEPT = 4096
_rendered: LRUCache = LRUCache(maxsize=RENDERED_KEPT)
_rendered_lock = threading.Lock()


def _frozen(value):
    """The parameters as a hashable key that tells markup from text (the macros escape one and not the other)."""
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, Markup):
        return ("markup", str(value))
    if isinstance(value, str | int | float | bool | None):
        return value
    return ("text", str(value))  # lazy translations and the like, as the macro would print them


class _RenderedOnce:
    """Reuse the markup drawn for the same parameters in the same language, unless it holds a resident's answer."""

    typed_in = False  # True for boxes a resident types into: their value is an answer

    def _holds_an_answer(self, params) -> bool:
        items = params.get("items") or ()
        if any("conditional" in item for item in items):  # other fields' markup, answers and all
            return True
        return self.typed_in and bool(params.get("value") or any(item.get("value") for item in items))

    def render(self, params):
        if self._holds_an_answer(params):
            return super().render(params)
        key = (self.template, str(get_locale()), _frozen(params))
        with _rendered_lock:
            found = _rendered.get(key)
        if found is None:
            found = super().render(params)
            with _rendered_lock:
                _rendered[key] = found
        return found


class _TypedIn(_RenderedOnce):
    typed_in = True


class _ErrorPrefixInPageLanguage:
    """GOV.UK's error message says "Error:" to screen readers before the message; say it in the page's language."""

    def render(self, params):
        if "errorMessage" in params:
            params["errorMessage"] = {**params["errorMessage"], "visuallyHiddenText": gettext("Error")}
        return super().render(params)


class GovTextInput(_ErrorPrefixInPageLanguage, _TypedIn, govuk.GovTextInput):
    pass


class GovTextArea(_ErrorPrefixInPageLanguage, _TypedIn, govuk.GovTextArea):
    pass


class GovCharacterCount(_ErrorPrefixInPageLanguage, _TypedIn, govuk.GovCharacterCount):
    pass


class GovFileInput(_ErrorPrefixInPageLanguage, _RenderedOnce, govuk.GovFileInput):
    pass


class GovCheckboxInput(_ErrorPrefixInPageLanguage, _RenderedOnce, govuk.GovCheckboxInput):
    pass


class GovSelect(_ErrorPrefixInPageLanguage, _RenderedOnce, govuk.GovSelect):
    pass


class GovSubmitInput(_RenderedOnce, govuk.GovSubmitInput):
    pass


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


class GovRadios(_ErrorPrefixInPageLanguage, _RenderedOnce, govuk.GovRadioInput):
    """Radios without an empty hint."""

    def map_gov_params(self, field, **kwargs):
        return _drop_empty_hint(super().map_gov_params(field, **kwargs))


class GovCheckboxes(_ErrorPrefixInPageLanguage, _RenderedOnce, govuk.GovCheckboxesInput):
    """Checkboxes without an empty hint."""

    def map_gov_params(self, field, **kwargs):
        return _drop_empty_hint(super().map_gov_params(field, **kwargs))


class GovDate(_ErrorPrefixInPageLanguage, _TypedIn, govuk.GovDateInput):
    """Day, month and year inputs whose labels are in the page's language."""

    def map_gov_params(self, field, **kwargs):
        if field.raw_data is not None and len(field.raw_data) != 3:
            field.raw_data = None  # a form posted without this date: show it empty, not crash
        params = super().map_gov_params(field, **kwargs)
        labels = [gettext("Day"), gettext("Month"), gettext("Year")]
        for item, label in zip(params["items"], labels, strict=True):
            item["label"] = label
        return params
