"""The annual complaints report: its sections and numbers for a hand-built year, the self-assessment, and the PDF."""

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.extensions import db
from portal.models import Event, LearningAction, SelfAssessment
from portal.services.annual_report import annual_report
from portal.services.publishing import financial_year_of
from portal.services.self_assessment import REQUIREMENTS
from tests.conftest import csrf_token
from tests.figure_builders import StageSpec, add_complaint, add_contact, area
from tests.html_checks import check_page
from tests.staff import staff_client

REPORT = "/performance/annual-report/2024"
RESIDENT = "Jo Bloggs"
PRIVATE_LEARNING = "Tell Jo Bloggs at 4 Acacia Avenue"
PUBLIC_LEARNING = "Crews now photograph every bin they could not empty."


@pytest.fixture
def app(make_app):
    # Waste and recycling has 6 complaint stages (shown in full); Council tax 3 (outcomes suppressed).
    return make_app(SMALL_NUMBERS_THRESHOLD=5)


def build_year(app) -> dict:
    """A small history for 2024/25, and one complaint before it; returns the references and the learning's id."""
    with app.app_context():
        waste, tax = area(), area("Council tax", "Exchequer")
        references = []

        def complaint(*stages, service_area=waste):
            case = add_complaint(*stages, service_area=service_area)
            case.resident.name = RESIDENT
            references.append(case.reference)
            return case

        answered = complaint(StageSpec(date(2024, 5, 1), responded_on=date(2024, 5, 10), outcome="upheld"))
        complaint(StageSpec(date(2024, 6, 3), responded_on=date(2024, 6, 10), outcome="partly_upheld"))
        complaint(StageSpec(date(2024, 7, 1), responded_on=date(2024, 7, 5), outcome="not_upheld"))
        complaint(StageSpec(date(2024, 8, 1), responded_on=date(2024, 12, 20), outcome="upheld"))  # late
        complaint(StageSpec(date(2024, 9, 2), closed_on=date(2024, 9, 9), closed_reason="withdrawn"))
        complaint(StageSpec(date(2024, 10, 1), closed_on=date(2024, 10, 2), closed_reason="out_of_time"))
        complaint(
            StageSpec(date(2024, 4, 8), responded_on=date(2024, 4, 20), outcome="not_upheld"),
            StageSpec(date(2024, 5, 20), number=2, responded_on=date(2024, 6, 3), outcome="not_upheld"),
            service_area=tax,
        )
        complaint(StageSpec(date(2025, 1, 6), closed_on=date(2025, 1, 7), closed_reason="duplicate"), service_area=tax)
        complaint(StageSpec(date(2023, 5, 1), closed_on=date(2023, 5, 2), closed_reason="withdrawn"))  # 2023/24
        add_contact("compliment", date(2024, 11, 5))
        add_contact("compliment", date(2025, 2, 5))

        answered.status, answered.closed_on, answered.closed_reason = "closed", date(2024, 5, 20), "resolved"
        learning = LearningAction(what_will_change=PRIVATE_LEARNING, owner="Pat Owner")
        answered.stages[0].learning.append(learning)
        db.session.commit()
        return {"references": references, "learning": learning.id}


def test_the_report_counts_volumes_outcomes_timeliness_and_refusals_for_the_year(app):
    build_year(app)
    with app.test_request_context():
        report = annual_report(2024, date(2026, 6, 1))
    assert report["label"] == "2024/25" and report["complete"] is True
    figures = report["figures"]
    assert figures["received"]["complaint"] == 8 and figures["received"]["compliment"] == 2
    stage_1 = figures["totals_by_stage"][0]
    assert (stage_1["stage"], stage_1["received"], stage_1["responded"], stage_1["closed_other"]) == (1, 8, 5, 3)
    assert stage_1["within_timescale_pct"] == 80.0  # 4 of 5 answered on time
    assert stage_1["outcomes"] == {"upheld": 2, "partly_upheld": 1, "not_upheld": 2}

    by_area = {row["service_area"]: row for row in report["by_service_area"]}
    waste = by_area["Waste and recycling"]
    assert (waste["directorate"], waste["received"], waste["responded"]) == ("Place", 6, 4)
    assert waste["within_timescale_pct"] == 75.0 and waste["suppressed"] is False
    assert waste["outcomes"] == {"upheld": 2, "partly_upheld": 1, "not_upheld": 1}
    tax = by_area["Council tax"]
    assert (tax["received"], tax["responded"], tax["within_timescale_pct"]) == (3, 2, 100.0)
    assert tax["suppressed"] is True and tax["outcomes"] is None

    refused = report["closed_without_response"]
    assert {row["reason"]: row["counts"] for row in refused["rows"]} == {
        "withdrawn": {1: 1},
        "duplicate": {1: 1},
        "out_of_time": {1: 1},
    }
    assert refused["total"] == sum(row["closed_other"] for row in figures["totals_by_stage"]) == 3
    assert report["learning"] == [] and report["lgsco"] is None and report["self_assessment"] is None


