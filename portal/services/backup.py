"""Backing up and restoring the database and the evidence files, while the portal keeps running.

A backup is a folder: the database (SQLite copied through its online backup API, or PostgreSQL's `pg_dump
--format=custom`), the evidence files in `uploads/`, and `manifest.json` saying what is there. The database is
copied first and the files second: every file a backed-up case refers to was written before the case was committed,
so it is in the copy; a file uploaded in between is an unused extra, never a gap. See docs/backups.md.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import URL

from portal.extensions import db
from portal.services.migrations import current_revision

BACKUP_FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
UPLOADS = "uploads"
POSTGRES_BIN_DIRS = Path("/usr/lib/postgresql")
# Connection settings a PostgreSQL URL may carry, and the libpq environment variable for each: pg_dump and
# pg_restore are given them this way, so nothing (above all the password) shows on their command line.
LIBPQ_ENVIRONMENT = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "dbname": "PGDATABASE",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "client_encoding": "PGCLIENTENCODING",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "sslcompression": "PGSSLCOMPRESSION",
    "ssl_min_protocol_version": "PGSSLMINPROTOCOLVERSION",
    "ssl_max_protocol_version": "PGSSLMAXPROTOCOLVERSION",
    "gssencmode": "PGGSSENCMODE",
    "channel_binding": "PGCHANNELBINDING",
    "requirepeer": "PGREQUIREPEER",
    "krbsrvname": "PGKRBSRVNAME",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class BackupError(Exception):
    """Raised, with a message for the administrator, when a backup or restore cannot go ahead."""


@dataclass(frozen=True)
class BackupSummary:
    folder: Path
    database: str
    files: int
    bytes: int


def back_up(destination: str | os.PathLike) -> BackupSummary:
    """Write a consistent copy of the database, then the evidence files, into a new folder."""
    target = Path(destination).resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not empty: give a new folder for each backup.")
    target.parent.mkdir(parents=True, exist_ok=True)
    kind = _database_kind()
    # Written beside the destination and renamed at the end, so a folder with the final name is always complete.
    # mkdtemp makes it readable by its owner only: it holds residents' personal data.
    working = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".incomplete", dir=target.parent))
    try:
        database_file = working / DATABASE_FILES[kind]
        if kind == "sqlite":
            revision = _sqlite_backup(database_file)
        else:
            revision = current_revision()
            dump_postgres(database_file, db.engine.url)
        files, size = _copy_files(_upload_directory(), working / UPLOADS)
        manifest = {
            "format": BACKUP_FORMAT,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": kind,
            "database_file": database_file.name,
            "database_sha256": _sha256(database_file),
            "migration": revision,
            "uploads": {"files": files, "bytes": size},
        }
        (working / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        if target.exists():
            target.rmdir()
        working.rename(target)
    except BaseException:
        shutil.rmtree(working, ignore_errors=True)
        raise
    return BackupSummary(target, kind, files, size)


def restore(source: str | os.PathLike, force: bool = False) -> BackupSummary:
    """Restore a backup folder into an empty database and evidence folder (or, with force, over what is there)."""
    folder = Path(source)
    manifest = _read_manifest(folder)
    kind = _database_kind()
    if manifest["database"] != kind:
        raise BackupError(f"This is a backup of a {manifest['database']} database, but the portal uses {kind}.")
    database_file = folder / manifest["database_file"]
    if not database_file.is_file() or _sha256(database_file) != manifest["database_sha256"]:
        raise BackupError(f"{database_file} is missing or damaged: its checksum differs from the manifest's.")
    uploads = folder / UPLOADS
    files, size = _count_files(uploads)
    if (files, size) != (manifest["uploads"]["files"], manifest["uploads"]["bytes"]):
        raise BackupError(f"{uploads} does not hold the {manifest['uploads']['files']} files the manifest lists.")

    tables = inspect(db.engine).get_table_names()
    upload_directory = _upload_directory()
    present = _count_files(upload_directory)[0]
    if not force and tables:
        raise BackupError(
            f"The database is not empty ({len(tables)} tables): restore into an empty database, "
            "or pass --force to replace everything in it."
        )
    if not force and present:
        raise BackupError(
            f"The evidence folder {upload_directory} is not empty ({present} files): "
            "restore into an empty folder, or pass --force to replace its contents."
        )

    # No session of ours may hold a lock or a transaction while the database underneath it is replaced.
    db.session.remove()
    if kind == "sqlite":
        _sqlite_restore(database_file)
    else:
        restore_postgres(database_file, db.engine.url, clean=bool(tables))
        # Pooled connections may hold plans for the tables just replaced.
        db.engine.dispose()
    _replace_files(uploads, upload_directory)
    return BackupSummary(folder, kind, files, size)


def _database_kind() -> str:
    kind = db.engine.dialect.name
    if kind not in DATABASE_FILES:
        raise BackupError(f"Backing up a {kind} database is not supported.")
    return kind


def _upload_directory() -> Path:
    return Path(current_app.config["UPLOAD_DIRECTORY"])


def _sqlite_backup(target: Path) -> str | None:
    """Copy the database through SQLite's online backup API; return the copy's migration revision."""
    # The backup API copies one committed state, waiting out a writer that is committing. The app's own
    # connection is the source, so an in-memory database can be backed up as well as a file.
    connection = db.engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            connection.driver_connection.backup(copy)
            problems = copy.execute("PRAGMA integrity_check").fetchall()
            migrated = copy.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone()
            revision = copy.execute("SELECT version_num FROM alembic_version").fetchone() if migrated else None
        finally:
            copy.close()
    finally:
        connection.close()
    if problems != [("ok",)]:
        raise BackupError(f"The copy failed SQLite's integrity check: {problems[:5]}")
    return revision[0] if revision else None


def _sqlite_restore(source: Path) -> None:
    backup = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    connection = db.engine.raw_connection()
    try:
        backup.backup(connection.driver_connection)
    finally:
        connection.close()
        backup.close()


def dump_postgres(target: Path, url: URL) -> None:
    """Dump a PostgreSQL database with pg_dump's custom format: one snapshot, consistent while the portal writes."""
    _run_postgres_tool(url, "pg_dump", "--format=custom", "--no-password", f"--file={target}")


