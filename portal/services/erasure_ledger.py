"""The erasure ledger: every case erased on request, in a file outside the database, so a restore cannot undo it.

A backup taken before an erasure still holds the person's data, and restoring it would put that data back into the
live portal. So each erasure is first appended to the ledger (`ERASURE_LEDGER`, one JSON line a case: its id, its
reference and the date), and `flask apply-retention` (daily) and `flask restore` erase again any case the ledger
lists that is back. The line is written, and flushed to disk, before the case is touched: an erasure is never done
without its line. A line whose erasure then failed is carried out by the next run, as the administrator confirmed.

The ledger holds no personal data: an id and a reference name a case, not a person. A case is matched on both,
because a restored database hands out ids again from where the backup left off, to other residents' cases.
"""

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import current_app

from portal.extensions import db
from portal.models import Case
from portal.models.enums import ActorType, CaseStatus
from portal.services.retention import ERASURE_REQUEST, anonymise_case

log = logging.getLogger(__name__)


class LedgerError(Exception):
    """The ledger could not be written or read: an erasure must not go ahead, nor a restore pass for complete."""


@dataclass(frozen=True)
class Erased:
    case_id: int
    reference: str
    erased_on: str


@dataclass
class ReapplyReport:
    erased: list[str] = field(default_factory=list)  # references erased again by this run
    waiting: list[str] = field(default_factory=list)  # back, but open in the restored database: erased once closed
    already: int = 0  # listed, and still erased
    absent: int = 0  # listed, but not in this database (a backup older than the case)


def ledger_path() -> Path:
    return Path(current_app.config["ERASURE_LEDGER"])


def record_erasures(cases: list[Case], today: date | None = None) -> None:
    """Append a line for each case and flush it to disk; LedgerError if that cannot be done."""
    if not cases:
        return
    erased_on = (today or date.today()).isoformat()
    lines = "".join(
        json.dumps({"case_id": case.id, "reference": case.reference, "erased_on": erased_on}) + "\n" for case in cases
    )
    path = ledger_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_APPEND: lines from several workers or machines sharing the file never overwrite each other.
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            data = lines.encode()
            while data:
                data = data[os.write(descriptor, data) :]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as error:
        log.error("erasure ledger not written", extra={"error": type(error).__name__})
        raise LedgerError(str(error)) from error


def read_ledger() -> list[Erased]:
    """Every case the ledger lists (none if there is no ledger yet); LedgerError if a complete line is damaged.

    An unfinished last line (the machine stopped while writing it) is left out: its erasure never began.
    """
    path = ledger_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as error:
        raise LedgerError(f"{path}: {error}") from error
    complete = text.split("\n")[:-1]
    found = []
    for number, line in enumerate(complete, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            found.append(Erased(int(item["case_id"]), str(item["reference"]), str(item["erased_on"])))
        except (ValueError, KeyError, TypeError) as error:
            raise LedgerError(f"{path}, line {number}: not a ledger entry ({type(error).__name__})") from error
    return found


def reapply_erasures(dry_run: bool = False) -> ReapplyReport:
    """Erase again each case the ledger lists that is back in the database, committing each; dry_run only counts."""
    report = ReapplyReport()
    listed = read_ledger()
    cases = {}
    for entry in listed:
        case = db.session.get(Case, entry.case_id)
        if case is None or case.reference != entry.reference:
            report.absent += 1
        elif case.anonymised_at is not None:
            report.already += 1
        elif case.status != CaseStatus.CLOSED:
            report.waiting.append(case.reference)
        else:
            cases[case.id] = case
    going = set(cases)
    for case in cases.values():
        report.erased.append(case.reference)
        if not dry_run:
            anonymise_case(case, ERASURE_REQUEST, ActorType.SYSTEM, also_going=going)
            db.session.commit()
    return report
