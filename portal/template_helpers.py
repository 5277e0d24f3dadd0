"""Values every template can use: the council's name, the language switch, dates in the page's language."""

from datetime import date
from urllib.parse import urlencode as url_encode

from flask import current_app, request
from flask_babel import format_date, get_locale
from flask_wtf.csrf import generate_csrf

from portal.access import may_use
from portal.languages import NATIVE_NAMES


def language_links() -> list[dict]:
    """Return a link to this page in each other language."""
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


def long_date(value: date | None) -> str:
    """Format a date as '24 November 2026' in the page's language."""
    return format_date(value, format="d MMMM yyyy") if value else ""


def isodate(value: str | None) -> date | None:
    """Turn an ISO date kept in a draft back into a date."""
    return date.fromisoformat(value) if value else None


def template_globals() -> dict:
    config = current_app.config
    return {
        "council_name": config["COUNCIL_NAME"],
        "council_phone": config["COUNCIL_PHONE"],
        "council_phone_hours": config["COUNCIL_PHONE_HOURS"],
        "council_address": config["COUNCIL_ADDRESS"],
        "council_email": config["COUNCIL_EMAIL"],
        "current_language": str(get_locale()),
        "language_links": language_links,
        "long_date": long_date,
        "csrf_token_value": generate_csrf,
        "may_use": may_use,
    }
