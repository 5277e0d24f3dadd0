"""The health check a load balancer asks: what was checked, and never cached."""

import socket

import portal.main.views
from tests.conftest import csrf_token


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


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_says_the_portal_is_degraded_but_serving_when_redis_is_unreachable(make_app):
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 200  # a load balancer keeps it: it still serves, as the next test shows
    assert response.get_json() == {
        "status": "degraded: redis unreachable",
        "checks": {"database": "ok", "redis": "unreachable"},
    }


def test_with_redis_down_residents_are_served_and_limits_still_hold(make_app, caplog):
    dead = f"redis://127.0.0.1:{_closed_port()}/0"
    app = make_app(
        REDIS_URL=dead,
        CACHE_TYPE="RedisCache",
        CACHE_REDIS_URL=dead,
        RATELIMIT_STORAGE_URI=dead,
        RATELIMIT_ENABLED=True,
        ANSWER_RATE_LIMIT="3 per hour",
    )
    client = app.test_client()
    assert client.get("/").status_code == 200  # the page cache cannot be reached: the page is drawn afresh
    assert client.get("/").status_code == 200
    assert "page cache unreachable" in caplog.text
    token = csrf_token(client.get("/feedback/type"))
    answer = {"csrf_token": token, "type": "complaint"}
    statuses = [client.post("/feedback/type", data=answer).status_code for _ in range(4)]
    assert client.get("/feedback/type").status_code == 200
    assert statuses[:3] == [303, 303, 303]
    assert statuses[3] == 429  # counted in this process's memory until Redis is back
