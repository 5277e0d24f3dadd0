"""the case's type and service area copied on each stage, and indexes the public figures read alone

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 07:40:00.000000

The figures counted stages by joining each to its case for the case's type and service area; the copies on the
stage (kept in step by portal/models/case.py's before_flush hook and by the import) let them read one index instead.
Existing stages take their case's values here.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

FIGURES_COLUMNS = [
    'case_type', 'process', 'number', 'service_area_id', 'received_on', 'case_id', 'responded_on', 'within_timescale',
    'outcome', 'closed_on', 'closed_reason', 'extended_to', 'deadline', 'id',
]
OLD_FIGURES_COLUMNS = [
    'received_on', 'process', 'number', 'case_id', 'responded_on', 'within_timescale', 'outcome', 'closed_on',
    'closed_reason', 'extended_to', 'deadline',
]


def upgrade():
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_type', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('service_area_id', sa.Integer(), nullable=True))

    op.execute(
        'UPDATE stage SET '
        'case_type = (SELECT "case".type FROM "case" WHERE "case".id = stage.case_id), '
        'service_area_id = (SELECT "case".service_area_id FROM "case" WHERE "case".id = stage.case_id)'
    )

    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.alter_column('case_type', existing_type=sa.String(length=20), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_stage_service_area_id_service_area'), 'service_area', ['service_area_id'], ['id']
        )
        batch_op.drop_index('ix_stage_received_on_figures')
        batch_op.create_index('ix_stage_figures', FIGURES_COLUMNS, unique=False)

    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_type'))
        batch_op.create_index('ix_case_type_received_on', ['type', 'received_on'], unique=False)


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_type_received_on')
        batch_op.create_index(batch_op.f('ix_case_type'), ['type'], unique=False)

    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_figures')
        batch_op.create_index('ix_stage_received_on_figures', OLD_FIGURES_COLUMNS, unique=False)
        batch_op.drop_constraint(batch_op.f('fk_stage_service_area_id_service_area'), type_='foreignkey')
        batch_op.drop_column('service_area_id')
        batch_op.drop_column('case_type')
