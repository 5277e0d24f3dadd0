"""Caching whole GET pages whose content is fully decided by the URL, the language and the visitor's session.

A page that shows a form carries the session's CSRF token and the resident's answers, so its key includes
the session's CSRF secret, the draft's id and a revision the views bump whenever they change the draft.
A page without a form is the same for everyone in one language. Pages with a one-off message (a flash),
htmx fragments, and staff pages are never cached.
"""

import hashlib
import logging
import time
from functools import wraps

from flask import current_app, request, session
from flask_babel import get_locale
from redis.exceptions import RedisError

from portal.extensions import cache, compress

logger = logging.getLogger(__name__)
# With Redis down, say so at most once a minute per process, not on every page.
WARN_EVERY_SECONDS = 60
_last_warning = [0.0]

SESSION_PARTS = ("csrf_token", "draft_id", "draft_rev", "confirmation_reference")


def note_draft_changed() -> None:
    """Tell the page cache that the resident's answers changed, so no page showing the old ones is served."""
    session["draft_rev"] = session.get("draft_rev", 0) + 1


def _key(per_session: bool) -> str:
    parts = [
        request.full_path,
        str(get_locale()),
        request.headers.get("HX-Request", ""),
        request.headers.get("Accept-Encoding", ""),
    ]
    if per_session:
        parts += [str(session.get(name, "")) for name in SESSION_PARTS]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _cacheable(per_session: bool) -> bool:
    if request.method != "GET" or not current_app.config.get("PAGE_CACHE_ENABLED", True):
        return False
    if "_flashes" in session or request.args.get("lang"):
        return False
    # Without a CSRF secret in the session yet, rendering the form creates one: that page belongs to nobody else.
    return not per_session or "csrf_token" in session


def cached_page(per_session: bool):
    """Serve the view's 200 response from the cache when the same visitor asked for the same page before."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not _cacheable(per_session):
                return view(*args, **kwargs)
            key = _key(per_session)
            hit = _read(key)
            if hit is not None:
                body, headers = hit
                return current_app.response_class(body, 200, headers)
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code == 200 and not response.is_streamed and "_flashes" not in session:
                # Keep the page as it goes on the wire, compressed, so a hit costs no compression either.
                response = compress.after_request(response)
                _write(key, (response.get_data(), list(response.headers.items())))
            return response

        return wrapper

    return decorate


def _cache_unreachable(error: Exception) -> None:
    now = time.monotonic()
    if now - _last_warning[0] >= WARN_EVERY_SECONDS:
        _last_warning[0] = now
        logger.warning("page cache unreachable: pages are drawn afresh", extra={"error": type(error).__name__})


def _read(key: str):
    """A cached page, or None: a cache that cannot be reached (Redis down) is a miss, never an error page."""
    try:
        return cache.get(key)
    except (RedisError, OSError) as error:
        _cache_unreachable(error)
        return None


def _write(key: str, value) -> None:
    try:
        cache.set(key, value)
    except (RedisError, OSError) as error:
        _cache_unreachable(error)
