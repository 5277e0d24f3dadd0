"""A complaint from both sides: a resident lodges it, an officer works it through Stage 1 and Stage 2, the resident
follows it and escalates it, and it ends closed with the Ombudsman named. Every page either of them reaches is
checked with axe-core by the page objects (e2e/pages.py for the resident, e2e/staff_pages.py for the officer).

The resident and the officer each have their own browser context, as they would have their own browsers. The
officer's part runs once with JavaScript on and once with it off; the resident always has JavaScript on.
"""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.pages import CasePage, StartPage, TrackRequestPage
from e2e.staff_pages import SignInPage, StaffCasePage
from e2e.support import Mailbox
from portal.services.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

LAST_WEEK = dt.date.today() - dt.timedelta(days=7)
OFFICER = "officer@example.gov.uk"
OMBUDSMAN = "Local Government and Social Care Ombudsman"
# A timeline step shown as the code the app records ("stage_responded") rather than in words.
RAW_EVENT_CODE = re.compile(r"^[a-z]+(_[a-z]+)+$")


class TrackedCasePage(CasePage):
    """The resident's tracking page, with the form that asks for the next stage once a response has been sent."""

    @property
    def escalate_reason(self) -> Locator:
        return self.page.get_by_label("Why are you not satisfied with our response?", exact=True)

    def escalate(self, reason: str) -> TrackedCasePage:
        self.escalate_reason.fill(reason)
        self.page.get_by_role("button", name="Ask for the next stage", exact=True).click()
        expect(self.banner).to_be_visible()
        self.verify()
        return self

    def reload(self) -> TrackedCasePage:
        self.page.goto("/track/case")
        return TrackedCasePage(self.page, self.reference)


def is_in_order(expected: list[str], actual: list[str]) -> bool:
    """Whether every item of `expected` appears in `actual`, in the same order (others may come between)."""
    remaining = iter(actual)
    return all(any(item == seen for seen in remaining) for item in expected)


def lodge_complaint(page: Page, email: str, description: str) -> str:
    """Lodge a complaint about an unknown service, so that triage has a service to set, and return its reference."""
    details = StartPage.open(page).start().choose("complaint").choose(None)
    details.fill(description, LAST_WEEK, "Collect the bin and apologise.")
    your_details = details.continue_().continue_()
    your_details.fill("Robin Resident", email=email)
    return your_details.continue_().choose("email").about_me().send("complaint").reference


class Findings:
    """App bugs the journey notices but can walk past: each is recorded and the test fails at the end with all of
    them, so that one bug does not hide the rest of the journey (or the next bug)."""

    def __init__(self) -> None:
        self.bugs: list[str] = []

    def check(self, ok: bool, bug: str) -> None:
        if not ok:
            self.bugs.append(bug)

    def expect(self, assertion, bug: str) -> None:
        """Run a Playwright `expect(...)` assertion (a lambda), recording `bug` if it fails."""
        try:
            assertion()
        except AssertionError as error:
            self.bugs.append(f"{bug}\n    {str(error).splitlines()[0]}")

    def assert_none(self) -> None:
        assert not self.bugs, "the journey found app bugs:\n- " + "\n- ".join(self.bugs)


def track(page: Page, mailbox: Mailbox, reference: str, email: str, findings: Findings) -> TrackedCasePage:
    """Ask for a new tracking link with the /track form, and open the link from the newest email."""
    before = len(mailbox.messages(to=email, template="tracking_link"))
    TrackRequestPage.open(page).ask_for_link(reference, email)
    mail = mailbox.wait_for(email, "tracking_link", count=before + 1)[-1]
    assert reference in mail.subject
    time.sleep(0.5)  # time for a second email to arrive, if one is coming
    sent = len(mailbox.messages(to=email, template="tracking_link")) - before
    findings.check(
        sent == 1,
        f"asking once for a tracking link on /track emailed {sent} links (the per-field check that htmx posts when "
        "a field changes is treated as the real submit: tracking.request_link ignores HX-Validate)",
    )
    page.goto(mail.link("/track/link/"))
    return TrackedCasePage(page, reference)


