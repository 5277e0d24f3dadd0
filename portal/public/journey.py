"""The pages of the resident's journey, in order, and what each one needs answered."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from portal.models.enums import CaseType
from portal.public import forms


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: Callable[[dict], type]
    complete: Callable[[dict], bool]
    template: str = "public/question.html"
    fragment: str = "public/_question.html"


def _is_complaint(answers: dict) -> bool:
    return answers.get("type") == CaseType.COMPLAINT


def _details_complete(answers: dict) -> bool:
    if not answers.get("description"):
        return False
    if _is_complaint(answers):
        return bool(answers.get("occurred_on") and answers.get("desired_outcome"))
    return True


def _details_form(answers: dict) -> type:
    return forms.ComplaintDetailsForm if _is_complaint(answers) else forms.FeedbackDetailsForm


STEPS = [
    Step(
        "type",
        _l("What would you like to tell us about?"),
        lambda a: forms.FeedbackTypeForm,
        lambda a: bool(a.get("type")),
    ),
    Step(
        "service",
        _l("Which service is it about?"),
        lambda a: forms.ServiceForm,
        lambda a: "service_area_id" in a,
        template="public/service.html",
        fragment="public/_service.html",
    ),
    Step("details", _l("Tell us what happened"), _details_form, _details_complete),
    Step(
        "evidence",
        _l("Upload evidence (optional)"),
        lambda a: forms.EvidenceForm,
        lambda a: bool(a.get("evidence_done")),
        template="public/evidence.html",
        fragment="public/_evidence.html",
    ),
    Step("your-details", _l("Your details"), lambda a: forms.YourDetailsForm, lambda a: bool(a.get("name"))),
    Step(
        "contact-preferences",
        _l("How we contact you"),
        lambda a: forms.ContactPreferencesForm,
        lambda a: bool(a.get("preferred_contact")),
    ),
    Step(
        "someone-else",
        _l("Are you acting for someone else?"),
        lambda a: forms.SomeoneElseForm,
        lambda a: bool(a.get("on_behalf")),
    ),
]
STEPS_BY_SLUG = {step.slug: step for step in STEPS}


def first_incomplete(answers: dict) -> Step | None:
    """Return the earliest page not yet answered, or None when everything is."""
    for step in STEPS:
        if not step.complete(answers):
            return step
    return None


def next_step(step: Step) -> Step | None:
    """Return the page after this one, or None after the last question."""
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def form_data(answers: dict) -> dict:
    """Turn stored answers into form field data (dates back into date objects)."""
    data = dict(answers)
    if data.get("occurred_on"):
        data["occurred_on"] = date.fromisoformat(data["occurred_on"])
    if "service_area_id" in data:
        data["service"] = str(data["service_area_id"])
    return data


def answers_from(form) -> dict:
    """Turn a valid form's fields into answers to store (dates as ISO text)."""
    answers = {}
    for field in form:
        if field.type in {"SubmitField", "CSRFTokenField", "MultipleFileField"}:
            continue
        value = field.data
        if isinstance(value, date):
            value = value.isoformat()
        answers[field.name] = value
    if "service" in answers:
        answers["service_area_id"] = answers.pop("service")
    return answers
