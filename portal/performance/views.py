"""The public performance figures as open data: JSON in the contract's shape, and the same figures as a tidy CSV.

The CSV is long ("tidy"): one figure per row, every row saying what it is, so it filters and pivots in a
spreadsheet and loads straight into pandas or R. UTF-8 without a byte-order mark, comma-separated, a header row,
CRLF line ends (RFC 4180). Columns:

    period_from, period_to  the period, both dates inclusive (YYYY-MM-DD)
    as_of                   the day open_overdue was judged on
    section                 received | stage | total_by_stage | service_area | service_area_theme |
                            service_area_unallocated | setting
    process                 corporate | childrens | adults (section stage), else empty
    stage                   1, 2 or 3 (sections stage and total_by_stage), else empty
    directorate             (sections service_area and service_area_theme), else empty
    service_area            (sections service_area and service_area_theme), else empty
    theme                   top-level root-cause theme (section service_area_theme), else empty
    measure                 received: complaint, compliment, suggestion, service_request, signposted;
                            stage and total_by_stage: received, responded, responded_within_timescale,
                            within_timescale_pct, open, open_overdue, closed_other, outcome_upheld,
                            outcome_partly_upheld, outcome_not_upheld;
                            service_area: received, suppressed (1 or 0);
                            service_area_theme: count, pct (listed by rank, at most three per service area);
                            service_area_unallocated: received; setting: small_numbers_threshold
    value                   a number; empty for a percentage with nothing to divide by (JSON null)
"""

import csv
import io
import json
from datetime import date

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _

from portal.htmx import render_page
from portal.page_cache import cached_page
from portal.services.annual_report import NoSuchReport, report_years
from portal.services.annual_report import annual_report as build_annual_report
from portal.services.contact_figures import cached_other_contact_figures
from portal.services.figures import InvalidPeriod, cached_comparison, cached_figures, open_data, parse_period
from portal.services.learning import published_learning
from portal.services.lgsco_annual import published_for_period
from portal.services.pdf import render_pdf
from portal.services.period_choices import describe_change, period_choices, year_earlier
from portal.services.publishing import financial_year_label, financial_year_of

bp = Blueprint("performance", __name__, url_prefix="/performance")

CSV_COLUMNS = (
    "period_from",
    "period_to",
    "as_of",
    "section",
    "process",
    "stage",
    "directorate",
    "service_area",
    "theme",
    "measure",
    "value",
)
STAGE_CSV_MEASURES = (
    "received",
    "responded",
    "responded_within_timescale",
    "within_timescale_pct",
    "open",
    "open_overdue",
    "closed_other",
)
SPREADSHEET_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@bp.get("/data.json")
def data_json():
    try:
        figures = _requested_figures()
    except InvalidPeriod as error:
        return _bad_request(error)
    body = json.dumps(figures, ensure_ascii=False)
    return _open_data(Response(body, mimetype="application/json"))


@bp.get("/data.csv")
def data_csv():
    try:
        figures = _requested_figures()
    except InvalidPeriod as error:
        return _bad_request(error)
    response = _open_data(Response(figures_as_csv(figures), content_type="text/csv; charset=utf-8; header=present"))
    period = figures["period"]
    filename = f"complaints-performance-{period['from']}-to-{period['to']}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _requested_figures() -> dict:
    today = date.today()
    period_from, period_to = parse_period(request.args.get("from"), request.args.get("to"), today)
    # The figures are cached rather than the responses, so the JSON and the CSV of one period share one computation.
    return open_data(cached_figures(period_from, period_to, today))


def _open_data(response: Response) -> Response:
    # Open data with no cookies or personal data in it: any web page may read it, so a dashboard or a
    # journalist's notebook in a browser can fetch it directly. Nothing here depends on who asks.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Browsers and shared caches may keep the figures as long as the server does.
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["CACHE_DEFAULT_TIMEOUT"]
    return response


