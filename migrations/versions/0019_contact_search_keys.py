"""contacts keep their name and email address folded for searching, as Python folds them

SQLite's lower() changes only A to Z, so the back office's search and the subject access search missed names and
addresses in other alphabets or with accented capitals. Existing contacts get their keys here, a thousand at a time.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-25 01:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

from portal.search_text import email_key, name_key

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

BATCH = 1000
CONTACT = sa.table(
    'contact',
    sa.column('id', sa.Integer),
    sa.column('name', sa.String),
    sa.column('email', sa.String),
    sa.column('name_key', sa.Text),
    sa.column('email_key', sa.Text),
)


def upgrade():
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('email_key', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_contact_email_key'), ['email_key'], unique=False)
    connection = op.get_bind()
    keys = (
        CONTACT.update()
        .where(CONTACT.c.id == sa.bindparam('contact_id'))
        .values(name_key=sa.bindparam('new_name_key'), email_key=sa.bindparam('new_email_key'))
    )
    after = 0
    while True:
        rows = connection.execute(
            sa.select(CONTACT.c.id, CONTACT.c.name, CONTACT.c.email)
            .where(CONTACT.c.id > after)
            .order_by(CONTACT.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            keys,
            [
                {'contact_id': row.id, 'new_name_key': name_key(row.name), 'new_email_key': email_key(row.email)}
                for row in rows
            ],
        )
        after = rows[-1].id


def downgrade():
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_email_key'))
        batch_op.drop_column('email_key')
        batch_op.drop_column('name_key')
