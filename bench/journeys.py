"""Whole resident journeys against gunicorn: submissions/second, the final POST's p95, lost and duplicated submissions.

Each simulated resident is a thread with its own keep-alive connection (http.client reconnects when gunicorn's sync
workers close it) and its own cookie jar. It walks the journey a browser without JavaScript walks: GET
/feedback/begin, every question page (GET, then POST its answers with the page's CSRF token), check your answers,
the final POST with its submission_key, then the confirmation page, whose reference it keeps. After the run every
reference shown is looked up in the database, with the answers behind it, and no submission may be there twice.

The references, measured in the same run on the same database kind: `bench/insert_app.py`, a bare Flask app under the
same gunicorn that inserts one row per POST, taking either one POST of the same size as the final POST, or the same
journey by the same walker (8 POSTs, 8 rows). The portal queues its emails for `flask send-outbox`, which runs beside
it. Run it on its own with `python -m bench.journeys` (see --help); `python -m bench` runs it too.
"""

import argparse
import http.client
import math
import os
import re
import secrets
import signal
import statistics
import subprocess  # noqa: S404 - runs this project's own outbox worker
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from bench import BROWSER_HEADERS, MIN_JOURNEYS_RATIO, PROJECT_ROOT
from bench import insert_app as insert_reference
from bench.postgres import PostgresUnavailable, throwaway_postgres
from bench.rawhttp import LOOPBACK, decode
from bench.servers import Server, flask_command, portal_env, prepare_database, start_gunicorn

INSERT_APP = "bench.insert_app:app"
QUESTION_PAGES = ("type", "service", "details", "evidence", "your-details", "contact-preferences", "someone-else")
# GET /feedback/begin, a GET and a POST for each question, check your answers (GET, POST) and the confirmation.
REQUESTS_PER_JOURNEY = 1 + 2 * len(QUESTION_PAGES) + 3
POSTS_PER_JOURNEY = len(QUESTION_PAGES) + 1
MARKER_PREFIX = "bench-journey-"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
SERVICE = re.compile(r'name="service" type="radio" value="(\d+)"')
SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')
REFERENCE = re.compile(r'class="app-reference"[^>]*>([A-Z]{3}-[2-9A-Z]{4}-[2-9A-Z]{4})<')
MARKER = re.compile(re.escape(MARKER_PREFIX) + r"[0-9a-z-]+")
CONNECTION_ERRORS = (OSError, http.client.HTTPException)


class JourneyError(RuntimeError):
    """A page that did not answer as a browser expects (wrong status, redirect or missing form field)."""


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("Location", "")).path


class Resident:
    """One browser: a keep-alive connection and a cookie jar; retries a request `retries` times on a broken connection.

    A retry sends the very same request again (same cookie, same form, same submission_key), as a person pressing
    the button again would.
    """

    def __init__(self, port: int, retries: int = 0, timeout: float = 30.0) -> None:
        self.port = port
        self.retries = retries
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.retried = Counter()  # label -> retries made
        self._connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def get(self, path: str, label: str = "page") -> Answer:
        return self.request("GET", path, None, {}, label)

    def post(self, path: str, fields: dict, label: str = "page") -> Answer:
        body = urllib.parse.urlencode(fields, doseq=True).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}, label)

    def post_multipart(self, path: str, fields: dict, empty_file_field: str, label: str = "page") -> Answer:
        """POST a multipart form with an empty file input, as a browser sends a file field left empty."""
        boundary = "----portalbench" + secrets.token_hex(8)
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{empty_file_field}"; filename=""\r\n'
            "Content-Type: application/octet-stream\r\n\r\n\r\n"
        )
        body = ("".join(parts) + f"--{boundary}--\r\n").encode()
        return self.request("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}, label)

    def request(self, method: str, path: str, body: bytes | None, headers: dict, label: str) -> Answer:
        for attempt in range(self.retries + 1):
            try:
                return self._send(method, path, body, headers)
            except CONNECTION_ERRORS as error:
                self.close()
                if attempt == self.retries:
                    error.add_note(f"{method} {path}, attempt {attempt + 1}")
                    raise
                self.retried[label] += 1
        raise AssertionError("unreachable")

    def _send(self, method: str, path: str, body: bytes | None, extra: dict) -> Answer:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=self.timeout)
        headers = {**BROWSER_HEADERS, **extra}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        self._connection.request(method, path, body=body, headers=headers)
        response = self._connection.getresponse()
        raw = response.read()
        if response.will_close:
            self.close()
        self._remember_cookies(response.headers.get_all("Set-Cookie") or [])
        text_body = decode(raw, response.headers.get("Content-Encoding", "")).decode("utf-8", "replace")
        return Answer(response.status, response.headers, text_body)

    def _remember_cookies(self, set_cookies: list[str]) -> None:
        for set_cookie in set_cookies:
            pair, *attributes = (part.strip() for part in set_cookie.split(";"))
            name, _, value = pair.partition("=")
            expired = any(a.lower() in ("max-age=0", "expires=thu, 01 jan 1970 00:00:00 gmt") for a in attributes)
            if not value or expired:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


