"""Case references residents can read aloud but nobody can guess."""

import secrets

from sqlalchemy import select

from portal.extensions import db
from portal.models import Case
from portal.models.enums import CaseType

# No 0/O or 1/I, so a reference read over the phone cannot be misheard.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
PREFIXES = {
    CaseType.COMPLAINT: "CMP",
    CaseType.COMPLIMENT: "CPL",
    CaseType.SUGGESTION: "SUG",
    CaseType.SERVICE_REQUEST: "SRQ",
    CaseType.SIGNPOSTED: "SGN",
}


def generate_reference(case_type: str) -> str:
    """Return an unused reference such as CMP-7K4Q-2M9X (40 random bits)."""
    prefix = PREFIXES[CaseType(case_type)]
    while True:
        body = "".join(secrets.choice(ALPHABET) for _ in range(8))
        reference = f"{prefix}-{body[:4]}-{body[4:]}"
        if db.session.scalar(select(Case.id).filter_by(reference=reference)) is None:
            return reference


def normalise_reference(text: str) -> str:
    """Turn what a resident typed (any case, spaces, missing hyphens) into the stored form."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(compact) == 11 and compact[:3].isalpha():
        return f"{compact[:3]}-{compact[3:7]}-{compact[7:]}"
    return text.strip().upper()
