"""The triage queue's inline steps: an officer triages, acknowledges and allocates a new complaint from its row,
with htmx swapping the row in place, and again with JavaScript off, where each step reloads the queue."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.staff_pages import SignInPage
from e2e.support import Mailbox
from e2e.test_back_office_journey import OFFICER, lodge_complaint
from portal.services.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("officer_fixture", ["staff_page", "nojs_page"], ids=["javascript", "no-javascript"])
def test_a_new_complaint_is_triaged_acknowledged_and_allocated_from_the_queue(
    request, officer_fixture: str, page: Page, mailbox: Mailbox, resident_email: str
):
    reference = lodge_complaint(page, resident_email, f"Missed bin on Oak Street ({resident_email}).")
    officer: Page = request.getfixturevalue(officer_fixture)
    queue = SignInPage.open(officer).sign_in(OFFICER, DEMO_PASSWORD).go_to_triage_queue()
    # A mark on the window survives an htmx swap but not a page load: it tells the two paths apart.
    officer.evaluate("window.stillThisPage = true")

    queue.triage(reference, "Complaint (corporate)")
    queue.acknowledge(reference)
    acknowledgement = mailbox.newest(resident_email, "acknowledgement")
    assert reference in acknowledgement.subject
    queue.allocate(reference, "Olu Officer", "Place: Waste and recycling")

    swapped_in_place = officer.evaluate("window.stillThisPage === true")
    assert swapped_in_place == (officer_fixture == "staff_page")
    expect(officer).to_have_url(queue.page.url)

    # Allocated, it has left the queue.
    queue = queue.go_to_triage_queue()
    expect(queue.page.get_by_role("link", name=reference, exact=True)).to_have_count(0)
