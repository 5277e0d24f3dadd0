"""Following a case: a single-use emailed link that never reveals whether a reference exists."""

import io
from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import select

from portal.extensions import db
from portal.models import Attachment, Case, Event, Message, TrackingToken
from portal.models.base import utcnow
from tests import files
from tests.conftest import csrf_token
from tests.journey import lodge
from tests.mail import ask_for_tracking_link, mails, tracking_link_path


def _open_case(client, mail_dir, reference, address="jo@example.com"):
    ask_for_tracking_link(client, reference, address)
    response = client.get(tracking_link_path(mail_dir))
    assert response.status_code == 302
    return client.get("/track/case")


def test_the_same_answer_whether_or_not_the_reference_exists(client, mail_dir):
    reference = lodge(client)
    right = ask_for_tracking_link(client, reference, "jo@example.com")
    wrong_email = ask_for_tracking_link(client, reference, "someone@example.com")
    no_case = ask_for_tracking_link(client, "CMP-ZZZZ-ZZZZ", "jo@example.com")
    assert right.status_code == wrong_email.status_code == no_case.status_code == 303
    assert right.location == wrong_email.location == no_case.location
    assert len(mails(mail_dir, "tracking_link")) == 1


def test_reference_is_matched_however_it_is_typed(client, mail_dir):
    reference = lodge(client)
    typed = reference.lower().replace("-", " ")
    ask_for_tracking_link(client, typed, "  JO@example.com ")
    assert len(mails(mail_dir, "tracking_link")) == 1


def test_the_link_shows_status_stage_due_date_and_messages(app, client, mail_dir):
    reference = lodge(client)
    page = _open_case(client, mail_dir, reference).get_data(as_text=True)
    assert reference in page
    assert "Received" in page
    assert "Stage 1" in page
    assert "Response due by" in page
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        due = case.stages[0].deadline
        db.session.add(Message(case=case, kind="to_resident", body="We are looking into your bin."))
        db.session.add(Message(case=case, kind="internal_note", body="Officer-only note"))
        db.session.commit()
    assert f"{due.day} " in page
    page = client.get("/track/case").get_data(as_text=True)
    assert "We are looking into your bin." in page
    assert "Officer-only note" not in page


def test_the_link_works_once(client, mail_dir):
    reference = lodge(client)
    ask_for_tracking_link(client, reference, "jo@example.com")
    path = tracking_link_path(mail_dir)
    assert client.get(path).status_code == 302
    second = client.get(path)
    assert second.status_code == 410
    assert "This link has expired" in second.get_data(as_text=True)


def test_the_link_expires_after_an_hour(client, mail_dir):
    reference = lodge(client)
    ask_for_tracking_link(client, reference, "jo@example.com")
    path = tracking_link_path(mail_dir)
    with freeze_time(utcnow() + timedelta(minutes=61)):
        assert client.get(path).status_code == 410


def test_tokens_are_128_bit_and_only_their_hash_is_stored(app, client, mail_dir):
    reference = lodge(client)
    ask_for_tracking_link(client, reference, "jo@example.com")
    raw = tracking_link_path(mail_dir).rsplit("/", 1)[1]
    assert len(raw) == 22  # 16 bytes, URL-safe base64
    with app.app_context():
        stored = db.session.scalar(select(TrackingToken))
        assert stored.token_hash != raw
        assert len(stored.token_hash) == 64


def test_a_made_up_token_is_refused(client):
    assert client.get("/track/link/not-a-real-token").status_code == 410


def test_without_a_link_the_case_page_asks_for_one(client):
    response = client.get("/track/case")
    assert response.status_code == 302
    assert response.location.endswith("/track")


def test_the_tracking_session_ends_after_an_hour(client, mail_dir):
    reference = lodge(client)
    _open_case(client, mail_dir, reference)
    with freeze_time(utcnow() + timedelta(minutes=61)):
        assert client.get("/track/case").status_code == 302


def test_adding_information_with_a_file(app, client, mail_dir):
    reference = lodge(client)
    page = _open_case(client, mail_dir, reference)
    token = csrf_token(page)
    response = client.post(
        "/track/case/add-information",
        data={
            "csrf_token": token,
            "information": "Also, the lid is broken.",
            "files": [(io.BytesIO(files.png()), "lid.png")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    page = client.get("/track/case").get_data(as_text=True)
    assert "Also, the lid is broken." in page
    assert "We have added your information" in page
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        assert [a.original_name for a in case.attachments] == ["lid.png"]
        assert "information_added" in db.session.scalars(select(Event.action)).all()


def test_adding_a_bad_file_keeps_the_text_and_stores_nothing(app, client, mail_dir):
    reference = lodge(client)
    token = csrf_token(_open_case(client, mail_dir, reference))
    response = client.post(
        "/track/case/add-information",
        data={
            "csrf_token": token,
            "information": "Text I typed",
            "files": [(io.BytesIO(files.windows_program()), "x.pdf")],
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html
    assert "Text I typed" in html
    with app.app_context():
        assert db.session.scalar(select(Attachment)) is None
        assert db.session.scalar(select(Message)) is None


def test_adding_nothing_is_an_error(client, mail_dir):
    reference = lodge(client)
    token = csrf_token(_open_case(client, mail_dir, reference))
    html = client.post("/track/case/add-information", data={"csrf_token": token, "information": " "}).get_data(
        as_text=True
    )
    assert "Enter the information you want to add" in html


def test_withdrawing_closes_the_case_and_confirms_by_email(app, client, mail_dir):
    reference = lodge(client)
    _open_case(client, mail_dir, reference)
    page = client.get("/track/case/withdraw")
    token = csrf_token(page)
    unconfirmed = client.post("/track/case/withdraw", data={"csrf_token": token})
    assert "Confirm that you want to withdraw" in unconfirmed.get_data(as_text=True)
    response = client.post("/track/case/withdraw", data={"csrf_token": token, "confirm": "y", "reason": "Sorted now"})
    assert response.status_code == 303
    page = client.get("/track/case").get_data(as_text=True)
    assert "Closed" in page
    assert "Add information" not in page
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        assert case.status == "closed"
        assert case.closed_reason == "withdrawn"
        assert case.stages[0].closed_reason == "withdrawn"
    assert len(mails(mail_dir, "withdrawn")) == 1


def test_a_closed_case_takes_no_more_information(app, client, mail_dir):
    reference = lodge(client)
    token = csrf_token(_open_case(client, mail_dir, reference))
    client.post("/track/case/withdraw", data={"csrf_token": token, "confirm": "y"})
    html = client.post("/track/case/add-information", data={"csrf_token": token, "information": "More"}).get_data(
        as_text=True
    )
    assert "This case is closed" in html


def test_the_tracking_page_is_in_the_language_of_the_case(client, mail_dir):
    reference = lodge(client, {"contact-preferences": {"language": "cy"}})
    ask_for_tracking_link(client, reference, "jo@example.com")
    assert mails(mail_dir, "tracking_link")[-1]["Content-Language"] == "cy"


def test_htmx_checking_one_field_sends_no_link(client, mail_dir):
    reference = lodge(client)
    response = ask_for_tracking_link(
        client, reference, "jo@example.com", **{"HX-Request": "true", "HX-Validate": "1", "HX-Trigger-Name": "email"}
    )
    assert response.status_code == 200
    assert "HX-Redirect" not in response.headers
    assert mails(mail_dir, "tracking_link") == []
