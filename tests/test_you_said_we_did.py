"""'You said, we did': learning from closed complaints, reviewed by a manager, public only as approved wording."""

from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import Event, LearningAction
from portal.services.learning import published_learning
from tests.conftest import csrf_token
from tests.figure_builders import StageSpec, add_complaint, area
from tests.html_checks import check_page
from tests.staff import staff_client

YEAR_2024 = "/performance?from=2024-04-01&to=2025-03-31"
PRIVATE_TEXT = "Crews will photograph the bins outside Jo Bloggs's house at 4 Acacia Avenue"
PUBLIC_TEXT = "Crews now photograph every bin they could not empty, so we can show why."


def learning_case(
    app,
    text=PRIVATE_TEXT,
    closed=True,
    responded_on=date(2024, 6, 3),
    service=("Waste and recycling", "Place"),
) -> tuple[str, int]:
    """A complaint answered with a learning action, closed unless told; returns its reference and the action's id."""
    with app.app_context():
        case = add_complaint(
            StageSpec(responded_on.replace(day=1), responded_on=responded_on, outcome="upheld"),
            service_area=area(*service),
        )
        case.resident.name = "Jo Bloggs"
        action = LearningAction(what_will_change=text, owner="Pat Owner", due_on=date(2024, 9, 30))
        case.stages[0].learning.append(action)
        if closed:
            case.status, case.closed_on, case.closed_reason = "closed", responded_on, "resolved"
        db.session.commit()
        return case.reference, action.id


def review(client, action_id, **data):
    page = client.get(f"/staff/reporting/learning/{action_id}")
    return client.post(f"/staff/reporting/learning/{action_id}", data={"csrf_token": csrf_token(page), **data})


def unpublish(client, action_id):
    token = csrf_token(client.get("/staff/reporting/learning"))
    return client.post(f"/staff/reporting/learning/{action_id}/unpublish", data={"csrf_token": token})


def events(app, reference) -> list[Event]:
    with app.app_context():
        from portal.models import Case

        case_id = db.session.scalar(select(Case.id).filter_by(reference=reference))
        found = db.session.scalars(
            select(Event).where(Event.case_id == case_id, Event.action.like("learning_%")).order_by(Event.id)
        ).all()
        return [(event.action, event.actor_id, event.detail) for event in found]


def test_the_queue_holds_unreviewed_learning_from_closed_complaints_only(app):
    closed_reference, closed_id = learning_case(app)
    open_reference, _ = learning_case(app, text="Open case learning", closed=False)
    manager = staff_client(app, "manager")
    html = manager.get("/staff/reporting/learning").get_data(as_text=True)
    check_page(html, "en")
    assert closed_reference in html and f"/staff/reporting/learning/{closed_id}" in html
    assert open_reference not in html and "Open case learning" not in html
    assert "1 more learning action waits for its complaint to close." in html


def test_the_review_page_prefills_the_wording_and_warns_against_identifying_anyone(app):
    reference, action_id = learning_case(app)
    manager = staff_client(app, "manager")
    html = manager.get(f"/staff/reporting/learning/{action_id}").get_data(as_text=True)
    check_page(html, "en")
    assert PRIVATE_TEXT.replace("'", "&#39;") in html
    assert "no names, addresses, dates of birth" in html.lower() or "Leave out names, addresses, dates of birth" in html
    assert f"Case {reference}" in html and "Pat Owner" in html
    check_page(manager.get(f"/staff/reporting/learning/{action_id}?lang=cy").get_data(as_text=True), "en")


def test_published_wording_reaches_the_public_page_and_nothing_that_identifies_anyone(app):
    reference, action_id = learning_case(app)
    public = app.test_client()
    assert PUBLIC_TEXT not in public.get(YEAR_2024).get_data(as_text=True)  # cached before publishing

    manager = staff_client(app, "manager")
    response = review(manager, action_id, public_text=PUBLIC_TEXT, decision="publish")
    assert response.status_code == 303 and response.location.endswith("/staff/reporting/learning")
    assert "Published in ‘You said, we did’." in manager.get("/staff/reporting/learning").get_data(as_text=True)

    page = public.get(YEAR_2024).get_data(as_text=True)
    check_page(page, "en")
    assert PUBLIC_TEXT in page
    assert "Waste and recycling" in page and "Place" in page
    for private in (reference, "Jo Bloggs", "Acacia Avenue", "Pat Owner", "3 June 2024", "30 September 2024"):
        assert private not in page, private
    check_page(public.get(YEAR_2024 + "&lang=cy").get_data(as_text=True), "cy")
    # Another year's page does not show it: the period is the stage's response date.
    assert PUBLIC_TEXT not in public.get("/performance?from=2025-04-01&to=2026-03-31").get_data(as_text=True)

    with app.app_context():
        action = db.session.get(LearningAction, action_id)
        assert (action.publication_status, action.approved_for_publication) == ("published", True)
        assert action.public_text == PUBLIC_TEXT and action.what_will_change == PRIVATE_TEXT
    [(action_name, actor, detail)] = events(app, reference)
    assert action_name == "learning_published" and actor is not None
    assert detail["learning_action"] == action_id and detail["public_text"] == PUBLIC_TEXT


