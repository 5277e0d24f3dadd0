"""Fixtures: an app on a clean database (SQLite in memory, or the PostgreSQL in TEST_DATABASE_URL)."""

import re

import pytest
from sqlalchemy import text

from portal import create_app
from portal.extensions import db
from portal.services.organisation import ensure_default_themes
from portal.services.timescales import ensure_default_timescales
from tests.builders import build_service_areas


@pytest.fixture
def make_app(tmp_path):
    """Build apps with their own settings on a clean database, closing their connections afterwards."""
    made = []

    def build(**overrides):
        folders = {
            "MAIL_DIRECTORY": str(tmp_path / "mail"),
            "UPLOAD_DIRECTORY": str(tmp_path / "uploads"),
            "ERASURE_LEDGER": str(tmp_path / "erasure-ledger.jsonl"),
        }
        built = create_app("test", **{**folders, **overrides})
        with built.app_context():
            _reset_database()
            ensure_default_timescales()
            ensure_default_themes()
            build_service_areas()
            db.session.commit()
        made.append(built)
        return built

    yield build
    for built in made:
        with built.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    # No app context stays pushed while a test makes requests: each request gets its own, as in production,
    # so nothing cached on g (locale, signed-in user, the database session) leaks from one request to the next.
    return make_app()


def empty_database() -> None:
    """Drop every table and the migration record, as before a first `flask db upgrade`."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        db.metadata.drop_all(db.engine)
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _reset_database() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    db.create_all()


@pytest.fixture
def database(app):
    """Give a test its own app context for reading and arranging the database."""
    with app.app_context():
        yield db.session
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def mail_dir(app, tmp_path):
    return tmp_path / "mail"


def csrf_token(response) -> str:
    """Return the CSRF token a page's form carries."""
    html = response.get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "the page has no CSRF token"
    return match.group(1)
