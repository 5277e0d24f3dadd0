"""Emailing the resident (or their representative) about their case, without a failed send undoing the work."""

from portal.extensions import db
from portal.models import Case
from portal.models.enums import ActorType
from portal.services.events import record_event
from portal.services.notifications import NotificationFailed, send_email


def email_resident(case: Case, template: str, **context) -> bool:
    """Send a message in the case's language; a failure is recorded on the case, not raised. Return whether sent."""
    if not case.correspondent.email:
        return False
    try:
        send_email(case.correspondent.email, template, case.language, case=case, **context)
    except NotificationFailed:
        record_event(case, f"{template}_failed", ActorType.SYSTEM)
        db.session.commit()
        return False
    return True
