"""The back office's front door: the newest cases the signed-in member of staff may see."""

from flask import Blueprint, render_template
from flask_login import current_user

from portal.access import enforce_route_access
from portal.services.cases import list_recent_cases_for

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(enforce_route_access)


@bp.get("/")
def home():
    return render_template("staff/home.html", cases=list_recent_cases_for(current_user))
