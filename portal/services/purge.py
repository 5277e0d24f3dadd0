"""Deleting the rows of a table that are past their keeping time, or, in a dry run, only counting them."""

from sqlalchemy import delete, func, select

from portal.extensions import db


def delete_or_count(model, past, dry_run: bool = False) -> int:
    """Delete the rows of model that match past and commit (with dry_run, only count them); return how many."""
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(model).where(past))
    deleted = db.session.execute(delete(model).where(past)).rowcount
    db.session.commit()
    return deleted
