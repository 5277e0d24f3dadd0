"""The migrations build the schema the models describe, with the default timescales and themes."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from portal.config import DEFAULT_TIMESCALES
from portal.extensions import db
from portal.models import Base, Theme, Timescale
from portal.services.organisation import DEFAULT_THEMES
from tests.conftest import empty_database


def test_upgrade_from_empty_matches_the_models_and_seeds_the_defaults(app):
    with app.app_context():
        empty_database()
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []
        timescales = {
            (t.process, t.stage): (t.working_days, t.max_working_days) for t in db.session.scalars(select(Timescale))
        }
        assert timescales == {(p, s): (d, m) for p, s, d, m in DEFAULT_TIMESCALES}
        top = db.session.scalars(select(Theme).filter_by(parent_id=None)).all()
        assert {t.name: sorted(d.name for d in t.details) for t in top} == {
            k: sorted(v) for k, v in DEFAULT_THEMES.items()
        }
        db.session.close()  # PostgreSQL's DROP TABLE waits for any open transaction on the table
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert db.inspect(connection).get_table_names() in ([], ["alembic_version"])
        empty_database()
        db.create_all()
