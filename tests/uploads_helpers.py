"""Reaching the evidence page, uploading files to it, and lodging a case with evidence files through the journey."""

import io
import re

from tests.journey import answer, start, submit


def to_evidence(client) -> str:
    """Answer the questions before the evidence page; return the CSRF token."""
    token = start(client)
    answer(client, token, "type", {"type": "complaint"})
    answer(client, token, "service", {"service": "not_sure"})
    answer(client, token, "details", {"description": "x", "occurred_on": ["1", "1", "2026"], "desired_outcome": "y"})
    return token


def upload_files(client, token, *named_files, **headers):
    """Upload (name, content) pairs on the evidence page as the resident's browser would; return the response."""
    data = {"csrf_token": token, "upload": "Upload files", "files": [(io.BytesIO(c), n) for n, c in named_files]}
    return client.post("/feedback/evidence", data=data, content_type="multipart/form-data", headers=headers)


def lodge_with_file(client, *named_files) -> str:
    token = to_evidence(client)
    upload_files(client, token, *named_files)
    answer(client, token, "evidence", {"submit": "Continue"})
    answer(client, token, "your-details", {"name": "Jo", "email": "jo@example.com"})
    answer(client, token, "contact-preferences", {"preferred_contact": "email", "language": "en"})
    answer(client, token, "someone-else", {"on_behalf": "no"})
    submit(client, token)
    html = client.get("/feedback/confirmation").get_data(as_text=True)
    return re.search(r"[A-Z]{3}-[2-9A-Z]{4}-[2-9A-Z]{4}", html).group(0)
