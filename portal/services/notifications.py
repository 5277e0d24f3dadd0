"""Sending email to residents and staff through a backend chosen by configuration.

The default backend writes each message as a file under instance/mail/, so a newcomer can read
what the portal sent. A council plugs in a real provider (GOV.UK Notify, SMTP relay) by setting
NOTIFY_BACKEND to "smtp" or to "package.module:ClassName" of a class with a send(message) method.
The portal queues its emails in the outbox (portal/services/outbox.py), which hands them to the backend.
"""

import importlib
import logging
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from flask import current_app, render_template
from flask_babel import force_locale

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notification:
    to: str
    subject: str
    body: str
    language: str
    template: str


class NotificationBackend(Protocol):
    def send(self, notification: Notification) -> None: ...


class NotificationFailed(RuntimeError):
    """Raised when a backend could not hand a message over (the outbox tries again later)."""


class NotificationRejected(NotificationFailed):
    """Raised when the provider refused this message for good (an address that does not exist, content it will
    never take): sending it again cannot help, so the outbox gives up at once. Provider classes may raise it too."""


def _refused_for_good(error: smtplib.SMTPException) -> bool:
    """A 5xx answer about the message itself, not about the relay or our account (those a later try may get past)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


def _as_email(notification: Notification, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = notification.to
    message["Subject"] = notification.subject
    message["X-Portal-Template"] = notification.template
    message.set_content(notification.body, cte="8bit")
    # After set_content, which replaces every Content-* header.
    message["Content-Language"] = notification.language
    return message


class FileBackend:
    """Write each message as an .eml file in a folder."""

    def __init__(self, directory: str, sender: str):
        self.directory = Path(directory)
        self.sender = sender

    def send(self, notification: Notification) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.directory / f"{stamp}-{notification.template}-{secrets.token_hex(4)}.eml"
        path.write_bytes(bytes(_as_email(notification, self.sender)))


SMTP_SECURITY = ("none", "starttls", "tls")


def tls_context() -> ssl.SSLContext:
    """TLS as a browser does it: the system's trusted authorities, the host name checked, no old protocols."""
    return ssl.create_default_context()


class SmtpSettingsError(ValueError):
    """The SMTP settings cannot work safely (an unknown SMTP_SECURITY, or a password to send without TLS)."""


class SmtpBackend:
    """Hand each message to the SMTP relay named by SMTP_HOST and SMTP_PORT, over TLS when SMTP_SECURITY asks.

    With TLS the relay's certificate and host name are checked against the system's trusted authorities, and a
    user name and password (SMTP_USERNAME, SMTP_PASSWORD) are sent only then.
    """

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        security: str = "none",
        username: str | None = None,
        password: str | None = None,
    ):
        if security not in SMTP_SECURITY:
            raise SmtpSettingsError(f"SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}, not {security!r}")
        if username and security == "none":
            raise SmtpSettingsError("SMTP_USERNAME is set but SMTP_SECURITY is none: a password would cross in clear")
        self.host, self.port, self.sender = host, port, sender
        self.security, self.username, self.password = security, username, password

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=10, context=tls_context())
        smtp = smtplib.SMTP(self.host, self.port, timeout=10)
        if self.security == "starttls":
            try:
                smtp.starttls(context=tls_context())
            except BaseException:
                smtp.close()
                raise
        return smtp

    def send(self, notification: Notification) -> None:
        try:
            with self._connect() as smtp:
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(_as_email(notification, self.sender))
        except smtplib.SMTPException as exc:
            failure = NotificationRejected if _refused_for_good(exc) else NotificationFailed
            raise failure(notification.template) from exc
        except OSError as exc:  # ssl.SSLError is an OSError
            raise NotificationFailed(notification.template) from exc


def smtp_backend(config) -> SmtpBackend:
    """The SMTP backend these settings describe; SmtpSettingsError when they cannot work safely."""
    return SmtpBackend(
        config.get("SMTP_HOST", "localhost"),
        int(config.get("SMTP_PORT", 25)),
        config["COUNCIL_EMAIL"],
        security=config.get("SMTP_SECURITY", "none"),
        username=config.get("SMTP_USERNAME"),
        password=config.get("SMTP_PASSWORD"),
    )


def get_backend() -> NotificationBackend:
    """Return the configured backend."""
    config = current_app.config
    name = config["NOTIFY_BACKEND"]
    sender = config["COUNCIL_EMAIL"]
    if name == "file":
        return FileBackend(config["MAIL_DIRECTORY"], sender)
    if name == "smtp":
        return smtp_backend(config)
    module_name, _, class_name = name.partition(":")
    backend_class = getattr(importlib.import_module(module_name), class_name)
    return backend_class(config)


def render_email(to: str, template: str, language: str, **context) -> Notification:
    """Render templates/email/<template>.txt and its subject in the recipient's language."""
    with force_locale(language):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        body = render_template(f"email/{template}.txt", **context)
    return Notification(to=to, subject=subject, body=body, language=language, template=template)


def send_email(to: str, template: str, language: str, **context) -> Notification:
    """Render an email and send it at once, outside any outbox: the portal's own emails go through enqueue_email."""
    notification = render_email(to, template, language, **context)
    get_backend().send(notification)
    # Log the kind of message only: addresses and content are personal data.
    log.info("notification sent", extra={"template": template, "language": language})
    return notification
