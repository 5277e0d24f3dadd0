"""Two app instances behind one PostgreSQL and one Redis share the sign-in limit, staff sessions and the page cache.

Each instance is a real gunicorn process in production settings, given only REDIS_URL; a throw-away redis-server
holds the limits and pages. The test plays one browser behind a load balancer: one cookie jar, its requests going
to either instance. Skipped without PostgreSQL (the SQLite pass of `make test`) or without redis-server.
"""

from __future__ import annotations

import copy
import http.cookiejar
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
import redis
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import PROJECT_ROOT, create_app
from portal.extensions import db
from portal.services.users import create_user

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_SERVER = shutil.which("redis-server")
SIGN_IN_LIMIT = 3
START_TIMEOUT = 30
EMAIL, PASSWORD = "officer@example.gov.uk", "correct horse battery"
TOTP_SECRET = pyotp.random_base32()
# The instances and the test that makes the officer share the key the authenticator secret is encrypted with.
MFA_KEY = Fernet.generate_key().decode()

pytestmark = [
    pytest.mark.skipif(
        not TEST_DATABASE_URL.startswith("postgresql"),
        reason="needs PostgreSQL: TEST_DATABASE_URL is not a postgresql URL (scripts/with-throwaway-postgres.sh)",
    ),
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server (scripts/install-system-deps.sh)"),
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _log_tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:] if log.exists() else ""


