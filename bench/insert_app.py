"""The journeys' reference: a bare Flask app that inserts one row per POST, served by gunicorn like the portal.

It reads DATABASE_URL (the same database kind as the portal's run) and writes each POSTed form, as it came, into
a tiny table of its own: no CSRF, no session, no templates. `create_table` makes that table before gunicorn starts.
"""

import json
import os

from flask import Flask, request
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, create_engine, func, insert

metadata = MetaData()
submission = Table(
    "bench_insert",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("received_at", DateTime, server_default=func.now()),
    Column("form", Text, nullable=False),
)


def create_table(url: str) -> None:
    """Create the reference's table (once, before its workers start, so they never race to create it)."""
    engine = create_engine(url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()


app = Flask(__name__)
engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True) if "DATABASE_URL" in os.environ else None


@app.post("/submit")
def submit() -> tuple[str, int]:
    with engine.begin() as connection:
        new_id = connection.execute(
            insert(submission).values(form=json.dumps(request.form.to_dict()))
        ).inserted_primary_key[0]
    return f"Saved {new_id}", 201


@app.get("/")
def ready() -> str:
    return "ready"