@dataclass
class Journey:
    """What one resident sent and saw."""

    marker: str
    description: str
    name: str
    email: str
    service_area_id: int | None = None
    reference: str | None = None  # as shown on the confirmation page
    error: str | None = None
    broken_connection: bool = False  # the error was a connection that broke (after any retries)
    final_post_seconds: float | None = None
    final_post_bytes: int = 0
    finished_at: float = 0.0


def _expect(answer: Answer, status: int, what: str, location: str | None = None) -> None:
    if answer.status != status or (location is not None and answer.location != location):
        raise JourneyError(f"{what}: {answer.status} to {answer.location!r}, expected {status} to {location!r}")


def _find(pattern: re.Pattern, answer: Answer, what: str) -> str:
    match = pattern.search(answer.body)
    if not match:
        raise JourneyError(f"{what}: no {pattern.pattern!r} on the page")
    return match.group(1)


def _answers(journey: Journey, page: str, service_area_id: str) -> dict:
    return {
        "type": {"type": "complaint"},
        "service": {"service": service_area_id},
        "details": {
            "description": journey.description,
            "occurred_on": ["3", "11", "2025"],
            "desired_outcome": "Collect the bin and tell me why it was missed.",
        },
        "your-details": {"name": journey.name, "email": journey.email, "phone": "", "address": ""},
        "contact-preferences": {"preferred_contact": "email", "language": "en"},
        "someone-else": {"on_behalf": "no"},
    }[page]


def walk(resident: Resident, journey: Journey, rng_choice: Callable[[list[str]], str]) -> None:
    """Walk one whole journey, filling in `journey` (its reference, or raising on the first unexpected answer)."""
    begun = resident.get("/feedback/begin")
    _expect(begun, 302, "GET /feedback/begin", "/feedback/type")
    for index, page in enumerate(QUESTION_PAGES):
        path = f"/feedback/{page}"
        shown = resident.get(path)
        _expect(shown, 200, f"GET {path}")
        token = _find(CSRF, shown, f"GET {path}")
        following = f"/feedback/{QUESTION_PAGES[index + 1]}" if index + 1 < len(QUESTION_PAGES) else None
        following = following or "/feedback/check-answers"
        if page == "evidence":
            sent = resident.post_multipart(path, {"csrf_token": token, "submit": "Continue"}, "files")
        else:
            service_area_id = ""
            if page == "service":
                service_area_id = rng_choice(SERVICE.findall(shown.body))
                journey.service_area_id = int(service_area_id)
            sent = resident.post(path, {"csrf_token": token, **_answers(journey, page, service_area_id)})
        _expect(sent, 303, f"POST {path}", following)
    check = resident.get("/feedback/check-answers")
    _expect(check, 200, "GET /feedback/check-answers")
    final = {"csrf_token": _find(CSRF, check, "check answers"), "submission_key": _find(SUBMISSION_KEY, check, "key")}
    journey.final_post_bytes = len(urllib.parse.urlencode(final))
    started = time.perf_counter()
    sent = resident.post("/feedback/check-answers", final, label="final POST")
    journey.final_post_seconds = time.perf_counter() - started
    _expect(sent, 303, "POST /feedback/check-answers", "/feedback/confirmation")
    confirmed = resident.get("/feedback/confirmation")
    _expect(confirmed, 200, "GET /feedback/confirmation")
    journey.reference = _find(REFERENCE, confirmed, "confirmation")


