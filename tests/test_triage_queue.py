"""The triage queue's inline steps: triage, acknowledge and allocate from a row, with htmx and without."""

import re

from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, Event, ServiceArea
from tests.html_checks import check_page
from tests.journey import lodge
from tests.staff import make_staff, staff_client

HTMX = {"HX-Request": "true", "HX-Target": "queue-row"}


def _state(app, reference, *names):
    """Return some of a case's values; "process" is its current stage's."""
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        values = [case.current_stage.process if name == "process" else getattr(case, name) for name in names]
        return values[0] if len(values) == 1 else tuple(values)


def _row_form(page: str, reference: str) -> dict:
    """Return the fields of the form in a case's queue row, as the browser would send them."""
    row = page[page.index(f'id="queue-{reference}"') :].split("</tr>")[0]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', row))
    for name, chosen in re.findall(r'<select[^>]* name="([^"]+)"[^>]*>(.*?)</select>', row, re.S):
        selected = re.search(r'<option value="([^"]*)" selected', chosen)
        fields[name] = selected.group(1) if selected else ""
    action = re.search(r'<form method="post" action="([^"]+)"', row)
    fields["_action"] = action.group(1) if action else None
    return fields


def _post_row(client, page, reference, headers=None, **answers):
    fields = _row_form(page, reference)
    action = fields.pop("_action")
    prefix = next(name for name in fields if name.endswith("-version")).removesuffix("version")
    fields.update({f"{prefix}{name}": value for name, value in answers.items()})
    return client.post(action, data=fields, headers=headers or {})


def test_a_contact_is_triaged_acknowledged_and_allocated_from_its_row_with_htmx(app, client, mail_dir):
    reference = lodge(client)
    officer_id = make_staff(app, "officer", email="olu@example.gov.uk", name="Olu Officer")
    officer = staff_client(app, "manager", name="Mina Manager")
    with app.app_context():
        area_id = str(db.session.scalar(select(ServiceArea.id).filter_by(name="Waste and recycling")))

    queue = officer.get("/staff/triage").get_data(as_text=True)
    check_page(queue, "en")
    assert "Triage as" in queue and "Next step" in queue

    row = _post_row(officer, queue, reference, HTMX, decision="complaint:childrens")
    assert row.status_code == 200
    fragment = row.get_data(as_text=True)
    assert fragment.lstrip().startswith(f'<tr class="govuk-table__row" id="queue-{reference}"')
    assert f"{reference} triaged." in fragment
    assert "Send the acknowledgement" in fragment and "Complaint (Children’s social care)" in fragment
    assert _state(app, reference, "process") == "childrens"

    row = _post_row(officer, fragment, reference, HTMX)
    fragment = row.get_data(as_text=True)
    assert f"Acknowledgement sent for {reference}." in fragment
    [mail] = list(mail_dir.glob("*-acknowledgement-*.eml"))
    assert reference in mail.read_text()
    assert _state(app, reference, "acknowledged_on") is not None

    row = _post_row(officer, fragment, reference, HTMX, officer=str(officer_id), service_area=area_id)
    fragment = row.get_data(as_text=True)
    assert f"{reference} allocated." in fragment and "<form" not in fragment
    status, assigned, area, case_id = _state(app, reference, "status", "assigned_officer_id", "service_area_id", "id")
    assert (status, assigned, str(area)) == ("with_service", officer_id, area_id)
    with app.app_context():
        actions = db.session.scalars(select(Event.action).filter_by(case_id=case_id).order_by(Event.id)).all()
    first_steps = [action for action in actions if action.startswith("case_")][1:]
    assert first_steps == ["case_triaged", "case_acknowledged", "case_allocated"]

    # Done with, it leaves the queue.
    assert f"queue-{reference}" not in officer.get("/staff/triage").get_data(as_text=True)


def test_without_javascript_each_step_returns_to_the_queue_with_a_message(app, client):
    reference = lodge(client)
    officer = staff_client(app, "officer")
    queue = officer.get("/staff/triage").get_data(as_text=True)
    response = _post_row(officer, queue, reference, decision="compliment")
    assert response.status_code == 303 and response.location.endswith("/staff/triage")
    page = officer.get("/staff/triage").get_data(as_text=True)
    assert f"{reference} triaged." in page
    # A compliment goes straight to the service: nothing more for the team to do.
    assert f"queue-{reference}" not in page
    assert _state(app, reference, "type") == "compliment"


def test_a_row_without_a_decision_says_what_is_wrong_and_saves_nothing(app, client):
    reference = lodge(client)
    officer = staff_client(app, "officer")
    queue = officer.get("/staff/triage").get_data(as_text=True)

    with_js = _post_row(officer, queue, reference, HTMX, decision="").get_data(as_text=True)
    assert "Select what it is" in with_js and "govuk-select--error" in with_js

    without_js = _post_row(officer, queue, reference, decision="nonsense")
    page = without_js.get_data(as_text=True)
    assert without_js.status_code == 200
    check_page(page, "en")
    assert "<title>Error: Triage queue" in page and "There is a problem" in page
    assert page.count("Select what it is") == 2  # in the summary and in the row
    assert _state(app, reference, "triaged_at") is None


def test_a_stale_row_is_refused_and_the_fresh_row_comes_back(app, client):
    reference = lodge(client)
    officer = staff_client(app, "officer")
    queue = officer.get("/staff/triage").get_data(as_text=True)
    _post_row(officer, queue, reference, HTMX, decision="complaint:corporate")
    stale = _post_row(officer, queue, reference, HTMX, decision="suggestion").get_data(as_text=True)
    assert "Someone else changed this case" in stale
    assert "Send the acknowledgement" in stale
    assert _state(app, reference, "type") == "complaint"


def test_a_reviewer_sees_the_queue_but_may_not_act_on_it(app, client):
    reference = lodge(client)
    officer = staff_client(app, "officer")
    queue = officer.get("/staff/triage").get_data(as_text=True)
    reviewer = staff_client(app, "reviewer")
    page = reviewer.get("/staff/triage").get_data(as_text=True)
    assert reference in page and "Triage as" not in page
    own_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert _post_row(reviewer, queue, reference, HTMX, decision="compliment", csrf_token=own_token).status_code == 403
    assert _state(app, reference, "triaged_at") is None


def test_the_queue_comes_fifty_to_a_page_oldest_first(app, client):
    from portal.services.staff_cases import QUEUE_PAGE_SIZE

    references = [lodge(client) for _ in range(QUEUE_PAGE_SIZE + 2)]
    officer = staff_client(app, "officer")
    first = officer.get("/staff/triage").get_data(as_text=True)
    check_page(first, "en")
    assert f"{QUEUE_PAGE_SIZE + 2} contacts waiting" in first and "Page 1 of 2" in first
    assert references[0] in first and references[-1] not in first
    second = officer.get("/staff/triage?page=2").get_data(as_text=True)
    assert references[-1] in second and references[0] not in second
    assert "Page 2 of 2" in officer.get("/staff/triage?page=99").get_data(as_text=True)
