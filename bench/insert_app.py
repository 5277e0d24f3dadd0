"""The journeys' references: a bare Flask app that inserts one row per POST, served by gunicorn like the portal.

It reads DATABASE_URL (the same database kind as the portal's run) and writes each POSTed form, as it came, into
a tiny table of its own: no CSRF checking, no session, no templates. `create_table` makes that table before gunicorn
starts. Two ways in:

- `POST /submit`: one insert, the reference as the issue first reads it (a submission against one POST).
- `/feedback/...`: the same pages, redirects and form fields the resident journey walks (bench/journeys.py::walk), so
  the very same journey runs against it: each GET answers a few hundred bytes of HTML with the fields the walker
  looks for, each POST inserts one row and redirects where the portal would, and the confirmation page shows a
  reference made from the final POST's row id (carried in a cookie). Like for like: 18 requests, 8 inserts.
"""

import json
import os
import secrets

from flask import Flask, abort, redirect, request
from markupsafe import escape
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, create_engine, func, insert

metadata = MetaData()
submission = Table(
    "bench_insert",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("received_at", DateTime, server_default=func.now()),
    Column("form", Text, nullable=False),
)
QUESTION_PAGES = ("type", "service", "details", "evidence", "your-details", "contact-preferences", "someone-else")
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def create_table(url: str) -> None:
    """Create the reference's table (once, before its workers start, so they never race to create it)."""
    engine = create_engine(url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()


app = Flask(__name__)
engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True) if "DATABASE_URL" in os.environ else None


def _insert() -> int:
    with engine.begin() as connection:
        return connection.execute(
            insert(submission).values(form=json.dumps(request.form.to_dict()))
        ).inserted_primary_key[0]


@app.post("/submit")
def submit() -> tuple[str, int]:
    return f"Saved {_insert()}", 201


@app.get("/")
def ready() -> str:
    return "ready"


def _page(title: str, fields: str) -> str:
    token = secrets.token_urlsafe(16)
    return (
        f"<!DOCTYPE html><html lang=en><title>{title}</title><h1>{title}</h1>"
        f'<form method=post action="{escape(request.path)}">'
        f'<input name="csrf_token" type="hidden" value="{token}">{fields}<button>Continue</button></form>'
    )


def reference_for(row_id: int) -> str:
    letters = []
    for _ in range(8):
        row_id, digit = divmod(row_id, len(REFERENCE_ALPHABET))
        letters.append(REFERENCE_ALPHABET[digit])
    return f"CMP-{''.join(letters[:4])}-{''.join(letters[4:])}"


@app.get("/feedback/begin")
def begin():
    return redirect("/feedback/type", 302)


@app.route("/feedback/<page>", methods=["GET", "POST"])
def question(page: str):
    if page not in QUESTION_PAGES:
        abort(404)
    if request.method == "POST":
        _insert()
        index = QUESTION_PAGES.index(page)
        following = QUESTION_PAGES[index + 1] if index + 1 < len(QUESTION_PAGES) else "check-answers"
        return redirect(f"/feedback/{following}", 303)
    fields = "".join(f'<input name="service" type="radio" value="{n}">' for n in (1, 2, 3)) if page == "service" else ""
    return _page(page, fields)


@app.route("/feedback/check-answers", methods=["GET", "POST"])
def check_answers():
    if request.method == "POST":
        response = redirect("/feedback/confirmation", 303)
        response.set_cookie("submitted", str(_insert()), httponly=True, samesite="Lax")
        return response
    return _page("Check your answers", f'<input name="submission_key" value="{secrets.token_urlsafe(16)}">')


@app.get("/feedback/confirmation")
def confirmation() -> str:
    row_id = int(request.cookies.get("submitted", "0"))
    return f'<h1>Sent</h1><p>Your reference is <strong class="app-reference">{reference_for(row_id)}</strong></p>'
