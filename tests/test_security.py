"""Security from the start: CSRF everywhere, a strict CSP, secure cookies, rate limits, no personal data in logs."""

import logging

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db
from portal.models import Draft
from tests.conftest import csrf_token
from tests.journey import COMPLAINT, fill_all, lodge, start, submit


def test_a_post_without_a_csrf_token_is_refused(client):
    start(client)
    response = client.post("/feedback/type", data={"type": "complaint"})
    assert response.status_code == 400
    assert "Your session has ended" in response.get_data(as_text=True)


def test_htmx_posts_carry_the_token_in_a_header(client):
    html = client.get("/feedback/begin", follow_redirects=True).get_data(as_text=True)
    token = csrf_token(client.get("/feedback/type"))
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in html or "X-CSRFToken" in html
    response = client.post(
        "/feedback/type", data={"type": "complaint"}, headers={"X-CSRFToken": token, "HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "HX-Redirect" in response.headers


@pytest.mark.parametrize("path", ["/track", "/staff/sign-in", "/track/case/add-information"])
def test_every_other_form_needs_the_token_too(client, path):
    assert client.post(path, data={}).status_code == 400


def test_content_security_policy_allows_no_inline_script_or_style(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert directives["script-src"].split()[0] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"


def test_htmx_is_configured_for_the_csp(client):
    html = client.get("/").get_data(as_text=True)
    assert '"includeIndicatorStyles":false' in html
    assert '"allowEval":false' in html
    assert '"historyCacheSize":0' in html


def test_security_headers(client):
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_production_cookies_are_secure_and_https_is_forced(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    app = create_app("production", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/p.db")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    response = app.test_client().get("/", base_url="http://example.gov.uk")
    assert response.status_code in (301, 302)
    assert response.location.startswith("https://")
    secure = app.test_client().get("/", base_url="https://example.gov.uk")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    policy = secure.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in policy, directive
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert not app.debug
    with app.app_context():
        db.create_all()
    form_page = app.test_client().get("/feedback/type", base_url="https://example.gov.uk")  # its CSRF secret
    [cookie] = [c for c in form_page.headers.getlist("Set-Cookie") if c.startswith("__Host-session=")]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "path", "samesite"} <= attributes and "domain" not in attributes
    assert "; Path=/" in cookie


def test_production_refuses_to_start_without_a_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SECRET_KEY=None)


def test_tracking_requests_are_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, TRACK_RATE_LIMIT="3 per hour")
    client = app.test_client()
    token = csrf_token(client.get("/track"))
    statuses = [
        client.post(
            "/track", data={"csrf_token": token, "reference": "CMP-AAAA-AAAA", "email": "a@example.com"}
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [303, 303, 303, 429]
    assert client.get("/track").status_code == 200


def test_saving_answers_is_rate_limited_and_starting_a_form_stores_nothing(make_app):
    app = make_app(RATELIMIT_ENABLED=True, ANSWER_RATE_LIMIT="3 per hour")
    client = app.test_client()
    for _ in range(5):  # following the start link, as a crawler would, stores nothing and counts for nothing
        assert client.get("/feedback/begin").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    token = csrf_token(client.get("/feedback/begin", follow_redirects=True))
    statuses = [
        client.post("/feedback/type", data={"csrf_token": token, "type": "complaint"}).status_code for _ in range(4)
    ]
    assert statuses == [303, 303, 303, 429]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 1  # the first answer started it
    assert client.get("/feedback/type").status_code == 200  # reading a page is not limited


def test_submissions_are_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, SUBMIT_RATE_LIMIT="1 per hour")
    client = app.test_client()
    assert submit(client, fill_all(client)).status_code == 303
    token = fill_all(client)
    response = submit(client, token)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_no_personal_data_in_the_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    lodge(client, {"your-details": {"name": "Zebedee Quartermain", "email": "zq@example.com", "phone": ""}})
    text = caplog.text + " ".join(str(record.__dict__) for record in caplog.records)
    assert "Zebedee" not in text
    assert "zq@example.com" not in text
    assert COMPLAINT["details"]["description"] not in text


def test_free_text_is_escaped_wherever_it_is_shown(client):
    fill_all(client, {"details": {"description": "<script>alert(1)</script>"}, "your-details": {"name": "<b>Jo</b>"}})
    page = client.get("/feedback/check-answers").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>Jo</b>" not in page


def test_pages_with_personal_data_are_never_stored_by_browsers_or_proxies(app, client):
    from tests.journey import lodge
    from tests.staff import staff_client

    reference = lodge(client)
    officer = staff_client(app, "officer")
    for response in (
        officer.get(f"/staff/cases/{reference}"),
        officer.get("/staff/"),
        client.get("/feedback/type"),
        client.get("/track"),
    ):
        assert response.headers["Cache-Control"] == "no-store", response.request.path
    open_data = client.get("/performance/data.json")
    assert "public" in open_data.headers["Cache-Control"] and "no-store" not in open_data.headers["Cache-Control"]


@pytest.mark.parametrize(("hops", "second_client"), [(0, 429), (1, 303)])
def test_a_forwarded_address_counts_only_behind_a_configured_proxy(make_app, hops, second_client):
    # The limits key on the client's address: believing X-Forwarded-For from anyone would let a client pick a new
    # address for every attempt, so only PROXY_HOPS proxies are believed.
    app = make_app(RATELIMIT_ENABLED=True, TRACK_RATE_LIMIT="1 per hour", PROXY_HOPS=hops)
    client = app.test_client()
    token = csrf_token(client.get("/track"))
    data = {"csrf_token": token, "reference": "CMP-AAAA-AAAA", "email": "a@example.com"}

    def attempt(address: str) -> int:
        return client.post("/track", data=data, headers={"X-Forwarded-For": address}).status_code

    assert attempt("203.0.113.1") == 303
    assert attempt("203.0.113.2") == second_client
    assert attempt("203.0.113.1") == 429
