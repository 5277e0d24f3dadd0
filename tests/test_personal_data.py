"""Administrators find a resident's cases by email, download everything held about them, and erase closed cases."""

import io
import json
import re
import zipfile
from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, Event, User
from portal.models.enums import CaseStatus
from portal.services.retention import ANONYMISED
from tests.conftest import csrf_token
from tests.files import pdf
from tests.html_checks import check_page
from tests.journey import lodge
from tests.staff import staff_client
from tests.test_retention import DESCRIPTION, EMAIL, NAME, lodge_with_evidence

PAGE = "/staff/admin/personal-data"


def search(client, email: str):
    token = csrf_token(client.get(PAGE))
    return client.post(PAGE, data={"csrf_token": token, "email": email})


def post_from(client, page, url: str, **data):
    """Press a button on a page: post its form with the page's CSRF token."""
    return client.post(url, data={"csrf_token": csrf_token(page), **data})


def close(app, reference: str) -> None:
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        case.status, case.closed_on, case.closed_reason = CaseStatus.CLOSED, date(2026, 1, 5), "resolved"
        db.session.commit()


def events(app, action: str) -> list[Event]:
    with app.app_context():
        found = db.session.scalars(select(Event).filter_by(action=action).order_by(Event.id)).all()
        db.session.expunge_all()
        return found


def someone_elses(client) -> str:
    """Lodge a complaint that Pat Friend made for their neighbour, giving the address Jo will use."""
    return lodge(
        client,
        {
            "your-details": {"name": "Pat Friend", "email": "Jo.Bloggs@Example.com"},
            "someone-else": {
                "on_behalf": "yes",
                "subject_name": "Sam Neighbour",
                "relationship": "Neighbour",
                "consent": "y",
            },
        },
    )


def test_an_administrator_finds_every_case_with_an_address_whatever_its_capitals(app):
    mine = lodge(app.test_client(), {"your-details": {"email": "jo.bloggs@example.com"}})
    shouting = lodge(app.test_client(), {"your-details": {"email": "JO.BLOGGS@EXAMPLE.COM"}})
    other = lodge(app.test_client(), {"your-details": {"email": "someone.else@example.com"}})
    admin = staff_client(app, "admin")
    index = admin.get("/staff/admin/").get_data(as_text=True)
    assert f'href="{PAGE}"' in index
    check_page(admin.get(PAGE).get_data(as_text=True), "en")

    response = search(admin, "  Jo.Bloggs@example.COM ")
    html = response.get_data(as_text=True)
    check_page(html, "en")
    assert mine in html and shouting in html and other not in html
    assert "The resident" in html
    assert "jo.bloggs@example.com" not in response.request.url.lower()  # posted, never in the address

    nobody = search(admin, "nobody@example.com").get_data(as_text=True)
    assert "No case has this email address" in nobody and "Download their data" not in nobody


def test_an_address_in_another_alphabet_is_found_in_any_capitals_and_never_matches_one_without_its_accents(app):
    zoe = lodge(app.test_client(), {"your-details": {"email": "ZOË.BRONTË@EXAMPLE.COM"}})
    olena = lodge(app.test_client(), {"your-details": {"email": "ОЛЕНА@ПРИКЛАД.УКР"}})
    someone_else = lodge(app.test_client(), {"your-details": {"email": "zoe.bronte@example.com"}})
    admin = staff_client(app, "admin")

    html = search(admin, "Zoë.Brontë@example.com").get_data(as_text=True)
    assert zoe in html and someone_else not in html  # another person's mailbox: never in their export
    html = search(admin, "олена@приклад.укр").get_data(as_text=True)
    assert olena in html and "Download their data" in html


def test_the_search_says_what_is_wrong_with_the_address(app):
    admin = staff_client(app, "admin")
    for email, message in (("", "Enter the email address of the person asking"), ("jo@", "correct format")):
        html = search(admin, email).get_data(as_text=True)
        check_page(html, "en")
        assert message in html and "<title>Error: " in html


def test_the_export_holds_their_cases_and_files_and_is_recorded_without_the_address(app):
    reference = lodge_with_evidence(app.test_client())
    acted_for = someone_elses(app.test_client())
    unrelated = lodge(app.test_client())
    admin = staff_client(app, "admin")
    page = search(admin, EMAIL.upper())
    response = post_from(admin, page, f"{PAGE}/export", email=EMAIL.upper())

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "example" not in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    document = json.loads(archive.read("personal-data.json"))
    (case,) = document["cases"]
    assert case["reference"] == reference and case["their_role"] == ["resident"]
    assert case["resident"]["name"] == NAME and case["resident"]["email"] == EMAIL
    assert case["description"] == DESCRIPTION
    assert [e["action"] for e in case["history"]][0] == "case_submitted"
    assert case["files"][0]["name"] == "bin photo.pdf"
    assert archive.read(case["files"][0]["file"]) == pdf()
    assert unrelated not in json.dumps(document) and acted_for not in json.dumps(document)

    (event,) = events(app, "personal_data_exported")
    with app.app_context():
        admin_id = db.session.scalar(select(User.id).filter_by(email="admin@example.gov.uk"))
        case_id = db.session.scalar(select(Case.id).filter_by(reference=reference))
    assert (event.actor_type, event.actor_id, event.detail) == ("staff", admin_id, {"case_ids": [case_id]})
    assert "example.com" not in json.dumps(event.detail).lower()


