"""Page objects for the resident's pages.

Creating a page object *is* arriving on the page: the constructor waits for the URL, checks `<html lang>`,
the language switch and the one h1, then runs axe-core. Every method that moves to another page returns the
next page object, and every method that changes the page in place (htmx swaps, error messages) checks it
again, so a test cannot reach a page without the accessibility check.

English pages are driven by role and label, as a resident hears them. Pages in other languages are driven by
stable attributes (names, ids, button types), so a council's translator can reword them freely; there the
check is that the h1 is not the English one.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Locator, Page, expect

from e2e.support import assert_accessible, info_for, wait_until_settled
from portal.languages import NATIVE_NAMES, resident_facing

# The language each page's switch is followed to in the tests: English goes to Welsh, every other to English.
OTHER_LANGUAGE = {code: ("cy", "Cymraeg") if code == "en" else ("en", "English") for code in NATIVE_NAMES}
REFERENCE = re.compile(r"\b(CMP|CPL|SUG)-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}\b")
TYPE_HEADINGS = {
    "complaint": "Complaint received",
    "compliment": "Compliment received",
    "suggestion": "Suggestion received",
}
DETAILS_HEADINGS = {
    "complaint": "Tell us what happened",
    "compliment": "Tell us about your compliment",
    "suggestion": "Tell us your suggestion",
}


class PageObject:
    """One page of the portal, checked on arrival."""

    path: str = ""  # a regular expression matched against the URL's path
    english_heading: str = ""

    def __init__(self, page: Page, lang: str = "en"):
        self.page = page
        self.lang = lang
        self.verify()

    # -- checks --------------------------------------------------------------------------------------

    def verify(self) -> None:
        """Check the page as it is now: where we are, its language, its heading, and axe-core."""
        expect(self.page).to_have_url(re.compile(rf"^[^?#]*{self.path}(\?[^#]*)?(#.*)?$"))
        wait_until_settled(self.page)
        expect(self.page.locator("html")).to_have_attribute("lang", self.lang.replace("_", "-"))
        # Staff pages are in English only and have no switch; the pseudo-locale is never offered in it.
        if self.lang in NATIVE_NAMES and resident_facing(urlparse(self.page.url).path):
            current = self.page.locator("nav.app-language-switch [aria-current=true]")
            expect(current).to_have_attribute("lang", self.lang)
            expect(current).to_have_text(NATIVE_NAMES[self.lang])
            other_code, other_name = OTHER_LANGUAGE[self.lang]
            expect(self.page.locator(f"nav.app-language-switch a[hreflang={other_code}]")).to_have_text(other_name)
        heading = self.page.locator("h1")
        expect(heading).to_have_count(1)
        if self.lang == "en":
            expect(heading).to_have_text(self.expected_heading())
        else:
            expect(heading).not_to_have_text(self.expected_heading())
            expect(heading).not_to_be_empty()
        assert_accessible(self.page)

    def expected_heading(self) -> str | re.Pattern:
        return self.english_heading

    @property
    def heading(self) -> str:
        return self.page.locator("h1").inner_text().strip()

    @property
    def title(self) -> str:
        return self.page.title()

    # -- finding things in either language -----------------------------------------------------------

    def _field(self, english_label: str, css: str) -> Locator:
        if self.lang == "en":
            return self.page.get_by_label(english_label, exact=True)
        return self.page.locator(css)

    def _button(self, english_name: str, css: str) -> Locator:
        if self.lang == "en":
            return self.page.get_by_role("button", name=english_name, exact=True)
        return self.page.locator(css)

    def _link(self, english_name: str | re.Pattern, css: str) -> Locator:
        if self.lang == "en":
            return self.page.get_by_role("link", name=english_name, exact=isinstance(english_name, str))
        return self.page.locator(css)

    # -- errors --------------------------------------------------------------------------------------

    @property
    def error_summary(self) -> Locator:
        return self.page.locator(".govuk-error-summary")

    def error_messages(self) -> list[str]:
        return [text.strip() for text in self.error_summary.locator("ul li").all_inner_texts()]

    def expect_errors(self) -> None:
        """After a submit that should fail: the error summary is shown and has focus, and the title says so."""
        expect(self.error_summary).to_be_visible()
        self.verify()
        if info_for(self.page).javascript:
            # GOV.UK Frontend's error summary moves focus to itself; without JavaScript nothing can.
            expect(self.error_summary).to_be_focused()
        if self.lang == "en":
            expect(self.page).to_have_title(re.compile(r"^Error: "))

    def language_link(self) -> Locator:
        """The language switch's link to this page in the other language."""
        code, _name = OTHER_LANGUAGE[self.lang]
        return self.page.locator(f"nav.app-language-switch a[hreflang={code}]")


