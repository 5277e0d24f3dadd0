"""Everything create_app() does, in one place: config, extensions, templates, language, security headers."""

import base64
import hashlib
import os
from functools import lru_cache

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader, Undefined
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from portal import PROJECT_ROOT
from portal.config import CONFIGS
from portal.extensions import babel, cache, compress, csrf, db, limiter, login_manager, migrate, talisman
from portal.htmx import htmx
from portal.languages import NATIVE_NAMES, resident_facing

# GOV.UK Frontend's template sets the js-enabled class with this one inline script; the CSP allows it by hash.
GOVUK_BODY_SCRIPT = (
    "document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? "
    "' govuk-frontend-supported' : '');"
)
LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600  # seconds; the cookie page tells residents how long


class OutputStrictUndefined(Undefined):
    """Fail when a missing variable would be printed, but stay lenient in `if` tests, as the GOV.UK macros need."""

    __str__ = Undefined._fail_with_undefined_error  # type: ignore[assignment]


def configure_app(app: Flask, config_name: str | None, overrides: dict) -> None:
    name = config_name or os.environ.get("PORTAL_ENV", "production")
    app.config.from_object(CONFIGS[name])
    app.config.update(overrides)
    if "SECRET_KEY" not in overrides and os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set (PORTAL_ENV=development gives a development key)")
    if "SECRET_KEY_FALLBACKS" not in overrides and os.environ.get("SECRET_KEY_FALLBACKS"):
        # Earlier keys, comma-separated, still accepted while a new SECRET_KEY is rolled out (docs/deploying.md).
        app.config["SECRET_KEY_FALLBACKS"] = [
            key.strip() for key in os.environ["SECRET_KEY_FALLBACKS"].split(",") if key.strip()
        ]
    if app.config["SESSION_COOKIE_SECURE"] and "SESSION_COOKIE_NAME" not in overrides:
        # A __Host- cookie is taken by browsers only over HTTPS, for this host alone (no Domain) and path /, so no
        # other subdomain of the council's can plant one on a resident or a member of staff (ASVS 3.3.3).
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"].replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
    if app.config["NOTIFY_BACKEND"] == "smtp":
        from portal.services.notifications import smtp_backend

        smtp_backend(app.config)  # refuses unsafe or unknown SMTP settings now, not at the first email
    os.makedirs(app.instance_path, exist_ok=True)

    from portal.logging_setup import configure_logging

    configure_logging(app)
    _init_extensions(app)
    _serve_static_files(app)
    _trust_proxy_headers(app)
    _configure_templates(app)
    _register_blueprints(app)
    _register_language_handling(app)
    _keep_pages_out_of_caches(app)

    from portal.cli import register_cli
    from portal.main.errors import register_error_handlers

    register_cli(app)
    register_error_handlers(app)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    compress.init_app(app)
    cache.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.session_protection = "basic"

    from flask_babel import lazy_gettext

    login_manager.login_message = lazy_gettext("Sign in to see this page")
    login_manager.login_message_category = "info"

    from portal.services.users import load_user

    login_manager.user_loader(load_user)

    script_hash = base64.b64encode(hashlib.sha256(GOVUK_BODY_SCRIPT.encode()).digest()).decode()
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        frame_options="DENY",
        referrer_policy="same-origin",
        content_security_policy={
            "default-src": "'self'",
            "script-src": ["'self'", f"'sha256-{script_hash}'"],
            "style-src": "'self'",
            "img-src": "'self' data:",
            "font-src": "'self'",
            "connect-src": "'self'",
            "form-action": "'self'",
            "frame-ancestors": "'none'",
            "base-uri": "'none'",
            "object-src": "'none'",
        },
        permissions_policy={"camera": "()", "microphone": "()", "geolocation": "()", "interest-cohort": "()"},
    )


def _serve_static_files(app: Flask) -> None:
    """Let WhiteNoise serve static/ ahead of Flask, with the .br/.gz files `make` builds beside each asset."""
    from whitenoise import WhiteNoise

    def add_headers(headers, path, url):
        headers["X-Content-Type-Options"] = "nosniff"

    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=str(PROJECT_ROOT / "static"),
        prefix="static/",
        max_age=app.config["SEND_FILE_MAX_AGE_DEFAULT"],
        add_headers_function=add_headers,
        autorefresh=app.debug,
    )


