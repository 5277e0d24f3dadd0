"""A resident's rights over their data: every case found by their email address, exported, or erased.

The export (a subject access request) is one ZIP: personal-data.json with the cases, the people on them, stages,
messages, Ombudsman records and history, and the evidence files under files/. Erasure anonymises the person's
closed cases as retention does (portal/services/retention.py); open cases, and cases where they only acted for
someone else, are refused. Both are recorded as events naming the member of staff and the case ids, never the
email address.
"""

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import Case, Contact, Event, Stage, User
from portal.models.enums import ActorType, CaseStatus
from portal.search_text import email_key
from portal.services.erasure_ledger import record_erasures
from portal.services.events import record_event
from portal.services.retention import ERASURE_REQUEST, anonymise_case
from portal.services.uploads import clean_filename, upload_path

RESIDENT = "resident"
REPRESENTATIVE = "representative"
# Why a case is not erased on request.
STILL_OPEN = "open"
SOMEONE_ELSES = "someone_elses"


@dataclass
class FoundCase:
    case: Case
    roles: list[str]  # resident, representative, or both

    @property
    def is_theirs(self) -> bool:
        return RESIDENT in self.roles


@dataclass
class ErasurePlan:
    erasable: list[Case] = field(default_factory=list)
    refused: list[tuple[Case, str]] = field(default_factory=list)  # the case and STILL_OPEN or SOMEONE_ELSES


def find_cases(email: str) -> list[FoundCase]:
    """Return every case with this email address (in any capitals) on its resident or representative, oldest first."""
    wanted = email_key(email)
    if not wanted:
        return []
    resident, representative = aliased(Contact), aliased(Contact)
    rows = db.session.execute(
        select(Case, resident.email_key == wanted, representative.email_key == wanted)
        .join(resident, Case.resident_id == resident.id)
        .outerjoin(representative, Case.representative_id == representative.id)
        .where(or_(resident.email_key == wanted, representative.email_key == wanted))
        .order_by(Case.received_on, Case.id)
    ).all()
    return [
        FoundCase(case, [role for role, matched in ((RESIDENT, as_resident), (REPRESENTATIVE, as_rep)) if matched])
        for case, as_resident, as_rep in rows
    ]


