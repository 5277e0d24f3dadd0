"""Importing cases from a spreadsheet: every clause of shared/contracts/import-cases.md, through the command."""

import csv
import io
from datetime import date, datetime

import pytest
from flask_migrate import upgrade
from openpyxl import Workbook
from sqlalchemy import event, func, select

from portal.extensions import db
from portal.models import Case, Contact, Directorate, Event, ServiceArea, Stage, Timescale
from portal.models.case import stage_theme
from portal.services.importer import COLUMNS, ImportProblem, UnreadableFile, import_cases, read_rows
from portal.services.users import create_user
from tests.conftest import empty_database

VALID = {
    "case_reference": "CMP-2022-00123",
    "type": "complaint",
    "process": "corporate",
    "stage": "1",
    "received_on": "2025-06-02",
    "directorate": "Place",
    "service_area": "Waste and recycling",
}


def complaint(**values) -> dict:
    return {**VALID, **values}


def contact(case_type: str, reference: str, **values) -> dict:
    base = {key: VALID[key] for key in ("received_on", "directorate", "service_area")}
    return {**base, "case_reference": reference, "type": case_type, **values}


def write_csv(tmp_path, rows, header=COLUMNS, name="cases.csv", bom=False):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode())
    return path


def run(runner, path, *options):
    return runner.invoke(args=["import-cases", str(path), *options])


def counts(app) -> dict:
    with app.app_context():
        tables = {
            "case": Case.id,
            "stage": Stage.id,
            "contact": Contact.id,
            "event": Event.id,
            "service_area": ServiceArea.id,
            "directorate": Directorate.id,
        }
        found = {name: db.session.scalar(select(func.count(column))) for name, column in tables.items()}
        found["stage_theme"] = db.session.scalar(select(func.count()).select_from(stage_theme))
        return found


def only_case(reference: str) -> Case:
    return db.session.scalar(select(Case).filter_by(reference=reference))


def assert_refused(app, runner, path, *expected_lines):
    """Check that the file is refused whole, with exactly these problem lines, and nothing is written."""
    before = counts(app)
    result = run(runner, path)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == list(expected_lines)
    count = len(expected_lines)
    assert f"Nothing was imported: {count} problem{'' if count == 1 else 's'} to fix in {path.name}." in result.output
    assert counts(app) == before


# What a valid file imports


def test_a_complaint_with_two_stages_is_one_case_with_two_stages(app, runner, tmp_path):
    path = write_csv(
        tmp_path,
        [
            complaint(
                responded_on="2025-06-20",
                outcome="partly_upheld",
                theme="Quality of service",
                theme_detail="Delay in doing something",
                channel="email",
                language="pl",
            ),
            complaint(stage="2", received_on="2025-07-01", directorate="Place", language="pl"),
        ],
    )
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert "Imported 1 case (1 complaint) and 2 stages from cases.csv." in result.stdout
    with app.app_context():
        case = only_case("CMP-2022-00123")
        assert (case.type, case.status, case.channel, case.language) == ("complaint", "with_service", "email", "pl")
        assert case.received_on == date(2025, 6, 2)
        assert case.received_at == datetime(2025, 6, 2)
        assert case.service_area.name == "Waste and recycling" and case.service_area.directorate.name == "Place"
        assert (case.resident.name, case.resident.name_key) == ("Imported record", "imported record")  # searchable
        assert (case.resident.email, case.resident.phone, case.resident.address) == (None, None, None)
        assert case.resident.language == "pl"
        assert case.description == "Imported from a spreadsheet."
        first, second = case.stages
        assert (first.process, first.number, first.received_on) == ("corporate", 1, date(2025, 6, 2))
        assert (first.responded_on, first.outcome, first.within_timescale) == (date(2025, 6, 20), "partly_upheld", True)
        assert sorted(theme.name for theme in first.themes) == ["Delay in doing something", "Quality of service"]
        assert (second.number, second.responded_on, second.within_timescale, second.themes) == (2, None, None, [])
        events = db.session.scalars(select(Event).filter_by(case_id=case.id)).all()
        assert [(e.action, e.actor_type, e.actor_id) for e in events] == [("case_imported", "system", None)]
        assert events[0].detail == {"source": "cases.csv", "rows": [2, 3]}


