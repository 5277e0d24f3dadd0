"""Importing a council's case history from a spreadsheet (CSV or XLSX): checked whole, then written in one go.

Row numbers in problems are the spreadsheet's own: the header is row 1, so the first case is row 2 (a CSV record
whose quoted cell spans several lines is still one row, as a spreadsheet program shows it). Decisions the contract
(shared/contracts/import-cases.md) leaves open:

- Header names are matched ignoring case, surrounding spaces and the difference between spaces, hyphens and
  underscores; an optional column may be left out of the header altogether. Values of the closed lists (type,
  process, outcome, closed_reason, channel) are matched ignoring case. Completely blank rows are skipped.
- Only complaints have stages, so process, stage, extended_to, outcome, theme and theme_detail must be blank for the
  other types; responded_on and closed_reason apply to every type and set the case's status.
- A case whose case_reference already exists is skipped whole (its rows are still checked) and counted as skipped:
  importing the same file twice imports nothing the second time, and a later export imports only the new cases.
- Directorates and service areas are matched to the configured ones ignoring case and extra spaces, and created
  with the file's spelling otherwise. Themes are matched to every configured one, retired ones included, since
  history may use them. A stage with a theme_detail gets both the theme and the detail.
- One complaint's rows must agree on type, directorate, service_area and language (blank inherits); channel may
  differ by stage, and the case keeps its first stage's, as the schema has no channel per stage.
- An open imported case is with the service (the spreadsheet already says which service has it), so a backlog of
  history does not flood the triage queue; a signposted contact is closed, as triage leaves it. A case's status
  follows its last stage: responded, closed (with the stage's closed_reason), or with the service.
- Every imported case gets its own placeholder resident ("Imported record", no contact details, the row's language)
  and an event "case_imported" naming the file and rows; for a type other than complaint, whose response date the
  schema cannot hold, the event keeps responded_on.
"""

import csv
import io
import os
import re
import unicodedata
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.labels import label
from portal.models import Case, Contact, Directorate, Event, ServiceArea, Stage, Theme, Timescale
from portal.models.case import stage_theme, top_theme_ids
from portal.models.enums import ActorType, CaseStatus, CaseType, Channel, ClosedReason, Outcome, Process
from portal.search_text import name_key
from portal.services.calendar import add_working_days
from portal.services.planner import refresh_planner_statistics_if_possible

COLUMNS = (
    "case_reference",
    "type",
    "process",
    "stage",
    "received_on",
    "directorate",
    "service_area",
    "responded_on",
    "extended_to",
    "outcome",
    "closed_reason",
    "theme",
    "theme_detail",
    "channel",
    "language",
)
REQUIRED_COLUMNS = ("case_reference", "type", "received_on", "directorate", "service_area")
STAGE_ONLY_COLUMNS = ("process", "stage", "extended_to", "outcome", "theme", "theme_detail")
TYPES = tuple(t.value for t in CaseType)
PROCESSES = tuple(p.value for p in Process)
OUTCOMES = tuple(o.value for o in Outcome)
# The contract's list: "resolved" is a back-office closure, not one a spreadsheet records.
CLOSED_REASONS = (ClosedReason.WITHDRAWN.value, ClosedReason.DUPLICATE.value, ClosedReason.OUT_OF_TIME.value)
CHANNELS = tuple(c.value for c in Channel)
STAGES = {"1": 1, "2": 2, "3": 3}
IMPORTED_NAME = "Imported record"
IMPORTED_DESCRIPTION = "Imported from a spreadsheet."
REFERENCE_LENGTH = 40
NAME_LENGTH = 120
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")
DATE_FORM = re.compile(r"\d{4}-\d{2}-\d{2}")
LOOKUP_CHUNK = 500


class UnreadableFile(ValueError):
    """Raised when a file is missing, of another kind, or cannot be parsed as CSV or XLSX."""


