"""staff sessions: which browser each was started in, so that a member of staff can tell their sessions apart

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 15:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('browser', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_column('browser')
