"""Staff sign in with a password and then a code from an authenticator app; each code works once."""

import re
import time
from datetime import timedelta

import pyotp
from freezegun import freeze_time
from sqlalchemy import select

from portal.extensions import db
from portal.models import Event, User
from portal.models.base import utcnow
from portal.services.users import create_user
from tests.conftest import csrf_token
from tests.html_checks import check_page
from tests.staff import PASSWORD, make_staff, staff_client

EMAIL = "officer@example.gov.uk"


def _password(client, email: str = EMAIL):
    token = csrf_token(client.get("/staff/sign-in"))
    return client.post("/staff/sign-in", data={"csrf_token": token, "email": email, "password": PASSWORD})


def _code(client, code: str, path: str = "/staff/sign-in/code"):
    return client.post(path, data={"csrf_token": csrf_token(client.get(path)), "code": code})


def _secret(app, email: str = EMAIL) -> str | None:
    with app.app_context():
        return db.session.scalar(select(User.totp_secret).filter_by(email=email))


def test_the_first_sign_in_sets_up_an_app_from_a_qr_code_or_a_key(app, client):
    with app.app_context():
        create_user(EMAIL, "officer", PASSWORD)
    response = _password(client)
    assert response.status_code == 303 and response.location.endswith("/staff/sign-in/set-up")
    assert client.get("/staff/").status_code == 302  # a password alone signs nobody in
    page = client.get("/staff/sign-in/set-up").get_data(as_text=True)
    check_page(page, "en")
    assert "<svg" in page and "<title>QR code to set up your authenticator app</title>" in page
    key = re.search(r'id="secret-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert len(key) == 32 and _secret(app) is None

    wrong = _code(client, "12345", "/staff/sign-in/set-up")
    assert wrong.status_code == 200 and "The code is not right" in wrong.get_data(as_text=True)
    done = _code(client, pyotp.TOTP(key).now(), "/staff/sign-in/set-up")
    assert done.status_code == 303 and done.location.endswith("/staff/")
    assert "Your authenticator app is set up" in client.get("/staff/").get_data(as_text=True)
    assert _secret(app) == key
    with app.app_context():
        assert db.session.scalar(select(Event.action).filter_by(action="mfa_set_up")) == "mfa_set_up"


def test_a_code_signs_in_once_and_a_replayed_one_is_refused(app):
    make_staff(app, "officer")
    secret = _secret(app)
    now = utcnow()
    with freeze_time(now):
        first, second = app.test_client(), app.test_client()
        assert _password(first).location.endswith("/staff/sign-in/code")
        page = first.get("/staff/sign-in/code").get_data(as_text=True)
        check_page(page, "en")
        code = pyotp.TOTP(secret).now()
        assert _code(first, code).status_code == 303
        _password(second)
        replay = _code(second, code)
        assert replay.status_code == 200 and "was used already" in replay.get_data(as_text=True)
        assert second.get("/staff/").status_code == 302
    with freeze_time(now + timedelta(seconds=30)):
        assert _code(second, pyotp.TOTP(secret).now()).status_code == 303


def test_a_code_from_a_phone_a_step_out_is_accepted_but_not_an_old_one(app, client):
    make_staff(app, "officer")
    totp = pyotp.TOTP(_secret(app))
    now = utcnow()
    with freeze_time(now):
        _password(client)
        assert _code(client, totp.at(time.time() - 90)).status_code == 200
        assert _code(client, totp.at(time.time() - 30)).status_code == 303


def test_the_code_must_follow_the_password_within_minutes(app, client):
    make_staff(app, "officer")
    assert client.get("/staff/sign-in/code").status_code == 302  # no password given
    now = utcnow()
    with freeze_time(now):
        _password(client)
    with freeze_time(now + timedelta(minutes=6)):
        token = csrf_token(client.get("/staff/sign-in"))
        late = client.post("/staff/sign-in/code", data={"csrf_token": token, "code": pyotp.TOTP(_secret(app)).now()})
        assert late.status_code == 302 and late.location.endswith("/staff/sign-in")
        assert "within 5 minutes" in client.get("/staff/sign-in").get_data(as_text=True)
        assert client.get("/staff/").status_code == 302


def test_an_administrator_resets_a_lost_app_and_its_sessions_end(app, client):
    admin = staff_client(app, "admin")
    officer_id = make_staff(app, "officer")
    officer = app.test_client()
    _password(officer)
    _code(officer, pyotp.TOTP(_secret(app)).now())
    assert officer.get("/staff/").status_code == 200
    page = admin.get(f"/staff/admin/users/{officer_id}")
    assert "Reset their authenticator app" in page.get_data(as_text=True)
    reset = admin.post(f"/staff/admin/users/{officer_id}/reset-authenticator", data={"csrf_token": csrf_token(page)})
    assert reset.status_code == 303
    assert _secret(app) is None
    assert officer.get("/staff/").status_code == 302
    assert _password(client).location.endswith("/staff/sign-in/set-up")
