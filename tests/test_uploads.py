"""Evidence files: judged by content, stored outside static/ under random names, five at most."""

import gc
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from portal import PROJECT_ROOT
from portal.extensions import db
from portal.models import Attachment
from tests import files
from tests.journey import answer, fill_all, start, submit

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _to_evidence(client) -> str:
    token = start(client)
    answer(client, token, "type", {"type": "complaint"})
    answer(client, token, "service", {"service": "not_sure"})
    answer(client, token, "details", {"description": "x", "occurred_on": ["1", "1", "2026"], "desired_outcome": "y"})
    return token


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (3, 2), (0, 128, 255)).save(out, "JPEG")
    return out.getvalue()


def _upload(client, token, *named_files, **headers):
    data = {
        "csrf_token": token,
        "upload": "Upload files",
        "files": [(io.BytesIO(content), name) for name, content in named_files],
    }
    return client.post("/feedback/evidence", data=data, content_type="multipart/form-data", headers=headers)


@pytest.mark.parametrize(
    ("name", "content", "stored_type", "kept_name"),
    [
        ("letter.pdf", files.pdf(), "application/pdf", "letter.pdf"),
        ("photo.png", files.png(), "image/png", "photo.png"),
        ("photo.jpg", _jpeg(), "image/jpeg", "photo.jpg"),
        ("photo.JPEG", _jpeg(), "image/jpeg", "photo.JPEG"),
        ("IMG_0001.HEIC", files.heic(), "image/heic", "IMG_0001.HEIC"),
        ("statement.docx", files.docx(), DOCX_TYPE, "statement.docx"),
        # The name ends as what the content is, so nobody opens a photo as a PDF.
        ("no-extension", files.png(), "image/png", "no-extension.png"),
        ("letter.pdf", files.png(), "image/png", "letter.png"),
        ("scan.final", files.pdf(), "application/pdf", "scan.final.pdf"),
    ],
)
def test_accepted_kinds_are_recognised_by_content(app, client, name, content, stored_type, kept_name):
    token = _to_evidence(client)
    response = _upload(client, token, (name, content))
    assert response.status_code == 200
    assert kept_name in response.get_data(as_text=True)
    with app.app_context():
        attachment = db.session.scalar(select(Attachment))
        assert attachment.content_type == stored_type
        assert attachment.original_name == kept_name
        assert re.fullmatch(r"[0-9a-f]{32}", attachment.stored_name)
        stored = app.config["UPLOAD_DIRECTORY"] + "/" + attachment.stored_name
        with open(stored, "rb") as handle:
            kept = handle.read()
        if stored_type in ("image/png", "image/jpeg", "image/heic"):
            # Written afresh without their metadata (tests/test_upload_hardening.py): the same picture, new bytes.
            assert Image.open(io.BytesIO(kept)).size == Image.open(io.BytesIO(content)).size
        else:
            assert kept == content
        assert not stored.startswith(str(PROJECT_ROOT / "static"))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evidence.pdf", files.windows_program(), "must be a PDF, JPEG, PNG, HEIC or Word (DOCX) file"),
        ("archive.docx", files.plain_zip(), "must be a PDF, JPEG, PNG, HEIC or Word (DOCX) file"),
        ("notes.pdf", b"just some text pretending", "must be a PDF, JPEG, PNG, HEIC or Word (DOCX) file"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(app, client, name, content, message):
    token = _to_evidence(client)
    html = _upload(client, token, (name, content)).get_data(as_text=True)
    assert message in html
    assert "govuk-error-summary" in html
    with app.app_context():
        assert db.session.scalar(select(Attachment)) is None


# Werkzeug's test client spools a body this large to a temporary file it never closes; collect it here.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning", "ignore::ResourceWarning")
def test_a_file_over_10mb_is_refused(app, client):
    token = _to_evidence(client)
    big = files.pdf() + b"0" * (10 * 1024 * 1024)
    html = _upload(client, token, ("big.pdf", big)).get_data(as_text=True)
    assert "must be smaller than 10MB" in html
    gc.collect()


def test_no_more_than_five_files(app, client):
    token = _to_evidence(client)
    _upload(client, token, *[(f"{n}.png", files.png()) for n in range(5)])
    html = _upload(client, token, ("sixth.png", files.png())).get_data(as_text=True)
    assert "You can upload up to 5 files" in html
    with app.app_context():
        assert len(db.session.scalars(select(Attachment)).all()) == 5


@pytest.mark.parametrize(("language", "message"), [("en", "Select a file to upload"), ("cy", "Dewiswch ffeil")])
def test_pressing_upload_with_no_file_chosen_says_to_choose_one(client, language, message):
    token = _to_evidence(client)
    client.get(f"/feedback/evidence?lang={language}")
    response = _upload(client, token)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert 'class="govuk-error-summary' in html and 'href="#files"' in html
    continued = client.post("/feedback/evidence", data={"csrf_token": token, "submit": "Continue"})
    assert continued.status_code == 303  # no file at all is fine: evidence is optional


def test_when_drafts_files_fill_their_room_new_ones_wait_and_submitted_ones_do_not_count(app, caplog):
    first, second = app.test_client(), app.test_client()
    token = _to_evidence(first)
    _upload(first, token, ("a.png", files.png()))
    with app.app_context():
        app.config["DRAFT_FILES_MAX_BYTES"] = db.session.scalar(select(Attachment.size))  # full with that one file
    other = _to_evidence(second)
    html = _upload(second, other, ("b.pdf", files.pdf())).get_data(as_text=True)
    assert "The selected file b.pdf could not be uploaded – try again later" in html
    assert "DRAFT_FILES_MAX_BYTES" in caplog.text
    # The first resident sends theirs: a case's files are not a draft's, so the room is free again.
    for slug, data in (
        ("evidence", {"submit": "Continue"}),
        ("your-details", {"name": "Jo", "email": "jo@example.com"}),
        ("contact-preferences", {"preferred_contact": "email", "language": "en"}),
        ("someone-else", {"on_behalf": "no"}),
    ):
        answer(first, token, slug, data)
    assert submit(first, token).status_code == 303
    html = _upload(second, other, ("b.pdf", files.pdf())).get_data(as_text=True)
    assert "could not be uploaded" not in html and "b.pdf" in html


def test_a_file_can_be_removed(app, client):
    token = _to_evidence(client)
    _upload(client, token, ("a.png", files.png()))
    with app.app_context():
        attachment = db.session.scalar(select(Attachment))
        stored = app.config["UPLOAD_DIRECTORY"] + "/" + attachment.stored_name
    client.post("/feedback/evidence", data={"csrf_token": token, "remove": str(attachment.id)})
    with app.app_context():
        assert db.session.scalar(select(Attachment)) is None
    import os

    assert not os.path.exists(stored)


def test_upload_with_htmx_returns_the_fragment(client):
    token = _to_evidence(client)
    response = _upload(client, token, ("a.png", files.png()), **{"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert "a.png" in html


def test_files_travel_with_the_case(app, client):
    token = _to_evidence(client)
    _upload(client, token, ("a.pdf", files.pdf()))
    fill_all(client)  # starts a new draft: the uploaded file belongs to the first one only
    with app.app_context():
        assert db.session.scalar(select(Attachment)).case_id is None


def test_files_are_attached_to_the_submitted_case(app, client):
    token = _to_evidence(client)
    _upload(client, token, ("a.pdf", files.pdf()))
    answer(client, token, "evidence", {"submit": "Continue"})
    answer(client, token, "your-details", {"name": "Jo", "email": "jo@example.com"})
    answer(client, token, "contact-preferences", {"preferred_contact": "email", "language": "en"})
    answer(client, token, "someone-else", {"on_behalf": "no"})
    assert submit(client, token).status_code == 303
    with app.app_context():
        attachment = db.session.scalar(select(Attachment))
        assert attachment.case_id is not None
        assert attachment.case.reference.startswith("CMP-")
