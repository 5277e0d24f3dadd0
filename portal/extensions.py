"""Flask extensions, created unbound and initialised in one place."""

import sqlite3

from flask import request
from flask_babel import Babel
from flask_caching import Cache
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from portal.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
talisman = Talisman()
compress = Compress()
cache = Cache()


def not_a_post() -> bool:
    """Exempt everything but POSTs from a rate limit, so reading a page is never limited."""
    return request.method != "POST"


SQLITE_PAGE_SIZE = 16384


@event.listens_for(Engine, "connect")
def _sqlite_settings(dbapi_connection, _record) -> None:
    """Give a SQLite database 16 KiB pages when it is created (an existing one keeps its own until a VACUUM).

    The public figures read a period's index entries, which a database that grows day by day scatters through the
    file: with 16 KiB pages a cold read of them takes a quarter of the reads it takes with SQLite's default 4 KiB
    (bench/README.md, the public figures). PostgreSQL, and a database that already has tables, ignore it.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute(f"PRAGMA page_size = {SQLITE_PAGE_SIZE}")
        # Write-ahead logging: readers never wait for a writer (two gunicorn workers, one file), and a commit is
        # one append and one fsync of the log. synchronous=FULL keeps every commit durable through a power cut, so
        # a reference a resident was shown is never rolled back. An in-memory database stays as it is.
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.execute("PRAGMA synchronous = FULL")
