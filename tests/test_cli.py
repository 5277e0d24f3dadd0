"""The flask commands a council's administrator runs."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Case, User
from portal.services.demo import DEMO_PASSWORD
from tests.conftest import csrf_token


def test_create_user_reads_the_password_from_the_environment(app, runner):
    result = runner.invoke(
        args=["create-user", "--email", "Officer@Example.gov.uk", "--role", "officer"],
        env={"PORTAL_PASSWORD": "a long enough password"},
    )
    assert result.exit_code == 0, result.output
    assert "Created officer account officer@example.gov.uk" in result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.password_hash.startswith("$argon2id$")
        assert "a long enough password" not in user.password_hash


def test_create_user_asks_for_the_password_when_not_given(app, runner):
    result = runner.invoke(
        args=["create-user", "--email", "m@example.gov.uk", "--role", "manager"],
        input="another long password\nanother long password\n",
        env={"PORTAL_PASSWORD": ""},
    )
    assert result.exit_code == 0, result.output


def test_create_user_refuses_bad_input(app, runner):
    env = {"PORTAL_PASSWORD": "a long enough password"}
    bad_role = runner.invoke(args=["create-user", "--email", "a@example.gov.uk", "--role", "king"], env=env)
    assert bad_role.exit_code != 0
    short = runner.invoke(
        args=["create-user", "--email", "a@example.gov.uk", "--role", "officer"], env={"PORTAL_PASSWORD": "short"}
    )
    assert short.exit_code != 0
    assert "at least 8 characters" in short.output
    runner.invoke(args=["create-user", "--email", "a@example.gov.uk", "--role", "officer"], env=env)
    again = runner.invoke(args=["create-user", "--email", "A@example.gov.uk", "--role", "admin"], env=env)
    assert again.exit_code != 0
    assert "already exists" in again.output


def test_demo_data_loads_once_and_says_how_to_sign_in(app, runner):
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    assert "/staff/sign-in" in first.output
    assert "password:" in first.output
    assert "Made-up Ombudsman figures published" in first.output
    second = runner.invoke(args=["demo-data"])
    assert second.exit_code == 0
    assert "Ombudsman" not in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == 4
        assert db.session.scalar(select(func.count(User.id))) == 5


def test_a_demo_account_signs_in_with_the_code_demo_code_prints(app, runner):
    runner.invoke(args=["demo-data"])
    code = runner.invoke(args=["demo-code"]).output.strip()
    assert len(code) == 6 and code.isdigit()
    client = app.test_client()
    token = csrf_token(client.get("/staff/sign-in"))
    client.post(
        "/staff/sign-in", data={"csrf_token": token, "email": "officer@example.gov.uk", "password": DEMO_PASSWORD}
    )
    token = csrf_token(client.get("/staff/sign-in/code"))
    assert client.post("/staff/sign-in/code", data={"csrf_token": token, "code": code}).status_code == 303
    assert client.get("/staff/").status_code == 200


def test_purge_drafts(app, runner):
    result = runner.invoke(args=["purge-drafts"])
    assert result.exit_code == 0
    assert "Deleted 0 stale drafts" in result.output


def test_demo_accounts_are_refused_where_demo_data_is_not_allowed(make_app):
    app = make_app(DEMO_DATA_ALLOWED=False)
    runner = app.test_cli_runner()
    for command in ("demo-data", "demo-code"):
        result = runner.invoke(args=[command])
        assert result.exit_code != 0 and "published password" in result.output, command
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0
