"""The dashboard, due-soon list, reminders and contacts logged by staff."""

from datetime import date, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, Event
from tests.conftest import csrf_token
from tests.html_checks import check_page
from tests.journey import lodge
from tests.staff import make_staff, staff_client


def _set(app, reference, **changes):
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        for name, value in changes.items():
            target = case.stages[0] if name in {"deadline", "responded_on", "closed_on"} else case
            setattr(target, name, value)
        db.session.commit()


def test_dashboard_counts_open_cases_by_where_they_sit(app, client):
    not_started = lodge(client)
    with_team = lodge(client)
    with_service = lodge(client)
    done = lodge(client)
    _set(app, with_team, status="acknowledged")
    _set(app, with_service, status="with_service")
    _set(app, done, status="responded", responded_on=date.today())
    lodge(client, {"type": {"type": "compliment"}})
    page = staff_client(app, "manager").get("/staff/dashboard").get_data(as_text=True)
    check_page(page, "en")
    corporate = page[page.index(">Corporate</th>") :].split("</tr>")[0]
    cells = [part.split("<")[0] for part in corporate.split('numeric">')[1:]]
    assert cells == ["3", "1", "1", "1"]
    assert not_started
    period = page[page.index("Complaint stages received") :]
    assert ">Corporate, Stage 1</th>" in period
    compliments = page[page.index(">Compliments</th>") :].split("</tr>")[0]
    assert 'numeric">1<' in compliments


def test_dashboard_period_is_chosen_and_bad_dates_fall_back(app, client):
    lodge(client)
    manager = staff_client(app, "manager")
    empty = manager.get("/staff/dashboard?from=2020-01-01&to=2020-12-31").get_data(as_text=True)
    assert "No complaints received in this period." in empty
    fallback = manager.get("/staff/dashboard?from=nonsense&to=2020-01-01").get_data(as_text=True)
    assert "Corporate, Stage 1" in fallback


def test_due_soon_lists_overdue_and_nearly_due_but_not_later(app, client):
    overdue = lodge(client)
    later = lodge(client)
    _set(app, overdue, deadline=date.today() - timedelta(days=3))
    _set(app, later, deadline=date.today() + timedelta(days=60))
    page = staff_client(app, "officer").get("/staff/due?within=5").get_data(as_text=True)
    check_page(page, "en")
    assert overdue in page and later not in page
    assert "overdue" in page


def test_reminders_go_to_the_allocated_officer_with_references_only(app, client, runner, mail_dir):
    officer_id = make_staff(app, "officer", email="olu@example.gov.uk", name="Olu")
    reference = lodge(client, {"your-details": {"name": "Private Person", "email": "pp@example.com"}})
    _set(app, reference, assigned_officer_id=officer_id, deadline=date.today() + timedelta(days=1))
    lodge(client)  # not allocated: nobody to remind
    result = runner.invoke(args=["send-reminders", "--within", "5"])
    assert result.exit_code == 0, result.output
    assert "Reminded 1 officers about 1 cases." in result.output
    [mail] = list(mail_dir.glob("*-reminder-*.eml"))
    text = mail.read_text()
    assert "olu@example.gov.uk" in text
    assert reference in text
    assert "Private Person" not in text and "pp@example.com" not in text


def test_staff_log_a_phone_complaint_for_a_resident(app, mail_dir):
    officer = staff_client(app, "officer")
    page = officer.get("/staff/new-contact")
    check_page(page.get_data(as_text=True), "en")
    token = csrf_token(page)
    bad = officer.post("/staff/new-contact", data={"csrf_token": token}).get_data(as_text=True)
    messages = ["Select how it reached us", "Select what it is", "Enter what they told us", "Enter their full name"]
    assert all(message in bad for message in messages)
    yesterday = date.today() - timedelta(days=1)
    response = officer.post(
        "/staff/new-contact",
        data={
            "csrf_token": token,
            "channel": "phone",
            "type": "complaint",
            "received_on": [str(yesterday.day), str(yesterday.month), str(yesterday.year)],
            "description": "Rang about a missed bin.",
            "name": "Pat Caller",
            "email": "pat@example.com",
            "language": "cy",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert (case.channel, case.received_on, case.language) == ("phone", yesterday, "cy")
        assert case.stages[0].received_on == yesterday
        event = db.session.scalar(select(Event).filter_by(case_id=case.id, action="case_submitted"))
        assert (event.actor_type, event.detail["assisted"]) == ("staff", True)
    assert len(list(mail_dir.glob("*-receipt-*.eml"))) == 1


def test_reviewers_cannot_log_contacts(app):
    assert staff_client(app, "reviewer").get("/staff/new-contact").status_code == 403


def test_staff_pages_say_codes_in_words(app, client):
    reference = lodge(client)
    _set(app, reference, status="with_service", channel="in_person")
    officer = staff_client(app, "officer")
    case_page = officer.get(f"/staff/cases/{reference}").get_data(as_text=True)
    assert "With the service" in case_page and "with_service" not in case_page
    assert "(In person)" in case_page and "Corporate, Stage 1" in case_page
    listing = officer.get(f"/staff/?q={reference}").get_data(as_text=True)
    assert ">With the service</td>" in listing and ">Complaint</td>" in listing
    _set(app, reference, deadline=date.today() - timedelta(days=1))
    assert "Corporate, Stage 1" in officer.get("/staff/due").get_data(as_text=True)


def test_a_code_outside_the_vocabulary_is_shown_as_it_is(app):
    from portal.labels import label

    with app.test_request_context():
        assert label("with_service", "status") == "With the service"
        assert label("archived", "status") == "archived"
        assert label(None, "status") == ""