def test_a_case_takes_its_status_from_its_last_stage(app, runner, tmp_path):
    path = write_csv(
        tmp_path,
        [
            complaint(case_reference="OPEN"),
            complaint(case_reference="ANSWERED", responded_on="2025-06-10", outcome="upheld"),
            complaint(case_reference="ESCALATED", responded_on="2025-06-10", outcome="not_upheld"),
            complaint(case_reference="ESCALATED", stage="2", received_on="2025-06-20"),
            complaint(case_reference="WITHDRAWN", closed_reason="withdrawn"),
        ],
    )
    assert run(runner, path).exit_code == 0
    with app.app_context():
        cases = db.session.scalars(select(Case)).all()
        assert {case.reference: (case.status, case.closed_reason) for case in cases} == {
            "OPEN": ("with_service", None),
            "ANSWERED": ("responded", None),
            "ESCALATED": ("with_service", None),
            "WITHDRAWN": ("closed", "withdrawn"),
        }
        assert only_case("WITHDRAWN").stages[0].closed_reason == "withdrawn"


def test_compliments_suggestions_service_requests_and_signposted_contacts_have_no_stages(app, runner, tmp_path):
    path = write_csv(
        tmp_path,
        [
            contact("compliment", "CPL-1"),
            contact("suggestion", "SUG-1", channel="letter"),
            contact("service_request", "SRQ-1", responded_on="2025-06-05"),
            contact("service_request", "SRQ-2", closed_reason="duplicate"),
            contact("signposted", "SGN-1"),
        ],
    )
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    expected = "Imported 5 cases (1 compliment, 2 service requests, 1 signposted contact, 1 suggestion) and 0 stages"
    assert expected in result.stdout
    with app.app_context():
        cases = {case.reference: case for case in db.session.scalars(select(Case))}
        assert {ref: (c.type, c.status, c.closed_reason, c.channel) for ref, c in cases.items()} == {
            "CPL-1": ("compliment", "with_service", None, "web"),
            "SUG-1": ("suggestion", "with_service", None, "letter"),
            "SRQ-1": ("service_request", "responded", None, "web"),
            "SRQ-2": ("service_request", "closed", "duplicate", "web"),
            "SGN-1": ("signposted", "closed", None, "web"),
        }
        assert all(case.stages == [] and case.language == "en" for case in cases.values())
        detail = db.session.scalar(select(Event.detail).where(Event.case_id == cases["SRQ-1"].id))
        assert detail == {"source": "cases.csv", "rows": [4], "responded_on": "2025-06-05"}


def test_stage_3_exists_for_childrens_complaints(app, runner, tmp_path):
    rows = [
        complaint(process="childrens", stage=str(n), received_on=f"2025-0{5 + n}-02", directorate="Children's")
        for n in (1, 2, 3)
    ]
    path = write_csv(tmp_path, [{**row, "service_area": "Children's social care"} for row in rows])
    assert run(runner, path).exit_code == 0
    with app.app_context():
        case = only_case("CMP-2022-00123")
        assert [(s.process, s.number) for s in case.stages] == [("childrens", 1), ("childrens", 2), ("childrens", 3)]
        assert case.received_on == date(2025, 6, 2)


def test_channel_defaults_to_web_and_language_to_en_and_tags_are_tidied(app, runner, tmp_path):
    path = write_csv(
        tmp_path,
        [
            complaint(case_reference="A"),
            complaint(case_reference="B", language="PT_br", channel="In_Person"),
            complaint(case_reference="C", language="zh-hant-HK", channel="webchat"),
        ],
    )
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    with app.app_context():
        found = {ref: (only_case(ref).channel, only_case(ref).language) for ref in "ABC"}
        assert found == {"A": ("web", "en"), "B": ("in_person", "pt-BR"), "C": ("webchat", "zh-Hant-HK")}
        assert only_case("B").resident.language == "pt-BR"


def test_a_stage_may_differ_in_channel_and_the_case_keeps_the_first(app, runner, tmp_path):
    path = write_csv(
        tmp_path,
        [complaint(stage="2", received_on="2025-07-01", channel="phone"), complaint(channel="email")],
    )
    assert run(runner, path).exit_code == 0
    with app.app_context():
        assert only_case("CMP-2022-00123").channel == "email"


def test_themes_and_service_areas_are_matched_ignoring_case_and_spaces(app, runner, tmp_path):
    with app.app_context():
        areas_before = db.session.scalar(select(func.count(ServiceArea.id)))
    path = write_csv(
        tmp_path,
        [
            complaint(
                directorate=" place ",
                service_area="WASTE AND  recycling",
                theme="COMMUNICATION",
                theme_detail="lack of contact",
            )
        ],
    )
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert "service area" not in result.stdout
    with app.app_context():
        case = only_case("CMP-2022-00123")
        assert case.service_area.name == "Waste and recycling"
        assert sorted(t.name for t in case.stages[0].themes) == ["Communication", "Lack of contact"]
        assert db.session.scalar(select(func.count(ServiceArea.id))) == areas_before