class ImportConflict(RuntimeError):
    """Raised when another import or submission took one of the file's references while this one was writing."""


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with the file, at a spreadsheet row (the header is row 1) and column."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)d, column %(column)s: %(message)s", row=self.row, column=self.column, message=self.message)


@dataclass
class Row:
    number: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class Sheet:
    columns: list[str]
    rows: list[Row]


@dataclass
class PlannedStage:
    row: int
    process: str
    number: int
    received_on: date
    deadline: date
    extended_to: date | None
    responded_on: date | None
    outcome: str | None
    closed_reason: str | None
    theme_ids: tuple[int, ...]
    channel: str | None

    @property
    def within_timescale(self) -> bool | None:
        if self.responded_on is None:
            return None
        return self.responded_on <= (self.extended_to or self.deadline)


@dataclass
class PlannedCase:
    reference: str
    type: str
    directorate: str
    service_area: str
    received_on: date
    responded_on: date | None
    closed_reason: str | None
    channel: str | None
    language: str | None
    rows: list[int]
    stages: list[PlannedStage] = field(default_factory=list)

    @property
    def area_key(self) -> tuple[str, str]:
        return _key(self.directorate), _key(self.service_area)

    def status_and_closed_reason(self) -> tuple[str, str | None]:
        """Return the status the case's last stage (or, for other types, its one row) gives it."""
        last = self.stages[-1] if self.stages else self
        if last.responded_on is not None:
            return CaseStatus.RESPONDED, None
        if last.closed_reason is not None:
            return CaseStatus.CLOSED, last.closed_reason
        if self.type == CaseType.SIGNPOSTED:
            return CaseStatus.CLOSED, None
        return CaseStatus.WITH_SERVICE, None


@dataclass
class ImportPlan:
    """What a valid file holds: every case, and which of them already exist and will be skipped."""

    cases: list[PlannedCase]
    existing_references: set[str]
    known_directorates: dict[str, int]
    known_areas: dict[tuple[str, str], int]

    @property
    def new_cases(self) -> list[PlannedCase]:
        return [case for case in self.cases if case.reference not in self.existing_references]

    def new_service_areas(self) -> list[tuple[str, str]]:
        """Return the (directorate, service area) pairs the new cases need and nobody has configured yet."""
        seen: dict[tuple[str, str], tuple[str, str]] = {}
        for case in self.new_cases:
            if case.area_key not in self.known_areas:
                seen.setdefault(case.area_key, (case.directorate, case.service_area))
        return list(seen.values())


@dataclass
class ImportReport:
    """What an import did, or in a dry run would do; nothing is written when there are problems."""

    filename: str
    dry_run: bool
    problems: list[ImportProblem] = field(default_factory=list)
    cases: int = 0
    stages: int = 0
    skipped: int = 0
    cases_by_type: dict[str, int] = field(default_factory=dict)
    service_areas_created: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> list[str]:
        """Return the report as sentences, for the command line and the back-office page alike."""
        if self.problems:
            return [
                ngettext(
                    "Nothing was imported: %(num)d problem to fix in %(file)s.",
                    "Nothing was imported: %(num)d problems to fix in %(file)s.",
                    len(self.problems),
                    file=self.filename,
                )
            ]
        if self.cases == 0 and self.skipped:
            return [
                ngettext(
                    "Nothing imported: the %(num)d case in %(file)s already exists.",
                    "Nothing imported: all %(num)d cases in %(file)s already exist.",
                    self.skipped,
                    file=self.filename,
                )
            ]
        if self.cases == 0:
            return [_("Nothing imported: %(file)s has no rows below its header.", file=self.filename)]
        kinds = ", ".join(_count_of(kind, n) for kind, n in sorted(self.cases_by_type.items()))
        cases = ngettext("%(num)d case", "%(num)d cases", self.cases)
        stages = ngettext("%(num)d stage", "%(num)d stages", self.stages)
        values = {"cases": cases, "kinds": kinds, "stages": stages, "file": self.filename}
        if self.dry_run:
            lines = [_("Would import %(cases)s (%(kinds)s) and %(stages)s from %(file)s.", **values)]
        else:
            lines = [_("Imported %(cases)s (%(kinds)s) and %(stages)s from %(file)s.", **values)]
        if self.skipped:
            lines.append(
                ngettext(
                    "Skipped %(num)d case whose case_reference already exists.",
                    "Skipped %(num)d cases whose case_reference already exists.",
                    self.skipped,
                )
            )
        for directorate, area in self.service_areas_created:
            if self.dry_run:
                lines.append(
                    _("Would create service area %(directorate)s / %(area)s.", directorate=directorate, area=area)
                )
            else:
                lines.append(_("Created service area %(directorate)s / %(area)s.", directorate=directorate, area=area))
        if self.dry_run:
            lines.append(_("This was a dry run: nothing was written."))
        return lines