# --- The start page and the questions ---------------------------------------------------------------


class StartPage(PageObject):
    path = "/"
    english_heading = "Make a complaint, give a compliment or make a suggestion"

    @classmethod
    def open(cls, page: Page, lang: str | None = None) -> StartPage:
        page.goto(f"/?lang={lang}" if lang else "/")
        return cls(page, lang or "en")

    def start(self) -> TypePage:
        self._button("Start now", "a.govuk-button--start").click()
        return TypePage(self.page, self.lang)

    def track_link(self) -> Locator:
        return self._link(re.compile("Check the progress of your complaint"), "main a[href$='/track']")


class QuestionPage(PageObject):
    """A question page: a form that posts to itself and goes on to the next page when it is valid."""

    @property
    def continue_button(self) -> Locator:
        return self._button("Continue", "button[type=submit][name=submit]")

    def submit_expecting_errors(self) -> None:
        self.continue_button.click()
        self.expect_errors()

    def back_link(self) -> Locator:
        return self._link("Back", "a.govuk-back-link")


class TypePage(QuestionPage):
    path = "/feedback/type"
    english_heading = "What would you like to tell us about?"
    LABELS = {"complaint": "A complaint", "compliment": "A compliment", "suggestion": "A suggestion"}

    def choose(self, kind: str) -> ServicePage:
        self._field(self.LABELS[kind], f"input[name=type][value={kind}]").check()
        self.continue_button.click()
        return ServicePage(self.page, self.lang, kind)


class ServicePage(QuestionPage):
    path = "/feedback/service"
    english_heading = "Which service is it about?"

    def __init__(self, page: Page, lang: str, kind: str):
        self.kind = kind
        super().__init__(page, lang)

    def choose(self, service: str | None = "Waste and recycling") -> DetailsPage:
        """Choose a service by its name, or 'I’m not sure' with None (in Welsh: the first service, or not sure)."""
        if service is None:
            self._field("I’m not sure", "input[name=service][value=not_sure]").check()
        else:
            self._field(service, "input[name=service]:not([value=not_sure])").first.check()
        self.continue_button.click()
        return DetailsPage(self.page, self.lang, self.kind)


class DetailsPage(QuestionPage):
    path = "/feedback/details"

    def __init__(self, page: Page, lang: str, kind: str):
        self.kind = kind
        super().__init__(page, lang)

    def expected_heading(self) -> str:
        return DETAILS_HEADINGS[self.kind]

    @property
    def description(self) -> Locator:
        label = "What happened?" if self.kind == "complaint" else "What would you like to tell us?"
        return self._field(label, "textarea#description")

    @property
    def desired_outcome(self) -> Locator:
        return self._field("What would put it right?", "textarea#desired_outcome")

    def date_part(self, part: str) -> Locator:
        if self.lang == "en":
            # Not get_by_role("group", name="When did it happen?"): the fieldset has no legend (see e2e/README.md).
            return self.page.locator(".govuk-date-input").get_by_label(part, exact=True)
        return self.page.locator(f"#occurred_on-{part.lower()}")

    def fill(self, description: str, occurred_on: dt.date | None = None, desired_outcome: str | None = None) -> None:
        self.description.fill(description)
        if occurred_on is not None:
            self.date_part("Day").fill(str(occurred_on.day))
            self.date_part("Month").fill(str(occurred_on.month))
            self.date_part("Year").fill(str(occurred_on.year))
        if desired_outcome is not None:
            self.desired_outcome.fill(desired_outcome)

    def continue_(self) -> EvidencePage:
        self.continue_button.click()
        return EvidencePage(self.page, self.lang)


