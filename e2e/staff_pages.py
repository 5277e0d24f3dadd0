"""Page objects for the back office: sign-in, the case list, the triage queue, the case page and its steps.

They follow e2e/pages.py: creating a page object *is* arriving on the page, so its constructor checks the URL,
`<html lang>`, the language switch and the one h1, then runs axe-core; every method that leaves the page returns
the next page object, and every in-place change (an htmx swap of the case list) is checked again. Staff pages are
English only here, so everything is found by role and label.
"""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Locator, Page, expect

from e2e.pages import PageObject
from portal.services.demo import DEMO_TOTP_SECRET


def _row_value(page: Page, key: str) -> Locator:
    """The value cell of the summary-list row (in <main>) whose key is exactly `key`."""
    row = page.locator("main .govuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(rf"^\s*{re.escape(key)}\s*$"))
    )
    return row.locator("dd")


class StaffPage(PageObject):
    """A back-office page: the staff navigation and the sign-out button are on it."""

    @property
    def banner(self) -> Locator:
        return self.page.locator(".govuk-notification-banner")

    @property
    def staff_nav(self) -> Locator:
        return self.page.get_by_role("navigation", name="Back office")

    def go_to_case_list(self) -> CaseListPage:
        self.staff_nav.get_by_role("link", name="Cases", exact=True).click()
        return CaseListPage(self.page)

    def go_to_triage_queue(self) -> TriageQueuePage:
        self.staff_nav.get_by_role("link", name="Triage queue", exact=True).click()
        return TriageQueuePage(self.page)

    def sign_out(self) -> SignInPage:
        self.page.get_by_role("button", name="Sign out", exact=True).click()
        return SignInPage(self.page)


class SignInPage(PageObject):
    path = "/staff/sign-in"
    english_heading = "Sign in to the back office"

    @classmethod
    def open(cls, page: Page) -> SignInPage:
        page.goto("/staff/sign-in")
        return cls(page)

    def sign_in(self, email: str, password: str) -> CaseListPage:
        """Sign in as a demo account: its password, then the code its (public) authenticator secret gives."""
        self.page.get_by_label("Email address", exact=True).fill(email)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.page.get_by_role("button", name="Sign in", exact=True).click()
        return CodePage(self.page).enter_code()


class CodePage(PageObject):
    path = "/staff/sign-in/code"
    english_heading = "Enter the code from your authenticator app"

    def enter_code(self) -> CaseListPage:
        """Enter the app's code; if another test used this 30 seconds' code already, the next one (a step ahead
        is accepted, as for a phone whose clock runs fast)."""
        totp = pyotp.TOTP(DEMO_TOTP_SECRET)
        for code in (totp.now(), totp.at(time.time() + 30)):
            self.page.get_by_label("Code from your authenticator app", exact=True).fill(code)
            with self.page.expect_navigation():  # to the case list, or this page again with an error
                self.page.get_by_role("button", name="Continue", exact=True).click()
            if not self.page.url.endswith(self.path):
                break
            CodePage(self.page)  # the page again, with its error: checked like any other
        return CaseListPage(self.page)


class CaseListPage(StaffPage):
    path = "/staff/"
    english_heading = "Cases"

    @property
    def search_box(self) -> Locator:
        return self.page.get_by_label("Reference, name or email", exact=True)

    @property
    def results(self) -> Locator:
        return self.page.get_by_role("table", name="Cases matching the filters")

    @property
    def result_count(self) -> Locator:
        """The paragraph that says how many cases match ("1 case.")."""
        return self.page.locator("#case-results > p").first

    def search(self, text: str) -> CaseListPage:
        """Type in the search box and apply the filters; wait for the list to show the search, then check again."""
        self.search_box.fill(text)
        self.page.get_by_role("button", name="Apply filters", exact=True).click()
        expect(self.page).to_have_url(re.compile(r"[?&]q=" + re.escape(text.replace(" ", "+")) + r"(&|$)"))
        self.verify()
        return self

    def case_link(self, reference: str) -> Locator:
        return self.results.get_by_role("link", name=reference, exact=True)

    def open_case(self, reference: str) -> StaffCasePage:
        self.case_link(reference).click()
        return StaffCasePage(self.page, reference)


class TriageQueuePage(StaffPage):
    path = "/staff/triage"
    english_heading = "Triage queue"

    @property
    def queue(self) -> Locator:
        return self.page.get_by_role("table", name=re.compile(r"^\d+ contacts? waiting$"))

    def row(self, reference: str) -> Locator:
        return self.queue.get_by_role("row").filter(has=self.page.get_by_role("link", name=reference, exact=True))

    def open_case(self, reference: str) -> StaffCasePage:
        self.queue.get_by_role("link", name=reference, exact=True).click()
        return StaffCasePage(self.page, reference)

    def _row_step(self, reference: str, button: str, done: str) -> TriageQueuePage:
        """Press a row's button; with htmx the row is swapped in place, without it the queue comes back whole."""
        self.row(reference).get_by_role("button", name=re.compile(rf"^{re.escape(button)}\b")).click()
        expect(self.page.get_by_text(done, exact=True)).to_be_visible()
        self.verify()
        return self

    def triage(self, reference: str, decision: str) -> TriageQueuePage:
        self.row(reference).get_by_label("Triage as", exact=True).select_option(label=decision)
        return self._row_step(reference, "Save triage", f"{reference} triaged.")

    def acknowledge(self, reference: str) -> TriageQueuePage:
        return self._row_step(reference, "Send the acknowledgement", f"Acknowledgement sent for {reference}.")

    def allocate(self, reference: str, officer: str, service_area: str) -> TriageQueuePage:
        row = self.row(reference)
        row.get_by_label("Officer", exact=True).select_option(label=officer)
        row.get_by_label("Service area", exact=True).select_option(label=service_area)
        return self._row_step(reference, "Allocate", f"{reference} allocated.")


