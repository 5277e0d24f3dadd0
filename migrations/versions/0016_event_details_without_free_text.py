"""event details keep no words staff wrote, so anonymising a case leaves none behind in its history

A reopening reason moves into an internal note (which anonymisation blanks) and the event points at it; on a case
already anonymised the reason is dropped. Ombudsman events lose the Ombudsman's reference (the record keeps it) and
keep only whether a remedy or note was written. The ORM refuses to change an event; this one-off rewrite goes
through Core on purpose, as the schema owner.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-24 22:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

EVENT = sa.table(
    'event',
    sa.column('id', sa.Integer),
    sa.column('case_id', sa.Integer),
    sa.column('occurred_at', sa.DateTime),
    sa.column('actor_id', sa.Integer),
    sa.column('action', sa.String),
    sa.column('detail', sa.JSON),
)
CASE = sa.table('case', sa.column('id', sa.Integer), sa.column('anonymised_at', sa.DateTime))
MESSAGE = sa.table(
    'message',
    sa.column('id', sa.Integer),
    sa.column('case_id', sa.Integer),
    sa.column('kind', sa.String),
    sa.column('body', sa.Text),
    sa.column('created_at', sa.DateTime),
    sa.column('author_id', sa.Integer),
)
REOPENED = 'case_reopened'
OMBUDSMAN = ('ombudsman_enquiry_recorded', 'ombudsman_decision_recorded')


def _without_written_words(detail: dict) -> dict:
    detail.pop('lgsco_reference', None)
    for side in ('before', 'after'):
        state = detail.get(side)
        if isinstance(state, dict):
            detail[side] = state = dict(state)  # a copy: the row's own detail must stay as read, to compare with
            for key in ('remedy', 'note'):
                if key in state:
                    state[f'{key}_written'] = bool(state.pop(key))
    return detail


def upgrade():
    connection = op.get_bind()
    anonymised = set(connection.scalars(sa.select(CASE.c.id).where(CASE.c.anonymised_at.is_not(None))))
    rows = connection.execute(
        sa.select(EVENT).where(EVENT.c.action.in_((REOPENED, *OMBUDSMAN))).order_by(EVENT.c.id)
    ).all()
    for row in rows:
        detail = dict(row.detail or {})
        if row.action == REOPENED:
            reason = detail.pop('note', None)
            if reason and row.case_id is not None and row.case_id not in anonymised:
                note_id = connection.scalar(
                    MESSAGE.insert()
                    .values(
                        case_id=row.case_id,
                        kind='internal_note',
                        body=reason,
                        created_at=row.occurred_at,
                        author_id=row.actor_id,
                    )
                    .returning(MESSAGE.c.id)
                )
                detail['note_id'] = note_id
        else:
            detail = _without_written_words(detail)
        if detail != (row.detail or {}):
            connection.execute(EVENT.update().where(EVENT.c.id == row.id).values(detail=detail))


def downgrade():
    # Nothing to put back: the reasons stay as internal notes, and the words dropped from events were copies of what
    # the Ombudsman records hold.
    pass
