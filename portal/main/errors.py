"""Error pages in the visitor's language, with nothing about the request echoed back."""

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.services.security_log import security_event

log = logging.getLogger(__name__)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        security_event("csrf_refused")  # an expired form, or a forged post
        return render_template("errors/session_expired.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 429:
            security_event("rate_limited", limit=str(getattr(error, "description", ""))[:60])
        template = {
            403: "errors/forbidden.html",
            404: "errors/not_found.html",
            405: "errors/not_found.html",
            410: "errors/not_found.html",
            413: "errors/too_large.html",
            429: "errors/too_many_requests.html",
        }.get(error.code, "errors/problem.html")
        return render_template(template, code=error.code), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if app.testing:
            raise error
        # The exception type only: its message could hold what a resident typed.
        log.error("unhandled error: %s", type(error).__name__, exc_info=app.debug)
        return render_template("errors/problem.html", code=500), 500
