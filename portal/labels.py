"""Words for the codes the database keeps, so staff pages never show a raw value like "with_service"."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

CASE_TYPES = {
    "complaint": _l("Complaint"),
    "compliment": _l("Compliment"),
    "suggestion": _l("Suggestion"),
    "service_request": _l("Service request"),
    "signposted": _l("Signposted"),
}

STATUSES = {
    "received": _l("Received"),
    "acknowledged": _l("Acknowledged"),
    "with_service": _l("With the service"),
    "responded": _l("Responded"),
    "closed": _l("Closed"),
}

PROCESSES = {
    "corporate": _l("Corporate"),
    "childrens": _l("Children’s social care"),
    "adults": _l("Adults’ social care"),
}

CLOSED_REASONS = {
    "withdrawn": _l("Withdrawn"),
    "duplicate": _l("Duplicate"),
    "out_of_time": _l("Out of time"),
    "resolved": _l("Resolved"),
}

OUTCOMES = {
    "upheld": _l("Upheld"),
    "partly_upheld": _l("Partly upheld"),
    "not_upheld": _l("Not upheld"),
}

CHANNELS = {
    "web": _l("Online form"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "letter": _l("Letter"),
    "in_person": _l("In person"),
    "webchat": _l("Webchat"),
}

VOCABULARIES = {
    "case_type": CASE_TYPES,
    "status": STATUSES,
    "process": PROCESSES,
    "closed_reason": CLOSED_REASONS,
    "outcome": OUTCOMES,
    "channel": CHANNELS,
}


def label(code: str | None, vocabulary: str) -> str:
    """Return the words for a code, or the code itself when it is not in the vocabulary (an imported oddity)."""
    if code is None:
        return ""
    return str(VOCABULARIES[vocabulary].get(code, code))


def stage_label(process: str, number: int) -> str:
    """Return a stage's name as staff say it: "Corporate, Stage 2"."""
    return _("%(process)s, Stage %(number)d", process=label(process, "process"), number=number)
