"""Authenticator secrets are encrypted in the database: a copy of it holds no second factor, secrets stored before
encryption are converted by migration 0015, a new key can be rolled in, and a key that no longer opens them fails
closed rather than letting anyone set up a new app."""

import pyotp
import pytest
from cryptography.fernet import Fernet
from flask_migrate import upgrade
from sqlalchemy import select, text

from portal import create_app
from portal.extensions import db
from portal.models import User
from portal.models.encrypted import SecretUnreadable
from portal.services.users import create_user
from tests.conftest import empty_database
from tests.journey import answer, start
from tests.staff import make_staff, sign_in


def _stored(app, email: str) -> str:
    with app.app_context():
        return db.session.execute(
            text("SELECT totp_secret FROM user_account WHERE email = :email"), {"email": email}
        ).scalar_one()


def _secret(app, email: str) -> str:
    with app.app_context():
        db.session.expire_all()
        return db.session.scalar(select(User.totp_secret).filter_by(email=email))


def test_the_database_holds_no_authenticator_secret_in_the_clear(app):
    make_staff(app, "officer")
    secret = _secret(app, "officer@example.gov.uk")
    stored = _stored(app, "officer@example.gov.uk")
    assert len(secret) == 32 and secret not in stored and stored.startswith("fernet:")
    sign_in(app.test_client(), "officer@example.gov.uk")  # the code from the app still signs in


def test_migration_0015_encrypts_the_secrets_stored_before_it(app):
    secret = pyotp.random_base32()
    with app.app_context():
        empty_database()
        upgrade(revision="0014")
        db.session.execute(
            text(
                "INSERT INTO user_account (email, name, role, password_hash, active, created_at, totp_secret) "
                "VALUES ('old@example.gov.uk', 'Old', 'officer', 'x', true, CURRENT_TIMESTAMP, :secret)"
            ),
            {"secret": secret},
        )
        db.session.commit()
        upgrade()
        db.session.close()
    stored = _stored(app, "old@example.gov.uk")
    assert stored.startswith("fernet:") and secret not in stored
    assert _secret(app, "old@example.gov.uk") == secret


def test_a_new_key_is_rolled_in_and_the_old_one_can_then_go(make_app):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app = make_app(MFA_ENCRYPTION_KEYS=old)
    make_staff(app, "officer")
    secret = _secret(app, "officer@example.gov.uk")

    app.config["MFA_ENCRYPTION_KEYS"] = f"{new},{old}"  # the new key first: it encrypts, both decrypt
    assert _secret(app, "officer@example.gov.uk") == secret
    result = app.test_cli_runner().invoke(args=["rotate-mfa-key"])
    assert result.exit_code == 0 and "Encrypted 1 authenticator secrets again" in result.output

    app.config["MFA_ENCRYPTION_KEYS"] = new  # the old key retired
    assert _secret(app, "officer@example.gov.uk") == secret
    sign_in(app.test_client(), "officer@example.gov.uk")


def test_a_secret_no_key_opens_stops_the_sign_in_instead_of_offering_a_new_app(make_app):
    app = make_app(MFA_ENCRYPTION_KEYS=Fernet.generate_key().decode())
    with app.app_context():
        user = create_user("officer@example.gov.uk", "officer", "correct horse battery")
        user.totp_secret = pyotp.random_base32()
        db.session.commit()
    app.config["MFA_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()  # the key was lost or changed
    with pytest.raises(SecretUnreadable):
        _secret(app, "officer@example.gov.uk")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    page = client.get("/staff/sign-in")
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    answer = client.post(
        "/staff/sign-in",
        data={"csrf_token": token, "email": "officer@example.gov.uk", "password": "correct horse battery"},
    )
    assert answer.status_code == 500
    assert client.get("/staff/sign-in/set-up").status_code != 200  # no way round to a new authenticator


def test_secret_key_is_rotated_with_the_old_one_as_a_fallback_and_nobody_loses_a_draft_or_their_app(make_app):
    old, new = "old " + "k" * 40, "new " + "k" * 40
    app = make_app(SECRET_KEY=old)
    make_staff(app, "officer")
    secret = _secret(app, "officer@example.gov.uk")
    resident = app.test_client()
    token = start(resident)
    answer(resident, token, "type", {"type": "compliment"})

    app.config.update(SECRET_KEY=new, SECRET_KEY_FALLBACKS=[old])  # the new key signs; the old one still opens
    assert 'value="compliment" checked' in resident.get("/feedback/type").get_data(as_text=True)
    assert _secret(app, "officer@example.gov.uk") == secret
    result = app.test_cli_runner().invoke(args=["rotate-mfa-key"])
    assert result.exit_code == 0

    app.config["SECRET_KEY_FALLBACKS"] = []  # the old key retired
    assert _secret(app, "officer@example.gov.uk") == secret
    sign_in(app.test_client(), "officer@example.gov.uk")


def test_fallback_keys_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "n" * 40)
    monkeypatch.setenv("SECRET_KEY_FALLBACKS", " first old key , second old key ,")
    app = create_app("production", SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["SECRET_KEY_FALLBACKS"] == ["first old key", "second old key"]
