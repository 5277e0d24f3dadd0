"""staff sessions kept on the server, a one-time-code secret per account, and an append-only record of who
looked at which case

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 12:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# The record of case views can be added to, never changed or removed, whatever the application asks. The
# statements live with the model, so a database made by create_all (the tests) gets the same triggers.
from portal.models.security import APPEND_ONLY_TRIGGERS

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

def upgrade():
    op.create_table('staff_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('ended_because', sa.String(length=30), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_staff_session_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_session_token_hash'))
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_user_id'), ['user_id'], unique=False)

    op.create_table('case_view',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('viewed_at', sa.DateTime(), nullable=False),
    sa.Column('page', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_view_case_id_case')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_case_view_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_view'))
    )
    with op.batch_alter_table('case_view', schema=None) as batch_op:
        batch_op.create_index('ix_case_view_case_id_viewed_at', ['case_id', 'viewed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_view_user_id'), ['user_id'], unique=False)
    for statement in APPEND_ONLY_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')

    op.drop_table('case_view')  # its triggers go with it
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION case_view_append_only()")
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_user_id'))
    op.drop_table('staff_session')
