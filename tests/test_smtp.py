"""The smtp backend against a real SMTP server on 127.0.0.1 (aiosmtpd) with a test certificate authority (trustme):
STARTTLS or TLS from the start, the relay's certificate checked, and a password sent only over TLS."""

import socket
import ssl

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from portal import create_app
from portal.services import notifications
from portal.services.notifications import (
    Notification,
    NotificationFailed,
    NotificationRejected,
    SmtpBackend,
    SmtpSettingsError,
)

USER, PASSWORD = "portal", "relay password 42"
MESSAGE = Notification(
    to="resident@example.com",
    subject="We have your complaint",
    body="Reference CMP-2345-6789",
    language="en",
    template="receipt",
)


class Mailbox:
    def __init__(self, unknown=()):
        self.messages = []
        self.unknown = set(unknown)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode(), session.authenticated))
        return "250 OK"


def _authenticator(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode())


@pytest.fixture(scope="module")
def authority():
    return trustme.CA()


@pytest.fixture
def trusted(authority, monkeypatch):
    """The backend trusts the test authority as it trusts the system's (the relay's name is still checked)."""

    def context():
        made = ssl.create_default_context()
        authority.configure_trust(made)
        return made

    monkeypatch.setattr(notifications, "tls_context", context)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _relay(authority, *, implicit: bool = False, name: str = "localhost", unknown=()):
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert(name).configure_cert(server_context)
    mailbox = Mailbox(unknown)
    options = {"authenticator": _authenticator, "auth_require_tls": True}
    if implicit:  # aiosmtpd advertises AUTH on a TLS-from-the-start socket only without auth_require_tls
        options["auth_require_tls"] = False
        controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port(), ssl_context=server_context, **options)
    else:
        controller = Controller(
            mailbox,
            hostname="127.0.0.1",
            port=_free_port(),
            tls_context=server_context,
            require_starttls=True,
            **options,
        )
    controller.start()
    return controller, mailbox


@pytest.fixture
def relays():
    started = []
    yield started
    for controller in started:
        controller.stop()


def _start(relays, authority, **kwargs):
    controller, mailbox = _relay(authority, **kwargs)
    relays.append(controller)
    return controller.port, mailbox


def test_starttls_with_a_password_delivers_the_message(trusted, authority, relays):
    port, mailbox = _start(relays, authority)
    SmtpBackend("localhost", port, "complaints@example.gov.uk", "starttls", USER, PASSWORD).send(MESSAGE)
    [(recipients, content, authenticated)] = mailbox.messages
    assert recipients == ["resident@example.com"] and authenticated
    assert "Subject: We have your complaint" in content and "CMP-2345-6789" in content


def test_tls_from_the_start_delivers_the_message(trusted, authority, relays):
    port, mailbox = _start(relays, authority, implicit=True)
    SmtpBackend("localhost", port, "complaints@example.gov.uk", "tls", USER, PASSWORD).send(MESSAGE)
    assert len(mailbox.messages) == 1 and mailbox.messages[0][2]


def test_a_relay_whose_certificate_is_not_trusted_gets_nothing(authority, relays):
    port, mailbox = _start(relays, authority)  # the system's authorities do not know the test one
    with pytest.raises(NotificationFailed):
        SmtpBackend("localhost", port, "complaints@example.gov.uk", "starttls", USER, PASSWORD).send(MESSAGE)
    assert mailbox.messages == []


def test_a_certificate_for_another_name_is_refused(trusted, authority, relays):
    port, mailbox = _start(relays, authority, name="relay.example.gov.uk")
    with pytest.raises(NotificationFailed):
        SmtpBackend("localhost", port, "complaints@example.gov.uk", "starttls", USER, PASSWORD).send(MESSAGE)
    assert mailbox.messages == []


def test_a_wrong_password_sends_nothing(trusted, authority, relays):
    port, mailbox = _start(relays, authority)
    with pytest.raises(NotificationFailed):
        SmtpBackend("localhost", port, "complaints@example.gov.uk", "starttls", USER, "wrong").send(MESSAGE)
    assert mailbox.messages == []


@pytest.mark.parametrize(
    ("security", "username", "complaint"),
    [("none", USER, "would cross in clear"), ("ssl", None, "SMTP_SECURITY must be one of")],
)
def test_unsafe_or_unknown_settings_stop_the_portal_starting(tmp_path, security, username, complaint):
    settings = {
        "NOTIFY_BACKEND": "smtp",
        "SMTP_SECURITY": security,
        "SMTP_USERNAME": username,
        "MAIL_DIRECTORY": str(tmp_path),
    }
    with pytest.raises(SmtpSettingsError, match=complaint):
        create_app("test", **settings)


def test_an_address_that_does_not_exist_is_refused_for_good_but_a_wrong_password_is_not(trusted, authority, relays):
    port, mailbox = _start(relays, authority, unknown={"resident@example.com"})
    backend = SmtpBackend("localhost", port, "complaints@example.gov.uk", "starttls", USER, PASSWORD)
    with pytest.raises(NotificationRejected):  # the outbox gives up at once: trying again cannot help
        backend.send(MESSAGE)
    wrong = SmtpBackend("localhost", port, "complaints@example.gov.uk", "starttls", USER, "wrong")
    with pytest.raises(NotificationFailed) as failed:  # the council's settings: fixed, a later try gets through
        wrong.send(MESSAGE)
    assert not isinstance(failed.value, NotificationRejected)
    assert mailbox.messages == []
