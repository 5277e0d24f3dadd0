"""Logs: one JSON object a line on stderr, security events merged into it, nothing a resident typed."""

import json
import logging
from datetime import datetime, timedelta

from portal.services.security_log import security_event
from tests.journey import lodge


def _lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line]


def _is_utc(moment: str) -> bool:
    return moment.endswith(("+00:00", "Z")) and datetime.fromisoformat(moment).utcoffset() == timedelta(0)


def test_a_record_with_extra_fields_is_one_json_line_with_them(app, capsys):
    capsys.readouterr()
    logging.getLogger("portal.services.outbox").info(
        "outbox message %s", "sent", extra={"outbox_id": 7, "template": "receipt"}
    )
    [line] = _lines(capsys)
    entry = json.loads(line)
    assert entry["level"] == "INFO"
    assert entry["logger"] == "portal.services.outbox"
    assert entry["message"] == "outbox message sent"
    assert entry["outbox_id"] == 7 and entry["template"] == "receipt"
    assert _is_utc(entry["time"])


def test_a_security_event_is_merged_into_the_line_not_quoted_inside_it(app, capsys):
    capsys.readouterr()
    with app.test_request_context("/staff/sign-in", method="POST"):
        security_event("sign_in_failed", user_id=3, reason="password")
    [line] = _lines(capsys)
    entry = json.loads(line)
    assert entry["logger"] == "portal.security"
    assert entry["event"] == "sign_in_failed" and entry["message"] == "sign_in_failed"
    assert entry["user_id"] == 3 and entry["reason"] == "password" and entry["method"] == "POST"
    assert not any(isinstance(value, str) and value.startswith("{") for value in entry.values())
    assert _is_utc(entry["time"])


def test_an_exception_stays_on_its_one_line(app, capsys):
    capsys.readouterr()
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("portal.main.errors").exception("unhandled error: %s", "ValueError")
    [line] = _lines(capsys)
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and "ValueError: boom" in entry["exception"]


def test_development_keeps_readable_text(make_app, capsys):
    make_app(LOG_FORMAT="text")
    capsys.readouterr()
    logging.getLogger("portal.services.outbox").warning("outbox message failed")
    [line] = _lines(capsys)
    assert "WARNING portal.services.outbox: outbox message failed" in line
    make_app()  # JSON again for the tests that follow


def test_no_request_data_reaches_the_logs(app, client, capsys):
    capsys.readouterr()
    client.get("/healthz?email=zq%40example.com&name=Zebedee")
    lodge(client, {"your-details": {"name": "Zebedee Quartermain", "email": "zq@example.com", "phone": ""}})
    err = capsys.readouterr().err
    assert "Zebedee" not in err and "zq@example.com" not in err and "zq%40example.com" not in err
    for line in filter(None, err.splitlines()):
        json.loads(line)
    # The development server's request lines (with their query strings) are not written outside development.
    assert logging.getLogger("werkzeug").getEffectiveLevel() >= logging.WARNING