def _trust_proxy_headers(app: Flask) -> None:
    """Take the client's address and scheme from the PROXY_HOPS reverse proxies in front, and from no one else."""
    hops = app.config["PROXY_HOPS"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _configure_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.undefined = OutputStrictUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from portal.labels import label, stage_label
    from portal.template_helpers import isodate, left_to_right, template_globals

    app.context_processor(template_globals)
    app.add_template_filter(isodate)
    app.add_template_filter(left_to_right, "ltr")
    app.add_template_filter(label)
    from portal.numbers import number, percent

    app.add_template_filter(number)
    app.add_template_filter(percent)
    app.add_template_global(stage_label)
    from portal.services.content import council_text, phone_hours

    app.add_template_global(council_text)
    app.add_template_global(phone_hours)


def _register_blueprints(app: Flask) -> None:
    from portal.admin.views import bp as admin_bp
    from portal.auth.account import bp as account_bp
    from portal.auth.views import bp as auth_bp
    from portal.main.views import bp as main_bp
    from portal.performance.views import bp as performance_bp
    from portal.public.views import bp as public_bp
    from portal.reporting.views import bp as reporting_bp
    from portal.staff.views import bp as staff_bp
    from portal.stages.views import bp as stages_bp
    from portal.tracking.views import bp as tracking_bp

    for blueprint in (main_bp, public_bp, tracking_bp, auth_bp, account_bp, staff_bp, stages_bp, performance_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(admin_bp)
    app.register_blueprint(reporting_bp)


def _keep_pages_out_of_caches(app: Flask) -> None:
    """Tell browsers and proxies not to store any page unless its view says it may (the open data does).

    Case pages, the tracking page and the form's answers hold personal data; a shared computer's cache or back
    button must not show them to the next person. WhiteNoise's static files never reach this hook.
    """

    @app.after_request
    def no_store_unless_allowed(response):
        # A plain header write: werkzeug's cache_control object parses and re-serialises the header on every page.
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response


def select_locale() -> str:
    """Pick the language: ?lang= on the link beats the remembered cookie, which beats Accept-Language.

    The back office is in English (BABEL_DEFAULT_LOCALE), whatever the member of staff's browser asks for.
    """
    if not has_request_context() or not resident_facing(request.path):  # commands and staff pages: English
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    for chosen in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if _choosable(chosen):
            return chosen
    offered = _best_offered(request.headers.get("Accept-Language", ""), tuple(languages))
    return offered or current_app.config["BABEL_DEFAULT_LOCALE"]


@lru_cache(maxsize=512)
def _best_offered(accept_language: str, languages: tuple[str, ...]) -> str | None:
    """The offered language a browser's Accept-Language prefers, worked out once per distinct header.

    Browsers send few distinct headers, and Werkzeug's matching (regional and fallback forms) is a noticeable part
    of a cached page's time; the cache is bounded, so made-up headers only push older ones out.
    """
    return parse_accept_header(accept_language, LanguageAccept).best_match(languages)


def _choosable(code: str | None) -> bool:
    """Whether a language may be chosen by link or cookie: one offered, or the tests' pseudo-locale."""
    config = current_app.config
    return code is not None and (code in config["LANGUAGES"] or code == config["PSEUDO_LOCALE"])


def _register_language_handling(app: Flask) -> None:
    @app.after_request
    def remember_language(response):
        chosen = request.args.get("lang")
        if _choosable(chosen):
            response.set_cookie(
                LANGUAGE_COOKIE,
                chosen,
                max_age=LANGUAGE_COOKIE_MAX_AGE,
                secure=app.config["SESSION_COOKIE_SECURE"],
                httponly=True,
                samesite="Lax",
            )
        response.headers.setdefault("Content-Language", str(get_locale()).replace("_", "-"))
        return response

    app.jinja_env.globals["native_language_names"] = NATIVE_NAMES
    # GOV.UK Frontend's one inline script, written into the page by base.html and allowed by the CSP's hash of it.
    app.jinja_env.globals["govuk_body_script"] = Markup(GOVUK_BODY_SCRIPT)  # noqa: S704 (a constant, not input)
