"""Every resident page renders in every language and passes the house HTML checks; staff pages stay English."""

import pytest

from portal.config import Config
from tests.html_checks import check_page
from tests.journey import fill_all, lodge, start

LANGUAGES = list(Config.LANGUAGES)
PUBLIC_PAGES = ["/", "/track", "/track/check-your-email", "/accessibility", "/privacy", "/cookies"]
QUESTION_PAGES = ["type", "service", "details", "evidence", "your-details", "contact-preferences", "someone-else"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages(client, path, language):
    response = client.get(f"{path}?lang={language}")
    assert response.status_code == 200
    check_page(response.get_data(as_text=True), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_question_page_and_check_answers(client, language):
    client.get(f"/?lang={language}")
    fill_all(client)
    for slug in QUESTION_PAGES:
        response = client.get(f"/feedback/{slug}")
        assert response.status_code == 200, slug
        check_page(response.get_data(as_text=True), language)
    check_page(client.get("/feedback/check-answers").get_data(as_text=True), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_confirmation_and_error_pages(client, language):
    client.get(f"/?lang={language}")
    lodge(client)
    check_page(client.get("/feedback/confirmation").get_data(as_text=True), language)
    not_found = client.get("/no-such-page")
    assert not_found.status_code == 404
    check_page(not_found.get_data(as_text=True), language)
    expired = client.get("/track/link/nope")
    check_page(expired.get_data(as_text=True), language)


@pytest.mark.parametrize("language", ["en", "cy", "ur", "ar"])
def test_staff_pages_stay_in_english_whatever_the_browser_or_link_asks(client, language):
    html = client.get(f"/staff/sign-in?lang={language}", headers={"Accept-Language": language}).get_data(as_text=True)
    check_page(html, "en")
    assert 'dir="ltr"' in html
    assert "app-language-switch" not in html and "hreflang" not in html


@pytest.mark.parametrize(("language", "direction"), [("ur", "rtl"), ("ar", "rtl"), ("pl", "ltr"), ("en", "ltr")])
def test_urdu_and_arabic_pages_run_right_to_left(client, language, direction):
    html = client.get(f"/?lang={language}").get_data(as_text=True)
    assert f'<html lang="{language}" dir="{direction}"' in html
    assert ("app/rtl.css" in html) == (direction == "rtl")


def test_language_links_on_every_page_are_in_their_own_language_with_hreflang(client):
    html = client.get("/").get_data(as_text=True)
    assert 'hreflang="cy" lang="cy">Cymraeg</a>' in html
    assert 'hreflang="ur" lang="ur">اردو</a>' in html
    assert 'hreflang="pa" lang="pa">ਪੰਜਾਬੀ</a>' in html
    for code in LANGUAGES:
        assert f'<link rel="alternate" hreflang="{code}" href="/?lang={code}">' in html
    assert 'aria-current="true">English</span>' in html


def test_language_choice_beats_accept_language(client):
    assert '<html lang="cy"' in client.get("/", headers={"Accept-Language": "cy"}).get_data(as_text=True)
    client.get("/?lang=en")
    assert '<html lang="en"' in client.get("/", headers={"Accept-Language": "cy"}).get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept", "shown"),
    [
        ("pl-PL,pl;q=0.9,en;q=0.8", "pl"),
        ("pt-BR", "pt"),
        ("fr-FR,fr;q=0.9,uk;q=0.5,cy;q=0.4", "uk"),
        ("cy-GB;q=0.5, ro;q=0.9", "ro"),
        ("fr-FR,de;q=0.9", "en"),
        ("", "en"),
    ],
)
def test_a_browsers_languages_pick_the_page_language_in_their_order(app, accept, shown):
    for _ in range(2):  # the second time from the remembered choice for this header
        html = app.test_client().get("/track", headers={"Accept-Language": accept}).get_data(as_text=True)
        assert f'<html lang="{shown}"' in html, accept


def test_unknown_language_falls_back(client):
    assert '<html lang="en"' in client.get("/?lang=xx").get_data(as_text=True)


def test_language_switch_keeps_the_page(client):
    start(client)
    html = client.get("/feedback/type").get_data(as_text=True)
    assert 'href="/feedback/type?lang=cy"' in html


def test_start_page_explains_timescales_contacts_and_the_ombudsman(client):
    html = client.get("/").get_data(as_text=True)
    assert "within 5 working days" in html
    assert "within 20 working days" in html
    assert "0300 123 4567" in html
    assert "Town Hall" in html
    assert "In person" in html
    assert "Ombudsman" in html
    assert "compliment" in html.lower() and "suggestion" in html.lower()


def test_council_branding_not_govuk(client):
    html = client.get("/").get_data(as_text=True)
    assert "Example Borough Council" in html
    assert "GOV.UK" not in html
    assert "govuk-logo" not in html
    assert "Crown copyright" not in html


def test_character_count_messages_keep_govuks_placeholder(client):
    fill_all(client)
    page = client.get("/feedback/details").get_data(as_text=True)
    assert "You can enter up to 5000 characters" in page
    assert 'characters-under-limit.other="You have %{count} characters remaining"' in page
    assert "%5000" not in page and "%%{count}" not in page
