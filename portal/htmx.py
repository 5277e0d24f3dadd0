"""The one module that knows about htmx_flask: page-or-fragment rendering and htmx-aware redirects."""

from flask import Response, make_response, redirect, render_template, request
from htmx_flask import Htmx
from htmx_flask import make_response as make_htmx_response
from markupsafe import escape

htmx = Htmx()


def wants_fragment() -> bool:
    """Tell whether htmx asked to swap part of a page (boosted and history-restore requests want whole pages)."""
    headers = getattr(request, "htmx", None)
    return bool(headers) and not headers.boosted and not headers.history_restore_request


def render_page(page: str, fragment: str, status: int = 200, **context) -> Response:
    """Render the whole page, or only its fragment for htmx; the page includes the fragment, so the markup is one."""
    if wants_fragment():
        # htmx 2 swaps nothing for 4xx/5xx, so an invalid form comes back as 200 with its errors.
        title = context.get("page_title")
        body = (f"<title>{escape(title)}</title>" if title else "") + render_template(fragment, **context)
        response = make_response(body, 200)
    else:
        response = make_response(render_template(page, **context), status)
    response.vary.add("HX-Request")
    return response


def redirect_to(url: str) -> Response:
    """Redirect after a successful POST: a 303 for browsers, HX-Redirect for htmx so the next page loads whole."""
    if wants_fragment():
        response = make_htmx_response("", redirect=url)
    else:
        response = redirect(url, code=303)
    response.vary.add("HX-Request")
    return response


def checking_one_field() -> bool:
    """Tell whether htmx sent the form only to check the field that just changed (nothing is to be saved)."""
    return bool(request.headers.get("HX-Validate"))


def keep_only_triggering_field_errors(form) -> None:
    """For htmx's check of one field, drop every other field's errors so untouched questions stay quiet."""
    name = request.headers.get("HX-Trigger-Name")
    for field in form:
        if field.name != name:
            field.errors = []