def _count_of(kind: str, n: int) -> str:
    """Return "3 complaints", "1 service request" and so on, in the page's language."""
    counts = {
        "complaint": lambda: ngettext("%(num)d complaint", "%(num)d complaints", n),
        "compliment": lambda: ngettext("%(num)d compliment", "%(num)d compliments", n),
        "suggestion": lambda: ngettext("%(num)d suggestion", "%(num)d suggestions", n),
        "service_request": lambda: ngettext("%(num)d service request", "%(num)d service requests", n),
        "signposted": lambda: ngettext("%(num)d signposted contact", "%(num)d signposted contacts", n),
    }
    return counts[kind]()


def import_cases(
    source: str | os.PathLike | IO[bytes],
    filename: str | None = None,
    dry_run: bool = False,
    actor_id: int | None = None,
) -> ImportReport:
    """Check a spreadsheet and, when every row is valid and it is not a dry run, import its new cases."""
    name = Path(filename or str(source)).name.replace("\x00", "")  # an uploaded file's name can hold anything
    result = validate_rows(read_rows(source, filename))
    if isinstance(result, list):
        return ImportReport(name, dry_run, problems=result)
    new_cases = result.new_cases
    report = ImportReport(
        name,
        dry_run,
        cases=len(new_cases),
        stages=sum(len(case.stages) for case in new_cases),
        skipped=len(result.cases) - len(new_cases),
        cases_by_type=dict(Counter(case.type for case in new_cases)),
        service_areas_created=result.new_service_areas(),
    )
    if dry_run or not new_cases:
        return report
    try:
        write_plan(result, name, actor_id)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        message = (
            "something else added some of the same cases or service areas meanwhile: nothing was imported; run it again"
        )
        raise ImportConflict(message) from error
    except Exception:
        db.session.rollback()
        raise
    refresh_planner_statistics_if_possible()  # thousands of new rows: let the planner know before the next search
    return report


# Reading


def read_rows(source: str | os.PathLike | IO[bytes], filename: str | None = None) -> Sheet:
    """Read a CSV or XLSX file's header and rows (the header is row 1); raise UnreadableFile when it cannot."""
    name = filename or str(source)
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UnreadableFile(
            _("%(file)s is not a .csv or .xlsx file: save the spreadsheet as one of those", file=Path(name).name)
        )
    data = _read_bytes(source, name)
    table = _csv_table(data, name) if suffix == ".csv" else _xlsx_table(data, name)
    table = [(number, cells) for number, cells in table if any(cells)]
    if not table or table[0][0] != 1:
        raise UnreadableFile(
            _("%(file)s has no header in row 1: the first row must name the columns", file=Path(name).name)
        )
    header = [_column_name(cell) for cell in table[0][1]]
    positions = {column: index for index, column in reversed(list(enumerate(header))) if column in COLUMNS}
    rows = [
        Row(number, {column: cells[index] for column, index in positions.items() if index < len(cells)})
        for number, cells in table[1:]
    ]
    return Sheet(header, rows)


