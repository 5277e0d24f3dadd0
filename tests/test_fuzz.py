"""Random unicode, huge and empty values into every form, search and the spreadsheet import: never a 500, and a
refused value comes back as the form with its error.

Each test arranges one app, reads the form from its page (so the fields and choices are the page's own), snapshots
the database, and then for every example puts the database back before posting, so examples cannot interfere.
PostgreSQL refuses NUL in text and enforces column lengths, which SQLite does not: a statement with a NUL parameter
is refused here too, and after each example no stored text may hold NUL or be longer than its column.
"""

import csv
import io
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pyotp
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from openpyxl import Workbook
from sqlalchemy import JSON, String, event, select

from portal.extensions import cache, db
from portal.models import Directorate, Event, LearningAction, Theme, User
from portal.services.importer import COLUMNS, REQUIRED_COLUMNS
from portal.services.users import create_user
from tests import files
from tests.conftest import csrf_token
from tests.journey import fill_all, lodge
from tests.mail import ask_for_tracking_link, tracking_link_path
from tests.staff import PASSWORD, make_staff, staff_client

# Hypothesis keeps caches (Unicode tables, constants found in the code) in .hypothesis/: not in the repository.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "portal-hypothesis")
FUZZ_SETTINGS = settings(
    # FUZZ_EXAMPLES=500 for a longer search; each test's examples are independent of the others'.
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
HUGE = 100_000
# Characters that have broken form handling elsewhere: NUL and other controls, bidi marks and overrides, a BOM,
# Unicode line breaks, astral characters, digits that are not ASCII, and markup and format syntax.
ODD = [
    *"\x00\x01\x08\x0b\x0c\x1b\x7f\x85\t\r\n",
    *"\u200e\u200f\u202a\u202b\u202d\u202e\u2066\u2067\u2069\u061c\ufeff\u2028\u2029\u00a0\u3000",
    *"\U0001d54f\U0001f600\U00010348\U0010fffd",
    *"²³¹½٣۴߂१০๓",
    *"<>&\"'%{}[]\\/:;_-+.,#?=*",
]
CHARACTER = st.one_of(st.characters(codec="utf-8"), st.sampled_from(ODD))
# What broke forms before: NUL (PostgreSQL refuses it), digits int() cannot read, bidi overrides, line breaks.
TROUBLE = ["\x00", "²", "\u202e", "\U0001f600", "\r\n", "\x1b", "\ufeff"]
SPIKED = st.builds(
    lambda before, odd, after: before + odd + after,
    st.text(CHARACTER, max_size=8),
    st.sampled_from(TROUBLE),
    st.text(CHARACTER, max_size=8),
)
NUMBERISH = st.one_of(
    st.integers().map(str),
    st.text(st.characters(categories=("Nd", "No")), min_size=1, max_size=8),
    st.sampled_from(["0", "-1", "1.5", "1e9", "0x10", "1_000", " 7 ", "NaN", "inf", "9" * 20, "9" * 5000]),
)


def _repeated(pattern: str, length: int) -> str:
    return (pattern * (length // len(pattern) + 1))[:length]


# Just over each length limit the forms and columns have, and 100k characters.
LONG = st.builds(
    _repeated,
    st.text(CHARACTER, min_size=1, max_size=3),
    st.sampled_from([21, 36, 41, 61, 65, 101, 121, 201, 256, 321, 501, 1001, 2001, 5001, 10001, 20001, HUGE]),
)
FUZZ = st.one_of(st.just(""), st.text(CHARACTER, max_size=30), SPIKED, NUMBERISH, LONG)
# Every field of a form at once: empty, NUL, 100k characters, a right-to-left override, astral, a superscript digit,
# and digits as an Arabic keyboard types them.
EVERYWHERE = ["", "\x00", "a\x00b", "x" * HUGE, "\u202eabc\u200f", "\U0001f600\U0001d54f", "²", " \r\n\t ", "١٢٣٤٥٦"]
TAMPERED = ["", "\x00", "²", "-1", "9" * 5000]
FILENAME = st.one_of(
    st.text(CHARACTER, max_size=20),
    st.sampled_from(["evidence.pdf", "photo.PNG", "a\x00.pdf", "../../etc/passwd.pdf", "\u202egpj.exe", "x" * 300]),
)
FILE_CONTENT = st.one_of(
    st.binary(max_size=2000), st.sampled_from([files.pdf(), files.png(), files.jpeg(), files.docx(), b""])
)
# What a form may answer: itself again, a redirect (onwards, or back to start), or "too large" for 100k characters.
ANSWERS = {200, 302, 303, 413}
# Python's own words for a failed conversion: a form that shows them let an exception's text through as its message.
LEAKED = ("invalid literal", "Exceeds the limit", "could not convert", "Traceback")


# Reading a page's forms


@dataclass
class Control:
    kind: str  # text, hidden, radio, checkbox, select, file or button
    inputs: int = 0
    values: list[str] = field(default_factory=list)  # what the page offers, or a hidden field's value
    current: list[str] = field(default_factory=list)  # what the page has filled in, chosen or ticked


@dataclass
class PageForm:
    action: str
    method: str
    multipart: bool
    controls: dict[str, Control] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: Control | None = None
        self._textarea: Control | None = None

    def _control(self, name: str, kind: str) -> Control:
        control = self._form.controls.setdefault(name, Control(kind))
        control.inputs += 1
        return control

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._form = PageForm(
                attributes.get("action") or "",
                (attributes.get("method") or "get").lower(),
                attributes.get("enctype") == "multipart/form-data",
            )
            self.forms.append(self._form)
            return
        name = attributes.get("name")
        if self._form is None:
            return
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            kind = kind if kind in ("hidden", "radio", "checkbox", "file", "submit") else "text"
            control = self._control(name, "button" if kind == "submit" else kind)
            value = attributes.get("value") or ("" if kind in ("text", "file") else "on")
            if kind not in ("text", "file"):
                control.values.append(value)
            if kind == "text" or "checked" in attributes:
                control.current.append(value)
        elif tag == "textarea" and name:
            self._textarea = self._control(name, "text")
            self._textarea.current.append("")
        elif tag == "select" and name:
            self._select = self._control(name, "select")
        elif tag == "option" and self._select is not None:
            self._select.values.append(attributes.get("value") or "")
            if "selected" in attributes:
                self._select.current.append(attributes.get("value") or "")
        elif tag == "button" and name:
            self._control(name, "button").values.append(attributes.get("value") or "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.current[-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_form(client, page: str, action: str | None = None, html: str | None = None) -> PageForm:
    """Return the form on a page (fetched, or the HTML given) that posts to an address (the page's own by default)."""
    if html is None:
        response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        html = response.get_data(as_text=True)
    parser = _FormParser()
    parser.feed(html)
    wanted = urlsplit(action or page).path
    found = [form for form in parser.forms if urlsplit(form.action).path == wanted and form.method == "post"]
    assert found, f"{page} has no form posting to {wanted}"
    return found[0]


# What to send


def _one_of_offered(control: Control):
    offered = [value for value in control.values if value]
    return st.sampled_from(offered).map(lambda value: [value]) if offered else st.just([])


def control_values(name: str, control: Control):
    """Values for one control: mostly random, sometimes what the page offers, sometimes nothing at all."""
    if name.endswith("csrf_token"):
        return st.just(control.values)
    if control.kind == "hidden":
        # A hidden field (a case's version, a submission key) is mostly left as the page gave it.
        return st.one_of(st.just(control.values), st.just(control.values), st.lists(FUZZ, min_size=1, max_size=1))
    if control.kind in ("radio", "select"):
        return st.one_of(_one_of_offered(control), st.lists(FUZZ, min_size=1, max_size=1), st.just([]))
    if control.kind == "checkbox":
        offered = [value for value in control.values if value]
        return st.one_of(st.lists(st.sampled_from(offered), unique=True), st.lists(FUZZ, max_size=2))
    if control.kind == "button":
        return st.one_of(st.just([]), _one_of_offered(control), st.lists(FUZZ, min_size=1, max_size=1))
    if control.kind == "file":
        return st.lists(st.tuples(FILE_CONTENT, FILENAME), max_size=2)
    return st.one_of(st.lists(FUZZ, min_size=control.inputs, max_size=control.inputs), st.just([]))


# Plausible answers for an empty field, by what its name says it is, so that one odd value can get past the rest.
PLAUSIBLE = [
    ("email", "jo@example.com"),
    ("phone", "01632 960 001"),
    ("password", "correct horse battery staple"),
    ("year", "2024/25"),
    ("days", "20"),
    ("amount", "10"),
    ("code", "123456"),
    ("reference", "24 001 234"),
    ("average", "50"),
    ("upheld", "50"),
    ("compliance", "50"),
    ("remedy", "50"),
    ("detailed", "0"),
]


def _day(days_from_today: int = 0) -> list[str]:
    day = date.today() + timedelta(days=days_from_today)
    return [str(day.day), str(day.month), str(day.year)]


def plausible(name: str, control: Control) -> list[str]:
    """An answer the form would likely take: what the page has filled in or chosen, or one that fits the name."""
    if control.kind == "hidden":
        return control.values
    if control.kind in ("button", "file"):
        return []
    # A drafted response marks in [brackets] what is still to be written, which the form refuses as it is.
    if any(control.current) and "[" not in "".join(control.current):
        return control.current
    if control.kind in ("radio", "select", "checkbox"):
        return [value for value in control.values if value][:1]
    if control.inputs == 3:  # day, month and year: today, or later for a new deadline
        return _day(35) if name == "new_date" else _day()
    return [next((value for word, value in PLAUSIBLE if word in name), "Words typed by someone")]


def plausible_submission(form: PageForm) -> dict:
    return {name: plausible(name, control) for name, control in form.controls.items()}


def form_data(form: PageForm):
    """Build a submission: every control random, or a plausible one with one control random; plus stray fields."""
    fields = {name: control_values(name, control) for name, control in form.controls.items()}
    everything = st.fixed_dictionaries(fields)
    base = plausible_submission(form)
    one = st.sampled_from(sorted(fields)).flatmap(lambda name: fields[name].map(lambda sent: {**base, name: sent}))
    extra = st.dictionaries(
        st.text(CHARACTER, min_size=1, max_size=10).filter(lambda name: name not in form.controls),
        FUZZ.map(lambda value: [value]),
        max_size=2,
    )
    return st.tuples(st.one_of(everything, one), extra).map(lambda parts: {**parts[1], **parts[0]})


def post(client, path: str, **kwargs):
    """Post as the test client does, then close the body it spooled to a temporary file (it leaves a large one open)."""
    response = client.post(path, **kwargs)
    response.request.environ["wsgi.input"].close()
    return response


def _payload(values: dict) -> dict:
    payload = {}
    for name, sent in values.items():
        if not sent:
            continue
        payload[name] = [(io.BytesIO(item[0]), item[1]) if isinstance(item, tuple) else item for item in sent]
    return payload


# Keeping examples apart, and what PostgreSQL would refuse


def snapshot(app) -> dict[str, list[dict]]:
    with app.app_context():
        return {
            table.name: [dict(row._mapping) for row in db.session.execute(table.select())]
            for table in db.metadata.sorted_tables
        }


def restore(app, saved: dict[str, list[dict]]) -> None:
    """Put every table back as the snapshot had it, append-only ones too (their triggers are set aside meanwhile),
    and forget the pages cached from what an earlier example wrote."""
    with app.app_context():
        cache.clear()
    with app.app_context(), db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            triggers = connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all()
            for name, _sql in triggers:
                connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
        else:
            triggers = []
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
        for table in db.metadata.sorted_tables:
            if saved[table.name]:
                connection.execute(table.insert(), saved[table.name])
        for _name, sql in triggers:
            connection.exec_driver_sql(sql)
        db.session.remove()


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


def refuse_nul_parameters(app) -> None:
    """Make SQLite refuse a NUL in any statement's parameters, as PostgreSQL does."""

    def check(conn, cursor, statement, parameters, context, executemany):
        if _holds_nul(parameters):
            raise ValueError(f"PostgreSQL would refuse a NUL character in: {statement[:200]}")

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", check)


def assert_storable(app) -> None:
    """Check that every stored value would fit PostgreSQL: no NUL anywhere, no text longer than its column."""
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(table.select()):
                for column in table.columns:
                    value = row._mapping[column.name]
                    if isinstance(column.type, JSON | String):
                        assert not _holds_nul(value), f"NUL stored in {table.name}.{column.name}"
                    if isinstance(column.type, String) and column.type.length and isinstance(value, str):
                        assert len(value) <= column.type.length, f"{table.name}.{column.name} too long: {len(value)}"
        db.session.remove()


# The forms, each arranged in a state where it is offered


@dataclass
class Target:
    client: object
    page: str
    action: str | None = None
    # A 200 without an error is a right answer too (a preview, an import's report).
    quiet_success: bool = False
    # The page as a POST answered it, for a form that only such an answer shows.
    html: str | None = None
    # A 400 is the right answer when a hidden field came back changed (no person saw it).
    refuses_tampering: bool = False


def _post_form(client, page: str, data: dict, action: str | None = None):
    """Fill a form as its page gives it, with some answers, and send it; fail unless it was saved."""
    form = page_form(client, page, action)
    payload = {name: control.values for name, control in form.controls.items() if control.kind == "hidden"}
    response = client.post(form.action, data={**payload, **data})
    assert response.status_code in (302, 303), (page, response.get_data(as_text=True)[:2000])
    return response


def _step(client, reference: str, step: str, data: dict):
    return _post_form(client, f"/staff/cases/{reference}/{step}", data)


def _first_theme(app) -> str:
    with app.app_context():
        return str(db.session.scalar(select(Theme.id).filter_by(parent_id=None).order_by(Theme.id)))


def _respond(app, officer, reference: str, **extra):
    data = {"outcome": "upheld", "themes": [_first_theme(app)], "response_text": "We are sorry.", **extra}
    return _step(officer, reference, "respond", data)


def _triaged(app, officer, process: str = "corporate") -> str:
    reference = lodge(app.test_client())
    data = {"triage-classification": "complaint", "triage-complaint_process": process}
    _post_form(officer, f"/staff/cases/{reference}", data, action=f"/staff/cases/{reference}/triage")
    return reference


def _resident(app, overrides: dict | None = None):
    client = app.test_client()
    fill_all(client, overrides)
    return client


def _journey(slug: str, overrides: dict | None = None):
    return lambda app: Target(_resident(app, overrides), f"/feedback/{slug}")


def _evidence(app):
    """Arrange the evidence page with a file on it already, so its Remove button is there to press."""
    client = _resident(app)
    token = csrf_token(client.get("/feedback/evidence"))
    upload = {"csrf_token": token, "files": [(io.BytesIO(files.pdf()), "letter.pdf")], "upload": "y"}
    assert client.post("/feedback/evidence", data=upload, content_type="multipart/form-data").status_code == 200
    # Uploading or removing a file shows the page again, with the files it has.
    return Target(client, "/feedback/evidence", quiet_success=True)


def _tracking(app, responded: bool = False):
    client = app.test_client()
    reference = lodge(client)
    if responded:
        _respond(app, staff_client(app, "officer"), reference)
    ask_for_tracking_link(client, reference, "jo@example.com")
    assert client.get(tracking_link_path(Path(app.config["MAIL_DIRECTORY"]))).status_code == 302
    return client


def _case_page(action: str):
    def arrange(app):
        officer = staff_client(app, "officer")
        reference = lodge(app.test_client())
        return Target(officer, f"/staff/cases/{reference}", f"/staff/cases/{reference}/{action}")

    return arrange


def _queue(step: str):
    def arrange(app):
        officer = staff_client(app, "officer")
        reference = lodge(app.test_client()) if step == "triage" else _triaged(app, officer)
        if step == "allocate":
            _post_form(officer, f"/staff/cases/{reference}", {}, action=f"/staff/cases/{reference}/acknowledge")
        return Target(officer, "/staff/triage", f"/staff/triage/{reference}/{step}")

    return arrange


def _lodged(app, officer) -> str:
    return lodge(app.test_client())


def _responded(app, officer) -> str:
    reference = lodge(app.test_client())
    _respond(app, officer, reference)
    return reference


def _closed(app, officer) -> str:
    reference = lodge(app.test_client())
    _step(officer, reference, "close", {"reason": "duplicate", "note": "Sent twice."})
    return reference


def _stage_step(step: str, arrive: Callable = _lodged):
    """Arrange one of a case's step pages, the case brought to where the step is offered."""

    def arrange(app):
        officer = staff_client(app, "officer")
        return Target(officer, f"/staff/cases/{arrive(app, officer)}/{step}")

    return arrange


def _childrens_stage(number: int, panel_met: bool = False):
    def arrive(app, officer):
        reference = _triaged(app, officer, "childrens")
        for _ in range(number - 1):
            _respond(app, officer, reference)
            _step(officer, reference, "escalate", {"reason": "Not satisfied."})
        if panel_met:
            names = {"chair": "Ann Chair", "first_member": "Bo Member", "second_member": "Cy Member"}
            _step(officer, reference, "panel", {"panel_date": _day(), **names})
        make_staff(app, "investigator", email="iio@example.gov.uk", name="Ida Investigator")
        make_staff(app, "investigator", email="ip@example.gov.uk", name="Ian Person")
        return reference

    return arrive


def _ombudsman_decision(app):
    officer = staff_client(app, "officer")
    reference = lodge(app.test_client())
    _step(officer, reference, "ombudsman", {"received_on": ["2", "1", "2026"], "lgsco_reference": "24 001 234"})
    page = officer.get(f"/staff/cases/{reference}").get_data(as_text=True)
    path = re.search(rf"/staff/cases/{reference}/ombudsman/\d+", page).group(0)
    return Target(officer, path)


def _admin(path: str):
    def arrange(app):
        return Target(staff_client(app, "admin"), path)

    return arrange


def _admin_link(listing: str, pattern: str, action_suffix: str = ""):
    """Arrange a page found by following the first link of a listing that matches a pattern."""

    def arrange(app):
        admin = staff_client(app, "admin")
        html = admin.get(listing).get_data(as_text=True)
        path = re.search(pattern, html).group(0)
        return Target(admin, path, path + action_suffix if action_suffix else None)

    return arrange


def _admin_user(suffix: str):
    def arrange(app):
        admin = staff_client(app, "admin")
        user_id = make_staff(app, "responder", email="responder@example.gov.uk", areas=("Libraries",))
        return Target(admin, f"/staff/admin/users/{user_id}{suffix}")

    return arrange


def _message_template(app):
    target = _admin_link("/staff/admin/message-templates", r"/staff/admin/message-templates/[\w-]+/ar")(app)
    return Target(target.client, target.page, quiet_success=True)


LGSCO_YEAR = "2024/25"


def _new_lgsco_year(manager):
    form = page_form(manager, "/staff/reporting/ombudsman/new")
    data = {name: "0" for name, control in form.controls.items() if control.kind == "text"}
    _post_form(manager, "/staff/reporting/ombudsman/new", {**data, "year": LGSCO_YEAR})


def _reporting(path: str, arrive: Callable | None = None):
    def arrange(app):
        manager = staff_client(app, "manager")
        if arrive is not None:
            arrive(manager)
        return Target(manager, path)

    return arrange


def _learning_review(app):
    officer = staff_client(app, "officer")
    reference = lodge(app.test_client())
    _respond(app, officer, reference, learning="Crews will photograph missed bins.", learning_owner="Waste manager")
    _step(officer, reference, "complete", {"reason": "Done."})
    with app.app_context():
        action_id = db.session.scalar(select(LearningAction.id))
    return Target(staff_client(app, "manager"), f"/staff/reporting/learning/{action_id}")


def _sign_in(app):
    make_staff(app, "officer")
    return Target(app.test_client(), "/staff/sign-in")


def _sign_in_code(app, set_up: bool = False):
    """Arrange the second step of signing in: the password given, the code (or a new app's first one) to come."""
    with app.app_context():
        create_user("officer@example.gov.uk", "officer", PASSWORD, name="Officer")
        if not set_up:
            db.session.scalar(select(User)).totp_secret = pyotp.random_base32()
        db.session.commit()
    client = app.test_client()
    data = {"csrf_token": csrf_token(client.get("/staff/sign-in")), "email": "officer@example.gov.uk"}
    response = client.post("/staff/sign-in", data={**data, "password": PASSWORD})
    assert response.status_code == 303
    return Target(client, response.location)


def _personal_data(step: str):
    """Arrange the forms a search for a person's data shows: export, erase, and erasure's confirmation."""

    def arrange(app):
        _closed(app, staff_client(app, "officer"))  # only a closed case can be erased
        admin = staff_client(app, "admin")
        page = "/staff/admin/personal-data"
        data = {"csrf_token": csrf_token(admin.get(page)), "email": "jo@example.com"}
        html = admin.post(page, data=data).get_data(as_text=True)
        action = f"{page}/{'erase' if step == 'confirm' else step}"
        if step == "confirm":
            form = page_form(admin, page, action, html)
            html = admin.post(action, data={name: control.values for name, control in form.controls.items()})
            html = html.get_data(as_text=True)
        return Target(admin, page, action, quiet_success=True, html=html, refuses_tampering=True)

    return arrange


def _import(app):
    return Target(staff_client(app, "manager"), "/staff/import", quiet_success=True)


FORMS: dict[str, Callable] = {
    "journey type": _journey("type"),
    "journey service": _journey("service"),
    "journey complaint details": _journey("details"),
    "journey compliment details": _journey("details", {"type": {"type": "compliment"}}),
    "journey evidence": _evidence,
    "journey your details": _journey("your-details"),
    "journey contact preferences": _journey("contact-preferences"),
    "journey someone else": _journey("someone-else"),
    "journey check answers": _journey("check-answers"),
    "tracking request": lambda app: Target(app.test_client(), "/track"),
    "tracking add information": lambda app: Target(_tracking(app), "/track/case", "/track/case/add-information"),
    "tracking withdraw": lambda app: Target(_tracking(app), "/track/case/withdraw"),
    "tracking escalate": lambda app: Target(_tracking(app, responded=True), "/track/case", "/track/case/escalate"),
    "staff sign in": _sign_in,
    "staff sign-in code": _sign_in_code,
    "staff sign-in app set-up": lambda app: _sign_in_code(app, set_up=True),
    "case triage": _case_page("triage"),
    "case acknowledge": _case_page("acknowledge"),
    "case allocate": _case_page("allocate"),
    "case note": _case_page("notes"),
    "queue triage": _queue("triage"),
    "queue acknowledge": _queue("acknowledge"),
    "queue allocate": _queue("allocate"),
    "new contact": lambda app: Target(staff_client(app, "officer"), "/staff/new-contact"),
    "import": _import,
    "respond": _stage_step("respond"),
    "escalate": _stage_step("escalate", _responded),
    "extend": _stage_step("extend"),
    "close": _stage_step("close"),
    "reopen": _stage_step("reopen", _closed),
    "complete": _stage_step("complete", _responded),
    "independent people": _stage_step("independent-people", _childrens_stage(2)),
    "panel": _stage_step("panel", _childrens_stage(3)),
    "panel report": _stage_step("panel-report", _childrens_stage(3, panel_met=True)),
    "ombudsman enquiry": _stage_step("ombudsman"),
    "ombudsman decision": _ombudsman_decision,
    "new user": _admin("/staff/admin/users/new"),
    "user": _admin_user(""),
    "user password": _admin_user("/password"),
    "own password": lambda app: Target(staff_client(app, "officer"), "/staff/account/password"),
    "timescale preset": lambda app: Target(
        staff_client(app, "admin"), "/staff/admin/settings", "/staff/admin/settings/preset"
    ),
    "timescale": _admin_link("/staff/admin/settings", r"/staff/admin/settings/timescales/\d+"),
    "new directorate": _admin("/staff/admin/service-areas/directorates/new"),
    "directorate": _admin_link("/staff/admin/service-areas", r"/staff/admin/service-areas/directorates/\d+"),
    "new service area": _admin("/staff/admin/service-areas/new"),
    "service area": _admin_link("/staff/admin/service-areas", r"/staff/admin/service-areas/\d+"),
    "new theme": _admin("/staff/admin/themes/new"),
    "theme": _admin_link("/staff/admin/themes", r"/staff/admin/themes/\d+"),
    "message template": _message_template,
    "personal data search": lambda app: Target(
        staff_client(app, "admin"), "/staff/admin/personal-data", quiet_success=True
    ),
    "personal data export": _personal_data("export"),
    "personal data erasure": _personal_data("erase"),
    "personal data erasure confirmed": _personal_data("confirm"),
    "translation of a service area": _admin_link(
        "/staff/admin/translations", r"/staff/admin/translations/service_area/\d+"
    ),
    "translation of the council's wording": _admin_link(
        "/staff/admin/translations", r"/staff/admin/translations/start_page/\d+"
    ),
    "new Ombudsman figures": _reporting("/staff/reporting/ombudsman/new"),
    "Ombudsman figures": _reporting("/staff/reporting/ombudsman/2024", _new_lgsco_year),
    "learning review": _learning_review,
    "new self-assessment": _reporting("/staff/reporting/self-assessment/new"),
    "self-assessment": _reporting(
        "/staff/reporting/self-assessment/2024",
        lambda manager: _post_form(manager, "/staff/reporting/self-assessment/new", {"year": LGSCO_YEAR}),
    ),
}


def request_headers(form: PageForm, languages):
    """Send as a browser without JavaScript, as htmx, or as htmx checking one changed field; in any language."""
    names = [name for name, control in form.controls.items() if control.kind not in ("hidden", "button")] or [""]
    htmx = st.one_of(
        st.just({}),
        st.just({"HX-Request": "true"}),
        st.sampled_from(names).map(lambda name: {"HX-Request": "true", "HX-Validate": "1", "HX-Trigger-Name": name}),
    )
    language = st.sampled_from([*languages, "zz", "*"]).map(lambda code: {"Accept-Language": code})
    return st.tuples(htmx, language).map(lambda parts: parts[0] | parts[1])


def check_answer(response, target: Target, htmx: bool) -> None:
    """A form answers with a redirect, or itself again with an error (or, for htmx, its fragment); never a 500."""
    assert response.status_code < 500
    assert response.status_code in ANSWERS | ({400} if target.refuses_tampering else set()), response.status_code
    if response.status_code != 200 or response.mimetype != "text/html":
        return
    html = response.get_data(as_text=True)
    assert not leaks_an_exception(html), _main(html)
    if htmx or target.quiet_success or "HX-Redirect" in response.headers:
        return
    assert shows_an_error(html), _main(html)


def leaks_an_exception(html: str) -> bool:
    return any(words in html for words in LEAKED)


def shows_an_error(html: str) -> bool:
    return "govuk-error-summary" in html or "govuk-error-message" in html


def _main(html: str) -> str:
    start = html.find("<main")
    return html[start : start + 2000]


def same_everywhere(form: PageForm, value: str) -> dict:
    """Fill every field the resident or officer answers with one value; keep the hidden ones as the page has them."""
    return {
        name: control.values if control.kind == "hidden" else [value] * control.inputs
        for name, control in form.controls.items()
        if control.kind not in ("button", "file")
    }


@pytest.mark.parametrize("name", FORMS)
def test_no_form_fails_on_random_values(make_app, name):
    app = make_app()
    target = FORMS[name](app)
    form = page_form(target.client, target.page, target.action, target.html)
    saved = snapshot(app)
    refuse_nul_parameters(app)

    def send(data: dict, headers: dict) -> None:
        restore(app, saved)
        content_type = "multipart/form-data" if form.multipart else None
        response = post(target.client, form.action, data=_payload(data), headers=headers, content_type=content_type)
        check_answer(response, target, htmx="HX-Request" in headers)
        assert_storable(app)

    for value in EVERYWHERE:
        send(same_everywhere(form, value), {})
    # A hidden field changed on its own (a case's version, a submission key, the ids to erase), the rest plausible.
    for hidden, control in form.controls.items():
        if control.kind == "hidden" and not hidden.endswith("csrf_token"):
            for value in TAMPERED:
                send({**plausible_submission(form), hidden: [value]}, {})

    @FUZZ_SETTINGS
    @given(data=form_data(form), headers=request_headers(form, app.config["LANGUAGES"]))
    def post_random_values(data, headers):
        send(data, headers)

    post_random_values()


# The spreadsheet import: random cells, random columns, random files

IMPORT_VALUES = {
    "case_reference": st.sampled_from(["CMP-2022-00001", "CMP-2022-00002", "x" * 41]),
    "type": st.sampled_from(["complaint", "compliment", "suggestion", "service_request", "signposted"]),
    "process": st.sampled_from(["corporate", "childrens", "adults"]),
    "stage": st.sampled_from(["1", "2", "3", "²"]),
    "received_on": st.sampled_from(["2023-04-03", "2023-02-30", "03/04/2023", "2100-01-01"]),
    "directorate": st.sampled_from(["Place", "  place ", "Adults"]),
    "service_area": st.sampled_from(["Libraries", "Waste and recycling", "Parks"]),
    "responded_on": st.sampled_from(["", "2023-04-20", "2023-03-01"]),
    "extended_to": st.sampled_from(["", "2023-05-30"]),
    "outcome": st.sampled_from(["", "upheld", "Partly_Upheld", "not_upheld"]),
    "closed_reason": st.sampled_from(["", "withdrawn", "duplicate", "out_of_time", "resolved"]),
    "theme": st.sampled_from(["", "Communication", "quality of service", "Nope"]),
    "theme_detail": st.sampled_from(["", "Failure to do something"]),
    "channel": st.sampled_from(["", "web", "EMAIL", "fax"]),
    "language": st.sampled_from(["", "en", "pt_br", "zz-Latn-GB", "x" * 40]),
}
CELL = st.one_of(FUZZ, FUZZ, st.just(None))


def _header(draw, columns: list[str]) -> list[str]:
    """Name the columns as people do: in any case, with spaces for underscores, padded."""
    return [draw(st.sampled_from([name, name.upper(), name.replace("_", " "), f" {name} "])) for name in columns]


@st.composite
def messy_spreadsheets(draw) -> tuple[list[str], list[list[str]]]:
    """Known columns (the required ones or not, sometimes one twice) and random ones, with rows of anything."""
    columns = sorted(draw(st.sets(st.sampled_from(COLUMNS))) | set(REQUIRED_COLUMNS if draw(st.booleans()) else ()))
    columns += draw(st.lists(st.sampled_from(COLUMNS), max_size=1))
    columns += draw(st.lists(st.text(CHARACTER, max_size=12), max_size=2))
    columns = draw(st.permutations(columns))
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        row = [draw(st.one_of(*[IMPORT_VALUES.get(name, CELL)] * 3, CELL)) for name in columns]
        rows.append(["" if cell is None else cell for cell in row])
    return _header(draw, columns), rows


# Names with anything in them but control characters, which the import refuses: bidi marks, astral, other scripts.
NAME_CELL = st.one_of(
    st.sampled_from(["Place", "Libraries", "Parks", "\u202eskraP", "\U0001f600 Parks", "الحدائق"]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc",)), min_size=1, max_size=40),
)


@st.composite
def tidy_spreadsheets(draw) -> tuple[list[str], list[list[str]]]:
    """Every column, one case per row as the contract allows, with random text where the import keeps text (the
    reference, directorate and service area) and random columns of anything beside them."""
    extra = draw(st.lists(st.text(CHARACTER, min_size=1, max_size=12), max_size=2))
    columns = draw(st.permutations([*COLUMNS, *extra]))
    rows = []
    for number in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["complaint", "compliment", "suggestion", "service_request", "signposted"]))
        row = dict.fromkeys(COLUMNS, "")
        row |= {
            "case_reference": draw(st.one_of(st.just(f"CMP-2022-{number:05}"), NAME_CELL)),
            "type": kind,
            "received_on": "2023-04-03",
            "directorate": draw(NAME_CELL),
            "service_area": draw(NAME_CELL),
            "language": draw(st.sampled_from(["", "cy", "ar", "pt-BR"])),
        }
        if kind == "complaint":
            row |= {"process": "corporate", "stage": "1", "theme": draw(st.sampled_from(["", "Communication"]))}
            if draw(st.booleans()):
                row |= {"responded_on": "2023-04-20", "outcome": "upheld"}
        row |= {name: draw(FUZZ) for name in extra}
        rows.append([row[name] for name in columns])
    return _header(draw, columns), rows


def spreadsheets():
    return st.one_of(messy_spreadsheets(), tidy_spreadsheets())


ONE_CASE = (list(REQUIRED_COLUMNS), [["CMP-2022-00001", "compliment", "2023-04-03", "Place", "Parks"]])
CSV_NAME = st.one_of(
    st.just("cases.csv"),
    st.builds(lambda name: name + ".csv", st.text(CHARACTER, min_size=1, max_size=20)),
    st.sampled_from(["CASES.CSV", "a\x00b.csv", "\u202evsc.csv", "x" * 300 + ".csv"]),
)


def _csv_bytes(header: list[str], rows: list[list[str]], encoding: str) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([header, *rows])
    return buffer.getvalue().encode(encoding, errors="replace")


def _xlsx_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook()
    for row in [header, *rows]:
        # Excel cannot hold most control characters, so no spreadsheet program writes them.
        workbook.active.append([ILLEGAL_CHARACTERS_RE.sub("", cell)[:32767] for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def importing(make_app):
    app = make_app()
    target = _import(app)
    token = csrf_token(target.client.get("/staff/import"))
    saved = snapshot(app)
    refuse_nul_parameters(app)

    def send(content: bytes, filename: str, dry_run: bool):
        restore(app, saved)
        data = {"csrf_token": token, "spreadsheet": (io.BytesIO(content), filename)}
        if dry_run:
            data["dry_run"] = "y"
        response = post(target.client, "/staff/import", data=data, content_type="multipart/form-data")
        assert response.status_code in (200, 413), response.status_code
        if response.status_code == 200:
            html = response.get_data(as_text=True)
            assert not leaks_an_exception(html), _main(html)
        assert_storable(app)
        if "Imported" in response.get_data(as_text=True):
            # What was imported shows on the back office's pages and the public figures.
            for page in ("/staff/", "/staff/admin/service-areas", "/performance"):
                assert target.client.get(page).status_code == 200, page
        return response

    return send


def test_the_import_takes_random_cells_and_columns_in_csv(importing):
    @FUZZ_SETTINGS
    @given(sheet=spreadsheets(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]), name=CSV_NAME)
    @example(sheet=ONE_CASE, encoding="utf-8", name="a\x00b.csv")
    def run(sheet, encoding, name):
        importing(_csv_bytes(*sheet, encoding), name, dry_run=False)

    run()


def test_the_import_takes_random_cells_and_columns_in_xlsx(importing):
    @FUZZ_SETTINGS
    @given(sheet=spreadsheets(), dry_run=st.booleans())
    def run(sheet, dry_run):
        importing(_xlsx_bytes(*sheet), "cases.xlsx", dry_run=dry_run)

    run()


def test_the_import_takes_random_bytes_as_the_file(importing):
    @FUZZ_SETTINGS
    @given(content=FILE_CONTENT, filename=st.one_of(FILENAME, st.sampled_from(["cases.csv", "cases.xlsx", "C.XLSX"])))
    def run(content, filename):
        importing(content, filename, dry_run=False)

    run()


# The forms that ask by query string: search, filters and periods

QUERIES = {
    "case search": ("officer", "/staff/", ("q", "status", "type", "process", "stage", "service_area", "officer")),
    "case search sorted and paged": ("officer", "/staff/", ("overdue", "sort", "page")),
    "cases as CSV": ("officer", "/staff/cases.csv", ("q", "status", "service_area", "officer", "page")),
    "triage queue page": ("officer", "/staff/triage", ("page",)),
    "due soon": ("officer", "/staff/due", ("within",)),
    "dashboard period": ("manager", "/staff/dashboard", ("from", "to")),
    "public figures period": (None, "/performance", ("from", "to")),
    "open data period": (None, "/performance/data.json", ("from", "to")),
    "open data CSV period": (None, "/performance/data.csv", ("from", "to")),
}


@pytest.mark.parametrize("name", QUERIES)
def test_no_search_or_filter_fails_on_random_values(make_app, name):
    app = make_app()
    role, path, names = QUERIES[name]
    client = staff_client(app, role) if role else app.test_client()
    lodge(app.test_client())
    refuse_nul_parameters(app)
    values = st.fixed_dictionaries({}, optional={name: st.one_of(FUZZ, NUMBERISH) for name in names})

    @FUZZ_SETTINGS
    @given(query=values, htmx=st.booleans())
    def run(query, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(path, query_string=query, headers=headers)
        assert response.status_code in (200, 400), response.status_code

    run()


# The CSRF token itself


@pytest.mark.parametrize("path", ["/track", "/staff/sign-in", "/feedback/type"])
def test_a_random_csrf_token_is_refused_with_400(app, path):
    client = app.test_client()
    client.get("/feedback/begin")
    client.get(path)

    @FUZZ_SETTINGS
    @given(token=FUZZ)
    def run(token):
        response = client.post(path, data={"csrf_token": token, "type": "complaint"})
        assert response.status_code == 400

    run()


# Addresses with a case's reference in them


@pytest.mark.parametrize("step", ["", "/respond", "/escalate", "/ombudsman"])
def test_no_case_address_fails_on_a_random_reference(app, step):
    officer = staff_client(app, "officer")
    refuse_nul_parameters(app)

    @FUZZ_SETTINGS
    @given(reference=FUZZ)
    def run(reference):
        response = officer.get(f"/staff/cases/{quote(reference, safe='')}{step}")
        assert response.status_code in (404, 308), response.status_code

    run()


# Regression tests for what the fuzzing found


def test_nul_is_dropped_from_what_a_form_saves(app):
    refuse_nul_parameters(app)
    admin = staff_client(app, "admin")
    page = "/staff/admin/service-areas/directorates/new"
    response = admin.post(page, data={"csrf_token": csrf_token(admin.get(page)), "name": "Hou\x00sing\x00"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Directorate.name).filter_by(name="Housing")) == "Housing"


def test_nul_in_a_residents_or_sign_in_answer_reaches_no_query(app):
    refuse_nul_parameters(app)
    client = app.test_client()
    data = {"csrf_token": csrf_token(client.get("/track")), "reference": "CMP-\x00", "email": "jo@example.com\x00"}
    assert client.post("/track", data=data).status_code == 303
    data = {"csrf_token": csrf_token(client.get("/staff/sign-in")), "email": "\x00", "password": "\x00"}
    answer = client.post("/staff/sign-in", data=data)
    # The email loses its NUL and so is empty; a password is taken as typed (it is hashed, never in a query).
    assert answer.status_code == 200 and "Enter your email address" in answer.get_data(as_text=True)


def test_a_submission_key_with_nul_starts_the_journey_again(app):
    refuse_nul_parameters(app)
    client = app.test_client()
    token = fill_all(client)
    response = client.post("/feedback/check-answers", data={"csrf_token": token, "submission_key": "\x00"})
    assert response.status_code == 302
    assert response.location.endswith("/feedback/begin")


@pytest.mark.parametrize("typed", ["²", "٣٣٣٣٣٣٣٣٣٣", "9" * 5000])
def test_working_days_int_cannot_read_get_the_forms_message(app, typed):
    target = _admin_link("/staff/admin/settings", r"/staff/admin/settings/timescales/\d+")(app)
    data = {"csrf_token": csrf_token(target.client.get(target.page)), "counts_from": "received"}
    response = target.client.post(target.page, data={**data, "working_days": typed, "max_working_days": "40"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Working days to respond must be a whole number, like 20" in html
    assert not leaks_an_exception(html)


def test_working_days_in_other_digits_are_read(app):
    target = _admin_link("/staff/admin/settings", r"/staff/admin/settings/timescales/\d+")(app)
    data = {"csrf_token": csrf_token(target.client.get(target.page)), "counts_from": "received"}
    response = target.client.post(target.page, data={**data, "working_days": "٢٠", "max_working_days": "40"})
    assert response.status_code == 303


@pytest.mark.parametrize(
    "query",
    [
        {"page": "²"},
        {"page": "9" * 5000},
        {"service_area": "²", "officer": "³"},
        {"service_area": "9" * 30, "officer": "9" * 5000},
        {"q": "a\x00b", "status": "\x00", "type": "\x00", "process": "\x00"},
    ],
)
def test_the_case_search_ignores_filters_it_cannot_read(app, query):
    refuse_nul_parameters(app)
    officer = staff_client(app, "officer")
    lodge(app.test_client())
    assert officer.get("/staff/", query_string=query).status_code == 200
    assert officer.get("/staff/cases.csv", query_string=query).status_code == 200


@pytest.mark.parametrize("step", ["", "/respond", "/ombudsman"])
def test_a_case_address_with_nul_is_not_found(app, step):
    refuse_nul_parameters(app)
    officer = staff_client(app, "officer")
    assert officer.get(f"/staff/cases/%00{step}").status_code == 404


@pytest.mark.parametrize("value", ["²", "9" * 5000])
def test_the_triage_queue_and_due_list_ignore_a_number_they_cannot_read(app, value):
    officer = staff_client(app, "officer")
    assert officer.get("/staff/triage", query_string={"page": value}).status_code == 200
    assert officer.get("/staff/due", query_string={"within": value}).status_code == 200


@pytest.mark.parametrize("value", ["²", "9" * 5000])
def test_removing_evidence_by_an_id_int_cannot_read_keeps_the_file(app, value):
    target = _evidence(app)
    data = {"csrf_token": csrf_token(target.client.get(target.page)), "remove": value}
    response = target.client.post(target.page, data=data, content_type="multipart/form-data")
    assert response.status_code in (200, 303)
    assert "letter.pdf" in target.client.get(target.page).get_data(as_text=True)


@pytest.mark.parametrize("set_up", [False, True])
@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "²²²²²²"])
def test_a_code_in_digits_that_are_not_ascii_is_refused_not_a_crash(app, set_up, code):
    target = _sign_in_code(app, set_up=set_up)
    data = {"csrf_token": csrf_token(target.client.get(target.page)), "code": code}
    response = target.client.post(target.page, data=data)
    assert response.status_code == 200
    assert "The code is not right" in response.get_data(as_text=True)


def test_erasing_by_case_ids_int_cannot_read_erases_nothing(app):
    target = _personal_data("confirm")(app)
    form = page_form(target.client, target.page, target.action, target.html)
    data = {name: control.values for name, control in form.controls.items()}
    response = target.client.post(target.action, data={**data, "case_ids": "²," + "9" * 5000})
    assert response.status_code == 303
    assert "Nothing was erased." in target.client.get(target.page).get_data(as_text=True)


def test_a_spreadsheets_name_with_nul_is_kept_without_it(app):
    refuse_nul_parameters(app)
    target = _import(app)
    data = {
        "csrf_token": csrf_token(target.client.get(target.page)),
        "spreadsheet": (io.BytesIO(_csv_bytes(*ONE_CASE, "utf-8")), "a\x00b.csv"),
    }
    html = target.client.post(target.page, data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "Imported 1 case (1 compliment) and 0 stages from ab.csv." in html
    with app.app_context():
        assert db.session.scalar(select(Event.detail).filter_by(action="case_imported"))["source"] == "ab.csv"
