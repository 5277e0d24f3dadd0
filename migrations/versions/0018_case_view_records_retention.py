"""records of staff opening cases may be deleted once a year old (retention), and never sooner

The case_view triggers are made again: still no UPDATE, no TRUNCATE, and no DELETE of a row viewed less than
CASE_VIEW_RECORD_MIN_DAYS ago.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-24 23:45:00.000000

"""
from alembic import op

from portal.models.security import APPEND_ONLY_TRIGGERS, VIEW_TRIGGERS, drop_append_only_triggers

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def _make(triggers: dict[str, list[str]]) -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_append_only_triggers('case_view')[dialect] + triggers[dialect]:
        op.execute(statement)


def upgrade():
    _make(VIEW_TRIGGERS)


def downgrade():
    _make(APPEND_ONLY_TRIGGERS)
