"""Emailing the resident (or their representative) about their case, in the transaction that changes it."""

from portal.models import Case, OutboxMessage
from portal.services.outbox import enqueue_email


def email_resident(case: Case, template: str, **context) -> OutboxMessage | None:
    """Queue a message in the case's language, to commit with the change; None when there is no address.

    The caller commits, then passes the message to send_now. A failed send is not lost: the outbox retries it, and
    only when it gives up is `<template>_failed` recorded on the case (portal/services/outbox.py).
    """
    if not case.correspondent.email:
        return None
    return enqueue_email(case.correspondent.email, template, case.language, case=case, **context)
