"""The administration pages for translating what the council configures into the languages residents can choose."""

from babel import Locale
from flask import abort, flash, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from markupsafe import Markup
from wtforms import StringField, SubmitField
from wtforms.validators import Length

from portal.admin.views import bp
from portal.form_base import BaseForm
from portal.htmx import redirect_to
from portal.languages import NATIVE_NAMES, RIGHT_TO_LEFT
from portal.services.content import (
    INTRODUCTION,
    KINDS,
    NAME_MAX_LENGTH,
    PHONE_HOURS,
    START_PAGE,
    WORDING_MAX_LENGTH,
    find_translatable,
    offered_languages,
    save_translations,
    saved_translations,
    standard_wording,
    translatable_items,
)

KIND_NAMES = {
    "directorate": _l("Directorates"),
    "service_area": _l("Service areas"),
    "theme": _l("Root-cause themes"),
    "start_page": _l("The council’s wording"),
}
ITEM_NAMES = {
    "directorate": _l("Directorate"),
    "service_area": _l("Service area"),
    "theme": _l("Root-cause theme"),
    "start_page": _l("The council’s wording"),
}
WORDING_NAMES = {INTRODUCTION: _l("Introduction on the start page"), PHONE_HOURS: _l("Phone line opening hours")}
# Babel's English name for Bengali is "Bangla"; people in the UK say Bengali.
ENGLISH_NAME_OVERRIDES = {"bn": "Bengali"}


def english_name(code: str) -> str:
    """Name a language in English, as staff read it: Welsh, Polish, Urdu."""
    return ENGLISH_NAME_OVERRIDES.get(code) or Locale.parse(code).english_name or code


def _label(code: str) -> str:
    native, english = NATIVE_NAMES.get(code, code), english_name(code)
    return native if native == english else f"{native} ({english})"


def _label_html(code: str) -> Markup:
    """The label with the native name marked in its language, so a screen reader says it properly."""
    native, english = NATIVE_NAMES.get(code, code), english_name(code)
    if native == english:
        return Markup("%s") % native
    return Markup('<span lang="%s">%s</span> (%s)') % (code, native, english)


def field_name(code: str) -> str:
    return f"text_{code}"


def item_name(kind: str, source: str) -> str:
    """What staff call an item: a name is its English; the council's wording has a name of its own."""
    return WORDING_NAMES[source] if kind == START_PAGE else source


def translation_form(kind: str, source: str, languages: tuple[str, ...], data: dict[str, str]) -> BaseForm:
    """Build the form with one field per language: a text box, or a larger box for the start page's introduction."""
    max_length = WORDING_MAX_LENGTH[source] if kind == START_PAGE else NAME_MAX_LENGTH
    paragraph = kind == START_PAGE and source == INTRODUCTION

    class TranslationForm(BaseForm):
        submit = SubmitField(_l("Save translations"), widget=GovSubmitInput())

    for code in languages:
        label = _label(code)
        field = StringField(
            label,
            validators=[
                Length(
                    max=max_length,
                    message=_l("%(language)s must be %(max)d characters or fewer", language=label, max=max_length),
                )
            ],
            widget=GovTextArea() if paragraph else GovTextInput(),
        )
        setattr(TranslationForm, field_name(code), field)
    return TranslationForm(data={field_name(code): text for code, text in data.items()})


@bp.get("/translations")
def translations():
    items = translatable_items()
    return render_template(
        "admin/translations.html",
        sections=[(kind, KIND_NAMES[kind], items[kind]) for kind in KINDS],
        other_languages=len(offered_languages("directorate")),
        item_name=item_name,
    )


@bp.route("/translations/<kind>/<int:item_id>", methods=["GET", "POST"])
def translation(kind: str, item_id: int):
    item = find_translatable(kind, item_id) if kind in KINDS else None
    if item is None:
        abort(404)
    languages = offered_languages(kind)
    form = translation_form(kind, item.source, languages, saved_translations(kind, item.source))
    if form.validate_on_submit():
        texts = {code: form[field_name(code)].data for code in languages}
        changed = save_translations(kind, item.source, texts, current_user)
        if changed:
            flash(_("Translations of %(name)s saved.", name=item_name(kind, item.source)), "success")
        else:
            flash(_("Nothing was changed."), "info")
        return redirect_to(url_for("admin.translations"))
    fields = [
        {
            "field": form[field_name(code)],
            "label": _label_html(code),
            "language": code,
            "direction": "rtl" if code in RIGHT_TO_LEFT else "ltr",
        }
        for code in languages
    ]
    return render_template(
        "admin/translation.html",
        form=form,
        errors=form.error_list(),
        item=item,
        kind=kind,
        kind_name=ITEM_NAMES[kind],
        heading=item_name(kind, item.source),
        standard=standard_wording(item.source) if kind == START_PAGE and item.source != INTRODUCTION else None,
        fields=fields,
    )
