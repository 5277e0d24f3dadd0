"""contacts lose the index on their raw email address, which no query uses since the searches match email_key

Every contact written (one a submission) paid for keeping it up to date.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-25 04:10:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_email')


def downgrade():
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index('ix_contact_email', ['email'], unique=False)
