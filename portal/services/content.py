"""The council's own content in each language: translated names and start page wording, with English to fall back on.

Names are translated by their English wording, as gettext translates by msgid: a renamed directorate, service area
or theme simply needs translating again, and its old translations stay with the old name. The start page's
introduction (key INTRODUCTION) and the phone line's opening hours (key PHONE_HOURS) are the council's own wording:
the council may keep its own English wording of each, and without it residents see the standard wording, translated
by the catalogues.
"""

from dataclasses import dataclass

from flask import current_app, g
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.models import ContentTranslation, User
from portal.services.organisation import (
    get_directorate,
    get_service_area,
    get_theme,
    list_all_directorates,
    save_configuration_change,
    theme_tree,
)

ENGLISH = "en"
DIRECTORATE = "directorate"
SERVICE_AREA = "service_area"
THEME = "theme"
START_PAGE = "start_page"  # the council's own wording: the start page's introduction and the phone opening hours
NAME_KINDS = (DIRECTORATE, SERVICE_AREA, THEME)
KINDS = (*NAME_KINDS, START_PAGE)
INTRODUCTION = "introduction"
PHONE_HOURS = "phone_hours"
# The council's wording, in order: an item's address uses its position as its id.
WORDING = (INTRODUCTION, PHONE_HOURS)
NAME_MAX_LENGTH = 120
WORDING_MAX_LENGTH = {INTRODUCTION: 2000, PHONE_HOURS: NAME_MAX_LENGTH}

_MEMO = "content_translations"


class UnknownContent(LookupError):
    """Raised for a kind of content that is not in KINDS, or a language the portal does not offer for it."""


@dataclass(frozen=True)
class Translatable:
    """Something the council can translate: its English source, where it sits, and how many languages have it."""

    kind: str
    item_id: int
    source: str
    parent: str | None = None  # the directorate of a service area, the top-level theme of a detail
    translated: int = 0


def _is_english(language: str) -> bool:
    # Exactly English: any other locale, the tests' pseudo-locale ("en_001") too, gets the English marked as such.
    return language == ENGLISH


def translations(kind: str, language: str) -> dict[str, str]:
    """Return every translation of a kind of content into a language, by English source (read once per request)."""
    memo = g.setdefault(_MEMO, {})
    if (kind, language) not in memo:
        rows = db.session.execute(
            select(ContentTranslation.source, ContentTranslation.text).filter_by(kind=kind, language=language)
        )
        memo[(kind, language)] = dict(rows.tuples().all())
    return memo[(kind, language)]


def _fallback(english: str) -> Markup:
    # lang="en" tells a screen reader to switch voice, and is what marks the text as not translated.
    return Markup('<span lang="en" class="app-fallback">%s</span>') % english


def council_text(kind: str, source: str | None, language: str | None = None) -> Markup | None:
    """Return the council's text in a language (the page's by default), or its English marked as such.

    For the start page the English is the council's own "en" wording, and None means the council has none: the
    caller shows its built-in, catalogue-translated text instead.
    """
    language = language or str(get_locale())
    if not source:
        return None if kind == START_PAGE else Markup("")
    if kind != START_PAGE and _is_english(language):  # a name's English is its source: nothing to look up
        return escape(source)
    translated = translations(kind, language).get(source)
    if translated:
        return escape(translated)
    if kind != START_PAGE:
        return _fallback(source)
    if _is_english(language):
        return None
    english = translations(kind, ENGLISH).get(source)
    return _fallback(english) if english else None


def council_text_plain(kind: str, source: str | None, language: str) -> str:
    """Return the council's text in a language as plain text (for emails): the translation, else the English."""
    if not source:
        return ""
    translated = translations(kind, language).get(source)
    if translated:
        return translated
    if kind == START_PAGE:
        return translations(kind, ENGLISH).get(source, "")
    return source


def standard_wording(key: str) -> str:
    """The wording residents see, in the page's language, where the council has written none of its own."""
    if key == PHONE_HOURS:
        return _("Monday to Friday, 9am to 5pm")
    raise UnknownContent(key)


def phone_hours() -> Markup:
    """The phone line's opening hours in the page's language: the council's, its English marked, or the standard."""
    try:
        wording = council_text(START_PAGE, PHONE_HOURS)
    except SQLAlchemyError:
        # Error pages say how to reach us, and one may be showing because the database failed.
        db.session.rollback()
        wording = None
    return wording or escape(standard_wording(PHONE_HOURS))


def offered_languages(kind: str) -> tuple[str, ...]:
    """Return the languages a kind of content is written in by the council: English too only for the start page."""
    languages = current_app.config["LANGUAGES"]
    return tuple(languages) if kind == START_PAGE else tuple(code for code in languages if not _is_english(code))


