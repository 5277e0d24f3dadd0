"""An administrator corrects the address a member of staff signs in with, on a phone, with the keyboard's own words."""

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.staff_pages import SignInPage
from e2e.support import assert_accessible, wait_until_settled
from portal.services.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

# A demo account no other browser test signs in with; the test puts its address back at the end.
ACCOUNT_NAME = "Ina Independent"
ADDRESS = "independent@example.gov.uk"
CORRECTED = "ina.independent@example.gov.uk"


def _change_address(page: Page, typed: str) -> None:
    page.get_by_role("link", name="Change email address").click()
    wait_until_settled(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change the email address")
    assert_accessible(page)
    page.get_by_label("New email address").fill(typed)
    page.get_by_role("button", name="Change email address").click()
    wait_until_settled(page)


def test_an_administrator_corrects_a_sign_in_address(phone_page: Page):
    page = phone_page
    SignInPage.open(page).sign_in("admin@example.gov.uk", DEMO_PASSWORD)
    page.goto("/staff/admin/users")
    assert_accessible(page)
    page.get_by_role("link", name=ACCOUNT_NAME).click()
    wait_until_settled(page)
    assert_accessible(page)

    _change_address(page, "officer@example.gov.uk")  # another account's
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_role("alert")).to_contain_text("An account with this email address already exists")
    assert_accessible(page)

    page.get_by_label("New email address").fill(CORRECTED)
    page.get_by_role("button", name="Change email address").click()
    wait_until_settled(page)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{ADDRESS} now signs in as {CORRECTED}")
    assert_accessible(page)

    _change_address(page, ADDRESS)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{CORRECTED} now signs in as {ADDRESS}")
    assert_accessible(page)
