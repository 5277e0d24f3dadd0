"""A resident's answers, kept on the server between the pages of the journey."""

import logging
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from portal.extensions import db
from portal.models import Attachment, Draft
from portal.models.base import utcnow
from portal.services.uploads import UploadRejected, clean_filename, discard_upload, store_upload

log = logging.getLogger(__name__)


class TooManyFiles(ValueError):
    """Raised when a draft already holds as many files as allowed."""


def start_draft(answers: dict | None = None) -> Draft:
    """Create a draft with an unguessable id, holding the first answers the resident gave."""
    draft = Draft(id=secrets.token_urlsafe(32), answers=dict(answers or {}))
    db.session.add(draft)
    db.session.commit()
    return draft


def find_draft(draft_id: str | None) -> Draft | None:
    """Return a draft that is still current, or None."""
    if not draft_id or "\x00" in draft_id:  # PostgreSQL refuses NUL in a query, and no draft id has one
        return None
    draft = db.session.get(Draft, draft_id)
    if draft is None:
        return None
    if draft.updated_at < utcnow() - current_app.config["DRAFT_LIFETIME"]:
        return None
    return draft


def save_answers(draft: Draft, answers: dict) -> None:
    """Merge answers into a draft (a new dict, so the JSON column sees the change)."""
    draft.answers = {**draft.answers, **answers}
    db.session.commit()


def forget_answers(draft: Draft, *names: str) -> None:
    """Drop answers that no longer apply (for example the put-it-right answer of a compliment), if it has any."""
    if not any(name in draft.answers for name in names):
        return
    draft.answers = {key: value for key, value in draft.answers.items() if key not in names}
    db.session.commit()


def draft_files_bytes() -> int:
    """How many bytes the files of unsubmitted drafts take, all drafts together."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(Attachment.size), 0)).where(
            Attachment.draft_id.is_not(None), Attachment.case_id.is_(None)
        )
    )
    return int(total)


def add_draft_file(draft: Draft, stream, filename: str | None) -> Attachment:
    """Store an evidence file against a draft; raise TooManyFiles or UploadRejected.

    Unsubmitted drafts' files together may take DRAFT_FILES_MAX_BYTES: past that, a flood of drafts from many
    addresses (each under its rate limit) cannot fill the disk, and a resident is asked to try later.
    """
    if len(draft.attachments) >= current_app.config["MAX_FILES"]:
        raise TooManyFiles(filename)
    if draft_files_bytes() >= current_app.config["DRAFT_FILES_MAX_BYTES"]:
        log.warning("draft files are at DRAFT_FILES_MAX_BYTES: new evidence files are refused until drafts go")
        raise UploadRejected("busy", clean_filename(filename))
    stored = store_upload(stream, filename)
    attachment = Attachment(
        draft_id=draft.id,
        stored_name=stored.stored_name,
        original_name=stored.original_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by="resident",
    )
    db.session.add(attachment)
    db.session.commit()
    return attachment


def remove_draft_file(draft: Draft, attachment_id: int) -> bool:
    """Remove one of a draft's files; return whether it was there."""
    attachment = db.session.scalar(select(Attachment).filter_by(id=attachment_id, draft_id=draft.id, case_id=None))
    if attachment is None:
        return False
    discard_upload(attachment.stored_name)
    db.session.delete(attachment)
    db.session.commit()
    return True


def purge_stale_drafts(now=None) -> int:
    """Delete drafts past their lifetime that never became a case, with their files; return how many."""
    cutoff = (now or utcnow()) - current_app.config["DRAFT_LIFETIME"] - timedelta(minutes=1)
    stale = db.session.scalars(select(Draft).where(Draft.updated_at < cutoff, Draft.case_id.is_(None))).all()
    for draft in stale:
        for attachment in draft.attachments:
            discard_upload(attachment.stored_name)
        db.session.execute(delete(Attachment).where(Attachment.draft_id == draft.id, Attachment.case_id.is_(None)))
        db.session.delete(draft)
    db.session.commit()
    return len(stale)
