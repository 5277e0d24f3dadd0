"""search records may be deleted once a year old (retention: their words may name a resident), and never sooner

The case_search triggers are made again: still no UPDATE, no TRUNCATE, and no DELETE of a row searched less than
SEARCH_RECORD_MIN_DAYS ago.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-24 22:30:00.000000

"""
from alembic import op

from portal.models.security import SEARCH_TRIGGERS, append_only_triggers, drop_append_only_triggers

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def _make(triggers: dict[str, list[str]]) -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_append_only_triggers('case_search')[dialect] + triggers[dialect]:
        op.execute(statement)


def upgrade():
    _make(SEARCH_TRIGGERS)


def downgrade():
    _make(append_only_triggers('case_search'))
