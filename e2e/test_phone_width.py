"""At a phone's width no page scrolls sideways (WCAG 1.4.10): wide tables scroll inside their own box instead."""

import pytest
from playwright.sync_api import Page

from e2e.staff_pages import SignInPage
from e2e.support import assert_accessible, wait_until_settled
from portal.services.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

STAFF_PAGES = [
    "/staff/",
    "/staff/triage",
    "/staff/dashboard",
    "/staff/due",
    "/staff/account/",
    "/staff/account/password",
    "/staff/admin/",
    "/staff/admin/service-areas",
    "/staff/admin/themes",
    "/staff/admin/message-templates",
    "/staff/reporting/",
    "/staff/reporting/ombudsman",
    "/staff/reporting/learning",
    "/staff/reporting/self-assessment",
]
PUBLIC_PAGES = ["/performance?lang=cy", "/performance/annual-report"]


def _fits(page: Page, path: str) -> None:
    page.goto(path)
    wait_until_settled(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{path} is {width}px wide on a {viewport}px screen"
    assert_accessible(page)


def test_no_page_scrolls_sideways_on_a_phone(phone_page: Page):
    SignInPage.open(phone_page).sign_in("manager@example.gov.uk", DEMO_PASSWORD)
    for path in STAFF_PAGES:
        _fits(phone_page, path)
    for path in PUBLIC_PAGES:
        _fits(phone_page, path)