def _wait_for(ready, process: subprocess.Popen, log: Path, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} stopped while starting:\n{_log_tail(log)}")
        try:
            if ready():
                return
        except (OSError, redis.ConnectionError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start within {START_TIMEOUT}s:\n{_log_tail(log)}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Browser:
    """One browser: a cookie jar, redirects not followed, answering (status, headers, body) from any instance."""

    def __init__(self, jar: http.cookiejar.CookieJar | None = None) -> None:
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects())

    def copy(self) -> Browser:
        """Another browser holding a copy of this one's cookies, as a copied cookie would be."""
        jar = http.cookiejar.CookieJar()
        for cookie in self.jar:
            jar.set_cookie(copy.copy(cookie))
        return Browser(jar)

    def request(self, url: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            response = self._opener.open(urllib.request.Request(url, data=body), timeout=10)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            return response.status, dict(response.headers), response.read().decode()

    def form_token(self, url: str) -> str:
        status, _headers, html = self.request(url)
        assert status == 200, f"GET {url}: {status}"
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)

    def post_form(self, url: str, fields: dict, page: str | None = None) -> tuple[int, dict, str]:
        """Open the form's page (for its CSRF token), then send the form, as a person at this browser would."""
        return self.request(url, {"csrf_token": self.form_token(page or url), **fields})


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass(frozen=True)
class Deployment:
    instances: tuple[str, str]
    redis_url: str


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    """A database of its own in the test PostgreSQL, so the other tests' schema resets never meet the instances."""
    admin_url = make_url(TEST_DATABASE_URL)
    name = f"portal_two_instances_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, database_url) -> Iterator[Deployment]:
    directory = tmp_path_factory.mktemp("two-instances")
    redis_port = _free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TEST_DATABASE_URL", "RATELIMIT_STORAGE_URI", "CACHE_TYPE", "CACHE_REDIS_URL", "PROXY_HOPS"}
    }
    env.update(
        PORTAL_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        MFA_ENCRYPTION_KEYS=MFA_KEY,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        FORCE_HTTPS="false",
        SESSION_COOKIE_SECURE="false",
        SIGN_IN_RATE_LIMIT=f"{SIGN_IN_LIMIT} per 15 minutes",
        RATELIMIT_ENABLED="true",
        MAIL_DIRECTORY=str(directory / "mail"),
        UPLOAD_DIRECTORY=str(directory / "uploads"),
        PYTHONUNBUFFERED="1",
    )
    processes: list[subprocess.Popen] = []

    def start(command: list[str], log: Path) -> subprocess.Popen:
        with log.open("ab") as out:
            process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        processes.append(process)
        return process

    try:
        redis_log = directory / "redis.log"
        redis_server = start(
            # No persistence, and its files (none expected) in the temporary folder.
            [REDIS_SERVER, "--port", str(redis_port), "--bind", "127.0.0.1", "--dir", str(directory)]
            + ["--save", "", "--appendonly", "no"],
            redis_log,
        )
        _wait_for(lambda: _ping(redis_url), redis_server, redis_log, "redis-server")

        migrate_log = directory / "migrate.log"
        with migrate_log.open("ab") as out:
            migrated = subprocess.run(
                [sys.executable, "-m", "flask", "--app", "portal", "db", "upgrade"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            )
        assert migrated.returncode == 0, f"flask db upgrade failed:\n{_log_tail(migrate_log)}"

        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        instances = []
        for number in (1, 2):
            port = _free_port()
            log = directory / f"instance-{number}.log"
            command = [gunicorn, "-w", "1", "-b", f"127.0.0.1:{port}", "--no-control-socket"]
            process = start(command + ["--graceful-timeout", "5", "portal:create_app()"], log)
            instances.append((f"http://127.0.0.1:{port}", process, log))
        for base_url, process, log in instances:
            _wait_for(lambda url=base_url: _healthy(url), process, log, f"the instance at {base_url}")
        yield Deployment((instances[0][0], instances[1][0]), redis_url)
    finally:
        for process in reversed(processes):
            _stop(process)


def _ping(redis_url: str) -> bool:
    with redis.Redis.from_url(redis_url, socket_timeout=2) as client:
        return bool(client.ping())


def _healthy(base_url: str) -> bool:
    with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
        return response.status == 200


@pytest.fixture
def portal(deployment) -> Deployment:
    """The deployment with nothing counted yet, as each test expects: its Redis emptied of limits and pages."""
    with redis.Redis.from_url(deployment.redis_url) as client:
        client.flushdb()
    return deployment


@pytest.fixture(scope="module")
def officer(database_url) -> str:
    """An officer whose authenticator secret the test knows, made straight in the instances' database."""
    app = create_app("test", SQLALCHEMY_DATABASE_URI=database_url, MFA_ENCRYPTION_KEYS=MFA_KEY)
    try:
        with app.app_context():
            user = create_user(EMAIL, "officer", PASSWORD, name="Officer")
            user.totp_secret = TOTP_SECRET
            db.session.commit()
            db.session.remove()
    finally:
        with app.app_context():
            db.engine.dispose()
    return EMAIL


def test_the_sign_in_limit_is_counted_across_both_instances(portal, officer):
    first, second = portal.instances
    browser = Browser()
    wrong = {"email": officer, "password": "not the password"}
    answers = []
    # Alternate, as a load balancer would: with a limit per process each would allow 3 and none of these 5 fail.
    for base_url in (first, second, first, second, first):
        status, headers, _body = browser.post_form(f"{base_url}/staff/sign-in", wrong)
        answers.append((status, headers.get("X-RateLimit-Remaining")))
    assert answers == [(200, "2"), (200, "1"), (200, "0"), (429, "0"), (429, "0")]


def test_a_staff_session_started_on_one_instance_is_open_and_ended_on_both(portal, officer):
    first, second = portal.instances
    browser = Browser()
    status, headers, _body = browser.post_form(f"{first}/staff/sign-in", {"email": officer, "password": PASSWORD})
    assert (status, headers["Location"]) == (303, "/staff/sign-in/code")
    # The code page on the other instance knows whose password was just given (the cookie session is signed by the
    # shared SECRET_KEY).
    status, headers, _body = browser.post_form(f"{second}/staff/sign-in/code", {"code": pyotp.TOTP(TOTP_SECRET).now()})
    assert (status, headers["Location"]) == (303, "/staff/")

    copied = browser.copy()  # what someone who copied the cookie would hold
    for base_url in (first, second):
        status, _headers, html = copied.request(f"{base_url}/staff/")
        assert status == 200, base_url
        assert "Sign out" in html

    status, headers, _body = browser.post_form(f"{second}/staff/sign-out", {}, page=f"{second}/staff/")
    assert (status, headers["Location"]) == (303, "/staff/sign-in")

    # The copy still carries the session's token, but the session ended in the database every instance reads.
    for base_url in (first, second):
        status, headers, _body = copied.request(f"{base_url}/staff/")
        assert status in (302, 303), base_url
        assert headers["Location"].startswith("/staff/sign-in"), base_url


def test_a_page_cached_by_one_instance_is_served_from_the_cache_by_the_other(portal):
    first, second = portal.instances
    browser = Browser()
    with redis.Redis.from_url(portal.redis_url) as store:
        hits_before = store.info("stats")["keyspace_hits"]
        status, _headers, page = browser.request(f"{first}/cookies")
        assert status == 200
        assert len(store.keys("*page:*")) == 1
        assert store.info("stats")["keyspace_hits"] == hits_before  # a miss: the first instance drew the page

        status, _headers, again = browser.request(f"{second}/cookies")
        assert (status, again) == (200, page)
        assert store.info("stats")["keyspace_hits"] == hits_before + 1  # the second found it in the shared cache
