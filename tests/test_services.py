"""Services on their own: the event record, references and notification backends."""

import pytest
from sqlalchemy import select

from portal.models import Event
from portal.models.case import EventHistoryIsAppendOnly
from portal.models.enums import ActorType
from portal.services.events import record_event
from portal.services.notifications import Notification, get_backend, send_email
from portal.services.references import normalise_reference


def test_events_cannot_be_changed_or_removed(database):
    record_event(None, "something_happened", ActorType.SYSTEM, detail_key="value")
    database.commit()
    event = database.scalar(select(Event))
    event.action = "rewritten"
    with pytest.raises(EventHistoryIsAppendOnly):
        database.commit()
    database.rollback()
    database.delete(database.scalar(select(Event)))
    with pytest.raises(EventHistoryIsAppendOnly):
        database.commit()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("cmp-7k4q-2m9x", "CMP-7K4Q-2M9X"),
        ("CMP 7K4Q 2M9X", "CMP-7K4Q-2M9X"),
        ("cmp7k4q2m9x", "CMP-7K4Q-2M9X"),
        ("x", "X"),
    ],
)
def test_references_are_normalised(typed, stored):
    assert normalise_reference(typed) == stored


class RecordingBackend:
    sent: list[Notification] = []

    def __init__(self, config):
        self.config = config

    def send(self, notification):
        RecordingBackend.sent.append(notification)


def test_a_provider_plugs_in_by_configuration(app):
    app.config["NOTIFY_BACKEND"] = "tests.test_services:RecordingBackend"
    with app.test_request_context():
        assert isinstance(get_backend(), RecordingBackend)
        from portal.models import Case, Contact

        case = Case(reference="CMP-AAAA-BBBB", type="compliment", resident=Contact(name="Jo"), language="en")
        send_email("jo@example.com", "tracking_link", "en", case=case, link="http://x/track/link/abc")
    assert RecordingBackend.sent[-1].to == "jo@example.com"
    assert "CMP-AAAA-BBBB" in RecordingBackend.sent[-1].subject