def restore_postgres(source: Path, url: URL, clean: bool) -> None:
    """Restore a pg_dump file in one transaction: all of it or, on any error, nothing."""
    arguments = ["--no-password", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    if clean:
        # Drop each object the backup holds before creating it again, inside the same transaction.
        arguments += ["--clean", "--if-exists"]
    _run_postgres_tool(url, "pg_restore", *arguments, f"--dbname={url.database or ''}", str(source))


def _run_postgres_tool(url: URL, name: str, *arguments: str) -> None:
    command = [postgres_tool(name), *arguments]
    # The rest of the environment stays: psycopg reads the same PG* variables for whatever the URL leaves out.
    environment = {**os.environ, **libpq_environment(url)}
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{name} failed: {result.stderr.strip() or result.returncode}")


def postgres_tool(name: str) -> str:
    """Find pg_dump or pg_restore: on PATH, or else the newest in /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in path.parent.parent.name.split(".") if part.isdigit())

    candidates = sorted(POSTGRES_BIN_DIRS.glob(f"*/bin/{name}"), key=version, reverse=True)
    if not candidates:
        raise BackupError(f"{name} was not found: install the PostgreSQL client tools, the server's version or newer.")
    return str(candidates[0])


def libpq_environment(url: URL) -> dict[str, str]:
    """Turn a PostgreSQL URL into the libpq environment variables that say the same."""
    settings = {"host": url.host, "port": url.port, "user": url.username, "password": url.password}
    settings["dbname"] = url.database
    for key, value in url.query.items():
        if key not in LIBPQ_ENVIRONMENT:
            raise BackupError(f"The database URL's setting {key!r} cannot be passed to pg_dump and pg_restore.")
        settings[key] = value[-1] if isinstance(value, tuple) else value
    return {LIBPQ_ENVIRONMENT[key]: str(value) for key, value in settings.items() if value not in (None, "")}


def _copy_files(source: Path, target: Path) -> tuple[int, int]:
    """Copy a folder's regular files, keeping their times; a file deleted while copying is left out."""
    target.mkdir(mode=0o700)
    files = size = 0
    for path in sorted(source.rglob("*")) if source.is_dir() else []:
        if path.is_symlink() or not path.is_file():
            continue
        copy = target / path.relative_to(source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(path, copy)
        except FileNotFoundError:  # a draft's file, discarded with its draft after the database was copied
            continue
        files += 1
        size += copy.stat().st_size
    return files, size


def _count_files(folder: Path) -> tuple[int, int]:
    paths = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()] if folder.is_dir() else []
    return len(paths), sum(p.stat().st_size for p in paths)


def _replace_files(source: Path, target: Path) -> None:
    """Make a folder hold exactly the backup's files (the folder itself stays: it may be a mount point)."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in target.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)


def _read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder} is not a portal backup: {MANIFEST} is missing or unreadable.") from error
    if manifest.get("format") != BACKUP_FORMAT:
        raise BackupError(f"{folder} is a backup in a format this version does not know ({manifest.get('format')}).")
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()
