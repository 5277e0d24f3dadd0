"""Every language the portal offers: emails, the tracking page, dates and numbers follow the resident's language."""

import pytest
from babel.dates import format_date
from sqlalchemy import select

from portal.config import Config
from portal.extensions import db
from portal.models import Case
from portal.services.message_templates import example_values, fill_in, get_message_template
from tests.journey import fill_all, lodge
from tests.mail import ask_for_tracking_link, mails, tracking_link_path

LANGUAGES = list(Config.LANGUAGES)
OTHER_THAN_ENGLISH = [code for code in LANGUAGES if code != "en"]


def _english_receipt(mail_dir) -> tuple[str, str]:
    mail = mails(mail_dir, "receipt")[-1]
    return mail["Subject"], mail.get_content()


@pytest.mark.parametrize("language", OTHER_THAN_ENGLISH)
def test_the_receipt_and_tracking_emails_are_in_the_language_the_resident_chose(client, mail_dir, language):
    reference = lodge(client, {"contact-preferences": {"language": "en"}})
    english_subject, english_body = _english_receipt(mail_dir)

    reference = lodge(client, {"contact-preferences": {"language": language}})
    receipt = mails(mail_dir, "receipt")[-1]
    body = receipt.get_content()
    assert reference in body
    assert receipt["Subject"] != english_subject.replace(english_subject.split()[-1], reference)
    # Not one line of the English receipt's wording is left (the reference, names and contact details aside).
    for line in english_body.splitlines():
        if len(line) > 40 and "Anytown" not in line and "http" not in line:
            assert line not in body, (language, line)

    ask_for_tracking_link(client, reference, "jo@example.com")
    tracking = mails(mail_dir, "tracking_link")[-1]
    assert "To check the progress" not in tracking.get_content()
    assert "The link works once" not in tracking.get_content()


@pytest.mark.parametrize("language", ["ur", "pl", "cy"])
def test_the_tracking_link_opens_the_case_page_in_the_cases_language(client, mail_dir, language):
    reference = lodge(client, {"contact-preferences": {"language": language}})
    response = client.get(_tracking_path(client, mail_dir, reference))
    assert response.status_code == 302
    assert response.location.endswith(f"/track/case?lang={language}")
    html = client.get(response.location).get_data(as_text=True)
    assert f'<html lang="{language}"' in html
    assert f'<span class="app-reference" dir="ltr">{reference}</span>' in html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", ["acknowledgement", "response"])
def test_the_default_wording_the_council_can_edit_exists_in_every_language(app, language, key):
    with app.test_request_context():
        subject, body, is_default = get_message_template(key, language)
        english_subject, english_body, _default = get_message_template(key, "en")
        values = example_values(key, language)
        filled = fill_in(body, **values)
    assert is_default
    assert "{{ reference }}" in subject
    assert "Sam Taylor" in filled and "{{" not in filled
    if language != "en":
        assert (subject, body) != (english_subject, english_body)
    if key == "response":
        assert "[" in body and "]" in body, "the officer's prompts are still marked in square brackets"


@pytest.mark.parametrize("language", ["pl", "cy", "uk", "ar"])
def test_the_tracking_page_writes_dates_in_the_cases_language(app, client, mail_dir, language):
    reference = lodge(client, {"contact-preferences": {"language": language}})
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        dates = [
            format_date(day, format="d MMMM yyyy", locale=language)
            for day in (case.received_on, case.current_stage.due_on)
        ]
    html = client.get(_tracking_path(client, mail_dir, reference), follow_redirects=True).get_data(as_text=True)
    for written in dates:
        assert written in html
        assert written != format_date(case.received_on, format="d MMMM yyyy", locale="en")


def _tracking_path(client, mail_dir, reference) -> str:
    ask_for_tracking_link(client, reference, "jo@example.com")
    return tracking_link_path(mail_dir)


def test_the_language_question_offers_every_language_in_its_own_script(client):
    fill_all(client)
    html = client.get("/feedback/contact-preferences?lang=ur").get_data(as_text=True)
    for name in ("English", "Cymraeg", "Polski", "اردو", "ਪੰਜਾਬੀ", "বাংলা", "ગુજરાતી", "العربية", "Українська"):
        assert f">{name}</option>" in html
