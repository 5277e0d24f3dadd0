"""The resident's journey from the first question to the confirmation page."""

import email
from email import policy

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Case, Event, Stage
from tests.journey import answer, fill_all, first_service_id, lodge, start, submit


def _read_mail(mail_dir):
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in sorted(mail_dir.glob("*.eml"))
    ]


def test_a_complaint_is_lodged_with_a_reference_a_first_stage_and_a_receipt(app, client, mail_dir):
    reference = lodge(client)

    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        assert case.type == "complaint"
        assert case.status == "received"
        assert case.resident.name == "Jo Bloggs"
        assert case.desired_outcome.startswith("Collect the bin")
        assert [(s.process, s.number) for s in case.stages] == [("corporate", 1)]
        assert case.stages[0].deadline > case.received_on
        actions = db.session.scalars(select(Event.action).filter_by(case_id=case.id)).all()
        assert actions == ["case_submitted", "receipt_sent"]

        [receipt] = _read_mail(mail_dir)
        assert receipt["To"] == "jo@example.com"
        assert reference in receipt["Subject"]
        assert reference in receipt.get_content()


def test_references_look_like_the_pattern_and_cannot_be_guessed_in_sequence(client):
    first = lodge(client)
    second = lodge(client)
    assert first != second
    for reference in (first, second):
        prefix, a, b = reference.split("-")
        assert prefix == "CMP" and len(a) == len(b) == 4
        assert not set(a + b) & set("01IO")


def test_the_receipt_is_in_the_language_the_resident_chose(app, client, mail_dir):
    client.get("/?lang=cy")
    lodge(client, {"contact-preferences": {"language": "cy"}})
    [receipt] = _read_mail(mail_dir)
    assert receipt["Content-Language"] == "cy"
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case.language == "cy"
        assert case.resident.language == "cy"


def test_a_compliment_takes_the_short_path_without_the_put_it_right_question(app, client):
    token = start(client)
    answer(client, token, "type", {"type": "compliment"})
    answer(client, token, "service", {"service": "not_sure"})
    page = client.get("/feedback/details").get_data(as_text=True)
    assert "What would put it right?" not in page
    assert "Tell us about your compliment" in page
    response = answer(client, token, "details", {"description": "The library staff were brilliant."})
    assert response.status_code == 303
    for slug, data in [
        ("evidence", {"submit": "Continue"}),
        ("your-details", {"name": "Sam", "email": "sam@example.com"}),
        ("contact-preferences", {"preferred_contact": "email", "language": "en"}),
        ("someone-else", {"on_behalf": "no"}),
    ]:
        assert answer(client, token, slug, data).status_code == 303
    assert submit(client, token).status_code == 303
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case.type == "compliment"
        assert case.reference.startswith("CPL-")
        assert case.stages == []
        assert case.service_area_id is None


def test_a_suggestion_is_recorded_against_the_service_chosen(app, client):
    reference = lodge(
        client,
        {
            "type": {"type": "suggestion"},
            "details": {"description": "Open the library on Sundays.", "occurred_on": ["", "", ""]},
        },
    )
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        assert reference.startswith("SUG-")
        assert case.service_area is not None
        assert case.desired_outcome is None
        assert case.occurred_on is None


def test_changing_a_complaint_into_a_compliment_forgets_the_put_it_right_answer(app, client):
    token = fill_all(client)
    answer(client, token, "type", {"type": "compliment"}, query_string={"change": 1})
    submit(client, token)
    with app.app_context():
        assert db.session.scalar(select(Case)).desired_outcome is None


def test_pressing_send_twice_creates_one_case(app, client, mail_dir):
    token = fill_all(client)
    html = client.get("/feedback/check-answers").get_data(as_text=True)
    import re

    key = re.search(r'name="submission_key" value="([^"]+)"', html).group(1)
    first = client.post("/feedback/check-answers", data={"csrf_token": token, "submission_key": key})
    second = client.post("/feedback/check-answers", data={"csrf_token": token, "submission_key": key})
    assert first.status_code == second.status_code == 303
    assert second.location.endswith("/feedback/confirmation")
    with app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == 1
        assert len(list(mail_dir.glob("*.eml"))) == 1


def test_the_back_button_after_sending_shows_the_confirmation_not_a_new_case(app, client):
    token = fill_all(client)
    submit(client, token)
    response = client.get("/feedback/check-answers")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == 1