def test_declined_and_unpublished_learning_is_not_public(app):
    declined_reference, declined_id = learning_case(app, text="Declined learning")
    published_reference, published_id = learning_case(app, text="Published then withdrawn")
    manager = staff_client(app, "manager")
    assert review(manager, declined_id, public_text="Should never show", decision="decline").status_code == 303
    assert review(manager, published_id, public_text="Briefly public wording", decision="publish").status_code == 303
    public = app.test_client()
    page = public.get(YEAR_2024).get_data(as_text=True)
    assert "Briefly public wording" in page and "Should never show" not in page

    assert unpublish(manager, published_id).status_code == 303
    page = public.get(YEAR_2024).get_data(as_text=True)
    assert "Briefly public wording" not in page
    assert "Nothing is published yet about what changed" in page

    listing = manager.get("/staff/reporting/learning").get_data(as_text=True)
    assert "Declined learning" in listing and "Published then withdrawn" in listing
    assert "Nothing to review." in listing
    assert [name for name, *_ in events(app, declined_reference)] == ["learning_declined"]
    assert [name for name, *_ in events(app, published_reference)] == ["learning_published", "learning_unpublished"]
    with app.app_context():
        assert db.session.get(LearningAction, published_id).approved_for_publication is False
        assert db.session.get(LearningAction, declined_id).publication_status == "declined"

    # Unpublishing what is not published is refused.
    assert unpublish(manager, declined_id).status_code == 409


def test_a_decision_is_needed_and_published_wording_cannot_be_empty(app):
    _, action_id = learning_case(app)
    manager = staff_client(app, "manager")
    html = review(manager, action_id, public_text="").get_data(as_text=True)
    check_page(html, "en")
    assert "Select whether to publish this learning" in html and "<title>Error: " in html
    html = review(manager, action_id, public_text="", decision="publish").get_data(as_text=True)
    assert "Enter the wording to publish" in html
    html = review(manager, action_id, public_text="x" * 2001, decision="publish").get_data(as_text=True)
    assert "2,000 characters or fewer" in html
    with app.app_context():
        assert db.session.get(LearningAction, action_id).publication_status == "pending"


def test_learning_from_an_open_complaint_cannot_be_published(app):
    _, action_id = learning_case(app, closed=False)
    manager = staff_client(app, "manager")
    html = manager.get(f"/staff/reporting/learning/{action_id}").get_data(as_text=True)
    check_page(html, "en")
    assert "can be reviewed once the complaint is closed" in html and 'name="decision"' not in html
    review(manager, action_id, public_text="Too early", decision="publish")
    with app.app_context():
        assert db.session.get(LearningAction, action_id).publication_status == "pending"


def test_public_learning_is_grouped_by_directorate_and_service(app):
    for text, service in (
        ("Tax one", ("Council tax", "Exchequer")),
        ("Waste one", ("Waste and recycling", "Place")),
        ("Waste two", ("Waste and recycling", "Place")),
    ):
        _, action_id = learning_case(app, text=text, service=service)
        with app.app_context():
            action = db.session.get(LearningAction, action_id)
            action.publication_status, action.public_text = "published", text
            db.session.commit()
    with app.app_context():
        groups = published_learning(date(2024, 4, 1), date(2025, 3, 31))
        by_service = {(g["directorate"], g["service_area"]): g["items"] for g in groups}
        assert by_service == {
            ("Place", "Waste and recycling"): ["Waste one", "Waste two"],
            ("Exchequer", "Council tax"): ["Tax one"],
        }
        assert published_learning(date(2025, 4, 1), date(2026, 3, 31)) == []


def test_only_complaints_managers_and_administrators_review_learning(app):
    _, action_id = learning_case(app)
    admin = staff_client(app, "admin")
    assert admin.get(f"/staff/reporting/learning/{action_id}").status_code == 200
    for role in ("officer", "responder", "investigator", "reviewer"):
        other = staff_client(app, role)
        assert other.get("/staff/reporting/learning").status_code == 403
        assert other.get(f"/staff/reporting/learning/{action_id}").status_code == 403
        token = csrf_token(other.get("/staff/"))
        data = {"csrf_token": token, "public_text": "x", "decision": "publish"}
        assert other.post(f"/staff/reporting/learning/{action_id}", data=data).status_code == 403
        assert other.post(f"/staff/reporting/learning/{action_id}/unpublish", data=data).status_code == 403
    with app.app_context():
        assert db.session.get(LearningAction, action_id).publication_status == "pending"
    assert staff_client(app, "manager").get("/staff/reporting/learning/999").status_code == 404
