"""The append-only record of what happened to a case.

An event's detail holds what was done (ids, dates, choices from a list, counts), never words a person wrote: those
live on records anonymisation can blank, and the event points at them. Otherwise the history would keep what
retention and erasure remove.
"""

from portal.extensions import db
from portal.models import Case, Event
from portal.models.enums import ActorType


def record_event(case: Case | None, action: str, actor_type: ActorType, actor_id: int | None = None, **detail) -> Event:
    """Add an event to the session; the caller's commit stores it with the change it describes."""
    event = Event(case=case, action=action, actor_type=str(actor_type), actor_id=actor_id, detail=detail)
    db.session.add(event)
    return event