def new_journey(run_id: str, resident_number: int, journey_number: int) -> Journey:
    marker = f"{MARKER_PREFIX}{run_id}-{resident_number}-{journey_number}"
    return Journey(
        marker=marker,
        description=f"My green bin was missed three weeks running. ({marker})",
        name=f"Resident {resident_number}-{journey_number}",
        email=f"resident-{resident_number}-{journey_number}@example.com",
    )


def one_journey(port: int) -> Journey:
    """Walk one journey and return it; raise RuntimeError if it fails."""
    resident = Resident(port)
    journey = new_journey(secrets.token_hex(4), 0, 1)
    try:
        walk(resident, journey, lambda choices: choices[0])
    except (JourneyError, *CONNECTION_ERRORS) as error:
        raise RuntimeError(f"a resident's journey failed: {type(error).__name__}: {error}") from error
    finally:
        resident.close()
    return journey


@dataclass
class LoadResult:
    seconds: float
    journeys: list[Journey]
    retried: Counter = field(default_factory=Counter)
    generator_cpu: float = 0.0  # this process's CPU time over the wall time: 1.0 is one core busy

    @property
    def submissions_in_time(self) -> int:
        """Journeys that showed a reference before the deadline (those under way then finish, uncounted)."""
        return sum(1 for j in self.journeys if j.reference and j.finished_at <= self.seconds)

    @property
    def per_second(self) -> float:
        return self.submissions_in_time / self.seconds

    @property
    def errors(self) -> list[Journey]:
        return [j for j in self.journeys if j.error]


