"""The query planner's statistics: without them SQLite picks indexes blind, and a search can read ten times the rows.

SQLite keeps no statistics until ANALYZE runs; PostgreSQL's autovacuum gathers them, but only some time after a
bulk load. `refresh_planner_statistics` runs after an import and from `flask refresh-statistics` (daily). On SQLite
it samples at most ANALYSIS_LIMIT rows per index, so it takes well under a second at a million stages.
"""

from sqlalchemy import text

from portal.extensions import db

ANALYSIS_LIMIT = 1000


def refresh_planner_statistics() -> None:
    """Gather fresh statistics for every table, committing them."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}"))
    db.session.execute(text("ANALYZE"))
    db.session.commit()