@pytest.mark.parametrize("officer_fixture", ["staff_page", "nojs_page"], ids=["javascript", "no-javascript"])
def test_a_complaint_from_lodging_to_closure_after_stage_2(
    request, officer_fixture: str, page: Page, mailbox: Mailbox, resident_email: str
):
    resident = page
    officer: Page = request.getfixturevalue(officer_fixture)
    findings = Findings()

    # 1. The resident lodges a complaint.
    description = f"The bin on Elm Road was not collected for three weeks ({resident_email})."
    reference = lodge_complaint(resident, resident_email, description)
    mailbox.newest(resident_email, "receipt")

    # 2. The officer signs in, finds it by reference in the case list and in the triage queue, and opens it.
    cases = SignInPage.open(officer).sign_in(OFFICER, DEMO_PASSWORD)
    expect(officer.get_by_text(f"Signed in as {OFFICER}")).to_be_visible()
    cases.search(reference)
    expect(cases.result_count).to_have_text(re.compile(r"^\s*1 case\."))
    expect(cases.results.get_by_role("row")).to_have_count(2)  # the header and the case
    expect(cases.case_link(reference)).to_be_visible()

    queue = cases.go_to_triage_queue()
    row = queue.row(reference)
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(1)).to_have_text("Complaint")
    expect(row.get_by_role("cell").nth(2)).to_have_text("Not known")
    case = queue.open_case(reference)
    expect(case.summary_value("Status")).to_have_text("Received")
    expect(case.summary_value("Service")).to_have_text("Not known")
    expect(case.page.get_by_text(description)).to_be_visible()

    # A mark on the window survives htmx's in-place updates but not a page load: it tells the two paths apart.
    officer.evaluate("window.stillThisPage = true")
    case.triage("Complaint", "Corporate", "Place: Waste and recycling")
    expect(case.summary_value("Service")).to_have_text("Waste and recycling")
    expect(case.summary_value("Process and stage")).to_have_text("Corporate, Stage 1")

    # The acknowledgement is drafted in full; sending it emails the resident exactly that.
    subject = case.ack_subject.input_value()
    message = case.ack_message.input_value()
    assert reference in subject, subject
    assert "Robin Resident" in message and "Waste and recycling" in message, message
    case.acknowledge()
    acknowledgement = mailbox.newest(resident_email, "acknowledgement")
    assert acknowledgement.subject == subject
    assert message.strip() in acknowledgement.body.replace("\r\n", "\n")
    expect(case.summary_value("Acknowledged")).to_have_text(re.compile(r"^\d{1,2} \w+ \d{4}$"))
    expect(case.summary_value("Status")).to_have_text("Acknowledged")
    expect(case.messages).to_have_count(1)

    case.allocate("Olu Officer", "Place: Waste and recycling", "Mina Manager")
    expect(case.summary_value("Officer")).to_have_text("Olu Officer")
    expect(case.summary_value("Status")).to_have_text("With the service")

    note = f"Crew sheet says Elm Road was skipped; check with the depot ({reference})."
    case.add_note(note)
    expect(case.notes.first).to_contain_text(note)
    expect(case.notes.first).to_contain_text("Olu Officer")
    updated_in_place = officer.evaluate("window.stillThisPage === true")
    assert updated_in_place == (officer_fixture == "staff_page"), "htmx should update the case page in place"
    steps = case.timeline()
    assert is_in_order(["Received", "Triaged", "Acknowledged", "Allocated", "Internal note added"], steps), steps

    # Triaged, it has left the queue.
    case.go_to_triage_queue()
    expect(officer.get_by_role("link", name=reference, exact=True)).to_have_count(0)

    # The resident sees the acknowledgement, but never the internal note.
    tracked = track(resident, mailbox, reference, resident_email, findings)
    assert tracked.status == "Being looked into"
    expect(tracked.messages).to_have_count(1)
    expect(tracked.messages.first).to_contain_text("From the council")
    expect(resident.get_by_text(note)).to_have_count(0)
    expect(resident.get_by_text("Crew sheet")).to_have_count(0)
    assert not [mail.path.name for mail in mailbox.messages(to=resident_email) if "Crew sheet" in mail.body]

    # 3. The officer sends the Stage 1 response.
    case = StaffCasePage.open(officer, reference)
    respond = case.go_to_respond()
    expect(respond.caption).to_have_text(f"Case {reference}, Stage 1")
    stage_1_response = "We are sorry: the crew missed Elm Road. It has been added back to the round."
    case = respond.send("Partly upheld", ["Quality of service: Failure to do something"], stage_1_response)
    expect(case.summary_value("Status")).to_have_text("Responded")
    expect(case.messages.last).to_contain_text(stage_1_response)
    response_mail = mailbox.newest(resident_email, "response")
    assert stage_1_response in response_mail.body
    assert "Stage 2" in response_mail.body

    # 4. The resident gets a new link, reads the response and asks for Stage 2.
    tracked = track(resident, mailbox, reference, resident_email, findings)
    assert tracked.status == "Response sent"
    expect(tracked.messages.last).to_contain_text(stage_1_response)
    expect(resident.get_by_role("heading", name="If you are not satisfied")).to_be_visible()
    expect(resident.get_by_text("You can ask for your complaint to be looked at again at Stage 2.")).to_be_visible()
    escalation_reason = "It was missed again the week after your response."
    tracked.escalate(escalation_reason)
    expect(tracked.banner).to_contain_text("Your complaint is now at Stage 2. We have emailed you.")
    assert tracked.summary_value("Stage").inner_text().strip() == "Stage 2"
    assert tracked.status == "Being looked into"
    expect(resident.get_by_label("Why are you not satisfied with our response?", exact=True)).to_have_count(0)
    assert reference in mailbox.newest(resident_email, "escalated").body

    # 5. The officer sees Stage 2, responds to it, then closes the case after the response.
    case = StaffCasePage.open(officer, reference)
    expect(case.summary_value("Process and stage")).to_have_text("Corporate, Stage 2")
    expect(case.summary_value("Status")).to_have_text("With the service")
    respond = case.go_to_respond()
    expect(respond.caption).to_have_text(f"Case {reference}, Stage 2")
    stage_2_response = "The depot manager has checked Elm Road every week since. We will pay £25 for the trouble."
    case = respond.send("Upheld", ["Quality of service: Delay in doing something"], stage_2_response)
    expect(case.messages.last).to_contain_text(stage_2_response)
    final_mail = mailbox.wait_for(resident_email, "response", count=2)[-1]
    assert stage_2_response in final_mail.body
    assert "This is our final response" in final_mail.body and OMBUDSMAN in final_mail.body
    findings.expect(
        lambda: expect(case.next_step("Escalate to the next stage")).to_have_count(0, timeout=1000),
        "after the Stage 2 response of a corporate complaint (its last stage) the case page still offers "
        "'Escalate to the next stage'",
    )

    # Before it is closed, the resident sees the final response and the Ombudsman.
    tracked = tracked.reload()
    assert tracked.status == "Response sent"
    expect(resident.get_by_role("heading", name="If you are still not satisfied")).to_be_visible()
    expect(resident.get_by_text(re.compile("This was our final response.*" + OMBUDSMAN))).to_be_visible()

    close = case.go_to_close_after_response()
    expect(close.caption).to_have_text(f"Case {reference}, Stage 2")
    case = close.confirm("Resolved at Stage 2: the resident accepted the payment.")
    expect(case.summary_value("Status")).to_have_text("Closed (Resolved)")
    expect(case.next_step("Reopen the case")).to_be_visible()
    expect(case.next_step("Close after the response")).to_have_count(0)

    # The case list finds it by reference, closed; and the timeline has every step, in words.
    cases = case.go_to_case_list().search(reference)
    expect(cases.results.get_by_role("row").nth(1).get_by_role("cell").last).to_have_text("Closed")
    case = cases.open_case(reference)
    steps = case.timeline()
    assert is_in_order(["Received", "Triaged", "Acknowledged", "Allocated", "Internal note added"], steps), steps
    raw = [step for step in steps if RAW_EVENT_CODE.match(step)]
    findings.check(not raw, f"the case page's timeline shows event codes, not words: {raw} (in {steps})")

    # 6. The resident sees it closed, and is still told about the Ombudsman.
    tracked = tracked.reload()
    assert tracked.status == "Closed"
    expect(tracked.messages.last).to_contain_text(stage_2_response)
    expect(tracked.information).to_have_count(0)
    findings.expect(
        lambda: expect(resident.get_by_text(re.compile("final response.*" + OMBUDSMAN))).to_be_visible(timeout=1000),
        "once the case is closed after the final (Stage 2) response, the resident's tracking page no longer says it "
        "was the final response nor names the Ombudsman",
    )

    findings.assert_none()