def run_residents(port: int, seconds: float, concurrency: int, retries: int = 0, stop=None) -> LoadResult:
    """`concurrency` residents walk journey after journey for `seconds` (or until `stop` is set)."""
    run_id = secrets.token_hex(4)
    journeys: list[list[Journey]] = [[] for _ in range(concurrency)]
    retried: list[Counter] = [Counter() for _ in range(concurrency)]
    stop = stop or threading.Event()
    started = time.perf_counter()
    cpu_started = time.process_time()

    def resident_thread(number: int) -> None:
        resident = Resident(port, retries=retries)
        rng = secrets.SystemRandom()
        count = 0
        try:
            while time.perf_counter() - started < seconds and not stop.is_set():
                count += 1
                journey = new_journey(run_id, number, count)
                journeys[number].append(journey)
                # A new browser per journey: no cookie carried over, as a different person would be.
                resident.cookies.clear()
                try:
                    walk(resident, journey, rng.choice)
                except CONNECTION_ERRORS as error:
                    journey.error = f"{'; '.join(getattr(error, '__notes__', []))}: {type(error).__name__}: {error}"
                    journey.broken_connection = True
                except JourneyError as error:
                    journey.error = str(error)
                except Exception as error:  # noqa: BLE001 - recorded as a failed journey, never lost in a thread
                    journey.error = f"unexpected {type(error).__name__}: {error}"
                journey.finished_at = time.perf_counter() - started
        finally:
            retried[number] = resident.retried
            resident.close()

    threads = [threading.Thread(target=resident_thread, args=(n,), daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = (time.process_time() - cpu_started) / (time.perf_counter() - started)
    return LoadResult(seconds, [j for per in journeys for j in per], sum(retried, Counter()), cpu)


@dataclass
class PostResult:
    seconds: float
    latencies: list[float]  # of the POSTs answered before the deadline
    errors: list[str]
    answered: int  # POSTs answered 201, those after the deadline included
    generator_cpu: float  # this process's CPU time over the wall time: 1.0 is one core busy

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds


def run_reference_posts(port: int, seconds: float, concurrency: int, body_bytes: int) -> PostResult:
    """`concurrency` clients POST a CSRF-less form of `body_bytes` to the insert app, one row each, for `seconds`."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[list[str]] = [[] for _ in range(concurrency)]
    answered = [0] * concurrency
    started = time.perf_counter()
    cpu_started = time.process_time()

    def client_thread(number: int) -> None:
        client = Resident(port)
        try:
            while time.perf_counter() - started < seconds:
                fields = {"submission_key": secrets.token_urlsafe(32), "note": ""}
                fields["note"] = "x" * max(0, body_bytes - len(urllib.parse.urlencode(fields)))
                begun = time.perf_counter()
                try:
                    answer = client.post("/submit", fields)
                except CONNECTION_ERRORS as error:
                    errors[number].append(f"{type(error).__name__}: {error}")
                    continue
                if answer.status != 201:
                    errors[number].append(f"POST /submit: {answer.status}")
                    continue
                answered[number] += 1
                if time.perf_counter() - started <= seconds:
                    latencies[number].append(time.perf_counter() - begun)
        finally:
            client.close()

    threads = [threading.Thread(target=client_thread, args=(n,), daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = (time.process_time() - cpu_started) / (time.perf_counter() - started)
    return PostResult(
        seconds, [x for per in latencies for x in per], [e for per in errors for e in per], sum(answered), cpu
    )


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.95 for the 95th); 0 with no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(share * len(ordered)))) - 1]


@dataclass
class Check:
    """The database after a run, against what the residents were shown."""

    shown: int
    missing: list[str]  # references shown that are not in the database
    incomplete: list[str]  # references whose case lacks the resident's answers
    duplicated: list[str]  # markers (one per journey) stored more than once

    @property
    def ok(self) -> bool:
        return not (self.missing or self.incomplete or self.duplicated)


def check_database(url: str, journeys: list[Journey]) -> Check:
    """Look every shown reference up, with its description, contact and service area; count journeys stored twice."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT c.reference, c.description, c.service_area_id, c.submission_key, r.name, r.email "
                    'FROM "case" c JOIN contact r ON r.id = c.resident_id WHERE c.description LIKE :marker'
                ),
                {"marker": f"%{MARKER_PREFIX}%"},
            ).all()
    finally:
        engine.dispose()
    by_reference = {row.reference: row for row in rows}
    per_marker = Counter(m.group(0) for row in rows if (m := MARKER.search(row.description)))
    per_key = Counter(row.submission_key for row in rows if row.submission_key)
    duplicated = sorted(marker for marker, count in per_marker.items() if count > 1)
    duplicated += sorted(f"submission_key {key}" for key, count in per_key.items() if count > 1)
    missing, incomplete = [], []
    shown = [j for j in journeys if j.reference]
    for journey in shown:
        row = by_reference.get(journey.reference)
        if row is None:
            missing.append(journey.reference)
        elif (row.description, row.service_area_id, row.name, row.email) != (
            journey.description,
            journey.service_area_id,
            journey.name,
            journey.email,
        ):
            incomplete.append(journey.reference)
    return Check(len(shown), missing, incomplete, duplicated)


def count_reference_rows(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(insert_reference.submission))
    finally:
        engine.dispose()


@dataclass
class Outcome:
    database: str
    submissions_per_second: float = 0.0
    final_post_p95_ms: float = 0.0
    journeys: int = 0
    errors: int = 0
    lost: int = 0
    duplicated: int = 0
    reference_per_second: float = 0.0
    reference_p95_ms: float = 0.0
    bare_journeys_per_second: float = 0.0  # the same journey against the insert app's /feedback pages
    bare_final_post_p95_ms: float = 0.0
    receipts: Counter = field(default_factory=Counter)  # outbox messages by status once the worker had its time
    skipped: str | None = None

    @property
    def ratio(self) -> float:
        return self.submissions_per_second / self.reference_per_second if self.reference_per_second else 0.0

    @property
    def like_for_like_ratio(self) -> float:
        bare = self.bare_journeys_per_second
        return self.submissions_per_second / bare if bare else 0.0

    @property
    def nothing_lost(self) -> bool:
        unsent = sum(count for status, count in self.receipts.items() if status != "sent")
        return self.lost == 0 and self.duplicated == 0 and unsent == 0

    @property
    def ok(self) -> bool:
        return self.skipped is not None or (
            self.ratio >= MIN_JOURNEYS_RATIO and self.like_for_like_ratio >= MIN_JOURNEYS_RATIO and self.nothing_lost
        )


