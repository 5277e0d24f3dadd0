"""Settings a council gives through the environment reach the app."""

import gc
import os
import subprocess
import sys

from portal import create_app
from portal.config import ProductionConfig


def _smtp_settings(env: dict) -> str:
    program = "from portal.config import Config; print(Config.SMTP_HOST, Config.SMTP_PORT)"
    result = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_the_smtp_relay_is_taken_from_the_environment():
    without = {key: value for key, value in os.environ.items() if not key.startswith("SMTP_")}
    assert _smtp_settings(without) == "localhost 25"
    given = {**without, "SMTP_HOST": "relay.example.gov.uk", "SMTP_PORT": "587"}
    assert _smtp_settings(given) == "relay.example.gov.uk 587"


def test_a_sqlite_file_is_written_ahead_and_every_commit_reaches_the_disk(make_app, tmp_path):
    """Readers never wait for a writer (WAL), and synchronous=FULL keeps a commit through a power cut."""
    from sqlalchemy import text

    from portal.extensions import db

    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'portal.db'}")
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        db.engine.dispose()


def test_production_keeps_what_start_up_made_out_of_every_full_garbage_collection():
    assert ProductionConfig.GC_FREEZE_AT_STARTUP is True
    frozen = gc.get_freeze_count()
    try:
        create_app("test", GC_FREEZE_AT_STARTUP=True)
        # The application's templates, models and catalogues: tens of thousands of objects no pause rescans.
        assert gc.get_freeze_count() - frozen > 10_000
    finally:
        gc.unfreeze()


def test_tests_build_apps_that_stay_collectable():
    frozen = gc.get_freeze_count()
    create_app("test")
    assert gc.get_freeze_count() == frozen
