"""The wording of messages the council edits, per language, filled in with a sandboxed Jinja environment."""

from datetime import date

from babel.dates import format_date
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select

from portal.extensions import db
from portal.models import MessageTemplate, User
from portal.models.enums import ActorType
from portal.services.events import record_event

_sandbox = SandboxedEnvironment(autoescape=False)
# Checking and previewing: a misspelt placeholder is an error here, not a silent blank in a resident's email.
_strict_sandbox = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
TEMPLATE_KEYS = ("acknowledgement", "response")
TEMPLATE_NAMES = {"acknowledgement": _l("Acknowledgement of a complaint"), "response": _l("Response to a complaint")}
# The placeholders each kind of message can use, what they stand for, and an example for previews.
PLACEHOLDERS = {
    "acknowledgement": {
        "reference": (_l("The case reference"), "CMP-7K4Q-2M9X"),
        "name": (_l("The name of the person we are writing to"), "Jo Bloggs"),
        "officer": (_l("The officer looking into it, or the council’s name"), "Sam Taylor"),
        "service": (_l("The service area"), "Waste and recycling"),
        "due_date": (_l("The date the response is due, in the resident’s language"), None),
    },
    # The response's wording is a draft the officer completes; the email adds the greeting and how to escalate.
    "response": {
        "reference": (_l("The case reference"), "CMP-7K4Q-2M9X"),
        "name": (_l("The name of the person we are writing to"), "Jo Bloggs"),
        "officer": (_l("The officer sending the response"), "Sam Taylor"),
        "service": (_l("The service area"), "Waste and recycling"),
        "stage": (_l("The stage number"), "1"),
    },
}
EXAMPLE_DUE_DATE = date(2026, 3, 20)


class TemplateProblem(ValueError):
    """Raised when wording would not render: a syntax error, an unknown placeholder, or anything the sandbox refuses.

    `part` says which part ("subject" or "body"); the message says what is wrong, for the person editing.
    """

    def __init__(self, part: str, message: str):
        super().__init__(message)
        self.part = part


class UnknownTemplate(LookupError):
    """Raised for a key that is not in TEMPLATE_KEYS or a language the portal does not offer."""


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
        if key == "response":
            return (
                _("Our response to your complaint %(reference)s", reference="{{ reference }}"),
                _(
                    "What you told us\n[Summarise the complaint in a sentence or two.]\n\nWhat we found\n[Say what "
                    "we looked at and what we found.]\n\nOur decision\n[Say whether we uphold the complaint, in "
                    "full or in part, and why.]\n\nPutting things right\n[Any apology, remedy or action, who will "
                    "do it and by when.]\n\n{{ officer }}\n{{ service }}"
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


def list_message_templates(languages) -> list[dict]:
    """Return each kind of message in each language, saying whether the council has its own wording."""
    own = {(row.key, row.language) for row in db.session.scalars(select(MessageTemplate))}
    return [
        {"key": key, "name": TEMPLATE_NAMES[key], "language": language, "is_default": (key, language) not in own}
        for key in TEMPLATE_KEYS
        for language in languages
    ]


def example_values(key: str, language: str) -> dict[str, str]:
    """Return the made-up values a preview fills the placeholders with."""
    values = {name: example for name, (_description, example) in PLACEHOLDERS[key].items()}
    if "due_date" in values:
        values["due_date"] = format_date(EXAMPLE_DUE_DATE, format="d MMMM yyyy", locale=language)
    return values


def check_message_template(key: str, language: str, subject: str, body: str) -> tuple[str, str]:
    """Render the wording with example values; return (subject, body) filled in, or raise TemplateProblem."""
    allowed = set(PLACEHOLDERS[key])
    values = example_values(key, language)
    rendered = []
    for part, text in (("subject", subject), ("body", body)):
        try:
            parsed = _strict_sandbox.parse(text)
        except TemplateSyntaxError as error:
            raise TemplateProblem(
                part, _("line %(line)d: %(problem)s", line=error.lineno, problem=error.message)
            ) from error
        unknown = sorted(meta.find_undeclared_variables(parsed) - allowed)
        if unknown:
            raise TemplateProblem(part, _("unknown placeholder %(names)s", names=", ".join(unknown)))
        try:
            rendered.append(_strict_sandbox.from_string(text).render(**values))
        except Exception as error:  # anything the wording does at render time means it cannot be sent
            raise TemplateProblem(part, str(error)) from error
    if "\n" in rendered[0] or "\r" in rendered[0]:
        raise TemplateProblem("subject", _("the subject must be one line"))
    return rendered[0], rendered[1]


def _check_key(key: str, language: str, languages) -> None:
    if key not in TEMPLATE_KEYS or language not in languages:
        raise UnknownTemplate(f"{key}/{language}")


def save_message_template(
    key: str, language: str, subject: str, body: str, actor: User | None = None, languages=None
) -> MessageTemplate:
    """Store the council's own wording for a kind of message in a language, refusing wording that would not render."""
    if languages is not None:
        _check_key(key, language, languages)
    check_message_template(key, language, subject, body)
    row = db.session.scalar(select(MessageTemplate).filter_by(key=key, language=language))
    old_subject, old_body, _default_wording = get_message_template(key, language)
    before = {"subject": old_subject, "body": old_body}
    if row is None:
        row = MessageTemplate(key=key, language=language, subject=subject, body=body)
        db.session.add(row)
    else:
        row.subject, row.body = subject, body
    if actor is not None:
        record_event(
            None,
            "message_template_changed",
            ActorType.STAFF,
            actor_id=actor.id,
            key=key,
            language=language,
            before=before,
            after={"subject": subject, "body": body},
        )
    db.session.commit()
    return row


def restore_default_template(key: str, language: str, actor: User, languages) -> bool:
    """Go back to the portal's own wording; return whether there was council wording to remove."""
    _check_key(key, language, languages)
    row = db.session.scalar(select(MessageTemplate).filter_by(key=key, language=language))
    if row is None:
        return False
    before = {"subject": row.subject, "body": row.body}
    db.session.delete(row)
    subject, body = _default(key, language)
    record_event(
        None,
        "message_template_restored",
        ActorType.STAFF,
        actor_id=actor.id,
        key=key,
        language=language,
        before=before,
        after={"subject": subject, "body": body},
    )
    db.session.commit()
    return True


def fill_in(text: str, **values) -> str:
    """Fill a template's placeholders; the sandbox refuses anything but plain values."""
    return _sandbox.from_string(text).render(**values)
