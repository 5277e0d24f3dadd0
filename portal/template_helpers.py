"""Values every template can use: the council's name, the language switch, dates in the page's language."""

from datetime import date
from urllib.parse import urlencode as url_encode

from flask import current_app, g, request
from flask_babel import format_date, get_locale, gettext
from flask_babel import gettext as babel_gettext
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from portal.access import may_use
from portal.labels import VOCABULARIES
from portal.languages import NATIVE_NAMES, RIGHT_TO_LEFT, resident_facing


def language_links() -> list[dict]:
    """Return a link to this page in each other language (worked out once a request: the page shows them twice)."""
    if "language_links" not in g:
        g.language_links = _language_links()
    return g.language_links


def _language_links() -> list[dict]:
    current = str(get_locale())
    links = []
    rule = request.url_rule
    # A page shown after a POST to a POST-only address (a form with errors) switches language on the page above it.
    path = request.path if rule is None or "GET" in rule.methods else request.path.rsplit("/", 1)[0] or "/"
    for code in current_app.config["LANGUAGES"]:
        args = {**(request.args.to_dict() if request.method == "GET" else {}), "lang": code}
        href = f"{path}?{url_encode(args)}"
        links.append({"code": code, "name": NATIVE_NAMES.get(code, code), "href": href, "current": code == current})
    return links


def character_count(maxlength: int, **params) -> dict:
    """Return GOV.UK character count parameters with its JavaScript's messages in the page's language."""

    def gettext(message: str) -> str:
        # The catalogues write GOV.UK's %{count} as %%{count} (Jinja formats every message); with no values to
        # format, flask_babel.gettext leaves the %% as it is, so turn it back into GOV.UK's placeholder here.
        return babel_gettext(message).replace("%%", "%")

    remaining_one = gettext("You have %%{count} character remaining")
    remaining = gettext("You have %%{count} characters remaining")
    over_one = gettext("You have %%{count} character too many")
    over = gettext("You have %%{count} characters too many")

    def plural(one: str, other: str) -> dict:
        # Welsh and others use more plural categories than English; each falls back to the general form.
        return {"zero": other, "one": one, "two": other, "few": other, "many": other, "other": other}

    return {
        "maxlength": maxlength,
        "charactersUnderLimitText": plural(remaining_one, remaining),
        "charactersAtLimitText": gettext("You have 0 characters remaining"),
        "charactersOverLimitText": plural(over_one, over),
        "textareaDescriptionText": gettext("You can enter up to %%{count} characters"),
        **params,
    }


def password_text() -> dict:
    """Return the GOV.UK password input's button and announcement wording in the page's language."""
    return {
        "showPasswordText": gettext("Show"),
        "hidePasswordText": gettext("Hide"),
        "showPasswordAriaLabelText": gettext("Show password"),
        "hidePasswordAriaLabelText": gettext("Hide password"),
        "passwordShownAnnouncementText": gettext("Your password is visible"),
        "passwordHiddenAnnouncementText": gettext("Your password is hidden"),
    }


def long_date(value: date | None) -> str:
    """Format a date as '24 November 2026' in the page's language."""
    return format_date(value, format="d MMMM yyyy") if value else ""


def left_to_right(value) -> Markup:
    """Isolate a phone number, email address, reference or address so it reads left to right on any page.

    On an Urdu or Arabic page, "0300 123 4567" would otherwise show its groups in right-to-left order.
    """
    return Markup('<bdi dir="ltr">%s</bdi>') % value


def isodate(value: str | None) -> date | None:
    """Turn an ISO date kept in a draft back into a date."""
    return date.fromisoformat(value) if value else None


def template_globals() -> dict:
    config = current_app.config
    locale = get_locale()
    language = str(locale)
    return {
        "council_name": config["COUNCIL_NAME"],
        "council_phone": config["COUNCIL_PHONE"],
        "council_address": config["COUNCIL_ADDRESS"],
        "council_email": config["COUNCIL_EMAIL"],
        "current_language": language.replace("_", "-"),  # lang attributes take BCP 47 tags: en-001, not en_001
        "text_direction": "rtl" if language in RIGHT_TO_LEFT else "ltr",
        # Staff pages are in English only, so they offer no other language.
        "show_language_switch": resident_facing(request.path),
        "language_links": language_links,
        "long_date": long_date,
        "character_count": character_count,
        "password_text": password_text,
        "csrf_token_value": generate_csrf,
        "may_use": may_use,
        "code_labels": VOCABULARIES,
    }
