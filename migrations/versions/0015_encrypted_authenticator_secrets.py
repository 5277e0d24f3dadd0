"""authenticator secrets encrypted in the database (room for the token, and those already stored encrypted)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-24 16:10:00.000000

"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

from portal.models.encrypted import PREFIX, decrypt, encrypt

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

USERS = sa.table('user_account', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64), type_=sa.String(length=255))
    connection = op.get_bind()
    for user_id, secret in connection.execute(sa.select(USERS.c.id, USERS.c.totp_secret)).all():
        if secret and not secret.startswith(PREFIX):
            connection.execute(
                USERS.update().where(USERS.c.id == user_id).values(totp_secret=encrypt(secret, current_app.config))
            )


def downgrade():
    connection = op.get_bind()
    for user_id, secret in connection.execute(sa.select(USERS.c.id, USERS.c.totp_secret)).all():
        if secret and secret.startswith(PREFIX):
            connection.execute(
                USERS.update().where(USERS.c.id == user_id).values(totp_secret=decrypt(secret, current_app.config))
            )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255), type_=sa.String(length=64))