def test_the_printable_page_has_every_section_and_says_what_is_not_yet_published(app):
    references = build_year(app)["references"]
    page = app.test_client().get(REPORT)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    check_page(html, "en")
    assert '<h1 class="govuk-heading-xl">Annual complaints report 2024/25</h1>' in html
    for heading in (
        "What we received",
        "Complaints at each stage, and how quickly we answered",
        "Complaints by service",
        "Complaints we did not take forward, and why",
        "You said, we did",
        "What the Ombudsman found",
        "Our self-assessment against the Complaint Handling Code",
    ):
        assert f">{heading}</h2>" in html, heading
    assert "80.0%" in html and "75.0%" in html and "Small numbers: not shown" in html
    assert "Withdrawn by the resident" in html and "Made too late (out of time)" in html
    assert "Nothing is published yet about what changed" in html
    assert "annual figures about us are not published yet" in html
    assert "Our self-assessment for 2024/25 is not published yet." in html
    assert 'href="/static/app/print.css" media="print"' in html
    assert "/performance/annual-report/2024.pdf" in html
    for private in (*references, RESIDENT, "Acacia Avenue", "Pat Owner"):
        assert private not in html, private
    check_page(app.test_client().get(REPORT + "?lang=cy").get_data(as_text=True), "cy")


def test_print_styles_drop_the_navigation_and_keep_table_rows_whole(client):
    with client.get("/static/app/print.css") as response:
        css = response.get_data(as_text=True)
    assert ".govuk-header" in css and ".govuk-footer" in css and ".app-language-switch" in css
    assert "break-inside: avoid" in css and "display: table-header-group" in css


def _start_and_fill_self_assessment(manager, publish=True):
    page = manager.get("/staff/reporting/self-assessment/new")
    response = manager.post(
        "/staff/reporting/self-assessment/new", data={"csrf_token": csrf_token(page), "year": "2024/25"}
    )
    assert response.status_code == 303 and response.location.endswith("/staff/reporting/self-assessment/2024")
    page = manager.get("/staff/reporting/self-assessment/2024")
    data = {"csrf_token": csrf_token(page)}
    for key in REQUIREMENTS:
        data[f"status_{key}"] = "met"
        data[f"evidence_{key}"] = f"Evidence for {key}"
    data["status_stage_1"] = "partly_met"
    data["action_stage_1"] = "Train Stage 1 responders on extensions."
    if publish:
        data["publish"] = "Save and publish"
    return manager.post("/staff/reporting/self-assessment/2024", data=data)


