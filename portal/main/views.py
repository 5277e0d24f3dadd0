"""Pages every visitor may need: accessibility statement, privacy notice and a health check."""

from flask import Blueprint, jsonify, render_template

from portal.page_cache import cached_page
from portal.services.health import database_is_reachable

bp = Blueprint("main", __name__)


@bp.get("/accessibility")
@cached_page(per_session=False)
def accessibility():
    return render_template("main/accessibility.html")


@bp.get("/privacy")
@cached_page(per_session=False)
def privacy():
    return render_template("main/privacy.html")


@bp.get("/healthz")
def healthz():
    if not database_is_reachable():
        return jsonify(status="database unreachable"), 503
    return jsonify(status="ok")