def export_personal_data(email: str, user: User, today: date | None = None) -> tuple[bytes, list[int]]:
    """Build the ZIP of everything held about this person and record who exported it; return it and the case ids."""
    found = find_cases(email)
    files: list[tuple[str, str]] = []  # (name in the ZIP, stored name)
    cases = []
    for item in found:
        case_files = []
        for attachment in item.case.attachments:
            name = f"files/{item.case.reference}/{attachment.id}-{clean_filename(attachment.original_name)}"
            present = upload_path(attachment.stored_name).is_file()
            if present:
                files.append((name, attachment.stored_name))
            case_files.append(
                {
                    "file": name if present else None,
                    "name": attachment.original_name,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                    "uploaded_at": attachment.uploaded_at,
                    "uploaded_by": attachment.uploaded_by,
                }
            )
        cases.append({**_case_data(item), "files": case_files})
    document = {
        "exported_on": (today or date.today()).isoformat(),
        "email_address": email_key(email),
        "cases": cases,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("personal-data.json", json.dumps(document, indent=2, ensure_ascii=False, default=_plain))
        for name, stored_name in files:
            archive.write(upload_path(stored_name), name)
    case_ids = [item.case.id for item in found]
    record_event(None, "personal_data_exported", ActorType.STAFF, actor_id=user.id, case_ids=case_ids)
    db.session.commit()
    return buffer.getvalue(), case_ids


def erasure_plan(email: str) -> ErasurePlan:
    """Say which of this person's cases can be anonymised on request now, and which cannot and why."""
    plan = ErasurePlan()
    for item in find_cases(email):
        if not item.is_theirs:
            plan.refused.append((item.case, SOMEONE_ELSES))
        elif item.case.status != CaseStatus.CLOSED:
            plan.refused.append((item.case, STILL_OPEN))
        else:
            plan.erasable.append(item.case)
    return plan


def erase_personal_data(email: str, user: User, confirmed_ids: set[int]) -> ErasurePlan:
    """Anonymise the person's closed cases that the administrator confirmed; return what was erased and refused.

    A case confirmed but no longer erasable (reopened since) is refused; one not confirmed is left alone. Raises
    LedgerError, having changed nothing, if the erasure ledger cannot be written.
    """
    plan = erasure_plan(email)
    erasing = [case for case in plan.erasable if case.id in confirmed_ids]
    going = {case.id for case in erasing}
    # First, so a restore of an older backup can never bring these cases back; LedgerError stops the erasure.
    record_erasures(erasing)
    for case in erasing:
        anonymise_case(case, ERASURE_REQUEST, ActorType.STAFF, actor_id=user.id, also_going=going)
    record_event(
        None,
        "personal_data_erased",
        ActorType.STAFF,
        actor_id=user.id,
        case_ids=sorted(going),
        refused={str(case.id): reason for case, reason in plan.refused},
    )
    db.session.commit()
    return ErasurePlan(erasable=erasing, refused=plan.refused)


def _case_data(item: FoundCase) -> dict:
    case = item.case
    return {
        "reference": case.reference,
        "their_role": item.roles,
        "type": case.type,
        "status": case.status,
        "channel": case.channel,
        "language": case.language,
        "received_on": case.received_on,
        "service_area": case.service_area.name if case.service_area else None,
        "resident": _contact_data(case.resident),
        "representative": _contact_data(case.representative),
        "representative_relationship": case.representative_relationship,
        "consent_confirmed": case.consent_confirmed,
        "description": case.description,
        "occurred_on": case.occurred_on,
        "desired_outcome": case.desired_outcome,
        "signposted_to": case.signposted_to,
        "acknowledged_on": case.acknowledged_on,
        "closed_on": case.closed_on,
        "closed_reason": case.closed_reason,
        "closure_note": case.closure_note,
        "stages": [_stage_data(stage) for stage in case.stages],
        "messages": [
            {"kind": m.kind, "subject": m.subject, "body": m.body, "created_at": m.created_at} for m in case.messages
        ],
        "ombudsman": [
            {
                "received_on": r.received_on,
                "decided_on": r.decided_on,
                "lgsco_reference": r.lgsco_reference,
                "decision": r.decision,
                "remedy_kinds": r.remedy_kinds,
                "remedy": r.remedy,
                "amount_pence": r.amount_pence,
                "note": r.note,
            }
            for r in case.ombudsman_records
        ],
        "history": [
            {"occurred_at": e.occurred_at, "action": e.action, "by": e.actor_type, "detail": e.detail}
            for e in db.session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id))
        ],
    }


def _contact_data(contact: Contact | None) -> dict | None:
    if contact is None:
        return None
    return {
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "address": contact.address,
        "preferred_contact": contact.preferred_contact,
        "language": contact.language,
        "adjustments": contact.adjustments,
        "adjustments_detail": contact.adjustments_detail,
    }


def _stage_data(stage: Stage) -> dict:
    return {
        "process": stage.process,
        "number": stage.number,
        "received_on": stage.received_on,
        "acknowledged_on": stage.acknowledged_on,
        "due_on": stage.due_on,
        "extension_reason": stage.extension_reason,
        "responded_on": stage.responded_on,
        "within_timescale": stage.within_timescale,
        "outcome": stage.outcome,
        "response": stage.response_text,
        "themes": [theme.name for theme in stage.themes],
        "remedies": [{"kind": r.kind, "amount_pence": r.amount_pence, "detail": r.detail} for r in stage.remedies],
        "escalation_reason": stage.escalation_reason,
        "closed_on": stage.closed_on,
        "closed_reason": stage.closed_reason,
        "panel_recommendations": stage.panel_recommendations,
        "council_response": stage.council_response,
    }


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value).__name__)