def test_the_self_assessment_is_saved_as_it_goes_and_published_only_when_complete(app):
    manager = staff_client(app, "manager")
    listing = manager.get("/staff/reporting/self-assessment").get_data(as_text=True)
    check_page(listing, "en")
    page = manager.get("/staff/reporting/self-assessment/new")
    html = manager.post(
        "/staff/reporting/self-assessment/new", data={"csrf_token": csrf_token(page), "year": "24/25"}
    ).get_data(as_text=True)
    check_page(html, "en")
    assert "Enter the financial year as two years one after the other, like 2024/25" in html

    response = manager.post(
        "/staff/reporting/self-assessment/new", data={"csrf_token": csrf_token(page), "year": "2024/25"}
    )
    assert response.status_code == 303
    form_page = manager.get("/staff/reporting/self-assessment/2024").get_data(as_text=True)
    check_page(form_page, "en")
    assert "Stage 1 timescales" in form_page and "Scrutiny and oversight" in form_page
    token = csrf_token(manager.get("/staff/reporting/self-assessment/2024"))

    # A partial save is fine while it is not published.
    partial = {"csrf_token": token, "status_definition": "met", "evidence_definition": "Our policy, page 2."}
    assert manager.post("/staff/reporting/self-assessment/2024", data=partial).status_code == 303
    with app.app_context():
        assessment = db.session.scalar(select(SelfAssessment))
        first = assessment.items[0]
        assert (first.requirement, first.status, first.evidence) == ("definition", "met", "Our policy, page 2.")
        assert assessment.published is False

    # Publishing asks for whatever is missing, beside each requirement.
    html = manager.post(
        "/staff/reporting/self-assessment/2024",
        data={**partial, "status_stage_1": "not_met", "evidence_stage_1": "Half were late.", "publish": "1"},
    ).get_data(as_text=True)
    check_page(html, "en")
    assert "<title>Error: " in html
    assert "Enter the action planned for ‘Stage 1 timescales’" in html
    assert "Select whether ‘Scrutiny and oversight’ is met" in html
    assert "Enter the evidence for ‘Scrutiny and oversight’" in html
    assert 'href="#status_scrutiny"' in html
    with app.app_context():
        assert db.session.scalar(select(SelfAssessment.published)) is False

    duplicate = manager.post(
        "/staff/reporting/self-assessment/new", data={"csrf_token": token, "year": "2024/25"}
    ).get_data(as_text=True)
    assert "A self-assessment for 2024/25 is already started" in duplicate


def test_a_published_self_assessment_appears_in_the_report_until_unpublished(app):
    build_year(app)
    public = app.test_client()
    assert "is not published yet" in public.get(REPORT).get_data(as_text=True)  # cached before publishing
    manager = staff_client(app, "manager")
    assert _start_and_fill_self_assessment(manager).status_code == 303

    html = public.get(REPORT).get_data(as_text=True)
    check_page(html, "en")
    assert "Our self-assessment for 2024/25</caption>" in html
    assert "Partly met" in html and "Train Stage 1 responders on extensions." in html
    assert "Evidence for scrutiny" in html and "None needed" in html
    welsh = public.get(REPORT + "?lang=cy").get_data(as_text=True)
    check_page(welsh, "cy")
    assert "Train Stage 1 responders on extensions." in welsh
    public.get(REPORT + "?lang=en")  # back to English for the rest

    # Once published, a save may not leave a requirement without its evidence.
    token = csrf_token(manager.get("/staff/reporting/self-assessment/2024"))
    cleared = {"csrf_token": token, "evidence_definition": ""}
    html = manager.post("/staff/reporting/self-assessment/2024", data=cleared).get_data(as_text=True)
    assert "Enter the evidence for ‘What counts as a complaint’" in html

    assert (
        manager.post("/staff/reporting/self-assessment/2024/unpublish", data={"csrf_token": token}).status_code == 303
    )
    assert "Our self-assessment for 2024/25 is not published yet." in public.get(REPORT).get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(
            select(Event.action).where(Event.action.like("self_assessment_%")).order_by(Event.id)
        ).all()
        assert actions == ["self_assessment_started", "self_assessment_published", "self_assessment_unpublished"]


def _publish_everything(app, learning_id):
    manager = staff_client(app, "manager")
    _start_and_fill_self_assessment(manager)
    page = manager.get(f"/staff/reporting/learning/{learning_id}")
    manager.post(
        f"/staff/reporting/learning/{learning_id}",
        data={"csrf_token": csrf_token(page), "public_text": PUBLIC_LEARNING, "decision": "publish"},
    )
    from tests.test_lgsco_annual import figures_form

    page = manager.get("/staff/reporting/ombudsman/new")
    data = {"csrf_token": csrf_token(page), "year": "2024/25", **figures_form(), "publish": "Save and publish"}
    assert manager.post("/staff/reporting/ombudsman/new", data=data).status_code == 303


def test_the_report_shows_what_is_published_learning_ombudsman_and_self_assessment(app):
    learning_id = build_year(app)["learning"]
    _publish_everything(app, learning_id)
    html = app.test_client().get(REPORT).get_data(as_text=True)
    check_page(html, "en")
    assert PUBLIC_LEARNING in html and PRIVATE_LEARNING not in html
    assert "83.3%" in html and "higher than similar authorities" in html
    assert "Train Stage 1 responders on extensions." in html
    # Another year's report has none of 2024/25's publications.
    other = app.test_client().get("/performance/annual-report/2023").get_data(as_text=True)
    assert PUBLIC_LEARNING not in other and "83.3%" not in other and "Train Stage 1" not in other


