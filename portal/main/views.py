"""Pages every visitor may need: accessibility statement, privacy notice and a health check."""

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from portal.extensions import db

bp = Blueprint("main", __name__)


@bp.get("/accessibility")
def accessibility():
    return render_template("main/accessibility.html")


@bp.get("/privacy")
def privacy():
    return render_template("main/privacy.html")


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