def _read_bytes(source, name: str) -> bytes:
    if isinstance(source, str | os.PathLike):
        try:
            return Path(source).read_bytes()
        except OSError as error:
            raise UnreadableFile(
                _("%(file)s cannot be opened: %(why)s", file=Path(name).name, why=error.strerror)
            ) from error
    return source.read()


def _csv_table(data: bytes, name: str) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(_("%(file)s is not UTF-8 text: save it as ‘CSV UTF-8’", file=Path(name).name)) from error
    try:
        return [
            (number, [cell.strip() for cell in cells])
            for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
        ]
    except csv.Error as error:
        raise UnreadableFile(_("%(file)s cannot be read as CSV: %(why)s", file=Path(name).name, why=error)) from error


def _xlsx_table(data: bytes, name: str) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    # openpyxl warns about Excel features it does not read (data validation, some styles); they do not matter here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged or non-XLSX file
            raise UnreadableFile(f"{Path(name).name} cannot be read as an XLSX workbook") from error
        try:
            table = []
            for cells in workbook.worksheets[0].iter_rows():
                # Gaps are padded with empty cells that know no row number; a row with none of its own is blank.
                number = next((cell.row for cell in cells if getattr(cell, "row", None)), None)
                if number is not None:
                    table.append((number, [_cell_text(cell.value) for cell in cells]))
            return table
        except Exception as error:
            raise UnreadableFile(f"{Path(name).name} cannot be read as an XLSX workbook") from error
        finally:
            workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column_name(text: str) -> str:
    return "_".join(text.lower().replace("-", " ").replace("_", " ").split())


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


# Checking


@dataclass
class _Lookups:
    themes: dict[str, tuple[int, str]]
    details: dict[tuple[int, str], int]
    detail_names: dict[int, list[str]]
    timescales: dict[tuple[str, int], int]
    directorates: dict[str, int]
    areas: dict[tuple[str, str], int]
    region: str
    deadlines: dict[tuple[date, int], date] = field(default_factory=dict)

    def deadline(self, received_on: date, days: int) -> date:
        key = (received_on, days)
        if key not in self.deadlines:
            self.deadlines[key] = add_working_days(received_on, days, self.region)
        return self.deadlines[key]


def validate_rows(sheet: Sheet) -> ImportPlan | list[ImportProblem]:
    """Check every row against the contract; return the plan, or every problem (header problems alone, if any)."""
    problems = _check_header(sheet.columns)
    if problems:
        return problems
    lookups = _load_lookups()
    checked = [_RowCheck(row, lookups) for row in sheet.rows]
    problems = [problem for check in checked for problem in check.problems]
    cases = _group_cases(checked, problems)
    if problems:
        order = {column: index for index, column in enumerate(COLUMNS)}
        return sorted(problems, key=lambda p: (p.row, order.get(p.column, -1)))
    references = _existing_references([case.reference for case in cases])
    return ImportPlan(cases, references, lookups.directorates, lookups.areas)


def _check_header(columns: list[str]) -> list[ImportProblem]:
    problems = [
        ImportProblem(1, column, _("the header has no such column, and every file needs it"))
        for column in REQUIRED_COLUMNS
        if column not in columns
    ]
    counts = Counter(column for column in columns if column in COLUMNS)
    problems += [
        ImportProblem(1, column, _("the header names this column %(num)d times: keep one", num=n))
        for column, n in counts.items()
        if n > 1
    ]
    return problems