class StaffCasePage(StaffPage):
    """The case page: a summary, what the resident said, the next steps, four forms, the notes and the timeline."""

    def __init__(self, page: Page, reference: str):
        self.reference = reference
        self.path = f"/staff/cases/{re.escape(reference)}"
        super().__init__(page)

    def expected_heading(self) -> str:
        return f"Case {self.reference}"

    @classmethod
    def open(cls, page: Page, reference: str) -> StaffCasePage:
        page.goto(f"/staff/cases/{reference}")
        return cls(page, reference)

    def summary_value(self, key: str) -> Locator:
        return _row_value(self.page, key)

    def _form(self, button: str) -> Locator:
        """The form whose submit button is called `button` (the page has four forms, two with a 'Service area')."""
        return self.page.locator("form").filter(has=self.page.get_by_role("button", name=button, exact=True))

    def _submit(self, form: Locator, button: str, banner: str) -> StaffCasePage:
        form.get_by_role("button", name=button, exact=True).click()
        expect(self.banner).to_contain_text(banner)
        self.verify()
        return self

    # -- triage, acknowledge, allocate, note -----------------------------------------------------------

    @property
    def triage_form(self) -> Locator:
        return self._form("Save triage")

    def triage(self, classification: str, process: str, service_area: str) -> StaffCasePage:
        form = self.triage_form
        form.get_by_role("group", name="What is it?").get_by_role("radio", name=classification, exact=True).check()
        form.get_by_label("Complaint process", exact=True).select_option(label=process)
        form.get_by_label("Service area", exact=True).select_option(label=service_area)
        return self._submit(form, "Save triage", "Triage saved.")

    @property
    def ack_form(self) -> Locator:
        return self._form("Send acknowledgement")

    @property
    def ack_subject(self) -> Locator:
        return self.ack_form.get_by_label("Subject", exact=True)

    @property
    def ack_message(self) -> Locator:
        return self.ack_form.get_by_label("Message", exact=True)

    def acknowledge(self) -> StaffCasePage:
        """Send the acknowledgement as drafted."""
        return self._submit(self.ack_form, "Send acknowledgement", "Acknowledgement sent.")

    @property
    def allocate_form(self) -> Locator:
        return self._form("Allocate")

    def allocate(self, officer: str, service_area: str, responding_manager: str) -> StaffCasePage:
        form = self.allocate_form
        form.get_by_label("Complaints officer", exact=True).select_option(label=officer)
        form.get_by_label("Service area", exact=True).select_option(label=service_area)
        form.get_by_label("Responding manager", exact=True).select_option(label=responding_manager)
        return self._submit(form, "Allocate", "Case allocated.")

    def add_note(self, text: str) -> StaffCasePage:
        form = self._form("Add note")
        form.get_by_label("Internal note", exact=True).fill(text)
        return self._submit(form, "Add note", "Note added.")

    @property
    def notes(self) -> Locator:
        return self.page.locator(".app-note")

    # -- what the page shows ------------------------------------------------------------------------

    def timeline(self) -> list[str]:
        """The timeline's steps, oldest first, as their headings read."""
        return [text.strip() for text in self.page.locator(".app-timeline__item strong").all_inner_texts()]

    @property
    def messages(self) -> Locator:
        """The messages to and from the resident (not the internal notes)."""
        return self.page.locator(".app-messages__item")

    def next_step(self, name: str) -> Locator:
        return self.page.get_by_role("link", name=name, exact=True)

    # -- the steps through the stages, each on its own page ---------------------------------------

    def go_to_respond(self) -> RespondPage:
        self.next_step("Send the response").click()
        return RespondPage(self.page, self.reference)

    def go_to_close_after_response(self) -> ReasonStepPage:
        self.next_step("Close after the response").click()
        return ReasonStepPage(self.page, self.reference, "complete", "Close after the response")


class StepPage(StaffPage):
    """A stage step's page (respond, escalate, extend, close, reopen, complete): one GOV.UK form."""

    def __init__(self, page: Page, reference: str, step: str, heading: str):
        self.reference = reference
        self.path = f"/staff/cases/{re.escape(reference)}/{step}"
        self.english_heading = heading
        super().__init__(page)

    @property
    def caption(self) -> Locator:
        return self.page.locator("main .govuk-caption-l")

    def back_to_case(self) -> Locator:
        return self.page.get_by_role("link", name="Back to the case", exact=True)

    def _submit(self, button: str, banner: str) -> StaffCasePage:
        self.page.get_by_role("button", name=button, exact=True).click()
        case = StaffCasePage(self.page, self.reference)
        expect(case.banner).to_contain_text(banner)
        return case


class RespondPage(StepPage):
    def __init__(self, page: Page, reference: str):
        super().__init__(page, reference, "respond", "Send the response")

    def send(self, outcome: str, root_causes: list[str], response: str) -> StaffCasePage:
        self.page.get_by_role("group", name="Outcome").get_by_role("radio", name=outcome, exact=True).check()
        causes = self.page.get_by_role("group", name=re.compile(r"^Root causes"))
        for cause in root_causes:
            causes.get_by_role("checkbox", name=cause, exact=True).check()
        self.page.get_by_label("Response to the resident", exact=True).fill(response)
        return self._submit("Send response", "Response sent.")


class ReasonStepPage(StepPage):
    """A step that asks only for a reason: escalate, reopen, or close after the response."""

    def confirm(self, reason: str, banner: str = "Case closed.") -> StaffCasePage:
        self.page.get_by_label("Reason", exact=True).fill(reason)
        return self._submit("Confirm", banner)