def _bad_request(error: InvalidPeriod) -> Response:
    response = Response(json.dumps({"error": str(error)}), status=400, mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.no_store = True
    return response


def figures_as_csv(figures: dict) -> str:
    """Write the figures as the tidy CSV the module docstring describes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    period = (figures["period"]["from"], figures["period"]["to"], figures["as_of"])

    def row(section, measure, value, process="", stage="", directorate="", service_area="", theme=""):
        text = (_safe_text(directorate), _safe_text(service_area), _safe_text(theme))
        writer.writerow((*period, section, process, stage, *text, measure, "" if value is None else value))

    for case_type, count in figures["received"].items():
        row("received", case_type, count)
    for entry in figures["stages"]:
        for measure, value in _stage_measures(entry):
            row("stage", measure, value, process=entry["process"], stage=entry["stage"])
    for entry in figures["totals_by_stage"]:
        for measure, value in _stage_measures(entry):
            row("total_by_stage", measure, value, stage=entry["stage"])
    for area in figures["service_areas"]:
        where = {"directorate": area["directorate"], "service_area": area["service_area"]}
        row("service_area", "received", area["received"], **where)
        row("service_area", "suppressed", int(area["suppressed"]), **where)
        for theme in area["top_themes"]:
            row("service_area_theme", "count", theme["count"], theme=theme["theme"], **where)
            row("service_area_theme", "pct", theme["pct"], theme=theme["theme"], **where)
    row("service_area_unallocated", "received", figures["complaints_without_service_area"])
    row("setting", "small_numbers_threshold", figures["small_numbers_threshold"])
    return out.getvalue()


def _stage_measures(entry: dict):
    for measure in STAGE_CSV_MEASURES:
        yield measure, entry[measure]
    for outcome, count in entry["outcomes"].items():
        yield f"outcome_{outcome}", count


def _safe_text(text: str) -> str:
    # Service area and theme names are typed by staff or imported; one starting like a formula must stay text.
    return f"'{text}" if text.startswith(SPREADSHEET_FORMULA_START) else text


@bp.get("")
@cached_page(per_session=False)
def page():
    """The public performance page: the period's figures beside the same period a year before."""
    today = date.today()
    try:
        period_from, period_to = parse_period(request.args.get("from"), request.args.get("to"), today)
    except InvalidPeriod:
        period_from, period_to = parse_period(None, None, today)
    figures = cached_figures(period_from, period_to, today)
    earlier = cached_comparison(year_earlier(period_from), year_earlier(period_to), today)
    return render_page(
        "performance/page.html",
        "performance/_figures.html",
        figures=figures,
        earlier=earlier,
        period_from=period_from,
        period_to=period_to,
        choices=period_choices(today),
        describe_change=describe_change,
        page_title=_("How we handle complaints"),
        lgsco=published_for_period(period_from, period_to),
        learning=published_learning(period_from, period_to),
        other_contacts=cached_other_contact_figures(period_from, period_to),
        annual_report=_annual_report_link(period_from, today),
    )


@bp.get("/annual-report")
@cached_page(per_session=False)
def annual_reports():
    """The annual complaints reports there are to read, newest first."""
    years = [(year, financial_year_label(year)) for year in report_years(date.today())]
    return render_template("performance/annual_reports.html", years=years)


def _annual_report_link(period_from: date, today: date) -> dict | None:
    """The annual report of the financial year a period starts in, for the performance page to link to."""
    if period_from > today:
        return None
    year = financial_year_of(period_from)
    return {"start_year": year, "label": financial_year_label(year)}


def _annual_report(start_year: int) -> dict:
    try:
        return build_annual_report(start_year, date.today())
    except NoSuchReport:
        abort(404)


@bp.get("/annual-report/<int:start_year>")
@cached_page(per_session=False)
def annual_report(start_year: int):
    """The annual complaints performance and service improvement report for a financial year, ready to print."""
    return render_template("performance/annual_report.html", report=_annual_report(start_year), pdf=False)


@bp.get("/annual-report/<int:start_year>.pdf")
@cached_page(per_session=False)
def annual_report_pdf(start_year: int):
    """The same report as a PDF, drawn from the same markup with the print styles."""
    report = _annual_report(start_year)
    html = render_template("performance/annual_report.html", report=report, pdf=True)
    response = Response(render_pdf(html, base_url=request.url_root), mimetype="application/pdf")
    filename = f"complaints-annual-report-{start_year}-{(start_year + 1) % 100:02d}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