def _load_lookups() -> _Lookups:
    themes, details, detail_names = {}, {}, defaultdict(list)
    for theme in db.session.scalars(select(Theme).order_by(Theme.id)):
        if theme.parent_id is None:
            themes.setdefault(_key(theme.name), (theme.id, theme.name))
        else:
            details.setdefault((theme.parent_id, _key(theme.name)), theme.id)
            detail_names[theme.parent_id].append(theme.name)
    directorate_keys = {d.id: _key(d.name) for d in db.session.scalars(select(Directorate).order_by(Directorate.id))}
    directorates: dict[str, int] = {}
    for directorate_id, key in directorate_keys.items():
        directorates.setdefault(key, directorate_id)
    areas = {}
    for area in db.session.scalars(select(ServiceArea).order_by(ServiceArea.id)):
        areas.setdefault((directorate_keys[area.directorate_id], _key(area.name)), area.id)
    timescales = {(t.process, t.stage): t.working_days for t in db.session.scalars(select(Timescale))}
    region = current_app.config["WORKING_DAY_REGION"]
    return _Lookups(themes, details, dict(detail_names), timescales, directorates, areas, region)


class _RowCheck:
    """One row's values, parsed and checked on their own; problems that need other rows come later."""

    def __init__(self, row: Row, lookups: _Lookups):
        self.row = row
        self.problems: list[ImportProblem] = []
        self.reference = self._text("case_reference", REFERENCE_LENGTH)
        self.type = self._choice("type", TYPES, required=True)
        self.directorate = self._text("directorate", NAME_LENGTH)
        self.service_area = self._text("service_area", NAME_LENGTH)
        self.received_on = self._day("received_on", required=True)
        self.responded_on = self._day("responded_on")
        self.closed_reason = self._choice("closed_reason", CLOSED_REASONS)
        self.channel = self._choice("channel", CHANNELS)
        self.language = self._language()
        # Other types must leave extended_to blank; an unknown type still gets its date checked.
        self.extended_to = self._day("extended_to") if self.type in (CaseType.COMPLAINT, None) else None
        self._check_dates_in_order()
        if self.responded_on and self.closed_reason:
            self._problem(
                "closed_reason", _("must be blank when responded_on is given: it is for closing without a response")
            )
        self.stage: PlannedStage | None = None
        if self.type == CaseType.COMPLAINT:
            self.stage = self._stage(lookups)
        elif self.type is not None:
            self._check_stage_columns_blank()

    def _problem(self, column: str, message: str) -> None:
        self.problems.append(ImportProblem(self.row.number, column, message))

    def _text(self, column: str, max_length: int) -> str | None:
        value = self.row.get(column)
        if not value:
            self._problem(column, _("is blank, and every row needs one"))
            return None
        if len(value) > max_length:
            self._problem(
                column, _("is %(length)d characters long: the most is %(most)d", length=len(value), most=max_length)
            )
            return None
        if any(unicodedata.category(ch) == "Cc" for ch in value):
            self._problem(column, _("%(value)s has a line break or another control character in it", value=repr(value)))
            return None
        return value

    def _choice(self, column: str, choices: tuple[str, ...], required: bool = False, needed_by: str = "") -> str | None:
        value = self.row.get(column)
        if not value:
            if required:
                self._problem(
                    column,
                    _(
                        "is blank, but %(needed_by)s needs one of: %(choices)s",
                        needed_by=needed_by or _("every row"),
                        choices=", ".join(choices),
                    ),
                )
            return None
        if value.lower() not in choices:
            self._problem(
                column, _("%(value)s is not one of: %(choices)s", value=repr(value), choices=", ".join(choices))
            )
            return None
        return value.lower()

    def _day(self, column: str, required: bool = False) -> date | None:
        value = self.row.get(column)
        if not value:
            if required:
                self._problem(column, _("is blank, and every row needs the date, as YYYY-MM-DD"))
            return None
        if not DATE_FORM.fullmatch(value):
            self._problem(column, _("%(value)s is not a date written as YYYY-MM-DD", value=repr(value)))
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self._problem(column, _("%(value)s is not a real date", value=repr(value)))
            return None

    def _language(self) -> str | None:
        value = self.row.get("language").replace("_", "-")
        if not value:
            return None
        if len(value) > 35 or not LANGUAGE_TAG.fullmatch(value):
            self._problem(
                "language", _("%(value)s is not a BCP 47 language tag such as en, cy or pt-BR", value=repr(value))
            )
            return None
        first, *rest = value.split("-")
        subtags = [s.upper() if len(s) == 2 else s.title() if len(s) == 4 and s.isalpha() else s.lower() for s in rest]
        return "-".join([first.lower(), *subtags])

    def _check_dates_in_order(self) -> None:
        if self.received_on is None:
            return
        for column, day in (("responded_on", self.responded_on), ("extended_to", self.extended_to)):
            if day is not None and day < self.received_on:
                self._problem(
                    column,
                    _(
                        "%(day)s is before received_on (%(received)s)",
                        day=day.isoformat(),
                        received=self.received_on.isoformat(),
                    ),
                )

    def _stage(self, lookups: _Lookups) -> PlannedStage | None:
        process = self._choice("process", PROCESSES, required=True, needed_by=_("a complaint"))
        number = self._stage_number(process)
        outcome = self._choice("outcome", OUTCOMES)
        if outcome and not self.responded_on and not self.row.get("responded_on"):
            self._problem("outcome", _("needs responded_on too: an outcome is recorded with a response"))
        theme_ids = self._themes(lookups)
        if process is None or number is None or self.received_on is None:
            return None
        days = lookups.timescales.get((process, number))
        if days is None:
            self._problem(
                "stage",
                _("no timescale is configured for %(process)s stage %(number)d", process=process, number=number),
            )
            return None
        return PlannedStage(
            row=self.row.number,
            process=process,
            number=number,
            received_on=self.received_on,
            deadline=lookups.deadline(self.received_on, days),
            extended_to=self.extended_to,
            responded_on=self.responded_on,
            outcome=outcome,
            closed_reason=self.closed_reason,
            theme_ids=theme_ids,
            channel=self.channel,
        )

    def _stage_number(self, process: str | None) -> int | None:
        value = self.row.get("stage")
        if not value:
            self._problem("stage", _("is blank, but a complaint needs one of: 1, 2, 3"))
            return None
        if value not in STAGES:
            self._problem("stage", _("%(value)s is not one of: 1, 2, 3", value=repr(value)))
            return None
        if STAGES[value] == 3 and process is not None and process != Process.CHILDRENS:
            self._problem("stage", _("stage 3 is only in the childrens process, not %(process)s", process=process))
            return None
        return STAGES[value]

    def _themes(self, lookups: _Lookups) -> tuple[int, ...]:
        theme_text, detail_text = self.row.get("theme"), self.row.get("theme_detail")
        if not theme_text:
            if detail_text:
                self._problem("theme_detail", _("needs theme too: give the top-level theme it belongs to"))
            return ()
        theme = lookups.themes.get(_key(theme_text))
        if theme is None:
            names = ", ".join(name for _id, name in sorted(lookups.themes.values(), key=lambda t: t[1]))
            self._problem(
                "theme",
                _(
                    "%(theme)s is not a configured theme; the themes are: %(names)s",
                    theme=repr(theme_text),
                    names=names,
                ),
            )
            return ()
        theme_id, theme_name = theme
        if not detail_text:
            return (theme_id,)
        detail_id = lookups.details.get((theme_id, _key(detail_text)))
        if detail_id is None:
            names = ", ".join(sorted(lookups.detail_names.get(theme_id, []))) or "none"
            self._problem(
                "theme_detail",
                _(
                    "%(detail)s is not a detail of %(theme)s; its details are: %(names)s",
                    detail=repr(detail_text),
                    theme=repr(theme_name),
                    names=names,
                ),
            )
            return ()
        return theme_id, detail_id

    def _check_stage_columns_blank(self) -> None:
        why = {"outcome": _("only complaints have an outcome"), "theme": _("only complaints have root-cause themes")}
        why["theme_detail"] = why["theme"]
        for column in STAGE_ONLY_COLUMNS:
            if self.row.get(column):
                reason = why.get(column, _("only complaints have stages"))
                kind = label(self.type, "case_type").lower()
                self._problem(column, _("must be blank for a %(type)s: %(why)s", type=kind, why=reason))