class EvidencePage(QuestionPage):
    path = "/feedback/evidence"
    english_heading = "Upload evidence (optional)"

    @property
    def file_input(self) -> Locator:
        return self._field("Upload files (optional)", "input[type=file][name=files]")

    @property
    def upload_button(self) -> Locator:
        return self._button("Upload files", "button[type=submit][name=upload]")

    def listed_files(self) -> list[str]:
        return [text.strip() for text in self.page.locator(".govuk-summary-list .app-filename").all_inner_texts()]

    def upload(self, *files: Path) -> None:
        """Choose files and press 'Upload files'; wait until they are listed, then check the page again."""
        before = len(self.listed_files())
        self.file_input.set_input_files(list(files))
        self.upload_button.click()
        expect(self.page.locator(".govuk-summary-list .app-filename")).to_have_count(before + len(files))
        self.verify()

    def remove(self, filename: str) -> None:
        before = len(self.listed_files())
        self._button(f"Remove {filename}", "button[name=remove]").first.click()
        expect(self.page.locator(".govuk-summary-list .app-filename")).to_have_count(before - 1)
        self.verify()

    def continue_(self) -> YourDetailsPage:
        self.continue_button.click()
        return YourDetailsPage(self.page, self.lang)


class YourDetailsPage(QuestionPage):
    path = "/feedback/your-details"
    english_heading = "Your details"

    @property
    def name(self) -> Locator:
        return self._field("Full name", "input#name")

    @property
    def email(self) -> Locator:
        return self._field("Email address", "input#email")

    @property
    def phone(self) -> Locator:
        return self._field("Phone number", "input#phone")

    def fill(self, name: str, email: str = "", phone: str = "") -> None:
        self.name.fill(name)
        if email:
            self.email.fill(email)
        if phone:
            self.phone.fill(phone)

    def continue_(self) -> ContactPreferencesPage:
        self.continue_button.click()
        return ContactPreferencesPage(self.page, self.lang)


class ContactPreferencesPage(QuestionPage):
    path = "/feedback/contact-preferences"
    english_heading = "How we contact you"
    METHODS = {"email": "Email", "phone": "Phone", "letter": "Letter"}

    @property
    def language(self) -> Locator:
        return self._field("Which language should we use?", "select#language")

    def choose(self, method: str = "email") -> SomeoneElsePage:
        self._field(self.METHODS[method], f"input[name=preferred_contact][value={method}]").check()
        self.continue_button.click()
        return SomeoneElsePage(self.page, self.lang)


class SomeoneElsePage(QuestionPage):
    path = "/feedback/someone-else"
    english_heading = "Are you acting for someone else?"

    def about_me(self) -> CheckAnswersPage:
        self._field("No, it is about me", "input[name=on_behalf][value=no]").check()
        self.continue_button.click()
        return CheckAnswersPage(self.page, self.lang)


class CheckAnswersPage(PageObject):
    path = "/feedback/check-answers"
    english_heading = "Check your answers before sending"

    @property
    def send_button(self) -> Locator:
        return self._button("Send", "form button[type=submit][name=submit]")

    def answer(self, key: str) -> str:
        """The answer in the row whose key is `key` (English only)."""
        row = self.page.locator(".govuk-summary-list__row").filter(
            has=self.page.locator(".govuk-summary-list__key", has_text=re.compile(rf"^\s*{re.escape(key)}\s*$"))
        )
        return row.locator(".govuk-summary-list__value").inner_text().strip()

    def rows(self) -> list[str]:
        return [text.strip() for text in self.page.locator(".govuk-summary-list__key").all_inner_texts()]

    def send(self, kind: str = "complaint") -> ConfirmationPage:
        self.send_button.click()
        return ConfirmationPage(self.page, self.lang, kind)

    def double_click_send(self, kind: str = "complaint") -> ConfirmationPage:
        self.send_button.dblclick()
        return ConfirmationPage(self.page, self.lang, kind)


class ConfirmationPage(PageObject):
    path = "/feedback/confirmation"

    def __init__(self, page: Page, lang: str, kind: str):
        self.kind = kind
        super().__init__(page, lang)

    def expected_heading(self) -> str:
        return TYPE_HEADINGS[self.kind]

    @property
    def reference(self) -> str:
        text = self.page.locator(".govuk-panel .app-reference").inner_text().strip()
        assert REFERENCE.fullmatch(text), f"not a reference: {text!r}"
        return text


