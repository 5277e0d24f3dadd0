"""Staff sessions live on the server: signing out, a new password or a disabled account ends them everywhere,
a stolen cookie is worthless afterwards, and every sign-in attempt and refusal is logged without personal data."""

import json
import logging
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import StaffSession
from portal.models.base import utcnow
from portal.services.users import PasswordTooCommon, PasswordTooPredictable, check_password
from tests.conftest import csrf_token
from tests.journey import lodge
from tests.staff import PASSWORD, enter_code, make_staff, sign_in, staff_client


def _copy_of(client, app):
    """A second browser holding a copy of this one's session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _security_events(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.security"]


def test_a_copied_cookie_stops_working_when_its_owner_signs_out(app):
    officer = staff_client(app, "officer")
    thief = _copy_of(officer, app)
    assert thief.get("/staff/").status_code == 200
    officer.post("/staff/sign-out", data={"csrf_token": csrf_token(officer.get("/staff/"))})
    assert thief.get("/staff/").status_code == 302
    with app.app_context():
        [row] = db.session.scalars(select(StaffSession))
        assert row.ended_because == "signed_out" and row.ended_at is not None


def test_the_database_holds_only_a_hash_of_the_browsers_token(app):
    officer = staff_client(app, "officer")
    with officer.session_transaction() as cookie_session:
        token = cookie_session["staff_session"]
    with app.app_context():
        stored = db.session.scalar(select(StaffSession.token_hash))
    assert len(token) >= 40 and token not in stored and len(stored) == 64


def test_a_new_password_or_a_disabled_account_ends_every_session_of_it(app):
    admin = staff_client(app, "admin")
    officer_id = make_staff(app, "officer")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "officer@example.gov.uk")
    sign_in(phone, "officer@example.gov.uk")
    assert laptop.get("/staff/").status_code == phone.get("/staff/").status_code == 200

    url = f"/staff/admin/users/{officer_id}/password"
    token = csrf_token(admin.get(url))
    assert admin.post(url, data={"csrf_token": token, "password": "a brand new passphrase"}).status_code == 303
    assert laptop.get("/staff/").status_code == phone.get("/staff/").status_code == 302
    assert admin.get("/staff/").status_code == 200  # the administrator's own session goes on

    signed_in_again = app.test_client()
    sign_in(signed_in_again, "officer@example.gov.uk", "a brand new passphrase")
    assert signed_in_again.get("/staff/").status_code == 200
    disable = f"/staff/admin/users/{officer_id}/disable"
    assert admin.post(disable, data={"csrf_token": csrf_token(admin.get(f"/staff/admin/users/{officer_id}"))})
    assert signed_in_again.get("/staff/").status_code == 302
    with app.app_context():
        reasons = set(db.session.scalars(select(StaffSession.ended_because).filter_by(user_id=officer_id)))
    assert reasons == {"password_changed", "account_disabled"}


def test_however_busy_staff_sign_in_again_after_the_absolute_limit(app, client):
    make_staff(app, "officer")
    start = utcnow()
    with freeze_time(start):
        sign_in(client, "officer@example.gov.uk")
    # A page every 20 minutes never lets the session go idle, but 10 hours is the most it lasts.
    for minutes in range(20, 10 * 60, 20):
        with freeze_time(start + timedelta(minutes=minutes)):
            assert client.get("/staff/").status_code == 200, minutes
    with freeze_time(start + timedelta(hours=10, minutes=1)):
        assert client.get("/staff/").status_code == 302
        page = client.get("/staff/sign-in").get_data(as_text=True)
        assert "You were signed out because you had been signed in for 10 hours. Sign in again." in page


def test_each_sign_in_attempt_is_logged_in_utc_without_the_email_address(app, client, caplog):
    caplog.set_level(logging.INFO, logger="portal.security")
    officer_id = make_staff(app, "officer")
    for email, password in (
        ("nobody@example.gov.uk", PASSWORD),
        ("officer@example.gov.uk", "not the password"),
        ("officer@example.gov.uk", PASSWORD),
    ):
        token = csrf_token(client.get("/staff/sign-in"))
        response = client.post("/staff/sign-in", data={"csrf_token": token, "email": email, "password": password})
    token = csrf_token(client.get("/staff/sign-in/code"))
    assert client.post("/staff/sign-in/code", data={"csrf_token": token, "code": "12345"}).status_code == 200
    enter_code(client, response)
    events = _security_events(caplog)
    attempts = [(e["event"], e.get("because"), e["user_id"]) for e in events]
    assert attempts == [
        ("sign_in_failed", "unknown_account", None),
        ("sign_in_failed", "wrong_password", officer_id),
        ("password_accepted", None, officer_id),
        ("mfa_failed", None, officer_id),
        ("signed_in", None, officer_id),
    ]
    for event in events:
        assert event["time"].endswith("+00:00")  # UTC, with its offset
        assert event["client"] and "127.0.0.1" not in json.dumps(event)
    assert "example.gov.uk" not in caplog.text


def test_refused_pages_and_cases_are_logged(app, caplog):
    caplog.set_level(logging.INFO, logger="portal.security")
    reference = lodge(app.test_client())
    responder = staff_client(app, "responder", areas=("Libraries",))
    assert responder.get("/staff/admin/users").status_code == 403
    assert responder.get(f"/staff/cases/{reference}").status_code == 404  # not one of their service areas
    events = [e for e in _security_events(caplog) if e["event"] in ("access_refused", "case_refused")]
    assert [(e["event"], e["endpoint"]) for e in events] == [
        ("access_refused", "admin.users"),
        ("case_refused", "staff.case"),
    ]


@pytest.mark.parametrize("password", ["password", "Password1", "qwertyuiop", "iloveyou"])
def test_the_most_common_passwords_are_refused(password):
    with pytest.raises(PasswordTooCommon):
        check_password(password)


@pytest.mark.parametrize(
    "password", ["Complaints2024!", "FeedbackPortal", "Riverside Council 1", "olive.officer99", "Olive Officer!!"]
)
def test_passwords_made_of_this_portals_and_this_accounts_words_are_refused(app, password):
    app.config["COUNCIL_NAME"] = "Riverside Borough Council"
    with app.app_context(), pytest.raises(PasswordTooPredictable):
        check_password(password, email="olive.officer@example.gov.uk", name="Olive Officer")


@pytest.mark.parametrize(
    "password", ["my complaints portal is great fun", "correct horse battery", "Riverside kestrel"]
)
def test_such_words_inside_a_longer_passphrase_are_fine(app, password):
    app.config["COUNCIL_NAME"] = "Riverside Borough Council"
    with app.app_context():
        check_password(password, email="olive.officer@example.gov.uk", name="Olive Officer")


def test_signing_in_starts_a_new_session_whatever_the_browser_brought(app, client):
    make_staff(app, "officer")
    with client.session_transaction() as planted:  # as an attacker would fix a session before the victim signs in
        planted["staff_session"] = "chosen-by-the-attacker"
        planted["planted"] = True
    sign_in(client, "officer@example.gov.uk")
    with client.session_transaction() as session:
        first = session["staff_session"]
        assert first != "chosen-by-the-attacker" and "planted" not in session
    client.post("/staff/sign-out", data={"csrf_token": csrf_token(client.get("/staff/"))})
    sign_in(client, "officer@example.gov.uk")
    with client.session_transaction() as session:
        assert session["staff_session"] not in (first, None)


def test_retention_deletes_the_records_of_sessions_long_over_and_keeps_the_rest(app, runner):
    app.config["STAFF_SESSION_RETENTION_DAYS"] = 90
    with freeze_time(utcnow() - timedelta(days=100)):
        staff_client(app, "officer", email="old@example.gov.uk")  # idle ever since, never signed out
        signed_out = staff_client(app, "officer", email="left@example.gov.uk")
        signed_out.post("/staff/sign-out", data={"csrf_token": csrf_token(signed_out.get("/staff/"))})
        staff_client(app, "officer", email="late@example.gov.uk")
    with app.app_context():  # last used 100 days ago, but ended only 10 days ago (its account disabled)
        row = db.session.scalar(select(StaffSession).order_by(StaffSession.id.desc()))
        row.ended_at, row.ended_because = utcnow() - timedelta(days=10), "account_disabled"
        db.session.commit()
    current = staff_client(app, "officer", email="now@example.gov.uk")

    dry = runner.invoke(args=["apply-retention", "--dry-run"])
    assert "Would delete 2 staff sessions last used over 90 days ago." in dry.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StaffSession)) == 4

    done = runner.invoke(args=["apply-retention"])
    assert done.exit_code == 0, done.output
    assert "Deleted 2 staff sessions last used over 90 days ago." in done.output
    with app.app_context():
        kept = set(db.session.scalars(select(StaffSession.ended_because)))
    assert kept == {"account_disabled", None}  # ended 10 days ago, and the session in use now
    assert current.get("/staff/").status_code == 200