def _group_cases(checked: list[_RowCheck], problems: list[ImportProblem]) -> list[PlannedCase]:
    """Gather each reference's rows into one case, checking that they agree and that stage numbers are unique."""
    cases: dict[str, PlannedCase] = {}
    first_rows: dict[str, _RowCheck] = {}
    stage_rows: dict[tuple[str, int], int] = {}
    for check in checked:
        if check.reference is None:
            continue
        first = first_rows.get(check.reference)
        if first is None:
            first_rows[check.reference] = check
            cases[check.reference] = _case_from(check)
        else:
            _check_agreement(check, first, problems)
            case = cases[check.reference]
            case.rows.append(check.row.number)
            case.language = case.language or check.language
        if check.stage is not None:
            seen_in = stage_rows.get((check.reference, check.stage.number))
            if seen_in is not None:
                message = _(
                    "%(reference)s already has stage %(number)d, in row %(row)d",
                    reference=check.reference,
                    number=check.stage.number,
                    row=seen_in,
                )
                problems.append(ImportProblem(check.row.number, "stage", message))
            else:
                stage_rows[(check.reference, check.stage.number)] = check.row.number
                cases[check.reference].stages.append(check.stage)
    for case in cases.values():
        case.stages.sort(key=lambda stage: stage.number)
        if case.stages:
            case.received_on = min(stage.received_on for stage in case.stages)
            case.channel = case.stages[0].channel  # how the case first came in; the schema keeps no channel per stage
    return list(cases.values())


