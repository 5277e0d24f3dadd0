"""yearly publications: the Ombudsman's annual figures, the self-assessment against the Code, and the review of
learning for "you said, we did"

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 07:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lgsco_annual_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('received_total', sa.Integer(), nullable=False),
    sa.Column('detailed_investigations', sa.Integer(), nullable=False),
    sa.Column('upheld_tenths', sa.Integer(), nullable=True),
    sa.Column('upheld_average_tenths', sa.Integer(), nullable=False),
    sa.Column('compliance_tenths', sa.Integer(), nullable=True),
    sa.Column('compliance_average_tenths', sa.Integer(), nullable=False),
    sa.Column('remedy_tenths', sa.Integer(), nullable=True),
    sa.Column('remedy_average_tenths', sa.Integer(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_lgsco_annual_figures_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lgsco_annual_figures')),
    sa.UniqueConstraint('start_year', name=op.f('uq_lgsco_annual_figures_start_year'))
    )
    op.create_table('self_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_self_assessment_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessment')),
    sa.UniqueConstraint('start_year', name=op.f('uq_self_assessment_start_year'))
    )
    op.create_table('lgsco_category_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('figures_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['figures_id'], ['lgsco_annual_figures.id'], name=op.f('fk_lgsco_category_count_figures_id_lgsco_annual_figures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lgsco_category_count')),
    sa.UniqueConstraint('figures_id', 'category', name=op.f('uq_lgsco_category_count_figures_id'))
    )
    with op.batch_alter_table('lgsco_category_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lgsco_category_count_figures_id'), ['figures_id'], unique=False)

    op.create_table('self_assessment_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('requirement', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('action_planned', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['self_assessment.id'], name=op.f('fk_self_assessment_item_assessment_id_self_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessment_item')),
    sa.UniqueConstraint('assessment_id', 'requirement', name=op.f('uq_self_assessment_item_assessment_id'))
    )
    with op.batch_alter_table('self_assessment_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_assessment_item_assessment_id'), ['assessment_id'], unique=False)

    # Every learning action so far is waiting for review ('pending', the server default fills existing rows).
    with op.batch_alter_table('learning_action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publication_status', sa.String(length=20), server_default='pending', nullable=False))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_learning_action_publication_status'), ['publication_status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_learning_action_reviewed_by_id_user_account'), 'user_account', ['reviewed_by_id'], ['id'])

    # One already approved with public wording (none through the portal so far) stays published.
    learning = sa.table(
        'learning_action',
        sa.column('publication_status', sa.String),
        sa.column('approved_for_publication', sa.Boolean),
        sa.column('public_text', sa.Text),
    )
    op.execute(
        learning.update()
        .where(learning.c.approved_for_publication.is_(sa.true()), learning.c.public_text.is_not(None))
        .values(publication_status='published')
    )


def downgrade():
    with op.batch_alter_table('learning_action', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_learning_action_reviewed_by_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_learning_action_publication_status'))
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('publication_status')

    with op.batch_alter_table('self_assessment_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_assessment_item_assessment_id'))

    op.drop_table('self_assessment_item')
    with op.batch_alter_table('lgsco_category_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lgsco_category_count_figures_id'))

    op.drop_table('lgsco_category_count')
    op.drop_table('self_assessment')
    op.drop_table('lgsco_annual_figures')