def test_a_new_directorate_and_service_area_pair_is_created_once(app, runner, tmp_path):
    path = write_csv(
        tmp_path,
        [
            complaint(case_reference="A", directorate="Education", service_area="School admissions"),
            complaint(case_reference="B", directorate="education", service_area="school admissions"),
            complaint(case_reference="C", directorate="Place", service_area="Parks"),
        ],
    )
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert "Created service area Education / School admissions." in result.stdout
    assert "Created service area Place / Parks." in result.stdout
    with app.app_context():
        assert only_case("A").service_area_id == only_case("B").service_area_id
        assert only_case("C").service_area.directorate.name == "Place"
        assert db.session.scalar(select(func.count(Directorate.id)).filter_by(name="Place")) == 1
        assert db.session.scalar(select(func.count(ServiceArea.id)).filter_by(name="School admissions")) == 1


# The file: CSV with or without a byte-order mark, columns in any order, extra columns, XLSX


@pytest.mark.parametrize("bom", [True, False])
def test_a_csv_file_may_start_with_a_byte_order_mark(app, runner, tmp_path, bom):
    path = write_csv(tmp_path, [complaint()], bom=bom)  # case_reference is the first column, right after the mark
    assert path.read_bytes().startswith(b"\xef\xbb\xbfcase_reference") is bom
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert "Imported 1 case" in result.stdout


def test_columns_may_come_in_any_order_and_extra_columns_are_ignored(app, runner, tmp_path):
    header = ["Notes", "service_area", "received_on", "stage", "type", "directorate", "process", "case_reference"]
    row = {**complaint(), "Notes": "called twice"}
    result = run(runner, write_csv(tmp_path, [row], header=header))
    assert result.exit_code == 0, result.output
    with app.app_context():
        case = only_case("CMP-2022-00123")
        assert (case.received_on, case.service_area.name, case.stages[0].process) == (
            date(2025, 6, 2),
            "Waste and recycling",
            "corporate",
        )


def test_header_names_are_matched_ignoring_case_and_spacing(app, runner, tmp_path):
    header = ["Case Reference", "TYPE", "process", "stage", "Received-On", "directorate", "Service area"]
    path = tmp_path / "cases.csv"
    path.write_text(",".join(header) + "\n" + ",".join(complaint()[c] for c in COLUMNS[:7]) + "\n")
    assert run(runner, path).exit_code == 0


def test_an_xlsx_file_is_read_from_its_first_sheet(app, runner, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["received_on", "case_reference", "type", "process", "stage", "directorate", "service_area", "x"])
    sheet.append([datetime(2025, 6, 2), "CMP-X1", "complaint", "corporate", 1, "Place", "Libraries", 3.5])
    sheet.append([date(2025, 7, 1), "CMP-X1", "complaint", "corporate", 2.0, "Place", "Libraries", None])
    sheet.append([])
    sheet.append(["2025-06-03", "CPL-X1", "compliment", None, None, "Place", "Libraries", None])
    other = workbook.create_sheet("Notes")
    other.append(["not", "the", "cases"])
    path = tmp_path / "cases.xlsx"
    workbook.save(path)
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert "Imported 2 cases (1 complaint, 1 compliment) and 2 stages from cases.xlsx." in result.stdout
    with app.app_context():
        assert [s.received_on for s in only_case("CMP-X1").stages] == [date(2025, 6, 2), date(2025, 7, 1)]
        assert only_case("CPL-X1").received_on == date(2025, 6, 3)