def _case_from(check: _RowCheck) -> PlannedCase:
    return PlannedCase(
        reference=check.reference,
        type=check.type or "",
        directorate=check.directorate or "",
        service_area=check.service_area or "",
        received_on=check.received_on or date.min,
        responded_on=check.responded_on,
        closed_reason=check.closed_reason,
        channel=check.channel,
        language=check.language,
        rows=[check.row.number],
    )


def _check_agreement(check: _RowCheck, first: _RowCheck, problems: list[ImportProblem]) -> None:
    here, there = check.row, first.row.number

    def disagree(column: str, mine, theirs) -> None:
        if mine is not None and theirs is not None and _key(mine) != _key(theirs):
            message = _(
                "%(mine)s differs from %(theirs)s in row %(row)d, another row of %(reference)s",
                mine=repr(mine),
                theirs=repr(theirs),
                row=there,
                reference=check.reference,
            )
            problems.append(ImportProblem(here.number, column, message))

    disagree("type", check.type, first.type)
    if check.type is not None and check.type == first.type and check.type != CaseType.COMPLAINT:
        message = _(
            "%(reference)s is already in row %(row)d: only a complaint has more than one row, one per stage",
            reference=check.reference,
            row=there,
        )
        problems.append(ImportProblem(here.number, "case_reference", message))
    disagree("directorate", check.directorate, first.directorate)
    disagree("service_area", check.service_area, first.service_area)
    disagree("language", check.language, first.language)


def _existing_references(references: list[str]) -> set[str]:
    existing = set()
    for start in range(0, len(references), LOOKUP_CHUNK):
        chunk = references[start : start + LOOKUP_CHUNK]
        existing.update(db.session.scalars(select(Case.reference).where(Case.reference.in_(chunk))))
    return existing


# Writing


