"""`flask check-deployment` tells an operator what would make a live portal unsafe, and passes a sound set-up."""

import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from flask_migrate import upgrade

from portal.extensions import db
from portal.services.demo import load_demo_data
from tests.conftest import empty_database

SOUND = {
    "SECRET_KEY": secrets.token_hex(32),
    "MFA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "FORCE_HTTPS": True,
    "SESSION_COOKIE_SECURE": True,
    "PROXY_HOPS": 1,
    "REDIS_URL": "redis://redis.internal:6379/0",
    "CLAMD_SOCKET": "/run/clamav/clamd.ctl",
    "NOTIFY_BACKEND": "smtp",
    "SMTP_HOST": "smtp.office365.com",
    "SMTP_PORT": 587,
    "SMTP_SECURITY": "starttls",
    "SMTP_USERNAME": "complaints@example.gov.uk",
    "DEMO_DATA_ALLOWED": False,
    "OUTBOX_SEND_AT_ONCE": False,
}


def _migrated(app):
    with app.app_context():
        empty_database()
        upgrade()
        db.session.remove()
    return app


def _lines(app) -> tuple[int, list[str]]:
    result = app.test_cli_runner().invoke(args=["check-deployment"])
    return result.exit_code, result.output.splitlines()


def test_a_sound_set_up_has_nothing_to_fix(make_app):
    app = _migrated(make_app(**SOUND))
    code, lines = _lines(app)
    assert code == 0, lines
    assert not [line for line in lines if line.startswith("FAIL")]
    assert "Nothing to fix before going live." in lines
    # SQLite is a choice for one machine, so it is a warning, not a failure; a local PostgreSQL is fine.
    warnings = [line for line in lines if line.startswith("WARN")]
    with app.app_context():
        backend = db.engine.url.get_backend_name()
    if backend == "sqlite":
        assert warnings == ["WARN  DATABASE_URL: SQLite: one machine only; PostgreSQL for several instances"]
    else:
        assert warnings == [] and "OK    DATABASE_URL: postgresql" in lines


def test_what_would_make_a_live_portal_unsafe_is_each_named(make_app):
    unsafe = {
        **SOUND,
        "SECRET_KEY": "dev",
        "MFA_ENCRYPTION_KEYS": None,
        "FORCE_HTTPS": False,
        "PROXY_HOPS": 0,
        "REDIS_URL": None,
        "CLAMD_SOCKET": None,
        "NOTIFY_BACKEND": "file",
        "DEMO_DATA_ALLOWED": True,
        "OUTBOX_SEND_AT_ONCE": True,
    }
    app = _migrated(make_app(**unsafe))
    with app.app_context():
        load_demo_data()
    code, lines = _lines(app)
    assert code == 1
    failed = {line.split(":")[0].removeprefix("FAIL  ") for line in lines if line.startswith("FAIL")}
    assert failed == {"SECRET_KEY", "FORCE_HTTPS", "NOTIFY_BACKEND", "DEMO_DATA_ALLOWED", "demo accounts"}
    warned = {line.split(":")[0].removeprefix("WARN  ") for line in lines if line.startswith("WARN")}
    assert {"MFA_ENCRYPTION_KEYS", "PROXY_HOPS", "REDIS_URL", "ClamAV", "OUTBOX_SEND_AT_ONCE"} <= warned
    [demo] = [line for line in lines if line.startswith("FAIL  demo accounts")]
    assert "officer@example.gov.uk" in demo and "admin@example.gov.uk" in demo
    assert "5 to fix before going live." in lines


def test_a_database_behind_its_migrations_is_a_failure(make_app):
    app = make_app(**SOUND)  # tables made from the models, no migration recorded
    code, lines = _lines(app)
    assert code == 1
    newest = sorted(Path(__file__).parents[1].glob("migrations/versions/0*.py"))[-1].name[:4]
    assert any(line.startswith(f"FAIL  migrations: at none, not {newest}") for line in lines)
    assert "WARN  demo accounts: not checked until the database is migrated" in lines


def test_mail_to_a_remote_relay_in_clear_is_a_failure(make_app):
    app = _migrated(make_app(**{**SOUND, "SMTP_SECURITY": "none", "SMTP_USERNAME": None}))
    code, lines = _lines(app)
    assert code == 1
    assert "FAIL  SMTP_SECURITY: none for a relay on another machine: mail crosses in clear" in lines
