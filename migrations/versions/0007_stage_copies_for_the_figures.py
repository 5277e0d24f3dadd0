"""the case's type and service area and the stage's top-level themes on each stage, indexes the figures read alone

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 07:40:00.000000

The figures counted stages by joining each to its case for the case's type and service area, and to stage_theme
and theme for the themes; the copies on the stage (kept in step by portal/models/case.py's flush hooks and by the
import) let them read one index instead. Existing stages take their case's values and their themes' tops here.
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
    'outcome', 'closed_on', 'closed_reason', 'extended_to', 'deadline', 'top_theme_ids',
]
OLD_FIGURES_COLUMNS = [
    'received_on', 'process', 'number', 'case_id', 'responded_on', 'within_timescale', 'outcome', 'closed_on',
    'closed_reason', 'extended_to', 'deadline',
]


def upgrade():
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_type', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('service_area_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('top_theme_ids', sa.Text(), nullable=True))

    op.execute(
        'UPDATE stage SET '
        'case_type = (SELECT "case".type FROM "case" WHERE "case".id = stage.case_id), '
        'service_area_id = (SELECT "case".service_area_id FROM "case" WHERE "case".id = stage.case_id)'
    )
    # ",3,7,": the distinct top-level themes (a detail's parent) of each stage's themes, in order.
    tops = (
        'SELECT DISTINCT coalesce(theme.parent_id, theme.id) AS top FROM stage_theme '
        'JOIN theme ON theme.id = stage_theme.theme_id WHERE stage_theme.stage_id = stage.id'
    )
    if op.get_bind().dialect.name == 'postgresql':
        joined = f"SELECT ',' || string_agg(top::text, ',' ORDER BY top) || ',' FROM ({tops}) AS tops"
    else:
        joined = f"SELECT ',' || group_concat(top, ',') || ',' FROM ({tops} ORDER BY top)"
    op.execute(f'UPDATE stage SET top_theme_ids = ({joined}) WHERE id IN (SELECT stage_id FROM stage_theme)')

    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.alter_column('case_type', existing_type=sa.String(length=20), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_stage_service_area_id_service_area'), 'service_area', ['service_area_id'], ['id']
        )
        batch_op.drop_index('ix_stage_received_on_figures')
        batch_op.create_index('ix_stage_figures', FIGURES_COLUMNS, unique=False)

    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_type'))
        batch_op.create_index('ix_case_type_received_on', ['type', 'received_on', 'service_area_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_type_received_on')
        batch_op.create_index(batch_op.f('ix_case_type'), ['type'], unique=False)

    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_figures')
        batch_op.create_index('ix_stage_received_on_figures', OLD_FIGURES_COLUMNS, unique=False)
        batch_op.drop_constraint(batch_op.f('fk_stage_service_area_id_service_area'), type_='foreignkey')
        batch_op.drop_column('top_theme_ids')
        batch_op.drop_column('service_area_id')
        batch_op.drop_column('case_type')