def measure(
    database: str, url: str | None, seconds: float, warmup: float, rounds: int, concurrency: int, say
) -> Outcome:
    """Serve the portal and the insert app on `database` (a new SQLite file when url is None), then measure both."""
    with tempfile.TemporaryDirectory(prefix="portal-journeys-") as tmp_name:
        tmp = Path(tmp_name)
        env = portal_env(tmp)
        if url is not None:
            env["DATABASE_URL"] = url
        # As docs/deploying.md runs a large authority: requests only queue their emails, the worker sends them.
        env.update(OUTBOX_SEND_AT_ONCE="0", OUTBOX_POLL_SECONDS="1")
        portal_url = env["DATABASE_URL"]
        prepare_database(env)
        reference_env = {**env, "DATABASE_URL": url or f"sqlite:///{tmp / 'insert.db'}"}
        insert_reference.create_table(reference_env["DATABASE_URL"])
        portal = reference = worker = None
        try:
            portal = start_gunicorn(f"portal-{database}", "portal:create_app()", env, tmp, "/healthz")
            reference = start_gunicorn(f"insert-{database}", INSERT_APP, reference_env, tmp, "/")
            worker = start_outbox_worker(env, tmp)
            outcome = _measure_servers(
                database,
                portal,
                reference,
                portal_url,
                reference_env["DATABASE_URL"],
                seconds,
                warmup,
                rounds,
                concurrency,
                say,
            )
            outcome.receipts = wait_for_outbox(portal_url, worker)
            say(
                "  outbox worker: "
                + ", ".join(f"{count} {status}" for status, count in sorted(outcome.receipts.items()))
                + " (every email queued in the run, once the worker had up to "
                f"{OUTBOX_DRAIN_SECONDS} s after it)"
            )
            return outcome
        finally:
            if worker is not None:
                stop_process(worker)
            for server in (portal, reference):
                if server is not None:
                    server.stop()


OUTBOX_DRAIN_SECONDS = 60


