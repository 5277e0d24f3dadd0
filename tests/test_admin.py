"""The administration pages: staff accounts, timescales, service areas, root-cause themes and message wording."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, Directorate, Event, MessageTemplate, ServiceArea, Theme, Timescale, User
from tests.conftest import csrf_token
from tests.html_checks import check_page
from tests.journey import answer, lodge, start
from tests.staff import PASSWORD, make_staff, sign_in, staff_client

ADMIN_ONLY = ["/staff/admin/users", "/staff/admin/users/new", "/staff/admin/settings"]
CONFIGURERS = [
    "/staff/admin/",
    "/staff/admin/service-areas",
    "/staff/admin/service-areas/new",
    "/staff/admin/service-areas/directorates/new",
    "/staff/admin/themes",
    "/staff/admin/themes/new",
    "/staff/admin/message-templates",
    "/staff/admin/message-templates/acknowledgement/en",
    "/staff/admin/message-templates/acknowledgement/cy",
]


def _events(app, action: str) -> list[Event]:
    with app.app_context():
        found = list(db.session.scalars(select(Event).filter_by(action=action).order_by(Event.id)))
        db.session.expunge_all()
        return found


def _user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).filter_by(email=email))


def _post(client, url: str, data: dict | None = None, token_from: str | None = None):
    """Post to a page with the CSRF token of the page itself (or of token_from, for button-only actions)."""
    token = csrf_token(client.get(token_from or url))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def _html(response) -> str:
    return response.get_data(as_text=True)


def _area_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(ServiceArea.id).filter_by(name=name))


def _theme_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Theme.id).filter_by(name=name))


# Who may use what


def test_admin_pages_are_for_the_roles_that_may_use_them(app):
    admin = staff_client(app, "admin")
    manager = staff_client(app, "manager")
    for role in ("officer", "responder", "investigator", "reviewer"):
        other = staff_client(app, role)
        for url in ADMIN_ONLY + CONFIGURERS:
            assert other.get(url).status_code == 403, (role, url)
        assert "/staff/admin/" not in _html(other.get("/staff/due"))
    for url in ADMIN_ONLY:
        assert manager.get(url).status_code == 403, url
    for url in CONFIGURERS:
        assert manager.get(url).status_code == 200, url
    for url in ADMIN_ONLY + CONFIGURERS:
        assert admin.get(url).status_code == 200, url


def test_the_navigation_and_index_show_only_what_the_person_may_use(app):
    manager = staff_client(app, "manager")
    page = _html(manager.get("/staff/due"))
    assert 'href="/staff/admin/"' in page
    index = _html(manager.get("/staff/admin/"))
    check_page(index, "en")
    assert "/staff/admin/themes" in index and "/staff/admin/service-areas" in index
    assert "/staff/admin/users" not in index and "/staff/admin/settings" not in index
    admin_index = _html(staff_client(app, "admin").get("/staff/admin/"))
    assert "/staff/admin/users" in admin_index and "/staff/admin/settings" in admin_index


def test_posts_are_refused_to_the_wrong_roles(app):
    officer_id = make_staff(app, "officer", email="someone@example.gov.uk")
    area = _area_id(app, "Libraries")
    theme = _theme_id(app, "Communication")
    with app.app_context():
        timescale = db.session.scalar(select(Timescale.id).filter_by(process="corporate", stage=1))
    admin_posts = [
        ("/staff/admin/users/new", {"name": "X", "email": "x@example.gov.uk", "role": "officer", "password": "x" * 12}),
        (f"/staff/admin/users/{officer_id}", {"name": "X", "role": "admin"}),
        (f"/staff/admin/users/{officer_id}/disable", {}),
        (f"/staff/admin/users/{officer_id}/enable", {}),
        (f"/staff/admin/users/{officer_id}/password", {"password": "y" * 12}),
        (f"/staff/admin/users/{officer_id}/email", {"email": "taken-over@example.gov.uk"}),
        ("/staff/admin/settings/preset", {"preset": "complaint-handling-code"}),
        (f"/staff/admin/settings/timescales/{timescale}", {"working_days": "5", "max_working_days": "5"}),
    ]
    config_posts = [
        ("/staff/admin/service-areas/directorates/new", {"name": "New"}),
        ("/staff/admin/service-areas/new", {"directorate": "1", "name": "New"}),
        (f"/staff/admin/service-areas/{area}", {"name": "New"}),
        (f"/staff/admin/service-areas/{area}/retire", {}),
        (f"/staff/admin/service-areas/{area}/restore", {}),
        ("/staff/admin/themes/new", {"name": "New"}),
        (f"/staff/admin/themes/{theme}", {"name": "New"}),
        (f"/staff/admin/themes/{theme}/retire", {}),
        (f"/staff/admin/themes/{theme}/restore", {}),
        ("/staff/admin/message-templates/acknowledgement/en", {"subject": "S", "body": "B"}),
        ("/staff/admin/message-templates/acknowledgement/en/restore-default", {}),
    ]
    manager = staff_client(app, "manager")
    reviewer = staff_client(app, "reviewer")
    for url, data in admin_posts:
        assert _post(manager, url, data, token_from="/staff/due").status_code == 403, url
    for url, data in admin_posts + config_posts:
        assert _post(reviewer, url, data, token_from="/staff/due").status_code == 403, url
    assert all(event.actor_type == "system" for event in _events(app, "user_created"))  # only the tests' own
    with app.app_context():
        assert db.session.get(User, officer_id).active
        assert db.session.get(User, officer_id).email == "someone@example.gov.uk"
        assert db.session.scalar(select(User).filter_by(email="x@example.gov.uk")) is None
        assert db.session.get(ServiceArea, area).name == "Libraries"
        assert db.session.get(Theme, theme).name == "Communication"
        assert db.session.scalar(select(MessageTemplate)) is None


# Staff accounts


def test_every_admin_page_passes_the_page_checks(app):
    admin = staff_client(app, "admin")
    officer_id = make_staff(app, "officer", email="o@example.gov.uk")
    with app.app_context():
        timescale = db.session.scalar(select(Timescale.id).filter_by(process="corporate", stage=1))
        directorate = db.session.scalar(select(ServiceArea.directorate_id).filter_by(name="Libraries"))
    urls = ADMIN_ONLY + CONFIGURERS
    urls += [
        f"/staff/admin/users/{officer_id}",
        f"/staff/admin/users/{officer_id}/password",
        f"/staff/admin/users/{officer_id}/email",
        f"/staff/admin/settings/timescales/{timescale}",
        f"/staff/admin/service-areas/{_area_id(app, 'Libraries')}",
        f"/staff/admin/service-areas/directorates/{directorate}",
        f"/staff/admin/themes/{_theme_id(app, 'Communication')}",
        f"/staff/admin/themes/new?parent={_theme_id(app, 'Communication')}",
    ]
    for url in urls:
        response = admin.get(url)
        assert response.status_code == 200, url
        check_page(_html(response), "en")
    assert admin.get("/staff/admin/users/999999").status_code == 404
    assert admin.get("/staff/admin/message-templates/nonsense/en").status_code == 404
    assert admin.get("/staff/admin/message-templates/acknowledgement/fr").status_code == 404


def test_users_are_listed_with_role_service_areas_and_status(app):
    make_staff(app, "responder", email="r@example.gov.uk", name="Rae Responder", areas=("Council tax",))
    page = _html(staff_client(app, "admin").get("/staff/admin/users"))
    row = page[page.index("Rae Responder") :].split("</tr>")[0]
    assert "r@example.gov.uk" in row and "Service responder" in row and "Council tax" in row and "Active" in row


def test_an_administrator_creates_an_account_that_can_sign_in(app):
    admin = staff_client(app, "admin")
    long_password = "a passphrase that is sixty-four characters long, or even longer!!"
    assert len(long_password) >= 64
    response = _post(
        admin,
        "/staff/admin/users/new",
        {
            "name": "Rae Responder",
            "email": "Rae@Example.gov.uk",
            "role": "responder",
            "service_areas": [str(_area_id(app, "Council tax"))],
            "password": long_password,
        },
    )
    assert response.status_code == 303
    user_id = _user_id(app, "rae@example.gov.uk")
    assert response.location.endswith(f"/staff/admin/users/{user_id}")
    assert "Account created for rae@example.gov.uk" in _html(admin.get(response.location))
    with app.app_context():
        user = db.session.get(User, user_id)
        assert (user.name, user.role, [a.name for a in user.service_areas]) == (
            "Rae Responder",
            "responder",
            ["Council tax"],
        )
        assert user.password_hash.startswith("$argon2id$")
    event = _events(app, "user_created")[-1]
    assert event.actor_id == _user_id(app, "admin@example.gov.uk")
    assert event.detail["after"]["role"] == "responder"
    assert long_password not in str(event.detail) and "argon2" not in str(event.detail)
    client = app.test_client()
    token = csrf_token(client.get("/staff/sign-in"))
    signed_in = client.post(
        "/staff/sign-in", data={"csrf_token": token, "email": "rae@example.gov.uk", "password": long_password}
    )
    assert signed_in.status_code == 303


def test_creating_an_account_shows_what_is_wrong(app):
    admin = staff_client(app, "admin")
    empty = _html(_post(admin, "/staff/admin/users/new", {}))
    assert "<title>Error: Add a staff account" in empty
    for message in ("Enter a name", "Enter an email address", "Select a role", "Enter a password"):
        assert message in empty
    short = _html(
        _post(
            admin,
            "/staff/admin/users/new",
            {"name": "Sam", "email": "sam@example.gov.uk", "role": "officer", "password": "seven77"},
        )
    )
    assert "Password must be 8 characters or more" in short
    check_page(short, "en")
    no_areas = _html(
        _post(
            admin,
            "/staff/admin/users/new",
            {"name": "Sam", "email": "sam@example.gov.uk", "role": "responder", "password": "kestrel9"},
        )
    )
    assert "Select at least one service area for a service responder" in no_areas
    common = _html(
        _post(
            admin,
            "/staff/admin/users/new",
            {"name": "Sam", "email": "sam@example.gov.uk", "role": "officer", "password": "Password123"},
        )
    )
    assert "This password is on a list of passwords people use most often" in common
    taken = _post(
        admin,
        "/staff/admin/users/new",
        {"name": "Another", "email": "ADMIN@example.gov.uk", "role": "officer", "password": "kestrel9"},
    )
    assert taken.status_code == 200
    assert "An account with this email address already exists" in _html(taken)
    with app.app_context():
        assert db.session.scalar(select(User).filter_by(email="sam@example.gov.uk")) is None
    assert (
        _post(
            admin,
            "/staff/admin/users/new",
            {"name": "Sam", "email": "sam@example.gov.uk", "role": "officer", "password": "kestrel9"},
        ).status_code
        == 303
    )


def test_an_administrator_changes_role_name_and_service_areas(app):
    admin = staff_client(app, "admin")
    user_id = make_staff(app, "officer", email="o@example.gov.uk", name="Olu")
    url = f"/staff/admin/users/{user_id}"
    data = {"name": "Olu Officer", "role": "responder", "service_areas": [str(_area_id(app, "Libraries"))]}
    response = _post(admin, url, data)
    assert response.status_code == 303
    assert "Changes saved" in _html(admin.get(url))
    with app.app_context():
        user = db.session.get(User, user_id)
        assert (user.name, user.role, [a.name for a in user.service_areas]) == (
            "Olu Officer",
            "responder",
            ["Libraries"],
        )
    event = _events(app, "user_changed")[-1]
    assert event.detail["before"]["role"] == "officer" and event.detail["after"]["role"] == "responder"
    assert event.detail["after"]["service_areas"] == ["Libraries"]
    # Someone who stops being a service responder keeps no service areas.
    _post(admin, url, {"name": "Olu Officer", "role": "manager"})
    with app.app_context():
        assert db.session.get(User, user_id).service_areas == []


def test_a_role_change_takes_effect_on_the_next_request(app):
    admin = staff_client(app, "admin")
    manager = staff_client(app, "manager")
    assert manager.get("/staff/admin/themes").status_code == 200
    _post(admin, f"/staff/admin/users/{_user_id(app, 'manager@example.gov.uk')}", {"name": "M", "role": "reviewer"})
    assert manager.get("/staff/admin/themes").status_code == 403


def test_an_administrator_cannot_lock_themselves_out(app):
    admin = staff_client(app, "admin")
    own = _user_id(app, "admin@example.gov.uk")
    page = _html(admin.get(f"/staff/admin/users/{own}"))
    assert "Disable this account" not in page
    demoted = _post(admin, f"/staff/admin/users/{own}", {"name": "Admin", "role": "officer"})
    assert demoted.status_code == 200
    assert "You cannot remove your own administrator role" in _html(demoted)
    disabled = _post(admin, f"/staff/admin/users/{own}/disable", token_from=f"/staff/admin/users/{own}")
    assert disabled.status_code == 200
    assert "You cannot disable your own account" in _html(disabled)
    check_page(_html(disabled), "en")
    with app.app_context():
        user = db.session.get(User, own)
        assert user.active and user.role == "admin"
    assert admin.get("/staff/admin/users").status_code == 200


def test_a_disabled_account_cannot_sign_in_and_its_session_ends(app):
    admin = staff_client(app, "admin")
    officer = staff_client(app, "officer")
    officer_id = _user_id(app, "officer@example.gov.uk")
    assert officer.get("/staff/").status_code == 200
    response = _post(admin, f"/staff/admin/users/{officer_id}/disable", token_from=f"/staff/admin/users/{officer_id}")
    assert response.status_code == 303
    assert "can no longer sign in" in _html(admin.get(response.location))
    # The officer's session stops working on their next request, and stays ended.
    next_request = officer.get("/staff/")
    assert next_request.status_code == 302 and "/staff/sign-in" in next_request.location
    with officer.session_transaction() as session:
        assert "_user_id" not in session
    assert officer.get("/staff/due").status_code == 302
    client = app.test_client()
    token = csrf_token(client.get("/staff/sign-in"))
    refused = client.post(
        "/staff/sign-in", data={"csrf_token": token, "email": "officer@example.gov.uk", "password": PASSWORD}
    )
    assert refused.status_code == 200
    assert "Enter a correct email address and password" in _html(refused)
    assert "Disabled" in _html(admin.get("/staff/admin/users"))
    assert _events(app, "user_disabled")[-1].detail == {
        "user_id": officer_id,
        "before": {"active": True},
        "after": {"active": False},
    }
    enabled = _post(admin, f"/staff/admin/users/{officer_id}/enable", token_from=f"/staff/admin/users/{officer_id}")
    assert enabled.status_code == 303
    assert _events(app, "user_enabled")
    assert sign_in(app.test_client(), "officer@example.gov.uk").status_code == 303


NEW_PASSWORD = "new password 2 kestrel"


def test_an_administrator_sets_a_new_password(app):
    admin = staff_client(app, "admin")
    officer_id = make_staff(app, "officer")
    url = f"/staff/admin/users/{officer_id}/password"
    short = _html(_post(admin, url, {"password": "short"}))
    assert "Password must be 8 characters or more" in short and "<title>Error: " in short
    for guessable in ("Officer2026!", "Complaints portal 1", "Password123"):  # their name, the portal, a common one
        refused = _html(_post(admin, url, {"password": guessable}))
        assert "Choose another" in refused and "<title>Error: " in refused, guessable
    assert _post(admin, url, {"password": NEW_PASSWORD}).status_code == 303
    client = app.test_client()
    token = csrf_token(client.get("/staff/sign-in"))
    old = client.post(
        "/staff/sign-in", data={"csrf_token": token, "email": "officer@example.gov.uk", "password": PASSWORD}
    )
    assert old.status_code == 200
    new = client.post(
        "/staff/sign-in", data={"csrf_token": token, "email": "officer@example.gov.uk", "password": NEW_PASSWORD}
    )
    assert new.status_code == 303
    event = _events(app, "user_password_set")[-1]
    assert event.detail == {"user_id": officer_id}


def test_an_administrator_changes_the_address_an_account_signs_in_with(app):
    admin = staff_client(app, "admin")
    officer_id = make_staff(app, "officer", email="jo.smith@example.gov.uk", name="Jo Jones")
    officer = app.test_client()
    sign_in(officer, "jo.smith@example.gov.uk")
    url = f"/staff/admin/users/{officer_id}/email"
    assert 'value="jo.smith@example.gov.uk"' in _html(admin.get(url))

    response = _post(admin, url, {"email": "  Jo.Jones@Example.gov.uk "})
    assert response.status_code == 303 and response.location.endswith(f"/staff/admin/users/{officer_id}")
    assert "jo.smith@example.gov.uk now signs in as jo.jones@example.gov.uk" in _html(admin.get(response.location))
    assert _user_id(app, "jo.jones@example.gov.uk") == officer_id
    assert officer.get("/staff/").status_code == 200  # the same person: still signed in where they were
    client = app.test_client()
    token = csrf_token(client.get("/staff/sign-in"))
    old = client.post(
        "/staff/sign-in", data={"csrf_token": token, "email": "jo.smith@example.gov.uk", "password": PASSWORD}
    )
    assert old.status_code == 200 and "Enter a correct email address and password" in _html(old)
    sign_in(app.test_client(), "jo.jones@example.gov.uk")  # the same password and authenticator app
    event = _events(app, "user_changed")[-1]
    assert event.actor_id == _user_id(app, "admin@example.gov.uk")
    assert (event.detail["before"]["email"], event.detail["after"]["email"]) == (
        "jo.smith@example.gov.uk",
        "jo.jones@example.gov.uk",
    )
    unchanged = _post(admin, url, {"email": "JO.JONES@example.gov.uk"})
    assert "Nothing was changed" in _html(admin.get(unchanged.location))
    assert len(_events(app, "user_changed")) == 1


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ADMIN@example.gov.uk", "An account with this email address already exists"),
        ("", "Enter an email address"),
        ("not an address", "Enter an email address in the correct format"),
        ("jo@" + "b" * 400 + ".gov.uk", "Enter an email address in the correct format"),
    ],
)
def test_an_address_that_is_taken_or_not_an_address_is_refused(app, typed, message):
    admin = staff_client(app, "admin")
    officer_id = make_staff(app, "officer")
    page = _html(_post(admin, f"/staff/admin/users/{officer_id}/email", {"email": typed}))
    assert message in page and "<title>Error: " in page
    check_page(page, "en")
    assert _user_id(app, "officer@example.gov.uk") == officer_id
    assert _events(app, "user_changed") == []


# Settings: timescales and the calendar


def test_the_settings_page_shows_timescales_and_the_calendar_region(app):
    page = _html(staff_client(app, "admin").get("/staff/admin/settings"))
    check_page(page, "en")
    assert "Deadlines already set are kept" in page
    assert "GB-ENG" in page and "England’s bank holidays" in page
    assert "set in the environment" in page
    assert "Children’s social care" in page


def test_an_administrator_changes_a_timescale_and_existing_deadlines_stay(app, client):
    reference = lodge(client)
    with app.app_context():
        timescale_id = db.session.scalar(select(Timescale.id).filter_by(process="corporate", stage=1))
        before = db.session.scalar(select(Case).filter_by(reference=reference)).stages[0].deadline
    admin = staff_client(app, "admin")
    url = f"/staff/admin/settings/timescales/{timescale_id}"
    response = _post(admin, url, {"working_days": "15", "max_working_days": "30", "counts_from": "acknowledged"})
    assert response.status_code == 303
    assert "Timescale saved" in _html(admin.get(response.location))
    with app.app_context():
        timescale = db.session.get(Timescale, timescale_id)
        assert (timescale.working_days, timescale.max_working_days, timescale.counts_from) == (15, 30, "acknowledged")
        assert db.session.scalar(select(Case).filter_by(reference=reference)).stages[0].deadline == before
    event = _events(app, "timescale_changed")[-1]
    assert event.detail["before"] == {"working_days": 20, "max_working_days": 40, "counts_from": "received"}
    assert event.detail["after"] == {"working_days": 15, "max_working_days": 30, "counts_from": "acknowledged"}
    assert event.actor_id == _user_id(app, "admin@example.gov.uk")


@pytest.mark.parametrize(
    ("days", "longest", "message"),
    [
        ("20", "10", "Longest with extensions must be at least the working days to respond"),
        ("twenty", "40", "Working days to respond must be a whole number, like 20"),
        ("2.5", "40", "Working days to respond must be a whole number, like 20"),
        ("0", "40", "Working days to respond must be from 1 to 260"),
        ("20", "999", "Longest with extensions must be from 1 to 260"),
        ("", "40", "Enter the working days to respond"),
    ],
)
def test_a_timescale_must_make_sense(app, days, longest, message):
    with app.app_context():
        timescale_id = db.session.scalar(select(Timescale.id).filter_by(process="corporate", stage=1))
    admin = staff_client(app, "admin")
    url = f"/staff/admin/settings/timescales/{timescale_id}"
    response = _post(admin, url, {"working_days": days, "max_working_days": longest, "counts_from": "received"})
    page = _html(response)
    assert response.status_code == 200
    assert message in page
    check_page(page, "en")
    with app.app_context():
        assert db.session.get(Timescale, timescale_id).working_days == 20
    assert not _events(app, "timescale_changed")


def test_an_administrator_applies_a_preset(app):
    admin = staff_client(app, "admin")
    assert "Select a set of timescales" in _html(
        _post(admin, "/staff/admin/settings/preset", {}, "/staff/admin/settings")
    )
    response = _post(
        admin, "/staff/admin/settings/preset", {"preset": "complaint-handling-code"}, "/staff/admin/settings"
    )
    assert response.status_code == 303
    assert "2 timescales changed" in _html(admin.get(response.location))
    with app.app_context():
        stage_one = db.session.scalar(select(Timescale).filter_by(process="corporate", stage=1))
        assert (stage_one.working_days, stage_one.counts_from) == (10, "acknowledged")
    event = _events(app, "timescales_changed")[-1]
    assert (
        event.actor_id == _user_id(app, "admin@example.gov.uk") and event.detail["preset"] == "complaint-handling-code"
    )


# Directorates and service areas


def _service_page(app) -> str:
    """What a resident starting now is offered."""
    resident = app.test_client()
    answer(resident, start(resident), "type", {"type": "complaint"})
    return _html(resident.get("/feedback/service"))


def test_a_manager_adds_renames_retires_and_restores_service_areas(app, client):
    manager = staff_client(app, "manager")
    assert _post(manager, "/staff/admin/service-areas/directorates/new", {"name": "Housing"}).status_code == 303
    duplicate = _html(_post(manager, "/staff/admin/service-areas/directorates/new", {"name": "housing"}))
    assert "There is already a directorate with this name" in duplicate
    check_page(duplicate, "en")
    with app.app_context():
        housing = db.session.scalar(select(Directorate.id).filter_by(name="Housing"))
    added = _post(manager, "/staff/admin/service-areas/new", {"directorate": str(housing), "name": "Repairs"})
    assert added.status_code == 303
    assert "Repairs" in _html(manager.get("/staff/admin/service-areas"))
    same = _html(_post(manager, "/staff/admin/service-areas/new", {"directorate": str(housing), "name": "Repairs"}))
    assert "This directorate already has a service area with this name" in same
    assert "Select a directorate" in _html(_post(manager, "/staff/admin/service-areas/new", {"name": "Loose"}))
    repairs = _area_id(app, "Repairs")
    assert _post(manager, f"/staff/admin/service-areas/{repairs}", {"name": "Housing repairs"}).status_code == 303
    assert "Housing repairs" in _service_page(app)

    # A retired service area is not offered to residents (nor to staff allocating), and cases keep it.
    reference = lodge(client)  # in Council tax, the first service area listed
    tax = _area_id(app, "Council tax")
    retired = _post(manager, f"/staff/admin/service-areas/{tax}/retire", token_from="/staff/admin/service-areas")
    assert retired.status_code == 303
    assert "Retired" in _html(manager.get("/staff/admin/service-areas"))
    service_page = _service_page(app)
    assert "Council tax" not in service_page and "Libraries" in service_page
    resident = app.test_client()
    token = start(resident)
    answer(resident, token, "type", {"type": "complaint"})
    stale_choice = answer(resident, token, "service", {"service": str(tax)})
    assert "Select the service it is about" in _html(stale_choice)
    with app.app_context():
        assert db.session.scalar(select(Case).filter_by(reference=reference)).service_area.name == "Council tax"
    case_page = _html(manager.get(f"/staff/cases/{reference}"))
    assert "Council tax" in case_page
    assert f'value="{tax}"' not in _html(staff_client(app, "officer").get("/staff/new-contact"))
    restored = _post(manager, f"/staff/admin/service-areas/{tax}/restore", token_from="/staff/admin/service-areas")
    assert restored.status_code == 303
    assert "Council tax" in _service_page(app)

    actions = [e.action for e in _events(app, "directorate_added") + _events(app, "service_area_added")]
    assert actions == ["directorate_added", "service_area_added"]
    renamed = _events(app, "service_area_renamed")[-1]
    assert (renamed.detail["before"], renamed.detail["after"]) == ("Repairs", "Housing repairs")
    assert _events(app, "service_area_retired")[-1].detail["after"] == {"active": False}
    assert _events(app, "service_area_restored")[-1].detail["after"] == {"active": True}
    assert all(e.actor_id == _user_id(app, "manager@example.gov.uk") for e in _events(app, "service_area_retired"))


def test_a_directorate_is_renamed(app):
    manager = staff_client(app, "manager")
    with app.app_context():
        place = db.session.scalar(select(ServiceArea.directorate_id).filter_by(name="Libraries"))
    url = f"/staff/admin/service-areas/directorates/{place}"
    assert "There is already a directorate" in _html(_post(manager, url, {"name": "Exchequer"}))
    assert _post(manager, url, {"name": "Place and environment"}).status_code == 303
    assert "Place and environment" in _html(manager.get("/staff/admin/service-areas"))
    assert _events(app, "directorate_renamed")[-1].detail["after"] == "Place and environment"


# Root-cause themes


def _respond_choices(officer, reference: str) -> str:
    page = _html(officer.get(f"/staff/cases/{reference}/respond"))
    return page[page.index('name="themes"') - 500 :]


def test_a_manager_adds_and_renames_themes_and_names_are_unique_within_a_parent(app):
    manager = staff_client(app, "manager")
    assert _post(manager, "/staff/admin/themes/new", {"name": "Accessibility"}).status_code == 303
    top = _theme_id(app, "Accessibility")
    detail = _post(manager, "/staff/admin/themes/new", {"parent": str(top), "name": "Building access"})
    assert detail.status_code == 303
    duplicate = _html(_post(manager, "/staff/admin/themes/new", {"parent": str(top), "name": "building access"}))
    assert "There is already a theme with this name in the same place" in duplicate
    assert "<title>Error: " in duplicate
    check_page(duplicate, "en")
    top_duplicate = _html(_post(manager, "/staff/admin/themes/new", {"name": "Communication"}))
    assert "There is already a theme with this name in the same place" in top_duplicate
    # The same detail under another theme is fine.
    elsewhere = _post(
        manager, "/staff/admin/themes/new", {"parent": str(_theme_id(app, "Communication")), "name": "Building access"}
    )
    assert elsewhere.status_code == 303
    with app.app_context():
        added = db.session.scalar(select(Theme).filter_by(parent_id=top, name="Building access"))
        assert added is not None and added.active
    renamed = _post(manager, f"/staff/admin/themes/{top}", {"name": "Access to services"})
    assert renamed.status_code == 303
    page = _html(manager.get("/staff/admin/themes"))
    assert "Access to services" in page and "Building access" in page
    assert [e.detail["after"] for e in _events(app, "theme_added")] == [
        "Accessibility",
        "Building access",
        "Building access",
    ]
    assert _events(app, "theme_renamed")[-1].detail == {
        "theme_id": top,
        "before": "Accessibility",
        "after": "Access to services",
    }


def test_retired_themes_vanish_from_the_respond_page_and_stay_on_old_stages(app, client):
    from tests.test_process import _respond

    first = lodge(client)
    second = lodge(app.test_client())
    officer = staff_client(app, "officer")
    detail_id = _theme_id(app, "Lack of contact")
    with app.app_context():
        communication = db.session.scalar(select(Theme.id).filter_by(name="Communication", parent_id=None))
    assert _respond(officer, app, first, themes=[str(detail_id)]).status_code == 303
    assert "Lack of contact" in _respond_choices(officer, second)

    manager = staff_client(app, "manager")
    assert (
        _post(manager, f"/staff/admin/themes/{detail_id}/retire", token_from="/staff/admin/themes").status_code == 303
    )
    choices = _respond_choices(officer, second)
    assert "Lack of contact" not in choices and "No response to calls or messages" in choices
    # Posting it anyway records only what is offered.
    assert _respond(officer, app, second, themes=[str(detail_id), str(communication)]).status_code == 303
    with app.app_context():
        cases = {c.reference: c for c in db.session.scalars(select(Case).where(Case.reference.in_([first, second])))}
        assert [t.name for t in cases[first].stages[0].themes] == ["Lack of contact"]
        assert [t.name for t in cases[second].stages[0].themes] == ["Communication"]

    # Retiring a top-level theme hides it and its details; restoring brings them back.
    third = lodge(app.test_client())
    _post(manager, f"/staff/admin/themes/{communication}/retire", token_from="/staff/admin/themes")
    choices = _respond_choices(officer, third)
    assert "Communication" not in choices and "No response to calls or messages" not in choices
    _post(manager, f"/staff/admin/themes/{communication}/restore", token_from="/staff/admin/themes")
    _post(manager, f"/staff/admin/themes/{detail_id}/restore", token_from="/staff/admin/themes")
    assert "Lack of contact" in _respond_choices(officer, third)
    assert [e.detail["theme_id"] for e in _events(app, "theme_retired")] == [detail_id, communication]
    assert [e.detail["theme_id"] for e in _events(app, "theme_restored")] == [communication, detail_id]


# Message wording


def test_a_manager_edits_the_acknowledgement_wording_with_a_preview(app, client):
    manager = staff_client(app, "manager")
    url = "/staff/admin/message-templates/acknowledgement/en"
    page = _html(manager.get(url))
    check_page(page, "en")
    for placeholder in ("reference", "name", "officer", "service", "due_date"):
        assert "{{ " + placeholder + " }}" in page
    assert "Preview with example details" in page and "CMP-7K4Q-2M9X" in page

    subject = "Your complaint {{ reference }}"
    body = "Hello {{ name }}, we will reply by {{ due_date }}."
    preview = _html(_post(manager, url, {"subject": subject, "body": body, "preview": "Preview"}))
    assert "Hello Jo Bloggs, we will reply by 20 March 2026." in preview
    with app.app_context():
        assert db.session.scalar(select(MessageTemplate)) is None

    saved = _post(manager, url, {"subject": subject, "body": body, "submit": "Save wording"})
    assert saved.status_code == 303
    assert "Wording saved" in _html(manager.get(url))
    event = _events(app, "message_template_changed")[-1]
    assert event.detail["after"] == {"subject": subject, "body": body}
    assert event.detail["language"] == "en" and event.actor_id == _user_id(app, "manager@example.gov.uk")
    assert "{{ officer }}" in event.detail["before"]["body"]

    reference = lodge(client)
    case_page = _html(staff_client(app, "officer").get(f"/staff/cases/{reference}"))
    assert f"Your complaint {reference}" in case_page and "Hello Jo Bloggs, we will reply by" in case_page
    assert "The council’s own" in _html(manager.get("/staff/admin/message-templates"))

    restored = _post(manager, f"{url}/restore-default", token_from=url)
    assert restored.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(MessageTemplate)) is None
    assert _events(app, "message_template_restored")


@pytest.mark.parametrize(
    ("subject", "body", "message"),
    [
        ("Complaint {{ reference }}", "Dear {{ name ", "Message cannot be used: line 1"),
        ("Complaint {{ reference }", "Dear {{ name }}", "Subject cannot be used: line 1"),
        ("Complaint", "Dear {{ nickname }}", "Message cannot be used: unknown placeholder nickname"),
        ("Complaint", "{% for x in name %}{% endfor %}{{ name.__class__ }}", "Message cannot be used:"),
        ("Complaint", "", "Enter the message"),
    ],
)
def test_wording_that_would_not_render_is_refused(app, subject, body, message):
    manager = staff_client(app, "manager")
    url = "/staff/admin/message-templates/acknowledgement/cy"
    response = _post(manager, url, {"subject": subject, "body": body, "submit": "Save wording"})
    page = _html(response)
    assert response.status_code == 200
    assert message in page
    assert "<title>Error: " in page
    assert "{{ due_date }}" in page  # the placeholders that can be used are still shown
    check_page(page, "en")
    with app.app_context():
        assert db.session.scalar(select(MessageTemplate)) is None
    assert not _events(app, "message_template_changed")


def test_nothing_an_administrator_does_puts_a_password_in_the_audit_trail(app):
    admin = staff_client(app, "admin")
    _post(
        admin,
        "/staff/admin/users/new",
        {"name": "P", "email": "p@example.gov.uk", "role": "officer", "password": "first secret"},
    )
    user_id = _user_id(app, "p@example.gov.uk")
    _post(admin, f"/staff/admin/users/{user_id}/password", {"password": "second secret"})
    with app.app_context():
        details = [str(e.detail) for e in db.session.scalars(select(Event))]
    assert details
    assert not any("secret" in d or "$argon2" in d or "password_hash" in d for d in details)


def test_the_staff_list_is_in_alphabetical_order_whatever_the_alphabet_and_capitals(app):
    for email, name in (
        ("zara@example.gov.uk", "Zara Ahmed"),
        ("lucja@example.gov.uk", "Łucja Nowak"),
        ("adam@example.gov.uk", "adam Smith"),
        ("eirlys@example.gov.uk", "Éirlys Jones"),
    ):
        make_staff(app, "officer", email=email, name=name)
    in_order = ("adam Smith", "Éirlys Jones", "Łucja Nowak", "Zara Ahmed")
    page = _html(staff_client(app, "admin").get("/staff/admin/users"))
    check_page(page, "en")
    positions = [page.index(name) for name in in_order]
    assert positions == sorted(positions)
    picker = _html(staff_client(app, "manager").get("/staff/")).split('name="officer"')[1]  # the case list's filter
    positions = [picker.index(name) for name in in_order]
    assert positions == sorted(positions)
