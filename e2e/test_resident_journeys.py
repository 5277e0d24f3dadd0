"""A resident's journeys through the portal in Chromium: lodging, tracking and withdrawing, in English and Welsh,
with JavaScript on and off. Every page visited is checked with axe-core by the page objects."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from e2e.pages import (
    REFERENCE,
    CasePage,
    CheckAnswersPage,
    DetailsPage,
    LinkExpiredPage,
    StartPage,
    TrackRequestPage,
    YourDetailsPage,
)
from e2e.support import (
    Mailbox,
    allow_console_error,
    assert_accessible,
    axe_violations,
    info_for,
)

pytestmark = pytest.mark.e2e

LAST_WEEK = dt.date.today() - dt.timedelta(days=7)


def mark_document(page: Page) -> None:
    """Leave a mark on the current document; it survives an htmx swap but not a page load."""
    page.evaluate("() => { window.__e2eSameDocument = true }")


def same_document(page: Page) -> bool:
    return page.evaluate("() => window.__e2eSameDocument === true")


def fill_complaint_until_check_answers(
    page: Page, email: str, *, lang: str = "en", evidence: tuple[Path, ...] = ()
) -> CheckAnswersPage:
    """Answer every question of a complaint, from the start page, and arrive at 'Check your answers'."""
    details = StartPage.open(page, lang if lang != "en" else None).start().choose("complaint").choose()
    details.fill("The bin was not collected for three weeks.", LAST_WEEK, "Collect the bin and apologise.")
    evidence_page = details.continue_()
    if evidence:
        evidence_page.upload(*evidence)
        assert evidence_page.listed_files() == [path.name for path in evidence]
    your_details = evidence_page.continue_()
    your_details.fill("Alex Resident", email=email)
    return your_details.continue_().choose("email").about_me()


def lodge_complaint(page: Page, email: str, *, evidence: tuple[Path, ...] = ()) -> str:
    """Lodge a complaint through the browser and return its reference."""
    return fill_complaint_until_check_answers(page, email, evidence=evidence).send("complaint").reference


def open_case_from_email(page: Page, mailbox: Mailbox, reference: str, email: str) -> CasePage:
    """Ask for a tracking link, read it from the newest email, and open it."""
    TrackRequestPage.open(page).ask_for_link(reference, email)
    mail = mailbox.newest(email, "tracking_link")
    assert reference in mail.subject
    return CasePage.open_link(page, mail.link("/track/link/"), reference)


def test_the_axe_check_works_under_the_apps_csp_and_catches_violations(page: Page):
    StartPage.open(page)
    assert page.evaluate("() => typeof window.axe === 'object'"), "axe-core was not injected"
    # The CSP is the real one: an inline <script> is refused, and the console watch sees the refusal.
    with pytest.raises(PlaywrightError, match="Content Security Policy"):
        page.add_script_tag(content="window.__inline = true")
    assert page.evaluate("() => window.__inline") is None
    page.wait_for_timeout(100)  # let the console event arrive
    assert any("Content Security Policy" in error for error in info_for(page).console.unexpected())
    allow_console_error(page, "Content Security Policy")
    # Break the page on purpose: a form field with no label.
    page.evaluate("() => document.querySelector('main').append(document.createElement('input'))")
    violations = axe_violations(page)
    assert "label" in {violation["id"] for violation in violations}
    with pytest.raises(AssertionError, match=r"label \[critical\]"):
        assert_accessible(page)


def test_lodge_a_complaint_with_evidence(page: Page, mailbox: Mailbox, resident_email: str, evidence):
    start = StartPage.open(page)
    service = start.start().choose("complaint")
    details = service.choose("Waste and recycling")
    assert details.desired_outcome.is_visible()
    details.fill("The bin was not collected for three weeks.", LAST_WEEK, "Collect the bin and apologise.")
    evidence_page = details.continue_()

    mark_document(evidence_page.page)
    evidence_page.upload(evidence["pdf"])
    assert evidence_page.listed_files() == ["letter-from-council.pdf"]
    expect(page.get_by_role("heading", name="1 file added")).to_be_visible()
    assert same_document(page), "with JavaScript on, the upload should be swapped in by htmx, not reload the page"

    your_details = evidence_page.continue_()
    your_details.fill("Alex Resident", email=resident_email, phone="01632 960 001")
    check = your_details.continue_().choose("email").about_me()
    assert check.answer("Type") == "A complaint"
    assert check.answer("Service") == "Waste and recycling"
    assert check.answer("Evidence") == "letter-from-council.pdf"
    assert check.answer("Email address") == resident_email
    assert check.answer("When it happened") == f"{LAST_WEEK.day} {LAST_WEEK:%B %Y}"

    confirmation = check.send("complaint")
    reference = confirmation.reference
    assert reference.startswith("CMP-")
    expect(page.get_by_text(f"We have sent a confirmation to {resident_email}.")).to_be_visible()

    receipt = mailbox.newest(resident_email, "receipt")
    assert receipt.language == "en"
    assert reference in receipt.subject
    assert reference in receipt.body


def test_an_empty_question_page_shows_errors_and_keeps_what_was_typed(page: Page, resident_email: str):
    type_page = StartPage.open(page).start()
    mark_document(page)
    type_page.submit_expecting_errors()
    assert type_page.error_messages() == [
        "Select whether you want to make a complaint, give a compliment or make a suggestion"
    ]
    assert same_document(page), "with JavaScript on, errors should be swapped in without reloading"
    # The error summary's link takes the resident to the first radio.
    type_page.error_summary.get_by_role("link").first.click()
    expect(page.get_by_label("A complaint", exact=True)).to_be_focused()

    details = type_page.choose("complaint").choose(None)
    typed = "They left the rubbish on the pavement again."
    details.description.fill(typed)
    details.date_part("Day").fill("3")
    mark_document(page)
    details.submit_expecting_errors()
    assert same_document(page)
    assert details.error_messages() == ["The date it happened must be a real date", "Tell us what would put it right"]
    expect(details.description).to_have_value(typed)
    expect(details.date_part("Day")).to_have_value("3")

    details.date_part("Month").fill("13")
    details.date_part("Year").fill(str(LAST_WEEK.year))
    details.desired_outcome.fill("Clear it up.")
    details.submit_expecting_errors()
    assert details.error_messages() == ["The date it happened must be a real date"]
    expect(details.desired_outcome).to_have_value("Clear it up.")
    expect(details.description).to_have_value(typed)

    details.date_part("Day").fill(str(LAST_WEEK.day))
    details.date_part("Month").fill(str(LAST_WEEK.month))
    your_details = details.continue_().continue_()

    your_details.name.fill("Sam Resident")
    your_details.submit_expecting_errors()
    assert your_details.error_messages() == ["Enter an email address or a phone number"]
    expect(your_details.name).to_have_value("Sam Resident")
    your_details.email.fill("not-an-email")
    your_details.submit_expecting_errors()
    assert your_details.error_messages() == ["Enter an email address in the correct format, like name@example.com"]
    your_details.email.fill(resident_email)
    your_details.continue_()


def test_a_compliment_takes_the_short_path(page: Page, mailbox: Mailbox, resident_email: str):
    details = StartPage.open(page).start().choose("compliment").choose("Libraries")
    assert isinstance(details, DetailsPage)
    expect(page.get_by_label("What would put it right?")).to_have_count(0)
    expect(details.date_part("Day")).to_be_visible()
    details.fill("The librarian helped my son find books about volcanoes.")
    your_details = details.continue_().continue_()
    your_details.fill("Jo Resident", email=resident_email)
    check = your_details.continue_().choose("email").about_me()
    assert "What would put it right" not in check.rows()
    assert "When it happened" not in check.rows()
    assert check.answer("Type") == "A compliment"
    assert check.answer("Your message") == "The librarian helped my son find books about volcanoes."

    confirmation = check.send("compliment")
    assert confirmation.reference.startswith("CPL-")
    expect(page.get_by_text("We will pass your message to the service it is about.")).to_be_visible()
    assert confirmation.reference in mailbox.newest(resident_email, "receipt").subject


def test_a_suggestion_with_a_photo(page: Page, mailbox: Mailbox, resident_email: str, evidence):
    details = StartPage.open(page).start().choose("suggestion").choose(None)
    expect(page.get_by_label("What would put it right?")).to_have_count(0)
    details.fill("Put a bench by the bus stop on Mill Lane.", LAST_WEEK)
    evidence_page = details.continue_()
    evidence_page.upload(evidence["png"])
    assert evidence_page.listed_files() == ["photo-of-bin.png"]
    your_details = evidence_page.continue_()
    your_details.fill("Chris Resident", email=resident_email)
    check = your_details.continue_().choose("email").about_me()
    assert check.answer("Type") == "A suggestion"
    assert check.answer("Service") == "I’m not sure"
    assert check.answer("Evidence") == "photo-of-bin.png"
    confirmation = check.send("suggestion")
    assert confirmation.reference.startswith("SUG-")
    assert confirmation.reference in mailbox.newest(resident_email, "receipt").body


def test_track_a_complaint_through_the_emailed_link(page: Page, mailbox: Mailbox, resident_email: str, evidence):
    reference = lodge_complaint(page, resident_email)
    receipt = mailbox.newest(resident_email, "receipt")
    promised = re.search(r"full response by (\d{1,2} \w+ \d{4})", receipt.body)
    assert promised, receipt.body

    # Ask with the reference typed carelessly: lower case, spaces for hyphens, email in capitals.
    check_email = TrackRequestPage.open(page).ask_for_link(reference.lower().replace("-", " "), resident_email.upper())
    assert check_email.heading == "Check your email"
    mail = mailbox.newest(resident_email, "tracking_link")
    assert reference in mail.subject
    link = mail.link("/track/link/")
    assert link.startswith(page.url.split("/track")[0] + "/track/link/")

    case = CasePage.open_link(page, link, reference)
    assert case.status == "Received"
    assert case.summary_value("Stage").inner_text().strip() == "Stage 1"
    assert case.due_date == dt.datetime.strptime(promised.group(1), "%d %B %Y").date()
    assert case.due_date > dt.date.today()
    expect(page.get_by_text("There are no messages yet.")).to_be_visible()

    # The link works once: a second visit is refused with 410 Gone, even in the same browser...
    allow_console_error(page, r"status of 410")
    response = page.goto(link)
    assert response is not None and response.status == 410
    LinkExpiredPage(page)
    expect(page.get_by_role("link", name="Get a new link")).to_have_attribute("href", "/track")
    # ...though the browser it let in can still see the case.
    page.goto("/track/case")
    case = CasePage(page, reference)

    case.send_information_expecting_errors()
    assert case.error_messages() == ["Enter the information you want to add"]

    case.add_information("Here is a photo of the overflowing bin.", evidence["png"])
    expect(case.banner).to_contain_text("Thank you. We have added your information to your case.")
    expect(case.messages.last).to_contain_text("From you")
    expect(case.messages.last).to_contain_text("Here is a photo of the overflowing bin.")
    expect(case.information).to_have_value("")


def test_withdraw_a_case(page: Page, mailbox: Mailbox, resident_email: str):
    reference = lodge_complaint(page, resident_email)
    case = open_case_from_email(page, mailbox, reference, resident_email)
    withdraw = case.go_to_withdraw()
    withdraw.withdraw_expecting_errors()
    assert withdraw.error_messages() == ["Confirm that you want to withdraw"]

    case = withdraw.withdraw("I sorted it out with the crew.")
    expect(case.banner).to_contain_text(f"You have withdrawn {reference}. We have sent you an email to confirm.")
    assert case.status == "Closed"
    expect(case.summary_value("Withdrawn")).to_have_text(re.compile(r"\d{1,2} \w+ \d{4}"))
    expect(case.summary_value("Response due by")).to_have_count(0)
    expect(case.information).to_have_count(0)
    expect(case.withdraw_link()).to_have_count(0)

    withdrawn = mailbox.newest(resident_email, "withdrawn")
    assert reference in withdrawn.subject


def test_the_whole_complaint_journey_without_javascript(
    nojs_page: Page, mailbox: Mailbox, resident_email: str, evidence
):
    page = nojs_page
    type_page = StartPage.open(page).start()
    type_page.submit_expecting_errors()
    assert type_page.error_messages() == [
        "Select whether you want to make a complaint, give a compliment or make a suggestion"
    ]
    details = type_page.choose("complaint").choose("Highways")
    details.description.fill("A pothole outside number 12 burst my tyre.")
    details.submit_expecting_errors()
    expect(details.description).to_have_value("A pothole outside number 12 burst my tyre.")
    details.fill("A pothole outside number 12 burst my tyre.", LAST_WEEK, "Pay for the tyre.")
    evidence_page = details.continue_()
    evidence_page.upload(evidence["pdf"], evidence["png"])
    assert evidence_page.listed_files() == ["letter-from-council.pdf", "photo-of-bin.png"]
    evidence_page.remove("photo-of-bin.png")
    assert evidence_page.listed_files() == ["letter-from-council.pdf"]
    your_details = evidence_page.continue_()
    assert isinstance(your_details, YourDetailsPage)
    your_details.fill("Pat Resident", email=resident_email)
    check = your_details.continue_().choose("email").about_me()
    assert check.answer("Evidence") == "letter-from-council.pdf"
    reference = check.send("complaint").reference

    case = open_case_from_email(page, mailbox, reference, resident_email)
    case.send_information_expecting_errors()
    case.add_information("The garage invoice is attached.", evidence["pdf"])
    expect(case.messages.last).to_contain_text("The garage invoice is attached.")


def test_the_whole_complaint_journey_in_welsh_on_a_phone(
    phone_page: Page, mailbox: Mailbox, resident_email: str, evidence
):
    page = phone_page
    start = StartPage.open(page, "cy")
    # The switch goes to English and back, and each page says which language it is in.
    start.language_link().click()
    start = StartPage(page, "en")
    start.language_link().click()
    start = StartPage(page, "cy")
    type_page = start.start()
    type_page.submit_expecting_errors()
    details = type_page.choose("complaint").choose()
    details.fill("Ni chasglwyd y bin am dair wythnos.", LAST_WEEK, "Casglu'r bin.")
    evidence_page = details.continue_()
    evidence_page.upload(evidence["pdf"])
    your_details = evidence_page.continue_()
    your_details.fill("Alys Preswylydd", email=resident_email)
    contact = your_details.continue_()
    expect(contact.language).to_have_value("cy")
    check = contact.choose("email").about_me()
    confirmation = check.send("complaint")
    reference = confirmation.reference

    receipt = mailbox.newest(resident_email, "receipt")
    assert receipt.language == "cy"
    assert reference in receipt.body
    assert "Thank you for telling us about your complaint" not in receipt.body, "the receipt is not in Welsh"


@pytest.mark.parametrize("fixture", ["page", "nojs_page"], ids=["javascript", "no-javascript"])
def test_double_clicking_send_creates_one_case(request, fixture: str, mailbox: Mailbox, resident_email: str):
    page: Page = request.getfixturevalue(fixture)
    check = fill_complaint_until_check_answers(page, resident_email)
    confirmation = check.double_click_send("complaint")
    reference = confirmation.reference
    # Give a second submission time to finish before counting.
    time.sleep(1.5)
    receipts = mailbox.wait_for(resident_email, "receipt")
    references = {REFERENCE.search(mail.subject).group(0) for mail in receipts}
    assert references == {reference}
    assert len(receipts) == 1


# --- One test for each bug found, so each fails on its own until it is fixed ----------------------------------


def test_every_question_on_a_page_is_asked(page: Page, resident_email: str):
    """Grouped fields need their question as a legend: the date, and both questions on 'How we contact you'."""
    details = StartPage.open(page).start().choose("complaint").choose()
    expect(
        page.get_by_role("group", name="When did it happen?"), "the date needs its question as a legend"
    ).to_be_visible()
    details.fill("The bin was not collected.", LAST_WEEK, "Collect it.")
    your_details = details.continue_().continue_()
    your_details.fill("Alex Resident", email=resident_email)
    your_details.continue_()
    for question in ("How should we contact you?", "Do you need any of these to use our service? (optional)"):
        expect(page.get_by_role("group", name=question), f"no legend for {question!r}").to_be_visible()


def test_footer_links_are_big_enough_to_tap(phone_page: Page):
    """WCAG 2.2 target size (2.5.8): on a phone the footer links wrap into rows too close together."""
    StartPage.open(phone_page)


def test_the_language_switch_works_after_a_failed_post_without_javascript(
    nojs_page: Page, mailbox: Mailbox, resident_email: str
):
    page = nojs_page
    reference = lodge_complaint(page, resident_email)
    case = open_case_from_email(page, mailbox, reference, resident_email)
    case.send_information_expecting_errors()
    allow_console_error(page, r"status of 405")
    with page.expect_navigation() as navigation:
        case.language_link().click()
    response = navigation.value
    assert response is not None and response.status == 200, f"{page.url} answered {response and response.status}"
    CasePage(page, reference, lang="cy")
