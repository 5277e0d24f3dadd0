"""The route access map covers every endpoint, and staff pages refuse the signed-out and the wrong roles."""

import pytest

from portal.access import PUBLIC, ROUTE_ACCESS
from portal.models.enums import Role
from tests.conftest import csrf_token
from tests.staff import enter_code


def test_every_route_is_in_the_access_map(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ROUTE_ACCESS) == set(), "add these endpoints to portal/access.py"
    assert set(ROUTE_ACCESS) - endpoints == set(), "these mapped endpoints no longer exist"


def _get_urls(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments:
            yield rule.endpoint, rule.rule


def test_staff_pages_send_the_signed_out_to_sign_in(app, client):
    for endpoint, url in _get_urls(app):
        if ROUTE_ACCESS[endpoint] != PUBLIC:
            response = client.get(url)
            assert response.status_code == 302, endpoint
            assert "/staff/sign-in" in response.location


def test_public_pages_need_no_sign_in(app, client):
    for endpoint, url in _get_urls(app):
        if ROUTE_ACCESS[endpoint] == PUBLIC and endpoint != "static":
            response = client.get(url)
            assert response.status_code in (200, 302), endpoint
            assert "/staff/sign-in" not in (response.location or "") or endpoint.startswith("auth."), endpoint


def sign_in(client, email, password):
    token = csrf_token(client.get("/staff/sign-in"))
    response = client.post("/staff/sign-in", data={"csrf_token": token, "email": email, "password": password})
    return enter_code(client, response)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_reaches_the_pages_the_map_gives_it(app, client, role):
    from portal.services.users import create_user

    with app.app_context():
        create_user(f"{role}@example.gov.uk", role, "correct horse battery")
    assert sign_in(client, f"{role}@example.gov.uk", "correct horse battery").status_code == 303
    for endpoint, url in _get_urls(app):
        allowed = ROUTE_ACCESS[endpoint]
        if allowed != PUBLIC:
            expected = 200 if role in allowed else 403
            assert client.get(url).status_code == expected, (endpoint, role)


def test_wrong_password_is_refused_with_a_clear_message(app, client):
    from portal.services.users import create_user

    with app.app_context():
        create_user("o@example.gov.uk", "officer", "correct horse battery")
    html = sign_in(client, "o@example.gov.uk", "wrong horse battery").get_data(as_text=True)
    assert "Enter a correct email address and password" in html
    assert "Error: " in html


def test_sign_out_really_ends_the_session(app, client):
    from portal.services.users import create_user

    with app.app_context():
        create_user("o@example.gov.uk", "officer", "correct horse battery")
    sign_in(client, "o@example.gov.uk", "correct horse battery")
    home = client.get("/staff/")
    assert home.status_code == 200
    client.post("/staff/sign-out", data={"csrf_token": csrf_token(home)})
    assert client.get("/staff/").status_code == 302


def test_staff_are_signed_out_after_the_idle_limit(app, client):
    from datetime import timedelta

    from freezegun import freeze_time

    from portal.models.base import utcnow
    from portal.services.users import create_user

    with app.app_context():
        create_user("o@example.gov.uk", "officer", "correct horse battery")
    start = utcnow()
    with freeze_time(start):
        sign_in(client, "o@example.gov.uk", "correct horse battery")
        page = client.get("/staff/").get_data(as_text=True)
        assert 'name="staff-idle-seconds" content="1800"' in page
    with freeze_time(start + timedelta(minutes=29)):
        assert client.get("/staff/").status_code == 200
        keep = client.post("/staff/keep-alive", headers={"X-CSRFToken": csrf_token(client.get("/staff/"))})
        assert keep.status_code == 204
    with freeze_time(start + timedelta(minutes=58)):
        assert client.get("/staff/").status_code == 200
    with freeze_time(start + timedelta(minutes=89)):
        response = client.get("/staff/")
        assert response.status_code == 302
        assert client.get("/staff/").status_code == 302
        assert "You were signed out" in client.get("/staff/sign-in").get_data(as_text=True)


def test_a_refused_page_says_it_is_a_matter_of_permission_not_a_fault(app):
    from tests.html_checks import check_page
    from tests.staff import staff_client

    refused = staff_client(app, "officer").get("/staff/admin/users")
    assert refused.status_code == 403
    page = refused.get_data(as_text=True)
    check_page(page, "en")
    assert "You do not have permission to see this page" in page and "problem with the service" not in page
