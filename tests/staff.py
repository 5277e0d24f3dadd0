"""Signing staff in for tests: a password, then a code from the authenticator app, as staff do."""

import re

import pyotp

from portal.extensions import db
from portal.models import ServiceArea, User
from portal.services.users import create_user
from tests.conftest import csrf_token

PASSWORD = "correct horse battery"


def make_staff(app, role: str, email: str | None = None, name: str = "", areas: tuple[str, ...] = ()) -> int:
    """Make an account with an authenticator app already set up (a fresh secret each time)."""
    with app.app_context():
        user = create_user(email or f"{role}@example.gov.uk", role, PASSWORD, name=name or role.title())
        user.totp_secret = pyotp.random_base32()
        for area_name in areas:
            user.service_areas.append(db.session.query(ServiceArea).filter_by(name=area_name).one())
        db.session.commit()
        return user.id


def enter_code(client, response):
    """After the password was accepted, enter the code the member of staff's app shows now; return the response.

    For an account with an app, the test plays its app: it reads the secret from the database and lets the code
    of the current 30 seconds be used again (each test signs in many times within them). For an account without
    one, it sets one up from the key the set-up page shows, as a person would type it into their app.
    """
    if response.status_code != 303 or "/staff/sign-in/" not in (response.location or ""):
        return response
    page = client.get(response.location)
    html = page.get_data(as_text=True)
    if response.location.endswith("/set-up"):
        secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    else:
        with client.session_transaction() as session:
            user_id = session["mfa_user"]
        with client.application.app_context():
            user = db.session.get(User, user_id)
            user.totp_last_step = None
            secret = user.totp_secret
            db.session.commit()
    return client.post(response.location, data={"csrf_token": csrf_token(page), "code": pyotp.TOTP(secret).now()})


def sign_in(client, email: str, password: str = PASSWORD):
    token = csrf_token(client.get("/staff/sign-in"))
    response = client.post("/staff/sign-in", data={"csrf_token": token, "email": email, "password": password})
    response = enter_code(client, response)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response


def staff_client(app, role: str, **kwargs):
    client = app.test_client()
    email = kwargs.pop("email", None) or f"{role}@example.gov.uk"
    make_staff(app, role, email=email, **kwargs)
    sign_in(client, email)
    return client
