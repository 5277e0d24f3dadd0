"""The public performance page in a real browser: both languages, JavaScript on and off, period switching."""

import pytest
from playwright.sync_api import Page, expect

from e2e.support import assert_accessible, wait_until_settled

pytestmark = pytest.mark.e2e


def _open(page: Page, path: str) -> None:
    page.goto(path)
    wait_until_settled(page)
    assert_accessible(page)


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_figures_page_with_javascript(page: Page, language: str):
    _open(page, f"/performance?lang={language}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    heading = page.locator("#period-heading")
    before = heading.inner_text()
    page.locator(".govuk-details__summary").click()
    links = page.locator(".app-period-list a")
    links.nth(3).click()  # the first quarter: swapped in place by htmx
    expect(heading).not_to_have_text(before)
    assert "from=" in page.url
    wait_until_settled(page)
    assert_accessible(page)


def test_the_figures_page_without_javascript(nojs_page: Page):
    _open(nojs_page, "/performance")
    nojs_page.locator(".govuk-details__summary").click()
    nojs_page.locator("#period-from").fill("2025-04-01")
    nojs_page.locator("#period-to").fill("2025-06-30")
    nojs_page.get_by_role("button", name="Show these dates").click()
    expect(nojs_page.locator("#period-heading")).to_have_text("From 1 April 2025 to 30 June 2025")
    assert_accessible(nojs_page)


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_ombudsman_figures_and_the_annual_report(page: Page, language: str):
    """The demo data publishes Ombudsman figures for the last complete year: the page and the report show them."""
    _open(page, f"/performance?lang={language}")
    ombudsman = page.locator("table", has_text="77").first
    expect(ombudsman).to_be_visible()
    page.locator("a[href*='/performance/annual-report/']").first.click()
    wait_until_settled(page)
    assert_accessible(page)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_have_count(1)
    pdf = page.locator("a[href$='.pdf']").first
    expect(pdf).to_be_visible()
    response = page.request.get(pdf.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF")