def saved_translations(kind: str, source: str) -> dict[str, str]:
    """Return the council's wording of one source, by language."""
    rows = db.session.execute(
        select(ContentTranslation.language, ContentTranslation.text).filter_by(kind=kind, source=source)
    )
    return dict(rows.tuples().all())


def save_translations(kind: str, source: str, texts: dict[str, str | None], actor: User) -> bool:
    """Store the wording given for each language, remove any emptied, and say whether anything changed."""
    if kind not in KINDS:
        raise UnknownContent(kind)
    allowed = offered_languages(kind)
    if any(language not in allowed for language in texts):
        raise UnknownContent(", ".join(sorted(set(texts) - set(allowed))))
    rows = {
        row.language: row for row in db.session.scalars(select(ContentTranslation).filter_by(kind=kind, source=source))
    }
    before, after = {}, {}
    for language, text in texts.items():
        text = (text or "").strip()
        row = rows.get(language)
        old = row.text if row else None
        if text == (old or ""):
            continue
        before[language], after[language] = old, text or None
        if not text:
            db.session.delete(row)
        elif row is None:
            db.session.add(ContentTranslation(kind=kind, source=source, language=language, text=text))
        else:
            row.text = text
    if not after:
        return False
    g.pop(_MEMO, None)
    save_configuration_change(
        actor, "content_translations_changed", kind=kind, source=source, before=before, after=after
    )
    return True


def ensure_translation(kind: str, source: str, language: str, text: str) -> bool:
    """Add a translation unless the source already has one in that language (for demonstration data); no commit."""
    found = db.session.scalar(select(ContentTranslation.id).filter_by(kind=kind, source=source, language=language))
    if found is not None:
        return False
    db.session.add(ContentTranslation(kind=kind, source=source, language=language, text=text))
    g.pop(_MEMO, None)
    return True


def _counts(kind: str, languages: tuple[str, ...]) -> dict[str, int]:
    rows = db.session.execute(
        select(ContentTranslation.source, func.count())
        .where(ContentTranslation.kind == kind, ContentTranslation.language.in_(languages))
        .group_by(ContentTranslation.source)
    )
    return dict(rows.tuples().all())


def translatable_items() -> dict[str, list[Translatable]]:
    """List, by kind, everything residents see that the council can translate, with how many languages have it.

    Every directorate, every active service area and every active theme (top level, then its details), and the
    council's wording (the start page's introduction, the phone opening hours). Only languages other than English
    are counted.
    """
    others = offered_languages(DIRECTORATE)
    counts = {kind: _counts(kind, others) for kind in KINDS}
    items: dict[str, list[Translatable]] = {kind: [] for kind in KINDS}
    for directorate in list_all_directorates():
        items[DIRECTORATE].append(
            Translatable(
                DIRECTORATE, directorate.id, directorate.name, None, counts[DIRECTORATE].get(directorate.name, 0)
            )
        )
        for area in directorate.service_areas:
            if area.active:
                count = counts[SERVICE_AREA].get(area.name, 0)
                items[SERVICE_AREA].append(Translatable(SERVICE_AREA, area.id, area.name, directorate.name, count))
    for top in theme_tree():
        if not top.active:
            continue
        items[THEME].append(Translatable(THEME, top.id, top.name, None, counts[THEME].get(top.name, 0)))
        for detail in top.details:
            if detail.active:
                count = counts[THEME].get(detail.name, 0)
                items[THEME].append(Translatable(THEME, detail.id, detail.name, top.name, count))
    for item_id, key in enumerate(WORDING):
        items[START_PAGE].append(Translatable(START_PAGE, item_id, key, None, counts[START_PAGE].get(key, 0)))
    return items


def find_translatable(kind: str, item_id: int) -> Translatable | None:
    """Return the item of a kind with this id (retired ones too: their names still show in the figures), or None."""
    if kind == START_PAGE:
        return Translatable(START_PAGE, item_id, WORDING[item_id]) if 0 <= item_id < len(WORDING) else None
    if kind == DIRECTORATE:
        directorate = get_directorate(item_id)
        return Translatable(DIRECTORATE, item_id, directorate.name) if directorate else None
    if kind == SERVICE_AREA:
        area = get_service_area(item_id)
        return Translatable(SERVICE_AREA, item_id, area.name, area.directorate.name) if area else None
    if kind == THEME:
        theme = get_theme(item_id)
        if theme is None:
            return None
        parent = get_theme(theme.parent_id) if theme.parent_id else None
        return Translatable(THEME, item_id, theme.name, parent.name if parent else None)
    return None
