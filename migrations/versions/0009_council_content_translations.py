"""council content translations: the names of directorates, service areas and themes, and the start page's
introduction, in each language residents can choose

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=2000), nullable=False),
    sa.Column('language', sa.String(length=35), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_translation')),
    sa.UniqueConstraint('kind', 'source', 'language', name=op.f('uq_content_translation_kind'))
    )


def downgrade():
    op.drop_table('content_translation')
