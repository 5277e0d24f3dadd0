"""A complaint through its stages: respond, escalate, extend, close and reopen, on both sides."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, Event, Message, Theme, User
from portal.services.calendar import working_days_between
from tests.conftest import csrf_token
from tests.journey import lodge
from tests.staff import make_staff, staff_client
from tests.test_tracking import _open_case


def _version(app, reference):
    with app.app_context():
        return db.session.scalar(select(Case.version_id).filter_by(reference=reference))


def _theme_id(app, name="Communication"):
    with app.app_context():
        return db.session.scalar(select(Theme.id).filter_by(name=name, parent_id=None))


def _step(client, app, reference, step, data):
    page = client.get(f"/staff/cases/{reference}/{step}")
    assert page.status_code == 200, page.status_code
    payload = {"csrf_token": csrf_token(page), "version": _version(app, reference), **data}
    return client.post(f"/staff/cases/{reference}/{step}", data=payload)


def _respond(client, app, reference, **extra):
    data = {
        "outcome": "partly_upheld",
        "themes": [str(_theme_id(app))],
        "response_text": "We are sorry. We will fix it.",
    }
    return _step(client, app, reference, "respond", {**data, **extra})


def test_a_response_records_outcome_themes_remedies_and_learning_and_reaches_the_resident(app, client, mail_dir):
    reference = lodge(client)
    officer = staff_client(app, "officer")
    response = _respond(
        officer,
        app,
        reference,
        remedies=["apology", "financial"],
        amount="25.50",
        learning="Crews will photograph missed bins.",
        learning_owner="Waste manager",
    )
    assert response.status_code == 303
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        stage = case.stages[0]
        assert case.status == "responded"
        assert stage.outcome == "partly_upheld"
        assert stage.within_timescale is True
        assert [t.name for t in stage.themes] == ["Communication"]
        assert sorted((r.kind, r.amount_pence) for r in stage.remedies) == [("apology", None), ("financial", 2550)]
        assert stage.learning[0].owner == "Waste manager"
        assert stage.learning[0].approved_for_publication is False
    assert len(list(mail_dir.glob("*-response-*.eml"))) == 1
    page = _open_case(client, mail_dir, reference).get_data(as_text=True)
    assert "We are sorry. We will fix it." in page
    assert "Stage 2" in page  # how to escalate


def test_response_validation(app, client):
    reference = lodge(client)
    officer = staff_client(app, "officer")
    html = _step(officer, app, reference, "respond", {"remedies": ["financial"]}).get_data(as_text=True)
    for message in ["Select the outcome", "Select at least one root cause", "Enter the response", "Enter the amount"]:
        assert message in html
    html = _respond(officer, app, reference, learning="Something", learning_owner="").get_data(as_text=True)
    assert "Enter who will make the change" in html


def test_a_late_response_is_recorded_as_late(app, client):
    reference = lodge(client)
    with app.app_context():
        stage = db.session.scalar(select(Case).filter_by(reference=reference)).stages[0]
        stage.deadline = date.today() - timedelta(days=1)
        db.session.commit()
    officer = staff_client(app, "officer")
    _respond(officer, app, reference)
    with app.app_context():
        assert db.session.scalar(select(Case).filter_by(reference=reference)).stages[0].within_timescale is False


def test_the_resident_escalates_to_stage_2_from_the_tracking_page(app, client, mail_dir):
    reference = lodge(client)
    officer = staff_client(app, "officer")
    _respond(officer, app, reference)
    page = _open_case(client, mail_dir, reference)
    token = csrf_token(page)
    empty = client.post("/track/case/escalate", data={"escalate-csrf_token": token, "escalate-reason": ""})
    assert "Tell us why you are not satisfied" in empty.get_data(as_text=True)
    response = client.post(
        "/track/case/escalate", data={"escalate-csrf_token": token, "escalate-reason": "Still missed."}
    )
    assert response.status_code == 303
    assert "Your complaint is now at Stage 2" in client.get("/track/case").get_data(as_text=True)
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        stage = case.stages[-1]
        assert (stage.process, stage.number, stage.escalation_reason) == ("corporate", 2, "Still missed.")
        assert working_days_between(stage.received_on, stage.deadline, "GB-ENG") == 20
        assert (
            db.session.scalar(select(Event).filter_by(case_id=case.id, action="case_escalated")).actor_type
            == "resident"
        )
    assert len(list(mail_dir.glob("*-escalated-*.eml"))) == 1


def test_after_the_last_corporate_stage_the_resident_is_pointed_to_the_ombudsman(app, client, mail_dir):
    reference = lodge(client)
    officer = staff_client(app, "officer")
    _respond(officer, app, reference)
    assert _step(officer, app, reference, "escalate", {"reason": "Resident asked by phone"}).status_code == 303
    _respond(officer, app, reference)
    page = _open_case(client, mail_dir, reference).get_data(as_text=True)
    assert "Ombudsman" in page
    assert "Ask for the next stage" not in page
    html = _step(officer, app, reference, "escalate", {"reason": "Again"}).get_data(as_text=True)
    assert "there is no further stage" in html


def _childrens(app, client, officer):
    reference = lodge(client)
    page = officer.get(f"/staff/cases/{reference}").get_data(as_text=True)
    token = re.search(r'name="triage-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    officer.post(
        f"/staff/cases/{reference}/triage",
        data={
            "triage-csrf_token": token,
            "triage-version": _version(app, reference),
            "triage-classification": "complaint",
            "triage-complaint_process": "childrens",
        },
    )
    return reference


def test_the_childrens_process_has_a_third_stage_and_independent_people_at_stage_2(app, client):
    officer = staff_client(app, "officer")
    reference = _childrens(app, client, officer)
    _respond(officer, app, reference)
    _step(officer, app, reference, "escalate", {"reason": "Not satisfied"})
    investigator_id = make_staff(app, "investigator", email="iio@example.gov.uk", name="Independent Investigator")
    person_id = make_staff(app, "investigator", email="ip@example.gov.uk", name="Independent Person")
    same = _step(
        officer,
        app,
        reference,
        "independent-people",
        {"investigator": investigator_id, "independent_person": investigator_id},
    )
    assert "must be different people" in same.get_data(as_text=True)
    done = _step(
        officer,
        app,
        reference,
        "independent-people",
        {"investigator": investigator_id, "independent_person": person_id},
    )
    assert done.status_code == 303
    investigator = app.test_client()
    from tests.staff import sign_in

    sign_in(investigator, "iio@example.gov.uk")
    assert investigator.get(f"/staff/cases/{reference}").status_code == 200
    _respond(officer, app, reference)
    assert _step(officer, app, reference, "escalate", {"reason": "Panel please"}).status_code == 303
    with app.app_context():
        stage = db.session.scalar(select(Case).filter_by(reference=reference)).stages[-1]
        assert (stage.process, stage.number) == ("childrens", 3)
        # The chain's first link: the review panel meets within 30 working days (tests/test_stage3_and_ombudsman.py).
        assert working_days_between(stage.received_on, stage.deadline, "GB-ENG") == 30


def test_extensions_stay_within_the_limit_and_tell_the_resident(app, client, mail_dir):
    officer = staff_client(app, "officer")
    reference = _childrens(app, client, officer)  # children's Stage 1: 10 days, extendable to 20
    with app.app_context():
        stage = db.session.scalar(select(Case).filter_by(reference=reference)).stages[0]
        received, deadline = stage.received_on, stage.deadline
    from portal.services.calendar import add_working_days

    too_far = add_working_days(received, 21, "GB-ENG")
    html = _step(
        officer,
        app,
        reference,
        "extend",
        {"new_date": [str(too_far.day), str(too_far.month), str(too_far.year)], "reason": "x"},
    )
    assert "the longest allowed is 20 working days" in html.get_data(as_text=True)
    earlier = deadline - timedelta(days=1)
    html = _step(
        officer,
        app,
        reference,
        "extend",
        {"new_date": [str(earlier.day), str(earlier.month), str(earlier.year)], "reason": "x"},
    )
    assert "must be later" in html.get_data(as_text=True)
    good = add_working_days(received, 20, "GB-ENG")
    response = _step(
        officer,
        app,
        reference,
        "extend",
        {"new_date": [str(good.day), str(good.month), str(good.year)], "reason": "Waiting for a report"},
    )
    assert response.status_code == 303
    with app.app_context():
        stage = db.session.scalar(select(Case).filter_by(reference=reference)).stages[0]
        assert stage.extended_to == good
        assert stage.due_on == good
    [mail] = list(mail_dir.glob("*-extended-*.eml"))
    assert "Waiting for a report" in mail.read_text()


def test_close_for_another_reason_and_reopen(app, client):
    reference = lodge(client)
    officer = staff_client(app, "officer")
    html = _step(officer, app, reference, "close", {"note": "x"}).get_data(as_text=True)
    assert "Select why it is closing" in html
    assert (
        _step(officer, app, reference, "close", {"reason": "out_of_time", "note": "Matter from 2024"}).status_code
        == 303
    )
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        assert (case.status, case.closed_reason, case.stages[0].closed_reason) == (
            "closed",
            "out_of_time",
            "out_of_time",
        )
    assert _step(officer, app, reference, "reopen", {"reason": "Resident showed it was recent"}).status_code == 303
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        assert case.status != "closed"
        assert case.stages[0].closed_on is None
        actions = db.session.scalars(select(Event.action).filter_by(case_id=case.id)).all()
        assert "case_closed" in actions and "case_reopened" in actions
        # The reason is kept as an internal note, which anonymisation blanks; the event only points at it.
        reopened = db.session.scalar(select(Event).filter_by(case_id=case.id, action="case_reopened"))
        note = db.session.get(Message, reopened.detail["note_id"])
        assert (note.case_id, note.kind, note.body) == (case.id, "internal_note", "Resident showed it was recent")
    assert "Resident showed it was recent" in officer.get(f"/staff/cases/{reference}").get_data(as_text=True)


def test_a_stale_response_is_refused(app, client):
    reference = lodge(client)
    officer = staff_client(app, "officer")
    page = officer.get(f"/staff/cases/{reference}/respond")
    stale_version = _version(app, reference)
    _step(officer, app, reference, "close", {"reason": "withdrawn", "note": "Rang to withdraw"})
    _step(officer, app, reference, "reopen", {"reason": "Changed mind"})
    html = officer.post(
        f"/staff/cases/{reference}/respond",
        data={
            "csrf_token": csrf_token(page),
            "version": stale_version,
            "outcome": "upheld",
            "themes": [str(_theme_id(app))],
            "response_text": "Kept text",
        },
    ).get_data(as_text=True)
    assert "Someone else changed this case" in html
    assert "Kept text" in html


def test_responders_answer_only_their_own_services(app, client):
    reference = lodge(client)  # Council tax
    with app.app_context():
        assert db.session.scalar(select(User)) is None
    waste = staff_client(app, "responder", email="w@example.gov.uk", areas=("Waste and recycling",))
    assert waste.get(f"/staff/cases/{reference}/respond").status_code == 404
    tax = staff_client(app, "responder", email="t@example.gov.uk", areas=("Council tax",))
    assert _respond(tax, app, reference).status_code == 303
    assert tax.get(f"/staff/cases/{reference}/close").status_code == 403


def test_the_response_is_drafted_from_the_councils_wording_and_its_prompts_must_be_replaced(app, client, mail_dir):
    import html

    from portal.services.message_templates import save_message_template

    reference = lodge(client)
    officer = staff_client(app, "officer", name="Olu Officer")
    page = html.unescape(officer.get(f"/staff/cases/{reference}/respond").get_data(as_text=True))
    assert "What we found\n[Say what we looked at and what we found.]" in page
    assert "Olu Officer" in page  # the draft is signed by whoever is responding

    refused = _respond(officer, app, reference, response_text="Our decision\n[Say whether we uphold the complaint.]")
    assert refused.status_code == 200
    assert "Replace every prompt in [square brackets] with your own words" in html.unescape(
        refused.get_data(as_text=True)
    )

    with app.app_context():
        save_message_template(
            "response",
            "en",
            "Stage {{ stage }} reply about {{ reference }}",
            "Findings for {{ name }}:",
            languages=["en"],
        )
        db.session.commit()
    page = officer.get(f"/staff/cases/{reference}/respond").get_data(as_text=True)
    assert "Findings for" in page
    assert _respond(officer, app, reference).status_code == 303
    [mail] = list(mail_dir.glob("*-response-*.eml"))
    assert f"Subject: Stage 1 reply about {reference}" in mail.read_text()
