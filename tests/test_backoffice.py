"""Triage, acknowledgement, allocation and notes on the case page, with permissions and stale saves."""

import email
import re
from email import policy

from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, Event, ServiceArea
from tests.html_checks import check_page
from tests.journey import lodge
from tests.staff import make_staff, staff_client


def _case(app, reference):
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        return case.id, case.version_id


def _area_id(app, name):
    with app.app_context():
        return db.session.scalar(select(ServiceArea.id).filter_by(name=name))


PREFIXES = {"triage": "triage-", "acknowledge": "ack-", "allocate": "allocate-", "notes": "note-"}


def _post(client, reference, action, data):
    page = client.get(f"/staff/cases/{reference}").get_data(as_text=True)
    prefix = PREFIXES[action]
    token = re.search(rf'name="{prefix}csrf_token" type="hidden" value="([^"]+)"', page)
    # Without that form on the page (a role that may not use it), take the sign-out form's token.
    token = (token or re.search(r'name="csrf_token" value="([^"]+)"', page)).group(1)
    fields = {f"{prefix}{name}": value for name, value in {"csrf_token": token, **data}.items()}
    return client.post(f"/staff/cases/{reference}/{action}", data=fields)


def test_the_queue_lists_new_contacts_oldest_first_with_age_and_acknowledgement_date(app, client):
    first = lodge(client)
    second = lodge(app.test_client())
    officer = staff_client(app, "officer")
    page = officer.get("/staff/triage").get_data(as_text=True)
    check_page(page, "en")
    assert page.index(first) < page.index(second)
    assert "0 hours" in page
    assert "Acknowledge by" in page


def test_triage_as_service_request_removes_the_stage_and_records_who_and_what(app, client):
    reference = lodge(client)
    officer = staff_client(app, "officer")
    _, version = _case(app, reference)
    response = _post(officer, reference, "triage", {"version": version, "classification": "service_request"})
    assert response.status_code == 303
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        assert case.type == "service_request"
        assert case.stages == []
        event = db.session.scalar(select(Event).filter_by(case_id=case.id, action="case_triaged"))
        assert event.actor_type == "staff"
        assert event.detail["before"]["type"] == "complaint"
        assert event.detail["after"]["type"] == "service_request"
    page = officer.get(f"/staff/cases/{reference}").get_data(as_text=True)
    assert "Triaged" in page
    assert "type: complaint → service_request" in page


def test_triage_as_childrens_complaint_uses_its_timescale(app, client):
    reference = lodge(client)
    officer = staff_client(app, "officer")
    _, version = _case(app, reference)
    _post(
        officer,
        reference,
        "triage",
        {"version": version, "classification": "complaint", "complaint_process": "childrens"},
    )
    with app.app_context():
        stage = db.session.scalar(select(Case).filter_by(reference=reference)).stages[0]
        from portal.services.calendar import working_days_between

        assert stage.process == "childrens"
        assert working_days_between(stage.received_on, stage.deadline, "GB-ENG") == 10


def test_signposting_needs_an_organisation_and_tells_the_resident(app, client, mail_dir):
    reference = lodge(client)
    officer = staff_client(app, "officer")
    _, version = _case(app, reference)
    html = _post(officer, reference, "triage", {"version": version, "classification": "signposted"}).get_data(
        as_text=True
    )
    assert "Enter the organisation to signpost to" in html
    response = _post(
        officer,
        reference,
        "triage",
        {
            "version": version,
            "classification": "signposted",
            "signposted_to": "NHS Exampleshire",
            "signposting_message": "Please contact NHS Exampleshire about this.",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        assert case.status == "closed"
        assert case.signposted_to == "NHS Exampleshire"
    assert len(list(mail_dir.glob("*-signposted-*.eml"))) == 1


def test_marking_a_duplicate_closes_it(app, client):
    original = lodge(client)
    duplicate = lodge(client)
    officer = staff_client(app, "officer")
    _, version = _case(app, duplicate)
    bad = _post(
        officer,
        duplicate,
        "triage",
        {"version": version, "classification": "complaint", "duplicate_of": "CMP-NONE-NONE"},
    )
    assert "no case has reference" in bad.get_data(as_text=True)
    _post(officer, duplicate, "triage", {"version": version, "classification": "complaint", "duplicate_of": original})
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=duplicate))
        assert (case.status, case.closed_reason) == ("closed", "duplicate")
        assert case.stages[0].closed_reason == "duplicate"


