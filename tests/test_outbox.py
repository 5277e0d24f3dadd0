"""The email outbox: an email commits with the work that caused it, survives a provider outage, and goes once."""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from types import SimpleNamespace

import pytest
from freezegun import freeze_time
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import Case, Event, OutboxMessage
from portal.models.base import utcnow
from portal.services.notifications import FileBackend, NotificationFailed, NotificationRejected
from portal.services.outbox import drain_outbox, enqueue_email, send_due, send_now
from tests.journey import fill_all, lodge, submit
from tests.mail import ask_for_tracking_link, mails, tracking_link_path


def _refuse(self, notification):
    # As a provider might: its message quotes the address, which must go nowhere.
    raise NotificationFailed(f"{notification.to} refused") from ConnectionRefusedError(111, "Connection refused")


def _queue(app, count: int = 1) -> list[int]:
    """Put messages in the outbox, due now, with no case; return their ids."""
    with app.app_context():
        messages = [
            OutboxMessage(
                recipient=f"resident{n}@example.com",
                template="receipt",
                language="en",
                subject=f"Message {n}",
                body="Hello",
                next_attempt_at=utcnow(),
            )
            for n in range(count)
        ]
        db.session.add_all(messages)
        db.session.commit()
        return [message.id for message in messages]


def _make_due(app) -> None:
    """Move every pending message's next attempt to now, as if its wait were over."""
    with app.app_context():
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.status == "pending").values(next_attempt_at=utcnow())
        )
        db.session.commit()


def _send_outbox(runner) -> str:
    result = runner.invoke(args=["send-outbox", "--once"])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()  # log lines go to stderr


def _actions(reference: str) -> list[str]:
    case = db.session.scalar(select(Case).filter_by(reference=reference))
    return list(db.session.scalars(select(Event.action).filter_by(case_id=case.id).order_by(Event.id)))


def test_a_submission_and_its_receipt_commit_together_or_not_at_all(app, client, mail_dir):
    token = fill_all(client)

    def database_fails(session):
        if any(isinstance(obj, OutboxMessage) for obj in session.new):
            raise RuntimeError("the database went away")

    event.listen(Session, "before_commit", database_fails)
    try:
        with pytest.raises(RuntimeError):
            submit(client, token)
    finally:
        event.remove(Session, "before_commit", database_fails)
    with app.app_context():
        assert db.session.scalars(select(Case)).all() == []
        assert db.session.scalars(select(OutboxMessage)).all() == []
    assert mails(mail_dir) == []

    assert submit(client, token).status_code == 303
    with app.app_context():
        case = db.session.scalar(select(Case))
        [receipt] = db.session.scalars(select(OutboxMessage)).all()
        assert (receipt.case_id, receipt.template, receipt.language) == (case.id, "receipt", "en")
        assert receipt.recipient == "jo@example.com"
        assert case.reference in receipt.subject and receipt.body == ""  # the body is not kept once sent
        assert (receipt.status, receipt.attempts) == ("sent", 1)
        assert receipt.sent_at is not None
        assert _actions(case.reference) == ["case_submitted", "receipt_sent"]
    assert len(mails(mail_dir, "receipt")) == 1


def test_a_provider_outage_loses_no_receipt_and_the_worker_sends_it_once(
    app, client, runner, mail_dir, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG, logger="portal")
    monkeypatch.setattr(FileBackend, "send", _refuse)
    reference = lodge(client)  # the resident sees their reference all the same

    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert (message.status, message.attempts) == ("pending", 1)
        assert message.next_attempt_at > utcnow()
        assert message.last_error == "NotificationFailed: ConnectionRefusedError"
        assert _actions(reference) == ["case_submitted"]
    assert mails(mail_dir) == []
    assert _send_outbox(runner) == "Sent 0, 0 to retry, 0 given up."  # not due yet

    monkeypatch.undo()
    _make_due(app)
    assert _send_outbox(runner) == "Sent 1, 0 to retry, 0 given up."
    assert _send_outbox(runner) == "Sent 0, 0 to retry, 0 given up."
    [receipt] = mails(mail_dir)
    assert receipt["To"] == "jo@example.com"
    assert reference in receipt["Subject"]
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert (message.status, message.attempts) == ("sent", 2)
        assert _actions(reference) == ["case_submitted", "receipt_sent"]

    assert any(record.name == "portal.services.outbox" for record in caplog.records)
    for record in caplog.records:
        assert "@" not in record.getMessage() and "@" not in str(record.__dict__), record.__dict__


