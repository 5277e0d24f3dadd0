"""A member of staff's own account: changing their password (the current one first) and seeing and ending the
browsers they are signed in on; an administrator signing someone out everywhere."""

import json
import logging

from sqlalchemy import select

from portal.extensions import db
from portal.models import Event, StaffSession
from tests.conftest import csrf_token
from tests.staff import PASSWORD, make_staff, sign_in

FIREFOX_ON_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
NEW_PASSWORD = "  a new passphrase with spaces  "


def _browser(app, user_agent: str, email: str = "officer@example.gov.uk"):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    sign_in(client, email)
    return client


def _change_password(client, current: str, new: str):
    token = csrf_token(client.get("/staff/account/password"))
    return client.post(
        "/staff/account/password", data={"csrf_token": token, "current_password": current, "new_password": new}
    )


def test_staff_see_each_browser_they_are_signed_in_on_and_which_is_this_one(app):
    make_staff(app, "reviewer", email="officer@example.gov.uk")  # every role has an account page
    laptop = _browser(app, FIREFOX_ON_WINDOWS)
    _browser(app, SAFARI_ON_IPHONE)
    page = laptop.get("/staff/account/")
    assert page.status_code == 200 and page.headers["Cache-Control"].startswith("no-store")
    html = page.get_data(as_text=True)
    assert "Firefox on Windows" in html and "Mobile Safari on iOS" in html
    assert html.count("This browser") == 1
    assert html.index("This browser") > html.index("Firefox on Windows")
    assert "2 browsers, the latest used first" in html
    assert "Sign out of the other browser" in html
    assert 'href="/staff/account/"' in laptop.get("/staff/").get_data(as_text=True)  # linked from every staff page


def test_signing_out_of_the_other_browsers_keeps_this_one(app):
    make_staff(app, "officer")
    laptop, phone, tablet = (_browser(app, agent) for agent in (FIREFOX_ON_WINDOWS, SAFARI_ON_IPHONE, ""))
    token = csrf_token(laptop.get("/staff/account/"))
    done = laptop.post("/staff/account/sign-out-others", data={"csrf_token": token}, follow_redirects=True)
    assert "You were signed out of 2 other browsers." in done.get_data(as_text=True)
    assert "You are not signed in anywhere else." in done.get_data(as_text=True)
    assert phone.get("/staff/").status_code == tablet.get("/staff/").status_code == 302
    assert laptop.get("/staff/").status_code == 200
    again = laptop.post("/staff/account/sign-out-others", data={"csrf_token": token}, follow_redirects=True)
    assert "You were not signed in anywhere else." in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(StaffSession.ended_because)).all().count("ended_by_owner") == 2
        event = db.session.scalar(select(Event).filter_by(action="user_signed_out_elsewhere"))
        assert event.detail["count"] == 2


def test_a_password_change_needs_the_current_password_and_ends_the_other_sessions(app, caplog):
    caplog.set_level(logging.INFO, logger="portal.security")
    officer_id = make_staff(app, "officer")
    laptop, phone = _browser(app, FIREFOX_ON_WINDOWS), _browser(app, SAFARI_ON_IPHONE)

    wrong = _change_password(laptop, "not my password", NEW_PASSWORD)
    assert wrong.status_code == 200
    assert "Your current password is not right" in wrong.get_data(as_text=True)
    assert phone.get("/staff/").status_code == 200  # nothing changed

    common = _change_password(laptop, PASSWORD, "password1")
    assert "list of passwords people use most often" in common.get_data(as_text=True)
    short = _change_password(laptop, PASSWORD, "short")
    assert "Password must be 8 characters or more" in short.get_data(as_text=True)

    done = _change_password(laptop, PASSWORD, NEW_PASSWORD)
    assert done.status_code == 303 and done.location.endswith("/staff/account/")
    assert "Your password is changed" in laptop.get("/staff/account/").get_data(as_text=True)
    assert laptop.get("/staff/").status_code == 200
    assert phone.get("/staff/").status_code == 302

    # The new password works exactly as typed, spaces at either end included; the old one no longer does.
    sign_in(app.test_client(), "officer@example.gov.uk", NEW_PASSWORD)
    for attempt in (PASSWORD, NEW_PASSWORD.strip()):
        client = app.test_client()
        token = csrf_token(client.get("/staff/sign-in"))
        refused = client.post(
            "/staff/sign-in", data={"csrf_token": token, "email": "officer@example.gov.uk", "password": attempt}
        )
        assert refused.status_code == 200, attempt
    with app.app_context():
        [event] = db.session.scalars(select(Event).filter_by(action="user_password_changed"))
        assert event.actor_id == officer_id and NEW_PASSWORD not in json.dumps(event.detail)
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.security"]
    names = [e["event"] for e in events]
    assert "password_change_refused" in names and "password_changed" in names
    assert NEW_PASSWORD.strip() not in caplog.text and PASSWORD not in caplog.text


def test_guessing_the_current_password_hits_the_sign_in_limit(make_app):
    app = make_app(RATELIMIT_ENABLED=True, SIGN_IN_RATE_LIMIT="5 per 15 minutes")
    make_staff(app, "officer")
    laptop = _browser(app, FIREFOX_ON_WINDOWS)
    answers = [_change_password(laptop, f"guess number {n}", NEW_PASSWORD).status_code for n in range(5)]
    assert answers == [200] * 5
    assert _change_password(laptop, PASSWORD, NEW_PASSWORD).status_code == 429  # even the right one waits


def test_an_administrator_signs_someone_out_everywhere(app):
    admin = app.test_client()
    make_staff(app, "admin")
    sign_in(admin, "admin@example.gov.uk")
    officer_id = make_staff(app, "officer")
    laptop, phone = _browser(app, FIREFOX_ON_WINDOWS), _browser(app, SAFARI_ON_IPHONE)
    page = admin.get(f"/staff/admin/users/{officer_id}")
    assert "Signed in on 2 browsers now." in page.get_data(as_text=True)
    done = admin.post(
        f"/staff/admin/users/{officer_id}/sign-out", data={"csrf_token": csrf_token(page)}, follow_redirects=True
    )
    html = done.get_data(as_text=True)
    assert "officer@example.gov.uk was signed out of 2 browsers." in html and "Not signed in anywhere now." in html
    assert laptop.get("/staff/").status_code == phone.get("/staff/").status_code == 302
    assert admin.get("/staff/").status_code == 200
    with app.app_context():
        event = db.session.scalar(select(Event).filter_by(action="user_signed_out_everywhere"))
        assert event.detail == {"user_id": officer_id, "count": 2}
    own = admin.get("/staff/admin/users/1" if officer_id != 1 else "/staff/admin/users/2")
    assert "Sign them out everywhere" not in own.get_data(as_text=True)  # their own browsers are on their account


def test_only_administrators_can_sign_others_out(app):
    officer_id = make_staff(app, "officer")
    manager = app.test_client()
    make_staff(app, "manager")
    sign_in(manager, "manager@example.gov.uk")
    token = csrf_token(manager.get("/staff/account/"))
    assert manager.post(f"/staff/admin/users/{officer_id}/sign-out", data={"csrf_token": token}).status_code == 403