def test_pages_cannot_be_skipped(client):
    start(client)
    response = client.get("/feedback/your-details")
    assert response.status_code == 302
    assert response.location.endswith("/feedback/type")


def test_a_later_page_without_answers_goes_to_the_first_question(client):
    response = client.get("/feedback/details")
    assert response.status_code == 302
    assert response.location.endswith("/feedback/type")


def test_unknown_question_page_is_not_found(client):
    start(client)
    assert client.get("/feedback/not-a-page").status_code == 404


def test_change_links_return_to_check_your_answers(client):
    token = fill_all(client)
    response = answer(
        client, token, "your-details", {"name": "Jo Smith", "email": "jo@example.com"}, query_string={"change": 1}
    )
    assert response.location.endswith("/feedback/check-answers")
    assert "Jo Smith" in client.get("/feedback/check-answers").get_data(as_text=True)


def test_check_your_answers_shows_every_answer_with_a_change_link(client):
    fill_all(client)
    page = client.get("/feedback/check-answers").get_data(as_text=True)
    for text in [
        "A complaint",
        "Council tax",
        "My green bin was missed",
        "3 November 2026",
        "Jo Bloggs",
        "jo@example.com",
    ]:
        assert text in page
    assert page.count('change=1"') >= 8


def test_acting_for_someone_else_records_the_representative_and_consent(app, client, mail_dir):
    lodge(
        client,
        {
            "someone-else": {
                "on_behalf": "yes",
                "subject_name": "Pat Bloggs",
                "relationship": "Daughter",
                "consent": "y",
            }
        },
    )
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case.resident.name == "Pat Bloggs"
        assert case.representative.name == "Jo Bloggs"
        assert case.representative_relationship == "Daughter"
        assert case.consent_confirmed is True
        [receipt] = _read_mail(mail_dir)
        assert receipt["To"] == "jo@example.com"


def test_reasonable_adjustments_are_kept(app, client):
    lodge(
        client,
        {
            "contact-preferences": {
                "preferred_contact": "phone",
                "language": "en",
                "adjustments": ["bsl", "large_print", "not-offered"],
                "adjustments_detail": "Please call after 4pm.",
            },
            "your-details": {"name": "Jo Bloggs", "email": "", "phone": "07700 900982"},
        },
    )
    with app.app_context():
        resident = db.session.scalar(select(Case)).resident
        assert sorted(resident.adjustments) == ["bsl", "large_print"]
        assert resident.adjustments_detail == "Please call after 4pm."
        assert resident.email is None


def test_a_resident_without_an_email_gets_no_mail_but_a_reference(client, mail_dir):
    reference = lodge(client, {"your-details": {"name": "Jo", "email": "", "phone": "01632 960 001"}})
    assert reference
    assert list(mail_dir.glob("*.eml")) == []
    assert "Write down your reference number" in client.get("/feedback/confirmation").get_data(as_text=True)


def test_the_stage_deadline_counts_working_days_from_receipt(app, client):
    lodge(client)
    with app.app_context():
        stage = db.session.scalar(select(Stage))
        from portal.services.calendar import working_days_between

        assert working_days_between(stage.received_on, stage.deadline, "GB-ENG") == 20


def test_service_page_groups_services_by_directorate_with_not_sure(client):
    start(client)
    token = start(client)
    answer(client, token, "type", {"type": "complaint"})
    page = client.get("/feedback/service").get_data(as_text=True)
    assert page.index("Exchequer") < page.index("Council tax")
    assert page.index("Place") < page.index("Waste and recycling")
    assert "I’m not sure" in page
    assert first_service_id(client)


def test_a_resident_who_stops_for_an_afternoon_carries_on_where_they_were(client):
    from datetime import timedelta

    from freezegun import freeze_time

    from portal.models.base import utcnow

    start_time = utcnow()
    with freeze_time(start_time):
        token = fill_all(client, skip=("someone-else",))
    with freeze_time(start_time + timedelta(hours=5)):  # the browser left open over lunch and a meeting
        page = client.get("/feedback/someone-else")
        assert page.status_code == 200
        assert answer(client, token, "someone-else", {"on_behalf": "no"}).status_code == 303
        assert "Jo Bloggs" in client.get("/feedback/check-answers").get_data(as_text=True)
        assert submit(client, token).status_code == 303