def test_a_new_message_waits_a_retry_delay_for_the_request_that_queued_it(app, runner, mail_dir):
    with app.test_request_context():
        officer = SimpleNamespace(name="Olu", email="olu@example.gov.uk")
        enqueue_email(officer.email, "reminder", "en", officer=officer, items=[], within_days=5)
        db.session.commit()  # and no send_now: as if the request had died before trying
    assert _send_outbox(runner) == "Sent 0, 0 to retry, 0 given up."
    _make_due(app)
    assert _send_outbox(runner) == "Sent 1, 0 to retry, 0 given up."
    assert len(mails(mail_dir, "reminder")) == 1


def test_each_retry_waits_twice_as_long_as_the_last_up_to_the_longest_wait(app, runner, monkeypatch):
    app.config.update(OUTBOX_MAX_ATTEMPTS=20, OUTBOX_FIRST_RETRY_SECONDS=60, OUTBOX_LONGEST_RETRY_SECONDS=600)
    monkeypatch.setattr(FileBackend, "send", _refuse)
    waits = []
    with freeze_time("2026-12-08 09:00:00") as clock:
        [message_id] = _queue(app)
        for _ in range(6):
            assert _send_outbox(runner) == "Sent 0, 1 to retry, 0 given up."
            with app.app_context():
                next_attempt_at = db.session.get(OutboxMessage, message_id).next_attempt_at
            waits.append((next_attempt_at - utcnow()) / timedelta(minutes=1))
            clock.move_to(next_attempt_at - timedelta(seconds=1))
            assert _send_outbox(runner) == "Sent 0, 0 to retry, 0 given up."  # not a moment early
            clock.move_to(next_attempt_at)
    assert waits == [1, 2, 4, 8, 10, 10]


def test_a_message_is_given_up_after_the_last_attempt_and_that_is_on_the_case(
    app, client, runner, mail_dir, monkeypatch
):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    monkeypatch.setattr(FileBackend, "send", _refuse)
    reference = lodge(client)  # the first attempt
    _make_due(app)
    assert _send_outbox(runner) == "Sent 0, 1 to retry, 0 given up."
    _make_due(app)
    assert _send_outbox(runner) == "Sent 0, 0 to retry, 1 given up."

    monkeypatch.undo()
    _make_due(app)
    assert _send_outbox(runner) == "Sent 0, 0 to retry, 0 given up."
    assert mails(mail_dir) == []
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert (message.status, message.attempts, message.sent_at) == ("failed", 3, None)
        assert _actions(reference) == ["case_submitted", "receipt_failed"]


def test_an_address_the_provider_refuses_for_good_is_given_up_at_once_and_that_is_on_the_case(
    app, client, runner, mail_dir, monkeypatch
):
    def no_such_mailbox(self, notification):
        raise NotificationRejected(notification.template)

    monkeypatch.setattr(FileBackend, "send", no_such_mailbox)
    reference = lodge(client)  # the request's own attempt: refused for good
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert (message.status, message.attempts, message.body) == ("failed", 1, "")
        assert message.last_error == "NotificationRejected"
        assert _actions(reference) == ["case_submitted", "receipt_failed"]
    _make_due(app)
    assert _send_outbox(runner) == "Sent 0, 0 to retry, 0 given up."  # nothing left to try again


def test_without_once_the_worker_keeps_sending_until_stopped(app, runner, mail_dir, monkeypatch):
    class Stopped(Exception):
        pass

    naps = []

    def nap(seconds):
        naps.append(seconds)
        if len(naps) == 2:
            raise Stopped
        _queue(app)  # arrives while the worker sleeps

    monkeypatch.setattr("portal.services.outbox.sleep", nap)
    _queue(app)
    result = runner.invoke(args=["send-outbox"])
    assert isinstance(result.exception, Stopped)
    assert naps == [app.config["OUTBOX_POLL_SECONDS"]] * 2
    assert len(mails(mail_dir, "receipt")) == 2


