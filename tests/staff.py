"""Signing staff in for tests."""

from portal.extensions import db
from portal.models import ServiceArea
from portal.services.users import create_user
from tests.conftest import csrf_token

PASSWORD = "correct horse battery"


def make_staff(app, role: str, email: str | None = None, name: str = "", areas: tuple[str, ...] = ()) -> int:
    with app.app_context():
        user = create_user(email or f"{role}@example.gov.uk", role, PASSWORD, name=name or role.title())
        for area_name in areas:
            user.service_areas.append(db.session.query(ServiceArea).filter_by(name=area_name).one())
        db.session.commit()
        return user.id


def sign_in(client, email: str):
    token = csrf_token(client.get("/staff/sign-in"))
    response = client.post("/staff/sign-in", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response


def staff_client(app, role: str, **kwargs):
    client = app.test_client()
    email = kwargs.pop("email", None) or f"{role}@example.gov.uk"
    make_staff(app, role, email=email, **kwargs)
    sign_in(client, email)
    return client
