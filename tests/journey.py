"""Walking the resident's journey with the Flask test client."""

import re

from tests.conftest import csrf_token

COMPLAINT = {
    "type": {"type": "complaint"},
    "service": {"service": None},  # filled with a real service area id
    "details": {
        "description": "My green bin was missed three weeks running.",
        "occurred_on": ["3", "11", "2026"],
        "desired_outcome": "Collect the bin and tell me why it was missed.",
    },
    "evidence": {"submit": "Continue"},
    "your-details": {"name": "Jo Bloggs", "email": "jo@example.com", "phone": "", "address": ""},
    "contact-preferences": {"preferred_contact": "email", "language": "en"},
    "someone-else": {"on_behalf": "no"},
}


def start(client) -> str:
    """Begin a new journey and return the CSRF token for its forms."""
    response = client.get("/feedback/begin", follow_redirects=True)
    assert response.status_code == 200
    return csrf_token(response)


def answer(client, token: str, slug: str, data: dict, **kwargs):
    """Post one page's answers."""
    return client.post(f"/feedback/{slug}", data={"csrf_token": token, **data}, **kwargs)


def first_service_id(client) -> str:
    html = client.get("/feedback/service").get_data(as_text=True)
    return re.search(r'name="service" type="radio" value="(\d+)"', html).group(1)


def fill_all(client, overrides: dict | None = None, skip: tuple = ()) -> str:
    """Answer every question (complaint by default); return the CSRF token."""
    pages = {slug: dict(data) for slug, data in COMPLAINT.items()}
    for slug, data in (overrides or {}).items():
        pages[slug] = {**pages.get(slug, {}), **data} if data is not None else None
    token = start(client)
    for slug, data in pages.items():
        if slug in skip or data is None:
            continue
        if slug == "service" and data.get("service") is None:
            data["service"] = first_service_id(client)
        response = answer(client, token, slug, data)
        assert response.status_code == 303, (slug, response.get_data(as_text=True)[:3000])
    return token


def submit(client, token: str):
    """Send the answers from the check-your-answers page; return the response."""
    html = client.get("/feedback/check-answers").get_data(as_text=True)
    key = re.search(r'name="submission_key" value="([^"]+)"', html).group(1)
    return client.post("/feedback/check-answers", data={"csrf_token": token, "submission_key": key})


def lodge(client, overrides: dict | None = None) -> str:
    """Lodge a case through the whole journey and return its reference."""
    token = fill_all(client, overrides)
    response = submit(client, token)
    assert response.status_code == 303
    html = client.get("/feedback/confirmation").get_data(as_text=True)
    return re.search(r"[A-Z]{3}-[2-9A-Z]{4}-[2-9A-Z]{4}", html).group(0)