def test_the_export_includes_cases_where_they_acted_for_someone(app):
    acted_for = someone_elses(app.test_client())
    admin = staff_client(app, "admin")
    page = search(admin, "jo.bloggs@example.com")
    assert "Acting for the resident" in page.get_data(as_text=True)
    response = post_from(admin, page, f"{PAGE}/export", email="jo.bloggs@example.com")
    (case,) = json.loads(zipfile.ZipFile(io.BytesIO(response.data)).read("personal-data.json"))["cases"]
    assert case["reference"] == acted_for and case["their_role"] == ["representative"]
    assert case["representative"]["name"] == "Pat Friend"


def test_only_administrators_may_use_it_and_every_post_needs_a_csrf_token(app):
    lodge(app.test_client())
    manager = staff_client(app, "manager")
    assert manager.get(PAGE).status_code == 403
    assert 'href="/staff/admin/personal-data"' not in manager.get("/staff/admin/").get_data(as_text=True)
    token = csrf_token(manager.get("/staff/admin/"))
    for url in (PAGE, f"{PAGE}/export", f"{PAGE}/erase"):
        assert manager.post(url, data={"csrf_token": token, "email": "jo@example.com"}).status_code == 403
    assert app.test_client().post(f"{PAGE}/export", data={"email": "jo@example.com"}).status_code in (302, 400)

    admin = staff_client(app, "admin")
    for url in (PAGE, f"{PAGE}/export", f"{PAGE}/erase"):
        assert admin.post(url, data={"email": "jo@example.com"}).status_code == 400
    assert events(app, "personal_data_exported") == []


def test_erasure_asks_first_then_anonymises_closed_cases_and_refuses_open_ones(app, tmp_path):
    closed = lodge_with_evidence(app.test_client())
    still_open = lodge_with_evidence(app.test_client(), description="Missed again this week.")
    close(app, closed)
    admin = staff_client(app, "admin")
    page = search(admin, EMAIL)
    confirm = post_from(admin, page, f"{PAGE}/erase", email=EMAIL)
    html = confirm.get_data(as_text=True)
    check_page(html, "en")
    assert closed in html and "This cannot be undone" in html
    assert f"{still_open}: Not erased: the case is still open" in html
    assert events(app, "case_anonymised") == []  # nothing happens before the confirmation
    assert closed in search(admin, EMAIL).get_data(as_text=True)

    done = post_from(admin, confirm, f"{PAGE}/erase", email=EMAIL, case_ids=csv_of(html), confirm="yes")
    assert done.status_code == 303 and done.location.endswith(PAGE)
    banner = admin.get(PAGE).get_data(as_text=True)
    assert f"Erased 1 case: {closed}" in banner and "1 case was not erased" in banner

    with app.app_context():
        erased = db.session.scalar(select(Case).filter_by(reference=closed))
        kept = db.session.scalar(select(Case).filter_by(reference=still_open))
        assert erased.description == ANONYMISED and erased.resident.email is None and erased.anonymised_at
        assert not any((tmp_path / "uploads" / a.stored_name).exists() for a in erased.attachments)
        assert kept.description == "Missed again this week." and kept.resident.email == EMAIL
        admin_id = db.session.scalar(select(User.id).filter_by(email="admin@example.gov.uk"))
        erased_id, kept_id = erased.id, kept.id
    (anonymised,) = events(app, "case_anonymised")
    assert (anonymised.case_id, anonymised.actor_id, anonymised.detail["reason"]) == (
        erased_id,
        admin_id,
        "erasure_request",
    )
    (request,) = events(app, "personal_data_erased")
    assert request.detail == {"case_ids": [erased_id], "refused": {str(kept_id): "open"}}
    assert "example.com" not in json.dumps(request.detail)
    found = search(admin, EMAIL).get_data(as_text=True)
    assert still_open in found and closed not in found


def test_erasure_refuses_a_case_where_they_only_acted_for_someone_else(app):
    acted_for = someone_elses(app.test_client())
    close(app, acted_for)
    admin = staff_client(app, "admin")
    page = search(admin, "jo.bloggs@example.com")
    html = post_from(admin, page, f"{PAGE}/erase", email="jo.bloggs@example.com").get_data(as_text=True)
    check_page(html, "en")
    assert "None of their cases can be erased now" in html and "they acted for someone else" in html
    assert 'value="yes"' not in html  # no confirmation button to press


def test_a_confirmation_erases_only_the_cases_it_showed(app):
    shown = lodge(app.test_client(), {"your-details": {"email": "jo@example.com"}})
    close(app, shown)
    admin = staff_client(app, "admin")
    confirm = post_from(admin, search(admin, "jo@example.com"), f"{PAGE}/erase", email="jo@example.com")
    ids = csv_of(confirm.get_data(as_text=True))
    arrived_since = lodge(app.test_client(), {"your-details": {"email": "jo@example.com"}})
    close(app, arrived_since)
    post_from(admin, confirm, f"{PAGE}/erase", email="jo@example.com", case_ids=ids, confirm="yes")
    with app.app_context():
        assert db.session.scalar(select(Case).filter_by(reference=shown)).anonymised_at is not None
        assert db.session.scalar(select(Case).filter_by(reference=arrived_since)).anonymised_at is None


def csv_of(html: str) -> str:
    return re.search(r'name="case_ids" value="([^"]*)"', html).group(1)
