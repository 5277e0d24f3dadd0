"""What the browser tests share: the axe-core check, the console watch, the mailbox and tiny evidence files."""

from __future__ import annotations

import email
import email.policy
import re
import struct
import time
import zlib
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Error, Page

E2E_DIR = Path(__file__).resolve().parent
AXE_SOURCE = (E2E_DIR / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TARGETS_SHOWN = 3


# --- What we know about each page a test drives -------------------------------------------------


GOVUK_LOGGED_ERROR = re.compile(r"^\s*(\w*Error|GOVUKFrontend\w*)\b")
# htmx console.error()s "htmx:afterRequest, [object HTMLDivElement]" then "htmx:sendAbort, ..." when a request is
# aborted. The app's per-field checks (hx-sync="closest form:abort") are aborted whenever a resident types in a
# field and presses Continue straight away, so these are expected; any other htmx error still fails the test.
HTMX_ABORT = re.compile(r"^console error: htmx:(afterRequest|sendAbort), \[object HTML\w*Element\] ")

# What the run tolerated on purpose, printed at the end of the run (see conftest.pytest_terminal_summary):
# for each kind of thing, how many times, and where.
TOLERATED: dict[str, tuple[int, set[str]]] = {}


def tolerate(what: str, where: str = "") -> None:
    times, places = TOLERATED.get(what, (0, set()))
    TOLERATED[what] = (times + 1, places | ({where} if where else set()))


@dataclass
class ConsoleWatch:
    """Console errors and uncaught exceptions a page produced; a test may allow ones it causes on purpose."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    allowed: list[re.Pattern] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        where = message.location.get("url", "") if message.location else ""
        if message.type == "error":
            self.errors.append(f"console error: {message.text} ({where})")
        elif message.type == "warning":
            self.warnings.append(f"console warning: {message.text} ({where})")
        elif GOVUK_LOGGED_ERROR.match(message.text):
            # GOV.UK Frontend's initAll() catches a component's failure and console.log()s it.
            self.errors.append(f"console {message.type} of an error: {message.text} ({where})")

    def on_page_error(self, error: Error) -> None:
        self.errors.append(f"uncaught exception: {error.message}")

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        """The errors no test allowed, less htmx's logging of requests the app's own hx-sync aborted."""
        errors = [text for text in self.errors if not any(pattern.search(text) for pattern in self.allowed)]
        aborts = [text for text in errors if HTMX_ABORT.match(text) and "sendAbort" in text]
        kept, paired = [], 0
        for text in errors:
            if HTMX_ABORT.match(text) and "sendAbort" in text:
                continue
            if HTMX_ABORT.match(text) and "afterRequest" in text and paired < len(aborts):
                paired += 1
                continue
            kept.append(text)
        for _abort in aborts:
            tolerate("htmx request aborted by hx-sync, which htmx logs as two console errors")
        return kept


@dataclass
class PageInfo:
    javascript: bool
    console: ConsoleWatch
    axe_checks: int = 0
    unchecked: list[str] = field(default_factory=list)  # pages loaded since the last axe check


_PAGES: dict[int, PageInfo] = {}


def watch(page: Page, javascript: bool) -> PageInfo:
    """Start collecting console errors and uncaught exceptions for a page."""
    info = PageInfo(javascript=javascript, console=ConsoleWatch())
    page.on("console", info.console.on_console)
    page.on("pageerror", info.console.on_page_error)
    page.on("framenavigated", lambda frame: frame == page.main_frame and info.unchecked.append(frame.url))
    _PAGES[id(page)] = info
    return info


def forget(page: Page) -> PageInfo:
    return _PAGES.pop(id(page))


def info_for(page: Page) -> PageInfo:
    return _PAGES[id(page)]


def allow_console_error(page: Page, pattern: str) -> None:
    """Accept console errors matching a pattern, for a test that causes one on purpose (a 410 page, say)."""
    info_for(page).console.allow(pattern)


# --- Waiting for htmx, and the axe-core check ------------------------------------------------------

HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"


def wait_until_settled(page: Page) -> None:
    """Wait for the page to load and, with JavaScript on, for htmx to finish any request and swap."""
    page.wait_for_load_state("load")
    if info_for(page).javascript:
        page.wait_for_function(f"() => !document.querySelector({HTMX_BUSY!r})", polling=50)


def _format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} [{violation['impact']}] {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:TARGETS_SHOWN]:
            lines.append(f"    {' '.join(node['target'])}  ::  {node['summary']}")
        if len(violation["nodes"]) > TARGETS_SHOWN:
            lines.append(f"    ... and {len(violation['nodes']) - TARGETS_SHOWN} more")
    return "\n".join(lines)


NO_TIMERS = """() => {
    window.setTimeout = (callback, _ms, ...args) => { Promise.resolve().then(() => callback(...args)); return 0 };
    window.clearTimeout = () => {};
    window.requestAnimationFrame = (callback) => {
        Promise.resolve().then(() => callback(performance.now()));
        return 0;
    };
}"""


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the page as it is now and return its WCAG 2.2 AA violations."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # page.evaluate runs through the DevTools protocol, which the page's CSP does not govern
        # (a <script> tag with this content would be refused), so the app keeps its real CSP.
        page.evaluate(AXE_SOURCE + "\n;true")
        loaded = page.evaluate("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'")
        assert loaded, "axe-core did not load into the page"
        if not info_for(page).javascript:
            # With JavaScript off, Chromium still runs our evaluations but never fires their timers, and axe
            # waits on setTimeout: run those callbacks as microtasks. No page script runs to notice.
            page.evaluate(NO_TIMERS)
    return page.evaluate(
        """async ([tags, preload]) => {
            const result = await window.axe.run(document, {
                runOnly: {type: 'tag', values: tags},
                resultTypes: ['violations'],
                preload,
            });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({
                    target: n.target.map(String),
                    summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200),
                })),
            }));
        }""",
        # Without JavaScript the stylesheets are not preloaded (that waits on timers): only css-orientation-lock
        # needs them, and the same stylesheets are checked on every page with JavaScript on.
        [AXE_TAGS, info_for(page).javascript],
    )


def assert_accessible(page: Page) -> None:
    """Fail when axe-core finds any WCAG 2.0/2.1/2.2 A or AA violation on the page as it is now."""
    wait_until_settled(page)
    violations = axe_violations(page)
    info = info_for(page)
    info.axe_checks += 1
    info.unchecked.clear()
    assert not violations, f"axe-core found accessibility violations on {page.url}:\n{_format_violations(violations)}"


# --- The mail the app writes as .eml files --------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    path: Path
    message: EmailMessage

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def template(self) -> str:
        return str(self.message["X-Portal-Template"])

    @property
    def language(self) -> str:
        return str(self.message["Content-Language"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_content()

    def link(self, path_prefix: str) -> str:
        match = re.search(r"https?://\S+?" + re.escape(path_prefix) + r"[A-Za-z0-9_\-]+", self.body)
        assert match, f"no {path_prefix} link in {self.path.name}:\n{self.body}"
        return match.group(0)


class Mailbox:
    """The folder the app's file backend writes each message to."""

    def __init__(self, directory: Path):
        self.directory = directory

    def messages(self, to: str | None = None, template: str | None = None) -> list[Mail]:
        """Return the messages, oldest first (file names start with a timestamp)."""
        if not self.directory.exists():
            return []
        mails = []
        for path in sorted(self.directory.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            mail = Mail(path, message)
            if (to is None or mail.to.lower() == to.lower()) and (template is None or mail.template == template):
                mails.append(mail)
        return mails

    def wait_for(self, to: str, template: str, count: int = 1, timeout: float = 10) -> list[Mail]:
        """Wait until at least `count` matching messages exist, and return them all."""
        deadline = time.monotonic() + timeout
        while True:
            mails = self.messages(to=to, template=template)
            if len(mails) >= count:
                return mails
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} {template!r} email(s) to {to}, found {len(mails)}")
            time.sleep(0.1)

    def newest(self, to: str, template: str) -> Mail:
        return self.wait_for(to, template)[-1]


# --- Tiny, real evidence files -----------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def tiny_png() -> bytes:
    """A valid 1x1 red PNG."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter byte, then one red pixel
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", pixels) + _png_chunk(b"IEND", b"")


def tiny_pdf() -> bytes:
    """A valid one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def write_evidence(directory: Path) -> dict[str, Path]:
    """Write a tiny PDF and PNG to a folder and return their paths."""
    pdf = directory / "letter-from-council.pdf"
    pdf.write_bytes(tiny_pdf())
    png = directory / "photo-of-bin.png"
    png.write_bytes(tiny_png())
    return {"pdf": pdf, "png": png}