def start_outbox_worker(env: dict[str, str], tmp: Path) -> subprocess.Popen:
    """`flask --app portal send-outbox`, in its own process group, logging to a file."""
    with (tmp / "outbox-worker.log").open("wb") as log:
        return subprocess.Popen(  # noqa: S603 - fixed arguments
            [*flask_command(), "send-outbox"],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def wait_for_outbox(url: str, worker: subprocess.Popen) -> Counter:
    """Give the worker up to OUTBOX_DRAIN_SECONDS to send what is pending; return the messages counted by status."""
    engine = create_engine(url)
    deadline = time.monotonic() + OUTBOX_DRAIN_SECONDS
    try:
        while True:
            with engine.connect() as connection:
                counts = Counter(
                    dict(connection.execute(text("SELECT status, count(*) FROM outbox_message GROUP BY status")).all())
                )
            if not counts.get("pending") or time.monotonic() > deadline or worker.poll() is not None:
                return counts
            time.sleep(0.5)
    finally:
        engine.dispose()


def _measure_servers(
    database: str,
    portal: Server,
    reference: Server,
    portal_url: str,
    reference_url: str,
    seconds: float,
    warmup: float,
    rounds: int,
    concurrency: int,
    say,
) -> Outcome:
    # One journey first: the bench cannot measure a journey that does not work.
    smoke = one_journey(portal.port)
    body_bytes = smoke.final_post_bytes
    all_journeys = [smoke]
    answered = 0  # every 201 from the insert app, to compare with its table's rows
    bare_journeys: list[Journey] = [one_journey(reference.port)]
    if warmup > 0:
        warm_reference = run_reference_posts(reference.port, warmup, concurrency, body_bytes)
        warm_bare = run_residents(reference.port, warmup, concurrency)
        warm_portal = run_residents(portal.port, warmup, concurrency)
        answered += warm_reference.answered
        bare_journeys += warm_bare.journeys
        all_journeys += warm_portal.journeys
        say(
            f"  warm-up {warmup:g} s: insert app {warm_reference.per_second:.1f} POSTs/s and "
            f"{warm_bare.per_second:.2f} journeys/s, portal {warm_portal.per_second:.2f} submissions/s (not counted)"
        )
    portal_runs: list[LoadResult] = []
    bare_runs: list[LoadResult] = []
    reference_runs: list[PostResult] = []
    for number in range(1, rounds + 1):
        reference_runs.append(run_reference_posts(reference.port, seconds, concurrency, body_bytes))
        bare_runs.append(run_residents(reference.port, seconds, concurrency))
        portal_runs.append(run_residents(portal.port, seconds, concurrency))
        answered += reference_runs[-1].answered
        bare_journeys += bare_runs[-1].journeys
        all_journeys += portal_runs[-1].journeys
        done, bare, posts = portal_runs[-1], bare_runs[-1], reference_runs[-1]
        say(
            f"  round {number} ({seconds:g} s each): insert app {posts.per_second:.1f} POSTs/s and "
            f"{bare.per_second:.2f} journeys/s, portal {done.per_second:.2f} submissions/s = "
            f"{done.per_second * REQUESTS_PER_JOURNEY:.1f} req/s (x{done.per_second / posts.per_second:.3f}"
            f" and x{done.per_second / bare.per_second if bare.per_second else 0:.3f}); load generator CPU "
            f"{posts.generator_cpu:.0%}, {bare.generator_cpu:.0%} and {done.generator_cpu:.0%} of one core"
        )
    checked = check_database(portal_url, all_journeys)
    errors = [j for j in all_journeys if j.error]
    for journey in errors[:5]:
        say(f"  journey error: {journey.error}")
    for reference_error in [e for run in reference_runs for e in run.errors][:5]:
        say(f"  insert app error: {reference_error}")
    for journey in [j for j in bare_journeys if j.error][:5]:
        say(f"  insert app journey error: {journey.error}")
    for what, items in (
        ("missing", checked.missing),
        ("incomplete", checked.incomplete),
        ("duplicated", checked.duplicated),
    ):
        if items:
            say(f"  {what}: {', '.join(items[:10])}{' ...' if len(items) > 10 else ''}")
    rows = count_reference_rows(reference_url)
    # Every bare journey that ends is complete (the walker stops on the first unexpected answer): 8 POSTs, 8 rows.
    bare_posts = POSTS_PER_JOURNEY * len(bare_journeys)
    say(
        f"  database check: {len(all_journeys)} journeys, {checked.shown} references shown, "
        f"{'all' if not (checked.missing or checked.incomplete) else 'NOT all'} found with their answers; "
        f"insert app: {rows} rows for {answered} POSTs answered 201 and {len(bare_journeys)} journeys"
    )
    if any(j.error for j in bare_journeys) or rows != answered + bare_posts:
        raise RuntimeError(
            f"{database}: the insert app answered {answered} POSTs and {len(bare_journeys)} journeys "
            f"({bare_posts} POSTs) but its table holds {rows} rows"
        )
    final_posts = [j.final_post_seconds for r in portal_runs for j in r.journeys if j.final_post_seconds is not None]
    return Outcome(
        database=database,
        submissions_per_second=statistics.median(r.per_second for r in portal_runs),
        final_post_p95_ms=percentile(final_posts, 0.95) * 1000,
        journeys=len(all_journeys),
        errors=len(errors),
        lost=len(errors) + len(checked.missing) + len(checked.incomplete),
        duplicated=len(checked.duplicated),
        reference_per_second=statistics.median(r.per_second for r in reference_runs),
        reference_p95_ms=percentile([x for r in reference_runs for x in r.latencies], 0.95) * 1000,
        bare_journeys_per_second=statistics.median(r.per_second for r in bare_runs),
        bare_final_post_p95_ms=percentile(
            [j.final_post_seconds for r in bare_runs for j in r.journeys if j.final_post_seconds is not None], 0.95
        )
        * 1000,
    )


def run(databases: tuple[str, ...], seconds: float, warmup: float, rounds: int, concurrency: int, say) -> list[Outcome]:
    """Measure each database kind in turn; PostgreSQL is skipped, with a note, when it cannot start."""
    outcomes = []
    for database in databases:
        say(
            f"== resident journeys on {database}: {concurrency} residents, {warmup:g} s warm-up, "
            f"{rounds} interleaved rounds of {seconds:g} s"
        )
        if database == "sqlite":
            outcomes.append(measure(database, None, seconds, warmup, rounds, concurrency, say))
            continue
        try:
            with throwaway_postgres() as url:
                outcomes.append(measure(database, url, seconds, warmup, rounds, concurrency, say))
        except PostgresUnavailable as error:
            say(f"  note: PostgreSQL skipped, it could not start: {error}")
            outcomes.append(Outcome(database, skipped=str(error)))
    return outcomes


def result_lines(outcomes: list[Outcome]) -> list[str]:
    lines = []
    for o in outcomes:
        if o.skipped:
            lines.append(f"journeys on {o.database:<10}: skipped ({o.skipped})")
            continue
        unsent = sum(count for status, count in o.receipts.items() if status != "sent")
        lines += [
            f"journeys on {o.database:<10} submissions {o.submissions_per_second:8.2f} /s    final POST p95 "
            f"{o.final_post_p95_ms:7.1f} ms   lost {o.lost}, duplicated {o.duplicated} "
            f"(of {o.journeys} journeys), emails not sent {unsent}   {'PASS' if o.nothing_lost else 'FAIL'}",
            f"  insert app, one POST  {o.reference_per_second:8.1f} POSTs/s (p95 {o.reference_p95_ms:.1f} ms); "
            f"ratio {o.ratio:.3f}   target >= {MIN_JOURNEYS_RATIO}   "
            f"{'PASS' if o.ratio >= MIN_JOURNEYS_RATIO else 'FAIL'}",
            f"  insert app, same journey {o.bare_journeys_per_second:8.2f} journeys/s (final POST p95 "
            f"{o.bare_final_post_p95_ms:.1f} ms); ratio {o.like_for_like_ratio:.3f}   target >= {MIN_JOURNEYS_RATIO}   "
            f"{'PASS' if o.like_for_like_ratio >= MIN_JOURNEYS_RATIO else 'FAIL'}",
        ]
    return lines


DATABASES = {"sqlite": ("sqlite",), "postgresql": ("postgresql",), "both": ("sqlite", "postgresql")}


def add_arguments(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    """The options, shared with `python -m bench` (there prefixed with "journey-")."""
    parser.add_argument(f"--{prefix}seconds", type=float, default=10, help="seconds per measured round (10)")
    parser.add_argument(f"--{prefix}warmup", type=float, default=3, help="seconds of warm-up per app (3)")
    parser.add_argument(f"--{prefix}rounds", type=int, default=2, help="interleaved rounds; the median counts (2)")
    parser.add_argument(f"--{prefix}concurrency", type=int, default=4, help="simulated residents at once (4)")
    parser.add_argument(
        f"--{prefix}databases", choices=sorted(DATABASES), default="both", help="which database kinds (both)"
    )


def check_arguments(parser: argparse.ArgumentParser, seconds: float, warmup: float, rounds: int, concurrency: int):
    if not (0.5 <= seconds <= 60 and 0 <= warmup <= 30 and 1 <= rounds <= 9 and 1 <= concurrency <= 32):
        parser.error("keep journey seconds 0.5..60, warm-up 0..30, rounds 1..9, concurrency 1..32")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.journeys", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    check_arguments(parser, args.seconds, args.warmup, args.rounds, args.concurrency)

    def say(line: str = "") -> None:
        print(line, flush=True)

    outcomes = run(DATABASES[args.databases], args.seconds, args.warmup, args.rounds, args.concurrency, say)
    say()
    for line in result_lines(outcomes):
        say(line)
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, OSError) as error:
        print(f"bench error: {error}", file=sys.stderr)
        sys.exit(2)
