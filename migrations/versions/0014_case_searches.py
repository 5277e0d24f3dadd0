"""an append-only record of staff searching the cases by text and downloading them as CSV

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24 16:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# Added to, never changed or removed, like case_view (the statements live with the model, for create_all too).
from portal.models.security import append_only_triggers

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_search',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('searched_at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('search_text', sa.String(length=200), nullable=True),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('results', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_case_search_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_search'))
    )
    with op.batch_alter_table('case_search', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_search_searched_at'), ['searched_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_search_user_id'), ['user_id'], unique=False)
    for statement in append_only_triggers('case_search')[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    op.drop_table('case_search')  # its triggers go with it
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION case_search_append_only()")
