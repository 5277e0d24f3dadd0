"""The email outbox: an email is stored with the work that caused it, then sent, retried until the provider takes it.

enqueue_email() renders the message in its recipient's language and adds it to the session, so the caller's commit
stores the work and its email together, or neither. After that commit the web request calls send_now() to try it at
once (unless OUTBOX_SEND_AT_ONCE is off, where the worker runs: then the message is due for the worker as soon as it is
committed); whatever is not delivered stays pending for `flask --app portal send-outbox`, which retries with exponential
backoff and, after OUTBOX_MAX_ATTEMPTS (or at once when the provider refuses the message for good, such as an address
that does not exist), marks the message failed and records `<template>_failed` on its case.

Each message is claimed by locking its row (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL), sent, and marked sent in
the transaction that claimed it, only after the provider accepted it; one message per transaction. Several workers and
the web request's own attempt therefore never send the same message; a crash after the provider accepted a message
and before that commit leaves it pending, so it is sent again: at worst one message twice, never one lost. SQLite has
no row locks and ignores FOR UPDATE: there, run a single worker (development only); new messages wait one retry delay
before a worker may take them, so the web request's attempt comes first.
"""

import logging
from collections import Counter
from datetime import timedelta
from time import sleep

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.models import Case
from portal.models.base import utcnow
from portal.models.enums import ActorType
from portal.models.outbox import OutboxMessage, OutboxStatus
from portal.services.events import record_event
from portal.services.notifications import Notification, NotificationRejected, get_backend, render_email

log = logging.getLogger(__name__)

# Their delivery is on the case's timeline; other emails are part of an action that is already there (the response,
# the acknowledgement ...), and every email that is given up on is there as <template>_failed.
DELIVERY_RECORDED = frozenset({"receipt"})


def enqueue_email(to: str, template: str, language: str, case: Case | None = None, **context) -> OutboxMessage:
    """Render an email now and add it to the session, to be committed with the work that caused it."""
    notification = render_email(to, template, language, case=case, **context)
    message = OutboxMessage(
        recipient=to,
        template=template,
        language=language,
        subject=notification.subject,
        body=notification.body,
        case=case,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow() + (retry_delay(1) if current_app.config["OUTBOX_SEND_AT_ONCE"] else timedelta(0)),
    )
    db.session.add(message)
    return message


def send_now(*messages: OutboxMessage | None) -> None:
    """Try just-committed messages at once; any not delivered stay pending for the worker (all, with OUTBOX_SEND_AT_ONCE
    off)."""
    if not current_app.config["OUTBOX_SEND_AT_ONCE"]:
        return
    for message in messages:
        if message is None:
            continue
        try:
            claimed = _claim(OutboxMessage.id == message.id)
            if claimed is None:  # a worker has it, or has sent it
                db.session.commit()
            else:
                _attempt(claimed)
        except SQLAlchemyError as error:
            # The work is committed and the message is safe in the outbox: the worker will send it. The error's class
            # only: its text quotes the statement's parameters.
            db.session.rollback()
            log.warning("outbox message left for the worker", extra={"error": _describe(error)})


def send_due(limit: int | None = None) -> Counter:
    """Send up to `limit` (OUTBOX_BATCH_SIZE) due messages; count them by what became of them."""
    outcomes: Counter = Counter()
    for _ in range(limit or current_app.config["OUTBOX_BATCH_SIZE"]):
        claimed = _claim(OutboxMessage.next_attempt_at <= utcnow())
        if claimed is None:
            db.session.commit()
            break
        outcomes[_attempt(claimed)] += 1
    return outcomes


def drain_outbox() -> Counter:
    """Send batches until nothing is due; count the messages by what became of them."""
    outcomes: Counter = Counter()
    batch_size = current_app.config["OUTBOX_BATCH_SIZE"]
    while True:
        batch = send_due(batch_size)
        outcomes.update(batch)
        if batch.total() < batch_size:
            return outcomes


def run_worker() -> None:
    """Drain the outbox, sleep OUTBOX_POLL_SECONDS, and again, until stopped; a database outage only pauses it."""
    poll_seconds = current_app.config["OUTBOX_POLL_SECONDS"]
    while True:
        try:
            outcomes = drain_outbox()
        except SQLAlchemyError as error:
            db.session.rollback()
            log.warning("outbox worker could not reach the database", extra={"error": _describe(error)})
        else:
            if outcomes:
                log.info("outbox drained", extra={str(outcome): count for outcome, count in outcomes.items()})
        sleep(poll_seconds)


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait after the given number of failed attempts: 1, 2, 4 ... minutes, capped."""
    config = current_app.config
    seconds = config["OUTBOX_FIRST_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["OUTBOX_LONGEST_RETRY_SECONDS"]))


def _claim(*criteria) -> OutboxMessage | None:
    """Lock and return one pending message matching the criteria that nobody else holds, oldest due first."""
    return db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, *criteria)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        # The session may hold the message from before its last commit: read the row as it is now.
        .execution_options(populate_existing=True)
    )


def _attempt(message: OutboxMessage) -> OutboxStatus:
    """Hand a claimed message to the provider and commit what became of it: sent, pending again, or failed."""
    message.attempts += 1
    notification = Notification(
        to=message.recipient,
        subject=message.subject,
        body=message.body,
        language=message.language,
        template=message.template,
    )
    # Log lines name the message by id and template: never the address or the content.
    about = {"outbox_id": message.id, "template": message.template, "attempts": message.attempts}
    try:
        get_backend().send(notification)
    except Exception as error:  # any provider failure, whatever it raises, is retried unless refused for good
        message.last_error = _describe(error)
        if isinstance(error, NotificationRejected) or message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            message.status = OutboxStatus.FAILED
            message.body = ""  # see below: nothing is kept that is no longer needed
            if message.case is not None:
                record_event(message.case, f"{message.template}_failed", ActorType.SYSTEM)
            log.error("outbox message given up", extra={**about, "error": message.last_error})
        else:
            message.next_attempt_at = utcnow() + retry_delay(message.attempts)
            log.warning("outbox message not sent, will retry", extra={**about, "error": message.last_error})
        outcome = OutboxStatus(message.status)  # read before the commit expires it
        db.session.commit()
        return outcome
    message.status = OutboxStatus.SENT
    message.sent_at = utcnow()
    # The body is not kept once sent: what it said is on the case, and a tracking link's token (stored hashed
    # everywhere else) must not stay readable in the database.
    message.body = ""
    if message.case is not None and message.template in DELIVERY_RECORDED:
        record_event(message.case, f"{message.template}_sent", ActorType.SYSTEM, language=message.language)
    db.session.commit()
    log.info("outbox message sent", extra=about)
    return OutboxStatus.SENT


def _describe(error: BaseException) -> str:
    """Name the failure by its exception classes only, as providers' messages can quote the recipient."""
    names = [type(error).__name__]
    if error.__cause__ is not None:
        names.append(type(error.__cause__).__name__)
    return ": ".join(names)[:200]