def _record_sends(monkeypatch) -> list[tuple[str, str]]:
    """Replace the mail folder with a slow provider that lists (subject, thread) for each message it accepts."""
    sent, lock = [], threading.Lock()

    def accept(self, notification):
        time.sleep(0.01)  # slow enough for two workers to overlap
        with lock:
            sent.append((notification.subject, threading.current_thread().name))

    monkeypatch.setattr(FileBackend, "send", accept)
    return sent


def test_two_workers_draining_at_once_send_each_message_once(app, monkeypatch):
    sent = _record_sends(monkeypatch)
    app.config["OUTBOX_BATCH_SIZE"] = 5
    ids = _queue(app, count=30)
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"

    def worker(start: threading.Barrier | None = None) -> None:
        with app.app_context():
            if start is not None:
                start.wait(timeout=10)
            drain_outbox()

    if postgresql:
        # Each thread has its own app context, so its own session and connection: two workers.
        start = threading.Barrier(2)
        with ThreadPoolExecutor(2, thread_name_prefix="worker") as pool:
            for future in [pool.submit(worker, start) for _ in range(2)]:
                future.result(timeout=60)
        assert len({thread for _subject, thread in sent}) == 2  # both really worked
    else:
        # SQLite has no row locks and one writer at a time: one worker after the other.
        worker()
        worker()
    assert sorted(subject for subject, _thread in sent) == sorted(f"Message {n}" for n in range(30))
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))).all()
        assert {(m.status, m.attempts) for m in messages} == {("sent", 1)}


def test_a_message_a_worker_holds_is_skipped_by_another_worker_and_by_the_request(app, monkeypatch):
    sent = _record_sends(monkeypatch)
    held_id, free_id = _queue(app, count=2)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no row locks: it runs one worker")
        # The first worker's transaction holds the row's lock, as while it waits for the provider.
        held = db.session.scalar(select(OutboxMessage).filter_by(id=held_id).with_for_update())

        def second_worker() -> None:
            with app.app_context():
                assert send_due(limit=1).total() == 1
                send_now(db.session.get(OutboxMessage, held_id))

        pool = ThreadPoolExecutor(1)
        try:
            pool.submit(second_worker).result(timeout=30)
        finally:
            db.session.rollback()  # the first worker lets go, so a second worker that waited on the lock can finish
            pool.shutdown()
        assert [subject for subject, _thread in sent] == ["Message 1"]
        assert db.session.get(OutboxMessage, held.id).status == "pending"
        assert db.session.get(OutboxMessage, free_id).status == "sent"


def test_a_sent_message_keeps_no_body_so_no_tracking_link_token_stays_in_the_database(app, client, mail_dir):
    reference = lodge(client)
    assert ask_for_tracking_link(client, reference, "jo@example.com").status_code in (200, 303)
    token = tracking_link_path(mail_dir).rsplit("/", 1)[1]
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage)).all()
        assert {row.template for row in rows} >= {"receipt", "tracking_link"}
        assert all(row.status == "sent" and row.body == "" for row in rows)
        assert not any(token in (row.subject + row.body) for row in rows)


def test_where_the_worker_runs_no_request_sends_and_every_email_is_due_for_it_at_once(
    app, client, runner, mail_dir, monkeypatch
):
    app.config["OUTBOX_SEND_AT_ONCE"] = False
    monkeypatch.setattr(FileBackend, "send", _refuse)  # a relay that is down costs the resident nothing now
    reference = lodge(client)
    assert ask_for_tracking_link(client, reference, "jo@example.com").status_code == 303
    assert mails(mail_dir) == []
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [(m.template, m.status, m.attempts) for m in messages] == [
            ("receipt", "pending", 0),
            ("tracking_link", "pending", 0),
        ]
        assert all(m.next_attempt_at <= utcnow() for m in messages)
        assert _actions(reference) == ["case_submitted", "tracking_link_sent"]

    monkeypatch.undo()
    assert _send_outbox(runner) == "Sent 2, 0 to retry, 0 given up."
    assert _send_outbox(runner) == "Sent 0, 0 to retry, 0 given up."
    assert len(mails(mail_dir, "receipt")) == 1
    assert client.get(tracking_link_path(mail_dir)).status_code == 302  # the link works: on to the case
    assert reference in client.get("/track/case").get_data(as_text=True)
    with app.app_context():
        assert _actions(reference)[:3] == ["case_submitted", "tracking_link_sent", "receipt_sent"]