def test_an_xlsx_file_reports_problems_at_its_own_row_numbers(app, runner, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    sheet.append([VALID.get(c, "") for c in COLUMNS])
    sheet.append([])
    sheet.append([{**VALID, "case_reference": "B", "stage": 4}.get(c) for c in COLUMNS])
    sheet.append([{**VALID, "case_reference": "C", "received_on": datetime(2025, 6, 2, 9, 30)}.get(c) for c in COLUMNS])
    path = tmp_path / "cases.xlsx"
    workbook.save(path)
    assert_refused(
        app,
        runner,
        path,
        "row 4, column stage: '4' is not one of: 1, 2, 3",
        "row 5, column received_on: '2025-06-02 09:30:00' is not a date written as YYYY-MM-DD",
    )


def test_row_numbers_count_the_header_as_row_1_and_blank_rows_are_skipped(app, runner, tmp_path):
    path = tmp_path / "cases.csv"
    lines = [",".join(COLUMNS[:7]) + ",notes"]
    lines.append('CMP-1,complaint,corporate,1,2025-06-02,Place,Libraries,"called\ntwice"')  # one row over two lines
    lines.append(",,,,,,,")
    lines.append("CMP-2,complaint,corporate,9,2025-06-02,Place,Libraries,")
    path.write_text("\n".join(lines) + "\n")
    assert_refused(app, runner, path, "row 4, column stage: '9' is not one of: 1, 2, 3")


# All or nothing: one line per problem, at row N and column C


CASE_TYPES = "complaint, compliment, suggestion, service_request, signposted"
THEMES = "Communication, Payment or disputed charges, Policy or procedure, Quality of service, Staff conduct"


@pytest.mark.parametrize(
    ("values", "column", "message"),
    [
        ({"case_reference": ""}, "case_reference", "is blank, and every row needs one"),
        ({"case_reference": "X" * 41}, "case_reference", "is 41 characters long: the most is 40"),
        (
            {"case_reference": "CMP\x001"},
            "case_reference",
            "'CMP\\x001' has a line break or another control character in it",
        ),
        (
            {"service_area": "Waste\nrecycling"},
            "service_area",
            "'Waste\\nrecycling' has a line break or another control character in it",
        ),
        ({"type": ""}, "type", f"is blank, but every row needs one of: {CASE_TYPES}"),
        ({"type": "complaints"}, "type", f"'complaints' is not one of: {CASE_TYPES}"),
        ({"process": ""}, "process", "is blank, but a complaint needs one of: corporate, childrens, adults"),
        ({"process": "statutory"}, "process", "'statutory' is not one of: corporate, childrens, adults"),
        ({"stage": ""}, "stage", "is blank, but a complaint needs one of: 1, 2, 3"),
        ({"stage": "Stage 1"}, "stage", "'Stage 1' is not one of: 1, 2, 3"),
        ({"stage": "3"}, "stage", "stage 3 is only in the childrens process, not corporate"),
        ({"stage": "3", "process": "adults"}, "stage", "stage 3 is only in the childrens process, not adults"),
        ({"received_on": ""}, "received_on", "is blank, and every row needs the date, as YYYY-MM-DD"),
        ({"received_on": "02/06/2025"}, "received_on", "'02/06/2025' is not a date written as YYYY-MM-DD"),
        ({"received_on": "20250602"}, "received_on", "'20250602' is not a date written as YYYY-MM-DD"),
        ({"received_on": "2025-02-30"}, "received_on", "'2025-02-30' is not a real date"),
        ({"directorate": ""}, "directorate", "is blank, and every row needs one"),
        ({"directorate": "D" * 121}, "directorate", "is 121 characters long: the most is 120"),
        ({"service_area": ""}, "service_area", "is blank, and every row needs one"),
        ({"service_area": "S" * 121}, "service_area", "is 121 characters long: the most is 120"),
        ({"responded_on": "June 20"}, "responded_on", "'June 20' is not a date written as YYYY-MM-DD"),
        ({"responded_on": "2025-06-01"}, "responded_on", "2025-06-01 is before received_on (2025-06-02)"),
        ({"extended_to": "2025-13-01"}, "extended_to", "'2025-13-01' is not a real date"),
        ({"extended_to": "2025-05-30"}, "extended_to", "2025-05-30 is before received_on (2025-06-02)"),
        (
            {"outcome": "upheld"},
            "outcome",
            "needs responded_on too: an outcome is recorded with a response",
        ),
        (
            {"outcome": "resolved", "responded_on": "2025-06-03"},
            "outcome",
            "'resolved' is not one of: upheld, partly_upheld, not_upheld",
        ),
        ({"closed_reason": "resolved"}, "closed_reason", "'resolved' is not one of: withdrawn, duplicate, out_of_time"),
        (
            {"closed_reason": "withdrawn", "responded_on": "2025-06-03"},
            "closed_reason",
            "must be blank when responded_on is given: it is for closing without a response",
        ),
        ({"theme": "Bins"}, "theme", f"'Bins' is not a configured theme; the themes are: {THEMES}"),
        (
            {"theme": "Staff conduct", "theme_detail": "Lack of contact"},
            "theme_detail",
            "'Lack of contact' is not a detail of 'Staff conduct'; its details are: "
            "Inappropriate behaviour, Poor staff attitude, Refusal to assist",
        ),
        (
            {"theme_detail": "Lack of contact"},
            "theme_detail",
            "needs theme too: give the top-level theme it belongs to",
        ),
        ({"channel": "fax"}, "channel", "'fax' is not one of: web, email, phone, letter, in_person, webchat"),
        ({"language": "e"}, "language", "'e' is not a BCP 47 language tag such as en, cy or pt-BR"),
        ({"language": "en GB"}, "language", "'en GB' is not a BCP 47 language tag such as en, cy or pt-BR"),
        (
            {"language": "en-" + "a" * 33},
            "language",
            f"'en-{'a' * 33}' is not a BCP 47 language tag such as en, cy or pt-BR",
        ),
    ],
)
def test_each_bad_value_is_reported_at_its_row_and_column(app, runner, tmp_path, values, column, message):
    path = write_csv(tmp_path, [complaint(case_reference="GOOD"), complaint(**values)])
    assert_refused(app, runner, path, f"row 3, column {column}: {message}")


@pytest.mark.parametrize(
    ("values", "column", "message"),
    [
        ({"process": "corporate"}, "process", "must be blank for a compliment: only complaints have stages"),
        ({"stage": "1"}, "stage", "must be blank for a compliment: only complaints have stages"),
        ({"extended_to": "2025-07-01"}, "extended_to", "must be blank for a compliment: only complaints have stages"),
        ({"outcome": "upheld"}, "outcome", "must be blank for a compliment: only complaints have an outcome"),
        (
            {"theme": "Communication"},
            "theme",
            "must be blank for a compliment: only complaints have root-cause themes",
        ),
    ],
)
def test_stage_columns_must_be_blank_for_other_types(app, runner, tmp_path, values, column, message):
    path = write_csv(tmp_path, [contact("compliment", "CPL-1", **values)])
    assert_refused(app, runner, path, f"row 2, column {column}: {message}")


def test_every_problem_of_every_row_is_listed_in_order(app, runner, tmp_path):
    path = write_csv(
        tmp_path,
        [
            complaint(stage="3", theme="Bins"),
            complaint(case_reference="FINE"),
            contact("signposted", "", received_on="yesterday", language="??"),
        ],
    )
    assert_refused(
        app,
        runner,
        path,
        "row 2, column stage: stage 3 is only in the childrens process, not corporate",
        f"row 2, column theme: 'Bins' is not a configured theme; the themes are: {THEMES}",
        "row 4, column case_reference: is blank, and every row needs one",
        "row 4, column received_on: 'yesterday' is not a date written as YYYY-MM-DD",
        "row 4, column language: '??' is not a BCP 47 language tag such as en, cy or pt-BR",
    )


def test_the_rows_of_one_complaint_must_agree(app, runner, tmp_path):
    path = write_csv(
        tmp_path,
        [
            complaint(language="cy"),
            complaint(stage="2", type="compliment", process="", directorate="Exchequer"),
            complaint(stage="2", service_area="Libraries", language="en"),
            complaint(stage="1", received_on="2025-06-09"),
        ],
    )
    other = "another row of CMP-2022-00123"
    assert_refused(
        app,
        runner,
        path,
        f"row 3, column type: 'compliment' differs from 'complaint' in row 2, {other}",
        "row 3, column stage: must be blank for a compliment: only complaints have stages",
        f"row 3, column directorate: 'Exchequer' differs from 'Place' in row 2, {other}",
        f"row 4, column service_area: 'Libraries' differs from 'Waste and recycling' in row 2, {other}",
        f"row 4, column language: 'en' differs from 'cy' in row 2, {other}",
        "row 5, column stage: CMP-2022-00123 already has stage 1, in row 2",
    )


def test_only_a_complaint_has_more_than_one_row(app, runner, tmp_path):
    path = write_csv(tmp_path, [contact("suggestion", "SUG-1"), contact("suggestion", "SUG-1")])
    assert_refused(
        app,
        runner,
        path,
        "row 3, column case_reference: SUG-1 is already in row 2: "
        "only a complaint has more than one row, one per stage",
    )


@pytest.mark.parametrize("missing", ["case_reference", "type", "received_on", "directorate", "service_area"])
def test_a_required_column_missing_from_the_header_is_reported_at_row_1(app, runner, tmp_path, missing):
    header = [column for column in COLUMNS if column != missing]
    path = write_csv(tmp_path, [complaint()], header=header)
    assert_refused(
        app, runner, path, f"row 1, column {missing}: the header has no such column, and every file needs it"
    )


def test_optional_columns_may_be_left_out_of_the_header(app, runner, tmp_path):
    path = write_csv(tmp_path, [contact("compliment", "CPL-1")], header=COLUMNS[:1] + COLUMNS[4:7] + ("type",))
    assert run(runner, path).exit_code == 0


def test_a_complaint_in_a_file_without_process_and_stage_columns_is_refused(app, runner, tmp_path):
    path = write_csv(tmp_path, [complaint()], header=[c for c in COLUMNS if c not in ("process", "stage")])
    assert_refused(
        app,
        runner,
        path,
        "row 2, column process: is blank, but a complaint needs one of: corporate, childrens, adults",
        "row 2, column stage: is blank, but a complaint needs one of: 1, 2, 3",
    )


def test_a_column_named_twice_in_the_header_is_refused(app, runner, tmp_path):
    path = write_csv(tmp_path, [complaint()], header=[*COLUMNS, "Theme"])
    assert_refused(app, runner, path, "row 1, column theme: the header names this column 2 times: keep one")


def test_a_stage_without_a_configured_timescale_is_refused(app, runner, tmp_path):
    with app.app_context():
        db.session.execute(Timescale.__table__.delete().where(Timescale.process == "adults", Timescale.stage == 2))
        db.session.commit()
    path = write_csv(tmp_path, [complaint(process="adults", stage="2")])
    assert_refused(app, runner, path, "row 2, column stage: no timescale is configured for adults stage 2")


# Files that cannot be read


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cases.txt", b"case_reference\n", "cases.txt is not a .csv or .xlsx file"),
        ("cases.xls", b"\xd0\xcf\x11\xe0", "cases.xls is not a .csv or .xlsx file"),
        ("cases.csv", b"", "cases.csv has no header in row 1"),
        ("cases.csv", b"\n\ncase_reference,type\n", "cases.csv has no header in row 1"),
        ("cases.csv", "case_reference,type\nCMP-\u00e9,complaint\n".encode("cp1252"), "cases.csv is not UTF-8 text"),
        ("cases.csv", b"case_reference,type\nCMP," + b"x" * 200_000 + b"\n", "cases.csv cannot be read as CSV"),
        ("cases.xlsx", b"this is not a workbook", "cases.xlsx cannot be read as an XLSX workbook"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_clear_error(app, runner, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    before = counts(app)
    result = run(runner, path)
    assert result.exit_code == 1
    assert f"Error: {message}" in result.output
    assert counts(app) == before


def test_a_file_that_does_not_exist_is_a_clear_error(app, runner, tmp_path):
    result = run(runner, tmp_path / "missing.csv")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_a_header_with_no_rows_imports_nothing_and_says_so(app, runner, tmp_path):
    result = run(runner, write_csv(tmp_path, []))
    assert result.exit_code == 0
    assert "Nothing imported: cases.csv has no rows below its header." in result.stdout


# Dry run, importing twice, importing a file that is partly imported already


def test_a_dry_run_reports_what_it_would_import_and_writes_nothing(app, runner, tmp_path):
    path = write_csv(
        tmp_path,
        [
            complaint(theme="Communication"),
            complaint(stage="2", received_on="2025-07-01"),
            contact("compliment", "CPL-1", directorate="Education", service_area="School admissions"),
        ],
    )
    before = counts(app)
    result = run(runner, path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Would import 2 cases (1 complaint, 1 compliment) and 2 stages from cases.csv.",
        "Would create service area Education / School admissions.",
        "This was a dry run: nothing was written.",
    ]
    assert counts(app) == before


def test_a_dry_run_of_an_invalid_file_lists_the_problems_and_fails(app, runner, tmp_path):
    path = write_csv(tmp_path, [complaint(type="complain")])
    result = run(runner, path, "--dry-run")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"row 2, column type: 'complain' is not one of: {CASE_TYPES}"]


def test_importing_the_same_file_twice_imports_nothing_the_second_time(app, runner, tmp_path):
    path = write_csv(
        tmp_path, [complaint(), complaint(stage="2", received_on="2025-07-01"), contact("compliment", "C")]
    )
    first = run(runner, path)
    assert first.exit_code == 0
    after_first = counts(app)
    second = run(runner, path)
    assert second.exit_code == 0
    assert second.stdout.splitlines() == ["Nothing imported: all 2 cases in cases.csv already exist."]
    assert counts(app) == after_first


def test_a_file_that_is_partly_imported_already_imports_only_the_new_cases(app, runner, tmp_path):
    assert run(runner, write_csv(tmp_path, [complaint()], name="first.csv")).exit_code == 0
    path = write_csv(
        tmp_path,
        [complaint(), complaint(stage="2", received_on="2025-07-01"), contact("compliment", "CPL-9")],
        name="later.csv",
    )
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Imported 1 case (1 compliment) and 0 stages from later.csv.",
        "Skipped 1 case whose case_reference already exists.",
    ]
    with app.app_context():
        assert len(only_case("CMP-2022-00123").stages) == 1
        assert db.session.scalar(select(func.count(Case.id))) == 2


def test_a_reference_taken_while_the_import_runs_stops_it_without_writing(app, runner, tmp_path, monkeypatch):
    path = write_csv(tmp_path, [contact("compliment", "CPL-NEW"), complaint()])
    assert run(runner, write_csv(tmp_path, [complaint()], name="first.csv")).exit_code == 0
    before = counts(app)
    # As if another import added CMP-2022-00123 between this one's check and its write: the unique reference holds.
    monkeypatch.setattr("portal.services.importer._existing_references", lambda references: set())
    result = run(runner, path)
    assert result.exit_code == 1
    assert "Error: something else added some of the same cases or service areas meanwhile" in result.output
    assert counts(app) == before


def test_rows_of_a_case_that_exists_are_still_checked(app, runner, tmp_path):
    assert run(runner, write_csv(tmp_path, [complaint()], name="first.csv")).exit_code == 0
    path = write_csv(tmp_path, [complaint(stage="7")], name="again.csv")
    assert_refused(app, runner, path, "row 2, column stage: '7' is not one of: 1, 2, 3")


# Deadlines and responding within timescale


def stage_of(reference: str) -> Stage:
    return only_case(reference).stages[0]


def test_the_deadline_skips_weekends_and_english_bank_holidays(app, runner, tmp_path):
    # Corporate Stage 1 is 20 working days. From Thursday 24 December 2026, not counting that day, skipping
    # Christmas Day, the Boxing Day substitute (Monday 28th) and New Year's Day: Tuesday 26 January 2027.
    # Weekends alone would give 21 January.
    path = write_csv(
        tmp_path,
        [
            complaint(case_reference="XMAS", received_on="2026-12-24"),
            # Children's Stage 1 is 10 working days; Good Friday and Easter Monday 2026 are skipped.
            complaint(case_reference="EASTER", process="childrens", received_on="2026-03-31"),
        ],
    )
    assert run(runner, path).exit_code == 0
    with app.app_context():
        assert stage_of("XMAS").deadline == date(2027, 1, 26)
        assert stage_of("XMAS").extended_to is None
        assert stage_of("EASTER").deadline == date(2026, 4, 16)


def test_the_deadline_follows_the_configured_calendar_and_timescale(make_app, tmp_path):
    app = make_app(WORKING_DAY_REGION="GB-SCT")
    with app.app_context():
        db.session.scalar(select(Timescale).filter_by(process="adults", stage=1)).working_days = 5
        db.session.commit()
    path = write_csv(
        tmp_path,
        [
            complaint(case_reference="XMAS", received_on="2026-12-24"),  # Scotland also has 2 January (so the 4th)
            complaint(case_reference="ADULTS", process="adults", received_on="2025-06-02"),
        ],
    )
    assert run(app.test_cli_runner(), path).exit_code == 0
    with app.app_context():
        assert stage_of("XMAS").deadline == date(2027, 1, 27)
        assert stage_of("ADULTS").deadline == date(2025, 6, 9)


def test_responded_within_timescale_is_on_or_before_the_deadline(app, runner, tmp_path):
    # Monday 2 June 2025 + 20 working days = Monday 30 June 2025.
    path = write_csv(
        tmp_path,
        [
            complaint(case_reference="ON-THE-DAY", responded_on="2025-06-30", outcome="upheld"),
            complaint(case_reference="DAY-AFTER", responded_on="2025-07-01", outcome="upheld"),
            complaint(case_reference="SAME-DAY", responded_on="2025-06-02"),
            complaint(case_reference="OPEN"),
        ],
    )
    assert run(runner, path).exit_code == 0
    with app.app_context():
        assert {ref: (stage_of(ref).deadline, stage_of(ref).within_timescale) for ref in ("ON-THE-DAY", "OPEN")} == {
            "ON-THE-DAY": (date(2025, 6, 30), True),
            "OPEN": (date(2025, 6, 30), None),
        }
        assert stage_of("DAY-AFTER").within_timescale is False
        assert stage_of("SAME-DAY").within_timescale is True


def test_an_extended_deadline_replaces_the_computed_one(app, runner, tmp_path):
    extended = {"extended_to": "2025-07-28"}
    path = write_csv(
        tmp_path,
        [
            complaint(case_reference="ON-EXTENSION", responded_on="2025-07-28", **extended),
            complaint(case_reference="AFTER-EXTENSION", responded_on="2025-07-29", **extended),
            complaint(case_reference="SHORTENED", responded_on="2025-06-20", extended_to="2025-06-13"),
        ],
    )
    assert run(runner, path).exit_code == 0
    with app.app_context():
        stage = stage_of("ON-EXTENSION")
        assert (stage.deadline, stage.extended_to, stage.due_on) == (
            date(2025, 6, 30),
            date(2025, 7, 28),
            date(2025, 7, 28),
        )
        assert stage.within_timescale is True
        assert stage_of("AFTER-EXTENSION").within_timescale is False
        assert stage_of("SHORTENED").within_timescale is False


# A freshly migrated database, the service's own interface, and volume


def test_it_works_on_a_freshly_migrated_database(app, runner, tmp_path):
    with app.app_context():
        empty_database()
        upgrade()
        assert db.session.scalar(select(func.count(Directorate.id))) == 0
        db.session.close()
    path = write_csv(
        tmp_path,
        [
            complaint(theme="Payment or disputed charges", theme_detail="Disagrees with charges"),
            complaint(stage="2", received_on="2025-07-01", responded_on="2025-07-20", outcome="not_upheld"),
            contact("compliment", "CPL-1", directorate="Place", service_area="Libraries"),
        ],
    )
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert "Imported 2 cases (1 complaint, 1 compliment) and 2 stages from cases.csv." in result.stdout
    assert "Created service area Place / Waste and recycling." in result.stdout
    with app.app_context():
        case = only_case("CMP-2022-00123")
        assert [t.name for t in case.stages[0].themes] == ["Disagrees with charges", "Payment or disputed charges"]
        assert case.stages[1].within_timescale is True
        assert case.status == "responded"
        assert db.session.scalar(select(func.count(Directorate.id))) == 1
        db.session.close()
        empty_database()
        db.create_all()


def test_the_service_reads_an_uploaded_stream_and_records_who_imported(app, tmp_path):
    with app.app_context():
        manager = create_user("manager@example.gov.uk", "manager", "a long enough password")
        path = write_csv(tmp_path, [complaint()])
        report = import_cases(io.BytesIO(path.read_bytes()), "upload.csv", actor_id=manager.id)
        assert report.ok and (report.cases, report.stages, report.skipped) == (1, 1, 0)
        assert report.summary() == ["Imported 1 case (1 complaint) and 1 stage from upload.csv."]
        recorded = db.session.scalar(select(Event).filter_by(action="case_imported"))
        assert (recorded.actor_type, recorded.actor_id) == ("staff", manager.id)
        again = import_cases(io.BytesIO(path.read_bytes()), "upload.csv")
        assert (again.cases, again.skipped) == (0, 1)
        assert str(ImportProblem(2, "type", "is blank")) == "row 2, column type: is blank"
        with pytest.raises(UnreadableFile):
            read_rows(io.BytesIO(b"a,b\n"), None)


def test_ten_thousand_rows_import_in_a_few_bulk_statements(app, runner, tmp_path):
    rows = []
    for n in range(3000):
        responded = {"responded_on": "2025-06-30", "outcome": "upheld", "theme": "Communication"}
        rows.append(complaint(case_reference=f"CMP-{n:05d}", **responded))
        rows.append(complaint(case_reference=f"CMP-{n:05d}", stage="2", received_on="2025-07-07"))
    rows += [contact("service_request", f"SRQ-{n:05d}", received_on="2025-05-01") for n in range(4000)]
    path = write_csv(tmp_path, rows)
    statements = []
    with app.app_context():
        engine = db.engine

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        result = run(runner, path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert result.exit_code == 0, result.output
    assert "Imported 7000 cases (3000 complaints, 4000 service requests) and 6000 stages" in result.stdout
    # Lookups, a few batches per table and the commit: far fewer statements than rows.
    assert len(statements) < 200
    with app.app_context():
        assert db.session.scalar(select(func.count(Stage.id)).where(Stage.within_timescale.is_(True))) == 3000
        assert db.session.scalar(select(func.count()).select_from(stage_theme)) == 3000
        assert db.session.scalar(select(func.count(Event.id)).filter_by(action="case_imported")) == 7000


def test_a_manager_uploads_a_spreadsheet_and_sees_the_same_report(app):
    import io

    from tests.staff import staff_client

    manager = staff_client(app, "manager")
    page = manager.get("/staff/import")
    from tests.conftest import csrf_token

    token = csrf_token(page)
    good = (
        b"case_reference,type,process,stage,received_on,directorate,service_area\n"
        b"UP-1,complaint,corporate,1,2025-05-01,Place,Waste and recycling\n"
    )
    bad = b"case_reference,type,received_on,directorate,service_area\nUP-2,rant,2025-05-01,Place,Libraries\n"
    html = manager.post(
        "/staff/import",
        data={"csrf_token": token, "spreadsheet": (io.BytesIO(bad), "bad.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Nothing was imported" in html
    assert "row 2, column type" in html
    html = manager.post(
        "/staff/import",
        data={"csrf_token": token, "spreadsheet": (io.BytesIO(good), "good.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Imported 1 case" in html
    empty = manager.post("/staff/import", data={"csrf_token": token}, content_type="multipart/form-data")
    assert "Choose a spreadsheet to import" in empty.get_data(as_text=True)
    officer = staff_client(app, "officer")
    assert officer.get("/staff/import").status_code == 403