def write_plan(plan: ImportPlan, source_name: str, actor_id: int | None = None) -> None:
    """Add the plan's new cases, stages, themes and events to the session in a few bulk statements; commit is yours."""
    directorates, areas = dict(plan.known_directorates), dict(plan.known_areas)
    for directorate_name, area_name in plan.new_service_areas():
        if _key(directorate_name) not in directorates:
            directorate = Directorate(name=directorate_name)
            db.session.add(directorate)
            db.session.flush()
            directorates[_key(directorate_name)] = directorate.id
        area = ServiceArea(directorate_id=directorates[_key(directorate_name)], name=area_name, active=True)
        db.session.add(area)
        db.session.flush()
        areas[(_key(directorate_name), _key(area_name))] = area.id
    cases = plan.new_cases
    # Core inserts with RETURNING run in batches; rows come back in no set order, so they are matched by key:
    # contacts by language (imported residents differ in nothing else), cases by reference, stages by number.
    placeholder = {"name": IMPORTED_NAME, "name_key": name_key(IMPORTED_NAME), "adjustments": []}  # Core: keys by hand
    contact_rows = [{**placeholder, "language": case.language or "en"} for case in cases]
    contacts_by_language = defaultdict(list)
    for contact_id, language in _insert_returning(Contact, contact_rows, "id", "language"):
        contacts_by_language[language].append(contact_id)
    case_rows = []
    for case in cases:
        status, closed_reason = case.status_and_closed_reason()
        case_rows.append(
            {
                "reference": case.reference,
                "type": case.type,
                "status": status,
                "channel": case.channel or Channel.WEB,
                "language": case.language or "en",
                "received_at": datetime.combine(case.received_on, time()),
                "received_on": case.received_on,
                "service_area_id": areas[case.area_key],
                "resident_id": contacts_by_language[case.language or "en"].pop(),
                "consent_confirmed": False,
                "description": IMPORTED_DESCRIPTION,
                "closed_reason": closed_reason,
                "version_id": 1,
            }
        )
    case_ids = dict(
        (reference, case_id) for case_id, reference in _insert_returning(Case, case_rows, "id", "reference")
    )
    stage_rows = [
        {
            **_stage_row(case_ids[case.reference], stage),
            "case_type": case.type,
            "service_area_id": areas[case.area_key],
            "top_theme_ids": top_theme_ids(stage.theme_ids[:1]),  # a row's theme is top-level; its detail is under it
        }
        for case in cases
        for stage in case.stages
    ]
    stage_ids = {
        (case_id, number): stage_id
        for stage_id, case_id, number in _insert_returning(Stage, stage_rows, "id", "case_id", "number")
    }
    links = [
        {"stage_id": stage_ids[(case_ids[case.reference], stage.number)], "theme_id": theme_id}
        for case in cases
        for stage in case.stages
        for theme_id in stage.theme_ids
    ]
    if links:
        db.session.execute(insert(stage_theme), links)
    actor_type = ActorType.STAFF if actor_id else ActorType.SYSTEM
    events = [
        {
            "case_id": case_ids[case.reference],
            "actor_type": str(actor_type),
            "actor_id": actor_id,
            "action": "case_imported",
            "detail": _event_detail(case, source_name),
        }
        for case in cases
    ]
    if events:
        db.session.execute(insert(Event.__table__), events)


def _insert_returning(model, rows: list[dict], *columns: str) -> list[tuple]:
    if not rows:
        return []
    table = model.__table__
    return [tuple(row) for row in db.session.execute(insert(table).returning(*(table.c[c] for c in columns)), rows)]


def _stage_row(case_id: int, stage: PlannedStage) -> dict:
    return {
        "case_id": case_id,
        "process": stage.process,
        "number": stage.number,
        "received_on": stage.received_on,
        "deadline": stage.deadline,
        "extended_to": stage.extended_to,
        "responded_on": stage.responded_on,
        "within_timescale": stage.within_timescale,
        "outcome": stage.outcome,
        "closed_reason": stage.closed_reason,
    }


def _event_detail(case: PlannedCase, source_name: str) -> dict:
    detail: dict = {"source": source_name, "rows": case.rows}
    if not case.stages and case.responded_on is not None:
        # Only stages have a response date; for the other types the event is where the spreadsheet's date is kept.
        detail["responded_on"] = case.responded_on.isoformat()
    return detail
