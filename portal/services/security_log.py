"""Security events as one JSON line each: sign-in attempts, sessions ended, access refused.

Times are UTC. Nothing personal is written: staff are named by account id, never by email, and the client's
address only as a keyed hash, which links one client's attempts together without saying who or where it is.
"""

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime

from flask import current_app, has_request_context, request

log = logging.getLogger("portal.security")


def client_fingerprint() -> str | None:
    """A keyed hash of the client's address (the same for one client, meaningless without the secret key)."""
    if not has_request_context() or not request.remote_addr:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, request.remote_addr.encode(), hashlib.sha256).hexdigest()[:16]


def security_event(event: str, **fields) -> None:
    """Write one security event, with the time in UTC, the client's fingerprint and the page asked for."""
    record = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "event": event, **fields}
    if has_request_context():
        record.update(client=client_fingerprint(), method=request.method, endpoint=request.endpoint)
    log.info(json.dumps(record, sort_keys=True, default=str))
