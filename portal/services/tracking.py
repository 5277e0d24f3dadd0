"""Letting a resident follow their case through a single-use emailed link."""

import hashlib
import hmac
import secrets

from flask import current_app, url_for
from sqlalchemy import select

from portal.extensions import db
from portal.models import Attachment, Case, Message, TrackingToken
from portal.models.base import utcnow
from portal.models.enums import ActorType, CaseStatus, ClosedReason
from portal.services.events import record_event
from portal.services.outbox import send_now
from portal.services.references import normalise_reference
from portal.services.resident_mail import email_resident
from portal.services.uploads import StoredFile


class CaseAlreadyClosed(ValueError):
    """Raised when a resident tries to change a case that is closed."""


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _emails_match(given: str, stored: str | None) -> bool:
    return stored is not None and hmac.compare_digest(given.strip().lower().encode(), stored.strip().lower().encode())


def request_tracking_link(reference: str, email: str) -> None:
    """Email a tracking link when the reference and email belong together; say nothing either way."""
    case = db.session.scalar(select(Case).filter_by(reference=normalise_reference(reference)))
    if case is None or not _emails_match(email, case.correspondent.email):
        return
    raw = secrets.token_urlsafe(16)  # 128 bits
    db.session.add(
        TrackingToken(
            case_id=case.id,
            token_hash=_hash_token(raw),
            expires_at=utcnow() + current_app.config["TRACKING_LINK_LIFETIME"],
        )
    )
    record_event(case, "tracking_link_sent", ActorType.RESIDENT)
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("tracking.redeem", token=raw)
    message = email_resident(case, "tracking_link", link=link)
    db.session.commit()
    send_now(message)


def redeem_tracking_token(raw: str) -> Case | None:
    """Use up a tracking link and return its case; None when it is unknown, used or expired."""
    token = db.session.scalar(select(TrackingToken).filter_by(token_hash=_hash_token(raw)))
    now = utcnow()
    if token is None or token.used_at is not None or token.expires_at < now:
        return None
    token.used_at = now
    case = db.session.get(Case, token.case_id)
    record_event(case, "tracking_link_used", ActorType.RESIDENT)
    db.session.commit()
    return case


def add_information(case: Case, text: str, files: list[StoredFile]) -> Message:
    """Record more information from the resident, with any files."""
    if case.status == CaseStatus.CLOSED:
        raise CaseAlreadyClosed(case.reference)
    message = Message(case=case, kind="from_resident", body=text)
    db.session.add(message)
    for stored in files:
        db.session.add(
            Attachment(
                case=case,
                stored_name=stored.stored_name,
                original_name=stored.original_name,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                uploaded_by="resident",
            )
        )
    record_event(case, "information_added", ActorType.RESIDENT, files=len(files))
    db.session.commit()
    return message


def withdraw_case(case: Case, reason: str | None) -> None:
    """Close the case at the resident's request and confirm it to them."""
    if case.status == CaseStatus.CLOSED:
        raise CaseAlreadyClosed(case.reference)
    today = utcnow().date()
    case.status = CaseStatus.CLOSED
    case.closed_reason = ClosedReason.WITHDRAWN
    case.closed_on = today
    case.closure_note = reason or None
    stage = case.current_stage
    if stage is not None and stage.responded_on is None and stage.closed_on is None:
        stage.closed_on = today
        stage.closed_reason = ClosedReason.WITHDRAWN
    record_event(case, "case_withdrawn", ActorType.RESIDENT)
    message = email_resident(case, "withdrawn")
    db.session.commit()
    send_now(message)


def messages_for_resident(case: Case) -> list[Message]:
    """Return the messages a resident may see on their tracking page, oldest first."""
    return [message for message in case.messages if message.kind in {"to_resident", "from_resident"}]
