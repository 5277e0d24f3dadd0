"""Browser test fixtures: the app served by gunicorn on a throw-away database, and Chromium pages that are watched.

Every page fixture records console errors (Content-Security-Policy violations included) and uncaught
exceptions, and fails the test at teardown if there were any the test did not allow. The axe-core check is
`assert_accessible(page)`; the page objects in e2e/pages.py call it after every navigation and swap.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from e2e.support import TOLERATED, Mailbox, assert_accessible, forget, tolerate, watch, write_evidence

__all__ = ["assert_accessible"]

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 667}
SERVER_START_TIMEOUT = 30
# The pseudo-locale: a real locale code the portal never offers, whose catalogue wraps every message in markers.
PSEUDO_LOCALE = "en_001"
PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"

expect.set_options(timeout=10_000)


SERVER_LOGS: list[Path] = []


def pytest_terminal_summary(terminalreporter):
    for log in SERVER_LOGS:
        if log.exists() and "Traceback" in log.read_text(errors="replace"):
            terminalreporter.section("browser tests: the app logged exceptions")
            terminalreporter.write_line(f"see {log}")
    if TOLERATED:
        terminalreporter.section("browser tests: tolerated on purpose (see e2e/README.md)")
        for what, (times, places) in sorted(TOLERATED.items()):
            terminalreporter.write_line(f"{times:4d} x {what}" + (f": {', '.join(sorted(places))}" if places else ""))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# --- The app ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    base_url: str
    directory: Path
    mail_dir: Path
    upload_dir: Path
    log: Path

    @property
    def mailbox(self) -> Mailbox:
        return Mailbox(self.mail_dir)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _compile_translations(target: Path) -> None:
    """Compile the .po files as they are now into a private folder, so the run never depends on stale .mo files."""
    source = ROOT / "portal" / "translations"
    for po_path in source.glob("*/LC_MESSAGES/*.po"):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=True)


def _compile_pseudo_locale(target: Path) -> None:
    """Write the pseudo-locale's catalogue: every message from the source, its translation the English in markers."""
    with (ROOT / "portal" / "translations" / "messages.pot").open("rb") as pot:
        catalog = read_po(pot, locale=PSEUDO_LOCALE)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(f"{PSEUDO_OPEN}{form}{PSEUDO_CLOSE}" for form in message.id)
        else:
            message.string = f"{PSEUDO_OPEN}{message.id}{PSEUDO_CLOSE}"
    mo_path = target / PSEUDO_LOCALE / "LC_MESSAGES" / "messages.mo"
    mo_path.parent.mkdir(parents=True, exist_ok=True)
    with mo_path.open("wb") as mo_file:
        write_mo(mo_file, catalog)


def _run(command: list[str], env: dict, log: Path) -> None:
    with log.open("ab") as out:
        completed = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{log.read_text(errors='replace')[-4000:]}")


def _wait_until_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app stopped while starting:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own 127.0.0.1 server
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the app did not answer {url} within {SERVER_START_TIMEOUT}s")


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("portal")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = directory / "server.log"
    SERVER_LOGS.append(log)
    translations = directory / "translations"
    _compile_translations(translations)
    _compile_pseudo_locale(translations)
    env = {
        **os.environ,
        "PORTAL_ENV": "development",
        "DATABASE_URL": f"sqlite:///{directory / 'e2e.db'}",
        "MAIL_DIRECTORY": str(directory / "mail"),
        "UPLOAD_DIRECTORY": str(directory / "uploads"),
        "RATELIMIT_ENABLED": "0",
        "SESSION_COOKIE_SECURE": "0",
        "FORCE_HTTPS": "0",
        "PUBLIC_BASE_URL": base_url,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("TEST_DATABASE_URL", None)
    python = sys.executable
    _run([python, "-m", "flask", "--app", "portal", "db", "upgrade"], env, log)
    _run([python, "-m", "flask", "--app", "portal", "demo-data"], env, log)
    app_spec = (
        f"portal:create_app(BABEL_TRANSLATION_DIRECTORIES={str(translations)!r}, PSEUDO_LOCALE={PSEUDO_LOCALE!r})"
    )
    command = [
        python,
        "-m",
        "gunicorn",
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "--no-control-socket",
        "--graceful-timeout",
        "5",
        app_spec,
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        _wait_until_healthy(f"{base_url}/healthz", process, log)
        yield Server(base_url, directory, directory / "mail", directory / "uploads", log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def mailbox(server) -> Mailbox:
    return server.mailbox


# --- The browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _watched_page(request, browser: Browser, server: Server, javascript: bool = True, **options) -> Iterator[Page]:
    context = browser.new_context(base_url=server.base_url, locale="en-GB", java_script_enabled=javascript, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    info = watch(page, javascript=javascript)
    try:
        yield page
        failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
        if failed:
            shot = server.directory / f"{request.node.name}.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"\nscreenshot of {page.url}: {shot}")
        for warning in info.console.warnings:
            tolerate(warning)
        errors = info.console.unexpected()
        assert not errors, "the browser reported errors:\n" + "\n".join(errors)
        if not failed:
            assert not info.unchecked, f"pages loaded but never checked with axe (use e2e/pages.py): {info.unchecked}"
    finally:
        forget(page)
        context.close()


@pytest.fixture
def page(request, browser, server) -> Iterator[Page]:
    """A desktop-sized page with JavaScript on."""
    yield from _watched_page(request, browser, server, viewport=DESKTOP)


@pytest.fixture
def phone_page(request, browser, server) -> Iterator[Page]:
    """A phone-sized touch page with JavaScript on."""
    yield from _watched_page(
        request, browser, server, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )


@pytest.fixture
def staff_page(request, browser, server) -> Iterator[Page]:
    """A second desktop page with JavaScript on, in its own context: the officer's browser beside the resident's."""
    yield from _watched_page(request, browser, server, viewport=DESKTOP)


@pytest.fixture
def nojs_page(request, browser, server) -> Iterator[Page]:
    """A desktop-sized page with JavaScript off: forms post and pages load the old way."""
    yield from _watched_page(request, browser, server, javascript=False, viewport=DESKTOP)


# --- Test data -----------------------------------------------------------------------------------------


@pytest.fixture
def evidence(tmp_path) -> dict[str, Path]:
    """A tiny real PDF and PNG, written for this test."""
    return write_evidence(tmp_path)


@pytest.fixture
def resident_email() -> str:
    """An address no other test uses, so each test can count its own mail."""
    return f"resident-{uuid.uuid4().hex[:10]}@example.com"
