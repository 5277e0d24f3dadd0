"""Logging: one JSON object a line on stderr, or readable text while developing.

Nothing here adds request data (paths, query strings, form fields) to a record: a line says only what the code
that logged it chose to say, and the code never names a resident.
"""

import json
import logging
import sys
from datetime import UTC, datetime

from flask import Flask
from flask.logging import default_handler

SECURITY_LOGGER = "portal.security"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Everything a LogRecord carries of its own; any other attribute came from a call's `extra`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON: time (UTC), level, logger, message and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        extra = {key: value for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES}
        entry.update({key: value for key, value in extra.items() if key not in entry})
        if record.name == SECURITY_LOGGER:
            entry = _merge_security_event(entry)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


def _merge_security_event(entry: dict) -> dict:
    """Lift a security event's own JSON fields into the line, so it is not a string inside a string."""
    try:
        fields = json.loads(entry["message"])
    except ValueError:
        return entry
    if not isinstance(fields, dict):
        return entry
    message = fields.get("message", fields.get("event", entry["message"]))
    # The record's own time, level and logger win: the event's time is the same moment, to the second.
    return {**entry, **{key: value for key, value in fields.items() if key not in entry}, "message": message}


class PortalLogHandler(logging.StreamHandler):
    """Write to whatever sys.stderr is at the time, so a swapped stream (a test runner's) is never left closed."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure_logging(app: Flask) -> None:
    """Send every record to stderr as JSON (text when debugging or LOG_FORMAT=text); safe to call once per app."""
    text = app.debug or app.config.get("LOG_FORMAT", "json") == "text"
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, PortalLogHandler)]:
        root.removeHandler(handler)
    handler = PortalLogHandler()
    handler.setFormatter(logging.Formatter(TEXT_FORMAT) if text else JsonFormatter())
    root.addHandler(handler)
    # Our own records from LOG_LEVEL (INFO: security events, the outbox); other libraries' from the root's WARNING.
    portal_logger = logging.getLogger(app.import_name)
    portal_logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    # Flask's own handler on the app's logger would print every portal record a second time.
    portal_logger.removeHandler(default_handler)
    if not text:
        # The development server's request lines carry query strings; it is never the production server anyway.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
