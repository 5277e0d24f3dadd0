"""The cookie page describes every cookie the portal sets, so it cannot go stale without a test failing."""

import re
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from babel.dates import format_timedelta

from tests.conftest import csrf_token
from tests.html_checks import check_page
from tests.journey import lodge
from tests.mail import ask_for_tracking_link, tracking_link_path
from tests.staff import make_staff, sign_in

ROW = re.compile(
    r'<td class="govuk-table__cell"><code lang="en" dir="ltr">([^<]+)</code></td>\s*'
    r'<td class="govuk-table__cell">[^<]+</td>\s*<td class="govuk-table__cell">([^<]+)</td>'
)


@pytest.fixture
def cookies_set(app):
    """Record every Set-Cookie header the app sends, as the browser gets them (after Flask saves the session)."""
    headers: list[str] = []
    inner = app.wsgi_app

    def recording(environ, start_response):
        def start(status, response_headers, exc_info=None):
            headers.extend(value for name, value in response_headers if name.lower() == "set-cookie")
            return start_response(status, response_headers, exc_info)

        return inner(environ, start)

    app.wsgi_app = recording
    return headers


def _cookies(headers: list[str]) -> dict[str, dict]:
    """Each cookie given a value (not one being deleted) with its attributes, by name."""
    found = {}
    for header in headers:
        for name, morsel in SimpleCookie(header).items():
            if morsel.value:
                found[name] = {"max-age": morsel["max-age"], "expires": morsel["expires"], "domain": morsel["domain"]}
    return found


def _rows(html: str) -> dict[str, str]:
    return {name: " ".join(expires.split()) for name, expires in ROW.findall(html)}


def test_every_cookie_the_site_sets_is_described_on_the_cookie_page(app, client, cookies_set, mail_dir):
    client.get("/?lang=cy")
    client.get("/?lang=en")
    reference = lodge(client)
    ask_for_tracking_link(client, reference, "jo@example.com")
    client.get(tracking_link_path(mail_dir), follow_redirects=True)
    staff = app.test_client()
    make_staff(app, "officer")
    sign_in(staff, "officer@example.gov.uk")
    token = csrf_token(staff.get("/staff/"))
    assert staff.post("/staff/sign-out", data={"csrf_token": token}).status_code in (302, 303)

    got = _cookies(cookies_set)
    rows = _rows(client.get("/cookies").get_data(as_text=True))
    assert set(got) == set(rows), "the cookie page must list exactly the cookies the site sets"
    for name, attributes in got.items():
        assert not attributes["domain"], f"{name} is set for another domain"
        if attributes["max-age"]:
            lifetime = format_timedelta(timedelta(seconds=int(attributes["max-age"])), threshold=1, locale="en")
            assert rows[name] == f"After {lifetime}", (name, rows[name])
        else:
            assert not attributes["expires"], name
            assert rows[name].startswith("When you close your browser"), (name, rows[name])


def test_the_session_cookies_lifetime_follows_the_configuration(make_app):
    app = make_app(PERMANENT_SESSION_LIFETIME=timedelta(hours=5), STAFF_IDLE_MINUTES=20)
    html = app.test_client().get("/cookies").get_data(as_text=True)
    assert "It stops working 5 hours after it last changed." in html
    assert "signed out after 20 minutes without using the service" in html


@pytest.mark.parametrize("language", ["en", "cy", "ur"])
def test_the_cookie_page_is_linked_from_the_footer_and_the_privacy_notice(client, language):
    html = client.get(f"/privacy?lang={language}").get_data(as_text=True)
    check_page(html, language)
    footer = html[html.index("<footer") :]
    main = html[html.index("<main") : html.index("</main>")]
    assert 'href="/cookies"' in footer and 'href="/cookies"' in main
    assert footer.index('href="/privacy"') < footer.index('href="/cookies"')


def test_the_privacy_notice_gives_the_retention_period_from_the_configuration(make_app):
    html = make_app(RETENTION_YEARS=7).test_client().get("/privacy").get_data(as_text=True)
    assert "We keep your case for 7 years after it is closed." in html
    assert "ico.org.uk" in html and "0303 123 1113" in html
    assert "Article 6(1)(e)" in html and "Article 9(2)(g)" in html
    assert "Housing Ombudsman" in html and "Local Government and Social Care Ombudsman" in html