def test_the_pdf_is_the_same_report_with_no_personal_data(app):
    built = build_year(app)
    _publish_everything(app, built["learning"])
    response = app.test_client().get("/performance/annual-report/2024.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="complaints-annual-report-2024-25.pdf"'
    assert response.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) >= 2
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for expected in (
        "Annual complaints report 2024/25",
        "Complaints we did not take forward, and why",
        "Waste and recycling",
        "Small numbers: not shown",
        "80.0%",
        "higher than similar authorities",
        "Train Stage 1 responders on extensions.",
        "Crews now photograph every bin",
    ):
        assert expected in text, expected
    # No navigation, language switch or download link on paper, and nothing about any person.
    for absent in ("Skip to main content", "Staff sign in", "Cymraeg", "Download this report as a PDF"):
        assert absent not in text, absent
    for private in (*built["references"], RESIDENT, "Acacia Avenue", "Pat Owner", "FIG-"):
        assert private not in text, private


def test_the_reports_index_and_the_performance_page_link_to_the_report(app, client):
    html = client.get("/performance/annual-report").get_data(as_text=True)
    check_page(html, "en")
    assert "/performance/annual-report/2024" in html
    performance = client.get("/performance?from=2024-04-01&to=2025-03-31").get_data(as_text=True)
    assert 'href="/performance/annual-report/2024"' in performance
    assert "Read our annual complaints report for 2024/25" in performance


def test_years_outside_the_reports_are_not_found(app, client):
    assert client.get("/performance/annual-report/1999").status_code == 404
    future = financial_year_of(date.today()) + 1
    assert client.get(f"/performance/annual-report/{future}").status_code == 404
    assert client.get(f"/performance/annual-report/{future}.pdf").status_code == 404


def test_only_complaints_managers_and_administrators_edit_the_self_assessment(app):
    manager = staff_client(app, "manager")
    _start_and_fill_self_assessment(manager, publish=False)
    assert staff_client(app, "admin").get("/staff/reporting/self-assessment/2024").status_code == 200
    for role in ("officer", "responder", "investigator", "reviewer"):
        other = staff_client(app, role)
        for url in (
            "/staff/reporting/self-assessment",
            "/staff/reporting/self-assessment/new",
            "/staff/reporting/self-assessment/2024",
        ):
            assert other.get(url).status_code == 403, (role, url)
        token = csrf_token(other.get("/staff/"))
        for url in ("/staff/reporting/self-assessment/2024", "/staff/reporting/self-assessment/2024/unpublish"):
            assert other.post(url, data={"csrf_token": token, "publish": "1"}).status_code == 403, (role, url)
    with app.app_context():
        assert db.session.scalar(select(SelfAssessment.published)) is False
    assert manager.get("/staff/reporting/self-assessment/2031").status_code == 404


# Fonts with each script's letters: Noto's for the script, or DejaVu Sans, which also draws Arabic.
SCRIPT_FONTS = {"bn": "Bengali", "pa": "Gurmukhi", "gu": "Gujarati", "ar": "Arabic|DejaVu-Sans", "ur": "Arabic|Urdu"}


def _embedded_fonts(reader: PdfReader) -> set[str]:
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


@pytest.mark.parametrize("language", ["pl", "uk", "cy", "ro", "pt", "es", *sorted(SCRIPT_FONTS)])
def test_the_pdf_is_written_in_the_readers_language_with_fonts_for_its_script(app, language):
    build_year(app)
    client = app.test_client()
    response = client.get(f"/performance/annual-report/2024.pdf?lang={language}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.data))
    html = client.get(f"{REPORT}?lang={language}").get_data(as_text=True)
    check_page(html, language)
    heading = html.split('<h1 class="govuk-heading-xl">', 1)[1].split("</h1>", 1)[0]
    assert "Annual complaints report" not in heading
    if language in SCRIPT_FONTS:
        # The letters are drawn with a Noto font for the script, not a fallback with empty boxes.
        assert any(re.search(SCRIPT_FONTS[language], name) for name in _embedded_fonts(reader)), _embedded_fonts(reader)
    else:
        text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
        assert " ".join(heading.split()) in text
        assert "Annual complaints report" not in text
