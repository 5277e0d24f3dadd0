"""Attacks a security officer would try: forged posts on every form, script in every free-text field, and guessing
passwords, codes and links. Each must fail the way a resident or member of staff would notice: refused, escaped,
limited."""

import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Case, Event, Message
from tests.journey import lodge
from tests.staff import PASSWORD, make_staff, staff_client
from tests.test_backoffice import _post
from tests.test_tracking import _open_case

# Values for the variable parts of every address that takes a POST.
ARGUMENTS = {"slug": "type", "key": "acknowledgement", "language": "cy", "kind": "service_area", "start_year": 2025}


def _post_addresses(app, reference: str) -> list[tuple[str, str]]:
    addresses = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "POST" not in rule.methods:
                continue
            values = {name: ARGUMENTS.get(name, reference if name == "reference" else 1) for name in rule.arguments}
            addresses.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return sorted(addresses)


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(t)) for t in (Case, Event, Message))


@pytest.mark.parametrize("forged", [{}, {"csrf_token": "made-up"}], ids=["missing", "wrong"])
def test_every_post_refuses_a_missing_or_forged_csrf_token(app, forged):
    reference = lodge(app.test_client())
    admin = staff_client(app, "admin")
    resident = app.test_client()
    before = _counts(app)
    addresses = _post_addresses(app, reference)
    assert len(addresses) > 50  # every form the portal has, found from its routes
    for endpoint, url in addresses:
        for client in (admin, resident):
            response = client.post(url, data={**forged, "note": "forged"}, headers={"X-CSRFToken": "made-up"})
            assert response.status_code == 400, (endpoint, response.status_code)
            assert "Your session has ended" in response.get_data(as_text=True), endpoint
    assert _counts(app) == before


SCRIPT = "<script>alert('owned')</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'


def test_script_typed_anywhere_is_shown_as_text_on_resident_and_staff_pages(app, client, mail_dir):
    reference = lodge(
        client,
        {
            "details": {"description": f"Bin {SCRIPT}", "desired_outcome": f"Fix {ATTRIBUTE}"},
            "your-details": {"name": f"Jo {ATTRIBUTE}", "email": "jo@example.com", "address": f"1 {SCRIPT} St"},
        },
    )
    officer = staff_client(app, "officer")
    assert _post(officer, reference, "notes", {"note": f"Note {SCRIPT}"}).status_code in (200, 303)
    pages = {
        "tracking page": _open_case(client, mail_dir, reference),
        "case page": officer.get(f"/staff/cases/{reference}"),
        "case list": officer.get("/staff/"),
        "search": officer.get("/staff/?q=Jo"),
        "triage queue": officer.get("/staff/triage"),
    }
    for name, response in pages.items():
        html = response.get_data(as_text=True)
        assert response.status_code == 200, name
        assert SCRIPT not in html and ATTRIBUTE not in html, name
        assert "onerror=alert(1)>" not in html, name
    case_page = pages["case page"].get_data(as_text=True)
    for shown in ("Bin &lt;script&gt;", "Fix &#34;&gt;&lt;img", "Jo &#34;&gt;&lt;img", "Note &lt;script&gt;"):
        assert shown in case_page, shown


def test_guessing_a_password_hits_the_limit_and_then_even_the_right_one_waits(make_app):
    app = make_app(RATELIMIT_ENABLED=True, SIGN_IN_RATE_LIMIT="5 per 15 minutes")
    make_staff(app, "officer")
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/staff/sign-in").text).group(1)
    statuses = [
        client.post(
            "/staff/sign-in", data={"csrf_token": token, "email": "officer@example.gov.uk", "password": f"guess {n}"}
        ).status_code
        for n in range(5)
    ]
    assert statuses == [200] * 5
    right = client.post(
        "/staff/sign-in", data={"csrf_token": token, "email": "officer@example.gov.uk", "password": PASSWORD}
    )
    assert right.status_code == 429
    assert "Too many" in right.get_data(as_text=True) or "too many" in right.get_data(as_text=True)


def test_guessing_codes_after_a_password_hits_the_limit(make_app):
    app = make_app(RATELIMIT_ENABLED=True, SIGN_IN_RATE_LIMIT="5 per 15 minutes")
    make_staff(app, "officer")
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/staff/sign-in").text).group(1)
    client.post("/staff/sign-in", data={"csrf_token": token, "email": "officer@example.gov.uk", "password": PASSWORD})
    page = client.get("/staff/sign-in/code").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    statuses = [
        client.post("/staff/sign-in/code", data={"csrf_token": token, "code": f"{n:06d}"[:5]}).status_code
        for n in range(6)
    ]
    assert statuses[-1] == 429 and set(statuses[:5]) == {200}
    assert client.get("/staff/").status_code == 302


def test_made_up_tracking_links_are_refused_and_then_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, TRACK_LINK_RATE_LIMIT="5 per hour")
    client = app.test_client()
    statuses = [client.get(f"/track/link/made-up-token-{n:040d}").status_code for n in range(6)]
    assert statuses == [410] * 5 + [429]
    assert "/track/case" not in (client.get("/track/case").location or "")
    with client.session_transaction() as session:
        assert "tracking" not in session  # no guess opened a case


def test_forged_posts_and_hitting_a_limit_are_security_events(make_app, caplog):
    import json
    import logging

    caplog.set_level(logging.INFO, logger="portal.security")
    app = make_app(RATELIMIT_ENABLED=True, SIGN_IN_RATE_LIMIT="1 per 15 minutes")
    client = app.test_client()
    client.post("/track", data={"reference": "CMP-AAAA-AAAA"})
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/staff/sign-in").text).group(1)
    for _ in range(2):
        client.post("/staff/sign-in", data={"csrf_token": token, "email": "a@example.gov.uk", "password": "x" * 8})
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.security"]
    named = [(e["event"], e.get("endpoint")) for e in events if e["event"] in ("csrf_refused", "rate_limited")]
    assert named == [("csrf_refused", "tracking.request_link"), ("rate_limited", "auth.sign_in")]
