"""The health check a load balancer asks: what was checked, and never cached."""

import portal.main.views


def test_healthz_says_what_it_checked_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_fails_when_the_database_is_unreachable(client, monkeypatch):
    monkeypatch.setattr(portal.main.views, "database_is_reachable", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "database unreachable", "checks": {"database": "unreachable"}}
    assert response.headers["Cache-Control"] == "no-store"
