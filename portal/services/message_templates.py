"""The wording of messages the council edits, per language, filled in with a sandboxed Jinja environment."""

from flask_babel import force_locale
from flask_babel import gettext as _
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select

from portal.extensions import db
from portal.models import MessageTemplate

_sandbox = SandboxedEnvironment(autoescape=False)
TEMPLATE_KEYS = ("acknowledgement",)


def _default(key: str, language: str) -> tuple[str, str]:
    with force_locale(language):
        if key == "acknowledgement":
            return (
                _("We are looking into your complaint %(reference)s", reference="{{ reference }}"),
                _(
                    "Dear {{ name }},\n\nThank you for your complaint. {{ officer }} is looking into it with the "
                    "{{ service }} team.\n\nWe aim to send you a full response by {{ due_date }}. If we need "
                    "longer, we will tell you why and when you can expect it.\n\nYour reference is {{ reference }}."
                ),
            )
    raise KeyError(key)


def get_message_template(key: str, language: str) -> tuple[str, str, bool]:
    """Return (subject, body, is_the_default) for a kind of message in a language, falling back to the default."""
    row = db.session.scalar(select(MessageTemplate).filter_by(key=key, language=language))
    if row is not None:
        return row.subject, row.body, False
    subject, body = _default(key, language)
    return subject, body, True


def save_message_template(key: str, language: str, subject: str, body: str) -> MessageTemplate:
    """Store the council's own wording for a kind of message in a language."""
    _sandbox.from_string(subject)
    _sandbox.from_string(body)  # refuse wording that would not render
    row = db.session.scalar(select(MessageTemplate).filter_by(key=key, language=language))
    if row is None:
        row = MessageTemplate(key=key, language=language, subject=subject, body=body)
        db.session.add(row)
    else:
        row.subject, row.body = subject, body
    db.session.commit()
    return row


def fill_in(text: str, **values) -> str:
    """Fill a template's placeholders; the sandbox refuses anything but plain values."""
    return _sandbox.from_string(text).render(**values)
