"""Where the database's schema stands: the migration it is at, and the newest this code has."""

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import inspect, text

from portal.extensions import db


def current_revision() -> str | None:
    """The migration the database is at; None for a database never migrated."""
    with db.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def newest_revision() -> str:
    """The newest migration in migrations/versions, which the models describe."""
    migrate = current_app.extensions["migrate"]
    return ScriptDirectory.from_config(migrate.migrate.get_config()).get_current_head()