def test_acknowledgement_is_sent_in_the_residents_language_and_recorded(app, client, mail_dir):
    reference = lodge(client, {"contact-preferences": {"language": "cy"}})
    officer = staff_client(app, "officer")
    page = officer.get(f"/staff/cases/{reference}").get_data(as_text=True)
    check_page(page, "en")
    subject = re.search(r'name="ack-subject" type="text" value="([^"]+)"', page).group(1)
    assert reference in subject
    assert "We are looking into" not in subject  # the Welsh wording is offered
    body = re.search(r'<textarea[^>]*name="ack-body"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    _, version = _case(app, reference)
    response = _post(officer, reference, "acknowledge", {"version": version, "subject": subject, "body": body})
    assert response.status_code == 303
    [mail_path] = list(mail_dir.glob("*-acknowledgement-*.eml"))
    mail = email.message_from_bytes(mail_path.read_bytes(), policy=policy.default)
    assert mail["Content-Language"] == "cy"
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        assert case.status == "acknowledged"
        assert case.acknowledged_on is not None
        assert case.stages[0].acknowledged_on == case.acknowledged_on


def test_allocation_needs_an_officer_and_a_service_and_moves_the_case_to_the_service(app, client):
    reference = lodge(client)
    officer_id = make_staff(app, "officer", email="olu@example.gov.uk", name="Olu")
    manager_id = make_staff(app, "responder", email="hos@example.gov.uk", name="Head of Waste")
    officer = staff_client(app, "manager")
    _, version = _case(app, reference)
    html = _post(officer, reference, "allocate", {"version": version}).get_data(as_text=True)
    assert "Select a complaints officer" in html
    area = _area_id(app, "Waste and recycling")
    response = _post(
        officer,
        reference,
        "allocate",
        {"version": version, "officer": officer_id, "service_area": area, "responding_manager": manager_id},
    )
    assert response.status_code == 303
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        assert case.assigned_officer_id == officer_id
        assert case.service_area_id == area
        assert case.stages[0].responding_manager_id == manager_id
        assert case.status == "with_service"


def test_a_stale_save_is_refused_and_loses_nothing(app, client):
    reference = lodge(client)
    one = staff_client(app, "officer", email="one@example.gov.uk")
    two = staff_client(app, "officer", email="two@example.gov.uk")
    _, version = _case(app, reference)
    assert _post(one, reference, "triage", {"version": version, "classification": "service_request"}).status_code == 303
    html = _post(two, reference, "triage", {"version": version, "classification": "compliment"}).get_data(as_text=True)
    assert "Someone else changed this case" in html
    assert 'value="compliment" checked' in html
    with app.app_context():
        assert db.session.scalar(select(Case).filter_by(reference=reference)).type == "service_request"


def test_internal_notes_stay_inside(app, client, mail_dir):
    reference = lodge(client)
    officer = staff_client(app, "officer")
    _post(officer, reference, "notes", {"note": "Resident rang twice; sounded distressed."})
    assert "Resident rang twice" in officer.get(f"/staff/cases/{reference}").get_data(as_text=True)
    from tests.test_tracking import _open_case

    assert "Resident rang twice" not in _open_case(client, mail_dir, reference).get_data(as_text=True)


def test_responders_see_only_their_services_and_cannot_triage(app, client):
    reference = lodge(client)  # lodged against the first service listed: Council tax
    other = staff_client(app, "responder", email="waste@example.gov.uk", areas=("Waste and recycling",))
    assert other.get(f"/staff/cases/{reference}").status_code == 404
    assert reference not in other.get("/staff/").get_data(as_text=True)
    own = staff_client(app, "responder", email="tax@example.gov.uk", areas=("Council tax",))
    assert own.get(f"/staff/cases/{reference}").status_code == 200
    assert _post(own, reference, "triage", {"version": 1, "classification": "compliment"}).status_code == 403


def test_investigators_see_nothing_unassigned(app, client):
    reference = lodge(client)
    investigator = staff_client(app, "investigator")
    assert investigator.get(f"/staff/cases/{reference}").status_code == 404


def test_reviewers_read_but_cannot_act_or_download(app, client):
    reference = lodge(client)
    reviewer = staff_client(app, "reviewer")
    page = reviewer.get(f"/staff/cases/{reference}").get_data(as_text=True)
    assert "Send acknowledgement" not in page
    assert _post(reviewer, reference, "acknowledge", {"version": 1, "subject": "x", "body": "y"}).status_code == 403


def test_files_download_only_for_those_allowed(app, client, caplog):
    import json
    import logging

    from tests import files

    caplog.set_level(logging.INFO, logger="portal.security")
    from tests.uploads_helpers import lodge_with_file

    reference = lodge_with_file(client, ("evidence.pdf", files.pdf()))
    with app.app_context():
        attachment_id = db.session.scalar(select(Case).filter_by(reference=reference)).attachments[0].id
    officer = staff_client(app, "officer")
    response = officer.get(f"/staff/cases/{reference}/files/{attachment_id}")
    assert response.status_code == 200
    assert response.data == files.pdf()
    assert "attachment" in response.headers["Content-Disposition"]
    response.close()
    assert officer.get(f"/staff/cases/{reference}/files/{attachment_id + 999}").status_code == 404
    reviewer = staff_client(app, "reviewer")
    assert reviewer.get(f"/staff/cases/{reference}/files/{attachment_id}").status_code == 403
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.security"]
    refused = [(e["event"], e.get("because")) for e in events if e["event"] in ("file_refused", "access_refused")]
    assert refused == [("file_refused", "no_such_file"), ("access_refused", None)]  # a guessed file id is logged


def test_unknown_case_is_not_found(app):
    officer = staff_client(app, "officer")
    assert officer.get("/staff/cases/CMP-XXXX-XXXX").status_code == 404


def test_with_htmx_the_case_page_is_updated_in_place_after_each_action(app, client, mail_dir):
    reference = lodge(client)
    officer = staff_client(app, "officer")
    page = officer.get(f"/staff/cases/{reference}").get_data(as_text=True)
    assert f'hx-post="/staff/cases/{reference}/acknowledge" hx-target="#case-page"' in page
    _, version = _case(app, reference)
    token = re.search(r'name="ack-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    fields = {"ack-csrf_token": token, "ack-version": version, "ack-subject": "Hello", "ack-body": "We have it."}
    response = officer.post(f"/staff/cases/{reference}/acknowledge", data=fields, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "HX-Redirect" not in response.headers
    fragment = response.get_data(as_text=True)
    assert fragment.startswith(f"<title>Case {reference}</title>")
    assert '<div id="case-page">' in fragment and "<html" not in fragment
    assert "Acknowledgement sent." in fragment and "govuk-notification-banner--success" in fragment
    fresh_version = re.search(r'name="ack-version" type="hidden" value="(\d+)"', fragment).group(1)
    assert int(fresh_version) > version  # fresh forms, at the case's new version

    # An invalid note comes back in place too, with its error and the title saying so.
    fields = {"note-csrf_token": token, "note-note": ""}
    invalid = officer.post(f"/staff/cases/{reference}/notes", data=fields, headers={"HX-Request": "true"})
    body = invalid.get_data(as_text=True)
    assert invalid.status_code == 200
    assert body.startswith(f"<title>Error: Case {reference}</title>") and "Enter the note" in body
