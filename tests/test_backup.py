"""Backups and the restore drill, on SQLite (a file, as in production) or the PostgreSQL in TEST_DATABASE_URL."""

import json
import os
import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select, update
from sqlalchemy.engine import make_url

from portal.extensions import db
from portal.models import Attachment, Case, Event
from portal.services import backup as backup_service
from portal.services.organisation import ensure_default_themes
from portal.services.retention import ANONYMISED
from portal.services.timescales import ensure_default_timescales
from tests import files
from tests import test_personal_data as personal_data
from tests.builders import build_service_areas
from tests.conftest import empty_database
from tests.journey import lodge
from tests.staff import staff_client
from tests.test_retention import DESCRIPTION, lodge_with_evidence
from tests.uploads_helpers import lodge_with_file


@pytest.fixture
def app(make_app, tmp_path):
    if os.environ.get("TEST_DATABASE_URL"):
        return make_app()
    return make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'portal.db'}")


@pytest.fixture
def uploads(tmp_path) -> Path:
    return tmp_path / "uploads"


def _on_sqlite(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def _lodge_cases(client, count: int, first: int = 0) -> list[str]:
    """Lodge cases with a PDF each (its bytes told apart by a comment) and, on the first, a photo as well."""
    references = []
    for n in range(first, first + count):
        evidence = [(f"letter-{n}.pdf", files.pdf() + f"% letter {n}\n".encode())]
        if n == first:
            evidence.append(("photo.png", files.png()))
        references.append(lodge_with_file(client, *evidence))
    return references


def _snapshot(app, uploads: Path) -> tuple[dict, dict]:
    """Every row of every table, in key order, and every evidence file's bytes."""
    with app.app_context():
        tables = {
            table.name: [tuple(row) for row in db.session.execute(select(table).order_by(*table.primary_key.columns))]
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
    stored = {str(p.relative_to(uploads)): p.read_bytes() for p in uploads.rglob("*") if p.is_file()}
    return tables, stored


def _backup(runner, destination: Path):
    result = runner.invoke(args=["backup", str(destination)])
    assert result.exit_code == 0, result.output
    return result


def _change_everything(app, client, uploads: Path) -> None:
    """After the backup: lodge another case with evidence, edit a reference, lose an evidence file."""
    _lodge_cases(client, 1, first=10)
    with app.app_context():
        first_case = db.session.scalar(select(Case).order_by(Case.id))
        db.session.execute(update(Case).where(Case.id == first_case.id).values(reference="CHANGED-AFTER-BACKUP"))
        lost = db.session.scalar(select(Attachment.stored_name).order_by(Attachment.id))
        db.session.commit()
        db.session.remove()
    (uploads / lost).unlink()


def _restore_onto_a_new_server(app, runner, uploads: Path, backup: Path):
    """Empty the database (as after creating it afresh), lose the evidence folder, then restore the backup."""
    with app.app_context():
        empty_database()
        db.session.remove()
    shutil.rmtree(uploads)
    result = runner.invoke(args=["restore", str(backup)])
    assert result.exit_code == 0, result.output
    return result


def test_the_restore_drill_brings_back_the_database_and_files_as_they_were(app, client, runner, uploads, tmp_path):
    references = _lodge_cases(client, 3)
    before = _snapshot(app, uploads)
    result = _backup(runner, tmp_path / "backup")
    assert "4 evidence files" in result.output
    _change_everything(app, client, uploads)
    assert _snapshot(app, uploads) != before

    # The server is lost: an empty database (as after creating it afresh) and no evidence folder.
    _restore_onto_a_new_server(app, runner, uploads, tmp_path / "backup")

    after = _snapshot(app, uploads)
    assert after == before
    tables, stored = after
    with app.app_context():
        assert sorted(db.session.scalars(select(Case.reference))) == sorted(references)
        assert db.session.scalar(select(func.count(Attachment.id))) == 4
        for attachment in db.session.scalars(select(Attachment)):
            magic = b"%PDF" if attachment.content_type == "application/pdf" else b"\x89PNG"
            assert stored[attachment.stored_name].startswith(magic)
        letter = db.session.scalar(select(Attachment).where(Attachment.original_name == "letter-1.pdf"))
        assert stored[letter.stored_name] == files.pdf() + b"% letter 1\n"
        db.session.remove()
    # The portal carries on after a restore: new cases get new ids (PostgreSQL's sequences came back too).
    assert lodge(client) not in references


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(app, client, runner, uploads, tmp_path):
    _lodge_cases(client, 2)
    before = _snapshot(app, uploads)
    _backup(runner, tmp_path / "backup")
    _change_everything(app, client, uploads)
    changed = _snapshot(app, uploads)

    refused = runner.invoke(args=["restore", str(tmp_path / "backup")])
    assert refused.exit_code != 0
    assert "not empty" in refused.output and "--force" in refused.output
    assert _snapshot(app, uploads) == changed

    forced = runner.invoke(args=["restore", str(tmp_path / "backup"), "--force"])
    assert forced.exit_code == 0, forced.output
    assert _snapshot(app, uploads) == before


def test_restore_refuses_a_non_empty_evidence_folder_unless_forced(app, client, runner, uploads, tmp_path):
    _lodge_cases(client, 1)
    _backup(runner, tmp_path / "backup")
    with app.app_context():
        empty_database()
        db.session.remove()
    refused = runner.invoke(args=["restore", str(tmp_path / "backup")])
    assert refused.exit_code != 0
    assert "evidence folder" in refused.output
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []


def test_a_backup_is_refused_into_a_folder_that_is_not_empty_and_a_damaged_one_is_not_restored(
    app, client, runner, uploads, tmp_path
):
    _lodge_cases(client, 1)
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "old").write_text("an older backup")
    refused = runner.invoke(args=["backup", str(tmp_path / "used")])
    assert refused.exit_code != 0 and "not empty" in refused.output

    _backup(runner, tmp_path / "backup")
    assert not list(tmp_path.glob(".backup.*.incomplete"))
    database_file = next((tmp_path / "backup").glob("database.*"))
    with database_file.open("r+b") as file:
        file.seek(200)
        file.write(b"damage")
    damaged = runner.invoke(args=["restore", str(tmp_path / "backup"), "--force"])
    assert damaged.exit_code != 0 and "damaged" in damaged.output
    assert runner.invoke(args=["restore", str(tmp_path / "nothing-here")]).exit_code != 0


def test_a_sqlite_backup_is_consistent_while_a_writer_is_mid_transaction(app, client, runner, tmp_path):
    if not _on_sqlite(app):
        pytest.skip("SQLite's online backup API; pg_dump's snapshot is PostgreSQL's own guarantee")
    references = _lodge_cases(client, 2)
    writer = sqlite3.connect(tmp_path / "portal.db", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE \"case\" SET reference = 'HALF-WRITTEN-' || id")
        writer.execute("DELETE FROM attachment")
        _backup(runner, tmp_path / "during")
        writer.execute("COMMIT")
    finally:
        writer.close()
    _backup(runner, tmp_path / "after")

    def contents(folder: Path) -> tuple[list[str], int, list]:
        copy = sqlite3.connect(folder / "database.sqlite3")
        try:
            return (
                sorted(r for (r,) in copy.execute('SELECT reference FROM "case"')),
                copy.execute("SELECT count(*) FROM attachment").fetchone()[0],
                copy.execute("PRAGMA integrity_check").fetchall(),
            )
        finally:
            copy.close()

    assert contents(tmp_path / "during") == (sorted(references), 3, [("ok",)])
    assert contents(tmp_path / "after") == (["HALF-WRITTEN-1", "HALF-WRITTEN-2"], 0, [("ok",)])


def test_a_sqlite_backup_sees_whole_transactions_while_a_writer_keeps_committing(app, runner, tmp_path):
    if not _on_sqlite(app):
        pytest.skip("SQLite's online backup API")
    database = tmp_path / "portal.db"
    setup = sqlite3.connect(database, isolation_level=None)
    setup.execute("CREATE TABLE drill_debit (id INTEGER PRIMARY KEY)")
    setup.execute("CREATE TABLE drill_credit (id INTEGER PRIMARY KEY)")
    setup.close()
    stop = threading.Event()
    committed = []

    def write() -> None:
        connection = sqlite3.connect(database, isolation_level=None, timeout=30)
        try:
            while not stop.is_set():
                # Each transaction adds one row to both tables: a consistent copy always has as many of each.
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("INSERT INTO drill_debit DEFAULT VALUES")
                connection.execute("INSERT INTO drill_credit DEFAULT VALUES")
                connection.execute("COMMIT")
                committed.append(1)
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for n in range(5):
            while len(committed) < 20 * (n + 1):
                stop.wait(0.001)
            _backup(runner, tmp_path / f"busy-{n}")
    finally:
        stop.set()
        writer.join()
    counts = []
    for n in range(5):
        copy = sqlite3.connect(tmp_path / f"busy-{n}" / "database.sqlite3")
        debits = copy.execute("SELECT count(*) FROM drill_debit").fetchone()[0]
        credits = copy.execute("SELECT count(*) FROM drill_credit").fetchone()[0]
        copy.close()
        assert debits == credits
        counts.append(debits)
    assert counts == sorted(counts) and counts[-1] >= 100


def test_pg_dump_gets_the_connection_from_the_environment_never_the_command_line(monkeypatch, tmp_path):
    calls = []

    def run(command, **kwargs):
        calls.append((command, kwargs["env"]))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(backup_service.subprocess, "run", run)
    url = make_url("postgresql+psycopg://portal:s3cret%21@db.example:5433/complaints?sslmode=verify-full")
    backup_service.dump_postgres(tmp_path / "database.pgdump", url)
    backup_service.restore_postgres(tmp_path / "database.pgdump", url, clean=True)
    for command, environment in calls:
        assert not any("s3cret" in argument or "db.example" in argument for argument in command)
        assert environment["PGPASSWORD"] == "s3cret!"
        assert environment["PGHOST"] == "db.example" and environment["PGPORT"] == "5433"
        assert environment["PGUSER"] == "portal" and environment["PGDATABASE"] == "complaints"
        assert environment["PGSSLMODE"] == "verify-full"
    assert "--format=custom" in calls[0][0]
    assert {"--clean", "--if-exists", "--single-transaction", "--dbname=complaints"} <= set(calls[1][0])

    with pytest.raises(backup_service.BackupError, match="frobnicate"):
        backup_service.libpq_environment(make_url("postgresql://u@h/d?frobnicate=1"))


def test_postgres_tools_are_found_on_the_path_or_in_the_newest_server_folder(monkeypatch, tmp_path):
    for version in ("9.6", "15", "16"):
        (tmp_path / version / "bin").mkdir(parents=True)
        (tmp_path / version / "bin" / "pg_dump").touch()
    monkeypatch.setattr(backup_service.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup_service, "POSTGRES_BIN_DIRS", tmp_path)
    assert backup_service.postgres_tool("pg_dump") == str(tmp_path / "16" / "bin" / "pg_dump")
    with pytest.raises(backup_service.BackupError, match="pg_restore was not found"):
        backup_service.postgres_tool("pg_restore")


def _erase_through_the_admin_page(admin, email: str) -> str:
    """Press Erase for everything erasable about this address, as an administrator; return the banner."""
    confirm = personal_data.post_from(
        admin, personal_data.search(admin, email), f"{personal_data.PAGE}/erase", email=email
    )
    ids = personal_data.csv_of(confirm.get_data(as_text=True))
    done = personal_data.post_from(
        admin, confirm, f"{personal_data.PAGE}/erase", email=email, case_ids=ids, confirm="yes"
    )
    assert done.status_code == 303
    return admin.get(personal_data.PAGE).get_data(as_text=True)


def _case(app, reference: str) -> tuple[int, str, str | None, bool, list[str]]:
    """A case's id, description, resident's email, whether it is anonymised, and its evidence files' stored names."""
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        found = (
            case.id,
            case.description,
            case.resident.email if case.resident else None,
            case.anonymised_at is not None,
            [a.stored_name for a in case.attachments],
        )
        db.session.remove()
    return found


def test_a_restored_backup_cannot_bring_back_what_was_erased_on_request_after_it(
    app, client, runner, uploads, tmp_path
):
    with app.app_context():  # migrated, as a live database is, so the restore knows its schema is this code's
        empty_database()
        upgrade()
        ensure_default_timescales()
        ensure_default_themes()
        build_service_areas()
        db.session.remove()
    closed_before = lodge_with_evidence(app.test_client(), email="closed@example.com")
    open_before = lodge_with_evidence(app.test_client(), email="open@example.com", description="Still going on.")
    personal_data.close(app, closed_before)
    admin = staff_client(app, "admin")
    _backup(runner, tmp_path / "backup")
    backed_up_files = _case(app, closed_before)[4]
    assert all((uploads / name).exists() for name in backed_up_files)

    # After the backup: both people ask to be erased (the open case is closed first), and a third case comes and
    # goes the same way.
    personal_data.close(app, open_before)
    lodged_after = lodge_with_evidence(app.test_client(), email="after@example.com", description="Later.")
    personal_data.close(app, lodged_after)
    after_id = _case(app, lodged_after)[0]
    for email in ("closed@example.com", "open@example.com", "after@example.com"):
        assert "Erased 1 case" in _erase_through_the_admin_page(admin, email)
    ledger = [json.loads(line) for line in (tmp_path / "erasure-ledger.jsonl").read_text().splitlines()]
    assert [entry["reference"] for entry in ledger] == [closed_before, open_before, lodged_after]
    assert "example.com" not in json.dumps(ledger) and "Still going on" not in json.dumps(ledger)

    # The server is lost and last night's backup is restored: it still holds all that was erased since.
    restored = _restore_onto_a_new_server(app, runner, uploads, tmp_path / "backup")
    assert f"Erased again 1 cases erased on request that a restored backup had brought back: {closed_before}" in (
        restored.output
    )
    assert f"open in this database, so kept until closed: {open_before}" in restored.output

    erased_id, description, email, anonymised, stored = _case(app, closed_before)
    assert (description, email, anonymised) == (ANONYMISED, None, True)
    assert not any((uploads / name).exists() for name in backed_up_files)
    with app.app_context():
        (event,) = db.session.scalars(select(Event).filter_by(case_id=erased_id, action="case_anonymised")).all()
        assert (event.actor_type, event.detail["reason"]) == ("system", "erasure_request")
        db.session.remove()
    # The case that was open in the backup stays until staff close it again; the next daily run then erases it.
    assert _case(app, open_before)[1:4] == ("Still going on.", "open@example.com", False)

    # A case lodged after the restore takes the id the erased later case had: it is someone else's, and stays.
    newcomer = lodge_with_evidence(app.test_client(), email="newcomer@example.com", description="New.")
    assert _case(app, newcomer)[0] == after_id
    personal_data.close(app, newcomer)
    personal_data.close(app, open_before)
    daily = runner.invoke(args=["apply-retention"])
    assert daily.exit_code == 0, daily.output
    assert f"Erased again 1 cases erased on request that a restored backup had brought back: {open_before}" in (
        daily.output
    )
    assert "(1 listed in the erasure ledger are still erased)" in daily.output
    assert _case(app, open_before)[1:4] == (ANONYMISED, None, True)
    assert _case(app, newcomer)[1:4] == ("New.", "newcomer@example.com", False)


def test_an_erasure_that_cannot_be_written_to_the_ledger_is_not_done(make_app, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    app = make_app(ERASURE_LEDGER=str(blocked / "erasure-ledger.jsonl"))
    reference = lodge_with_evidence(app.test_client(), email="jo@example.com")
    personal_data.close(app, reference)
    banner = _erase_through_the_admin_page(staff_client(app, "admin"), "jo@example.com")
    assert "Nothing was erased: the portal could not write to its erasure ledger" in banner
    assert _case(app, reference)[1:4] == (DESCRIPTION, "jo@example.com", False)
    assert all((tmp_path / "uploads" / name).exists() for name in _case(app, reference)[4])
    checked = app.test_cli_runner().invoke(args=["check-deployment"])
    assert "FAIL  ERASURE_LEDGER:" in checked.output and "erasure requests would be refused" in checked.output


def test_the_daily_run_reads_the_ledger_carefully(app, runner, tmp_path):
    reference = lodge_with_evidence(app.test_client(), email="jo@example.com")
    personal_data.close(app, reference)
    case_id = _case(app, reference)[0]
    ledger = tmp_path / "erasure-ledger.jsonl"
    entry = json.dumps({"case_id": case_id, "reference": reference, "erased_on": "2026-11-24"})
    # A line the machine stopped writing half-way: its erasure never began, so it is left out.
    ledger.write_text(entry[:20])
    done = runner.invoke(args=["apply-retention"])
    assert done.exit_code == 0 and "Erased again 0 cases" in done.output
    assert _case(app, reference)[3] is False
    # A whole line that is not an entry stops the run, saying where, rather than skipping an erasure.
    ledger.write_text("not json\n" + entry + "\n")
    damaged = runner.invoke(args=["apply-retention"])
    assert damaged.exit_code != 0 and "erasure-ledger.jsonl, line 1: not a ledger entry" in damaged.output
    assert _case(app, reference)[3] is False
    ledger.write_text(entry + "\n")
    dry = runner.invoke(args=["apply-retention", "--dry-run"])
    assert f"Would erase again 1 cases erased on request that a restored backup had brought back: {reference}" in (
        dry.output
    )
    assert _case(app, reference)[3] is False
    assert runner.invoke(args=["apply-retention"]).exit_code == 0
    assert _case(app, reference)[3] is True