# --- Tracking ---------------------------------------------------------------------------------------


class TrackRequestPage(PageObject):
    path = "/track"
    english_heading = "Check the progress of your complaint or feedback"

    @classmethod
    def open(cls, page: Page, lang: str = "en") -> TrackRequestPage:
        page.goto(f"/track?lang={lang}")
        return cls(page, lang)

    def ask_for_link(self, reference: str, email: str) -> CheckEmailPage:
        self._field("Reference number", "input#reference").fill(reference)
        self._field("Email address", "input#email").fill(email)
        self._button("Send me a link", "button[type=submit]").click()
        return CheckEmailPage(self.page, self.lang)


class CheckEmailPage(PageObject):
    path = "/track/check-your-email"
    english_heading = "Check your email"


class LinkExpiredPage(PageObject):
    path = "/track/link/[A-Za-z0-9_-]+"
    english_heading = "This link has expired"


class CasePage(PageObject):
    # Without JavaScript, a failed "add information" post is answered in place, at its own address.
    path = "/track/case(/add-information)?"

    def __init__(self, page: Page, reference: str, lang: str = "en"):
        self.reference = reference
        super().__init__(page, lang)

    @classmethod
    def open_link(cls, page: Page, link: str, reference: str, lang: str = "en") -> CasePage:
        """Open an emailed link: the case page opens in the language the resident chose for the case."""
        page.goto(link)
        return cls(page, reference, lang)

    def expected_heading(self) -> str:
        return f"Your case {self.reference}"

    def summary_value(self, key: str) -> Locator:
        row = self.page.locator(".govuk-summary-list__row").filter(
            has=self.page.locator("dt", has_text=re.compile(rf"^\s*{re.escape(key)}\s*$"))
        )
        return row.locator("dd")

    @property
    def status(self) -> str:
        return self.summary_value("Status").inner_text().strip()

    @property
    def due_date(self) -> dt.date:
        return dt.datetime.strptime(self.summary_value("Response due by").inner_text().strip(), "%d %B %Y").date()

    @property
    def banner(self) -> Locator:
        return self.page.locator(".govuk-notification-banner")

    @property
    def messages(self) -> Locator:
        return self.page.locator(".app-messages__item")

    @property
    def information(self) -> Locator:
        return self._field("What would you like to add?", "textarea#information")

    def add_information(self, text: str, *files: Path) -> CasePage:
        self.information.fill(text)
        if files:
            self._field("Upload files (optional)", "input[type=file][name=files]").set_input_files(list(files))
        before = self.messages.count()
        self._button("Send information", "#add-information button[type=submit]").click()
        expect(
            self.banner, "after 'Send information' the case page should reload with a thank-you banner"
        ).to_be_visible()
        expect(self.messages).to_have_count(before + 1)
        self.verify()
        return self

    def send_information_expecting_errors(self) -> None:
        self._button("Send information", "#add-information button[type=submit]").click()
        self.expect_errors()

    def withdraw_link(self) -> Locator:
        return self._link(f"Withdraw {self.reference}", "a[href$='/track/case/withdraw']")

    def go_to_withdraw(self) -> WithdrawPage:
        self.withdraw_link().click()
        return WithdrawPage(self.page, self.reference, self.lang)


class WithdrawPage(PageObject):
    path = "/track/case/withdraw"

    def __init__(self, page: Page, reference: str, lang: str = "en"):
        self.reference = reference
        super().__init__(page, lang)

    def expected_heading(self) -> str:
        return f"Withdraw {self.reference}"

    @property
    def withdraw_button(self) -> Locator:
        return self._button("Withdraw", "#withdraw-form button[type=submit]")

    def withdraw_expecting_errors(self) -> None:
        self.withdraw_button.click()
        self.expect_errors()

    def withdraw(self, reason: str = "") -> CasePage:
        if reason:
            self._field("Why are you withdrawing it? (optional)", "textarea#reason").fill(reason)
        self.page.get_by_role("checkbox").check()
        self.withdraw_button.click()
        return CasePage(self.page, self.reference, self.lang)


# --- Pages every visitor may need -----------------------------------------------------------------


class CookiesPage(PageObject):
    path = "/cookies"
    english_heading = "Cookies"
