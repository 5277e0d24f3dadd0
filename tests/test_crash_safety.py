"""Gunicorn workers killed with SIGKILL while residents submit lose no reference shown and store nothing twice.

A real gunicorn (production settings, 3 sync workers) on a throw-away database: a SQLite file, or a database of its
own in the test PostgreSQL when TEST_DATABASE_URL is one. Four residents walk whole journeys (bench/journeys.py) for
15 s while another thread SIGKILLs a random serving worker every 1.5 to 2.5 s; the master starts a new one each time.
A resident whose request breaks sends it again once, as a person reloading or pressing the button again would: the
final POST with the same submission_key. Afterwards every reference a resident was shown must be in the database
with the answers behind it (description, contact, service area), and no journey may be stored twice. About 20 s.
"""

from __future__ import annotations

import os
import random
import secrets
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import servers
from bench.journeys import check_database, run_residents

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
WORKERS = 3
RESIDENTS = 4
SECONDS = 15
# Seconds between kills, drawn at random: slow enough that a worker restarted on a busy machine (CI runs other
# suites beside this one) serves some requests before the next kill, so residents get through at all.
KILL_EVERY = (1.5, 2.5)
# Only serving workers are killed: a new one spends a second or more of CPU importing the app before it serves, and
# killing it then would keep the machine busy booting workers instead of interrupting requests. A gunicorn hook
# marks each worker once it has loaded the app (gunicorn reads --config from GUNICORN_CMD_ARGS too).
READY_HOOK = """\
# Written by tests/test_crash_safety.py: mark each worker once it has loaded the app and is about to serve.
from pathlib import Path


def post_worker_init(worker):
    Path({ready!r}, str(worker.pid)).touch()
"""
# Settings from the shell that would point the servers somewhere else than their own throw-away database.
NOT_INHERITED = ("TEST_DATABASE_URL", "REDIS_URL", "RATELIMIT_STORAGE_URI", "CACHE_TYPE", "CACHE_REDIS_URL")


@pytest.fixture
def database_url(tmp_path) -> Iterator[str]:
    """A SQLite file, or a new database in the test PostgreSQL (other tests reset the schema of theirs)."""
    if not TEST_DATABASE_URL.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'crash.db'}"
        return
    admin_url = make_url(TEST_DATABASE_URL)
    name = f"portal_crash_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def worker_pids(master: int) -> list[int]:
    """The gunicorn master's children (its workers)."""
    try:
        return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        found = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True, check=False)
        return [int(pid) for pid in found.stdout.split()]


class Killer(threading.Thread):
    """Every KILL_EVERY seconds for `seconds` (or until stopped), SIGKILL a random serving worker of `master`."""

    def __init__(self, master: int, ready: Path, seconds: float) -> None:
        super().__init__(daemon=True)
        self.master = master
        self.ready = ready
        self.until = time.monotonic() + seconds
        self.stopped = threading.Event()
        self.kills = 0
        self.idle = 0  # ticks with every worker still booting

    def run(self) -> None:
        chooser = random.Random()  # noqa: S311 - picking a victim, not a secret
        while not self.stopped.wait(chooser.uniform(*KILL_EVERY)) and time.monotonic() < self.until:
            pids = [pid for pid in worker_pids(self.master) if (self.ready / str(pid)).exists()]
            if not pids:
                self.idle += 1
                continue
            try:
                os.kill(chooser.choice(pids), signal.SIGKILL)
                self.kills += 1
            except ProcessLookupError:
                pass  # it died of another kill and has been replaced


def test_killed_workers_lose_no_shown_reference_and_store_nothing_twice(database_url, tmp_path, monkeypatch):
    env = servers.portal_env(tmp_path)
    for name in NOT_INHERITED:
        env.pop(name, None)
    env["DATABASE_URL"] = database_url
    ready = tmp_path / "ready"
    ready.mkdir()
    (tmp_path / "gunicorn_ready.py").write_text(READY_HOOK.format(ready=str(ready)))
    env["GUNICORN_CMD_ARGS"] = f"--config {tmp_path / 'gunicorn_ready.py'}"
    servers.prepare_database(env)
    monkeypatch.setattr(servers, "WORKERS", WORKERS)
    server = servers.start_gunicorn("portal-crash", servers.PORTAL_APP, env, tmp_path, "/healthz")
    # The residents under way at the end finish their journeys with no more kills.
    killer = Killer(server.process.pid, ready, SECONDS)
    try:
        killer.start()
        result = run_residents(server.port, SECONDS, RESIDENTS, retries=1)
    finally:
        killer.stopped.set()
        killer.join(timeout=5)
        log = server.log_tail(15)
        server.stop()

    checked = check_database(database_url, result.journeys)
    gave_up = Counter(j.error for j in result.journeys if j.broken_connection)
    odd = [j.error for j in result.journeys if j.error and not j.broken_connection]
    summary = (
        f"{len(result.journeys)} journeys, {checked.shown} references shown, {killer.kills} workers killed "
        f"({killer.idle} times none was serving), "
        f"retries {dict(result.retried)}, {gave_up.total()} residents gave up after a connection broke twice "
        f"{gave_up.most_common(3)}, "
        f"other errors {Counter(odd).most_common(3)}"
    )
    print(summary)
    # Not a speed test: enough kills and submissions that the check below is not empty, however slow the machine.
    assert killer.kills >= 3, summary
    assert checked.shown >= 3, f"{summary}\n{log}"
    assert not checked.missing, f"references shown but not stored: {checked.missing}\n{summary}"
    assert not checked.incomplete, f"references stored without the resident's answers: {checked.incomplete}\n{summary}"
    assert not checked.duplicated, f"journeys stored twice: {checked.duplicated}\n{summary}"
    assert not odd, f"answers a browser would not expect: {odd[:5]}\n{summary}\n{log}"
