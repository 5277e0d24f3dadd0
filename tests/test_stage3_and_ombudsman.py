"""The children's Stage 3 chain (panel, report, response) and the Ombudsman's enquiries and decisions on a case."""

import re
from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, Event, OmbudsmanRecord, User
from tests.conftest import csrf_token
from tests.html_checks import check_page
from tests.journey import lodge
from tests.mail import mails
from tests.staff import make_staff, sign_in, staff_client
from tests.test_process import _childrens, _respond, _step, _version
from tests.test_tracking import _open_case

OFFICER = "officer@example.gov.uk"


def _day(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def _officer(app):
    """Return a client signed in as the complaints officer (made the first time), at the current (frozen) time."""
    with app.app_context():
        exists = db.session.scalar(select(User.id).filter_by(email=OFFICER)) is not None
    if not exists:
        make_staff(app, "officer", email=OFFICER)
    client = app.test_client()
    sign_in(client, OFFICER)
    return client


def _stage3(app, requested_on: str) -> str:
    """Lodge a children's complaint and take it to Stage 3 through the pages, the review asked for on a day."""
    with freeze_time(requested_on):
        officer = _officer(app)
        reference = _childrens(app, app.test_client(), officer)
        assert _respond(officer, app, reference).status_code == 303
        assert _step(officer, app, reference, "escalate", {"reason": "Stage 2 please"}).status_code == 303
        assert _respond(officer, app, reference).status_code == 303
        assert _step(officer, app, reference, "escalate", {"reason": "A review panel please"}).status_code == 303
    return reference


def _stage(app, reference):
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        stage = case.stages[-1]
        db.session.expunge_all()
        return stage


def _panel(officer, app, reference, met_on: date, **extra):
    data = {"panel_date": _day(met_on), "chair": "Ann Chair", "first_member": "Bo Member", "second_member": "Cy Member"}
    return _step(officer, app, reference, "panel", {**data, **extra})


def _report(officer, app, reference, received_on: date, text="Apologise and review the plan."):
    return _step(officer, app, reference, "panel-report", {"received_on": _day(received_on), "recommendations": text})


def _events(app, reference, action):
    with app.app_context():
        case_id = db.session.scalar(select(Case.id).filter_by(reference=reference))
        events = db.session.scalars(select(Event).filter_by(case_id=case_id, action=action).order_by(Event.id)).all()
        return [(event.actor_id, event.detail) for event in events]


def test_the_chain_crosses_christmas_and_the_year_end_and_each_link_moves_the_deadline(app):
    # Requested on Tuesday 1 December 2026. 30 working days skip Christmas Day (Friday), Boxing Day's substitute
    # (Monday 28th) and New Year's Day (Friday): Friday 15 January 2027, not the 12th a weekday count gives.
    reference = _stage3(app, "2026-12-01")
    stage = _stage(app, reference)
    assert (stage.process, stage.number, stage.received_on) == ("childrens", 3, date(2026, 12, 1))
    assert stage.panel_due_on == stage.deadline == date(2027, 1, 15)
    [(_, escalated)] = [e for e in _events(app, reference, "case_escalated") if e[1]["stage"] == 3]
    assert escalated["deadline"] == "2027-01-15"

    with freeze_time("2027-01-14"):
        officer = _officer(app)
        page = officer.get(f"/staff/cases/{reference}").get_data(as_text=True)
        check_page(page, "en")
        assert "15 January 2027" in page
        assert f"/staff/cases/{reference}/panel" in page
        assert f"/staff/cases/{reference}/respond" not in page  # the response waits for the panel's report
        assert f"/staff/cases/{reference}/extend" not in page
        check_page(officer.get(f"/staff/cases/{reference}/panel").get_data(as_text=True), "en")
        assert _panel(officer, app, reference, date(2027, 1, 14)).status_code == 303
    stage = _stage(app, reference)
    assert stage.panel_date == date(2027, 1, 14)
    assert (stage.panel_chair, stage.panel_other_members) == ("Ann Chair", ["Bo Member", "Cy Member"])
    assert stage.panel_report_due_on == stage.deadline == date(2027, 1, 21)  # 5 working days after meeting
    [(actor, detail)] = _events(app, reference, "panel_recorded")
    assert actor is not None
    assert detail["before"]["deadline"] == "2027-01-15" and detail["before"]["panel_date"] is None
    assert detail["after"]["deadline"] == "2027-01-21" and detail["after"]["panel_date"] == "2027-01-14"
    assert detail["after_due"] is False

    with freeze_time("2027-01-20"):
        officer = _officer(app)
        check_page(officer.get(f"/staff/cases/{reference}/panel-report").get_data(as_text=True), "en")
        assert _report(officer, app, reference, date(2027, 1, 20)).status_code == 303
        page = officer.get(f"/staff/cases/{reference}").get_data(as_text=True)
        check_page(page, "en")
        assert "Apologise and review the plan." in page
        assert "10 February 2027" in page
        assert f"/staff/cases/{reference}/respond" in page
        assert f'href="/staff/cases/{reference}/panel"' not in page  # the meeting is fixed once the report is in
    stage = _stage(app, reference)
    assert stage.panel_report_received_on == date(2027, 1, 20)
    assert stage.deadline == date(2027, 2, 10)  # 15 working days from receiving the recommendations
    [(_, detail)] = _events(app, reference, "panel_report_recorded")
    assert detail["before"]["deadline"] == "2027-01-21" and detail["after"]["deadline"] == "2027-02-10"
    assert detail["after"]["panel_recommendations"] == "Apologise and review the plan."

    with freeze_time("2027-02-10"):  # the last day
        officer = _officer(app)
        check_page(officer.get(f"/staff/cases/{reference}/respond").get_data(as_text=True), "en")
        response = _respond(officer, app, reference, response_text="We accept the panel's recommendations.")
        assert response.status_code == 303
    stage = _stage(app, reference)
    assert stage.responded_on == date(2027, 2, 10)
    assert stage.within_timescale is True
    assert stage.council_response == stage.response_text == "We accept the panel's recommendations."


def test_a_link_of_the_chain_across_easter(app):
    # Met Tuesday 23 March 2027: Good Friday (26th) and Easter Monday (29th) fall inside the 5 working days.
    reference = _stage3(app, "2027-03-01")
    with freeze_time("2027-03-24"):
        officer = _officer(app)
        assert _panel(officer, app, reference, date(2027, 3, 23)).status_code == 303
        assert _stage(app, reference).deadline == date(2027, 4, 1)
        assert _report(officer, app, reference, date(2027, 3, 24)).status_code == 303
    # 15 working days from Wednesday 24 March, Easter skipped: Friday 16 April.
    assert _stage(app, reference).deadline == date(2027, 4, 16)


def test_responding_the_day_after_the_last_day_is_late(app):
    reference = _stage3(app, "2026-12-01")
    with freeze_time("2027-01-20"):
        officer = _officer(app)
        _panel(officer, app, reference, date(2027, 1, 14))
        _report(officer, app, reference, date(2027, 1, 20))
    with freeze_time("2027-02-11"):
        officer = _officer(app)
        assert _respond(officer, app, reference).status_code == 303
        page = officer.get(f"/staff/cases/{reference}").get_data(as_text=True)
        check_page(page, "en")
        assert "Late" in page
    stage = _stage(app, reference)
    assert (stage.deadline, stage.responded_on, stage.within_timescale) == (date(2027, 2, 10), date(2027, 2, 11), False)


def test_out_of_order_steps_are_refused(app):
    reference = _stage3(app, "2026-12-01")
    with freeze_time("2026-12-10"):
        officer = _officer(app)
        html = _report(officer, app, reference, date(2026, 12, 10)).get_data(as_text=True)
        assert "This cannot be done: record the panel meeting first" in html
        html = _respond(officer, app, reference).get_data(as_text=True)
        assert "record the review panel’s report and recommendations first" in html
        html = _panel(officer, app, reference, date(2026, 11, 30)).get_data(as_text=True)
        assert "the panel cannot meet before the review was asked for" in html
        extend = officer.get(f"/staff/cases/{reference}/extend")
        html = officer.post(
            f"/staff/cases/{reference}/extend",
            data={
                "csrf_token": csrf_token(extend),
                "version": _version(app, reference),
                "new_date": _day(date(2027, 2, 1)),
                "reason": "Panel chair ill",
            },
        ).get_data(as_text=True)
        assert "cannot be extended" in html
        # A meeting arranged for a later date is kept, but no report can come before it.
        assert _panel(officer, app, reference, date(2026, 12, 15)).status_code == 303
        html = _report(officer, app, reference, date(2026, 12, 10)).get_data(as_text=True)
        assert "the panel has not met yet" in html
    with freeze_time("2026-12-17"):
        officer = _officer(app)
        html = _report(officer, app, reference, date(2026, 12, 14)).get_data(as_text=True)
        assert "the report cannot come before the panel met" in html
        html = _report(officer, app, reference, date(2026, 12, 18)).get_data(as_text=True)
        assert "cannot be in the future" in html
        assert _report(officer, app, reference, date(2026, 12, 16)).status_code == 303
        html = _panel(officer, app, reference, date(2026, 12, 16)).get_data(as_text=True)
        assert "the panel’s report has already been recorded" in html
    stage = _stage(app, reference)
    assert (stage.panel_date, stage.panel_report_received_on) == (date(2026, 12, 15), date(2026, 12, 16))
    assert stage.responded_on is None
    assert len(_events(app, reference, "panel_recorded")) == 1
    assert len(_events(app, reference, "panel_report_recorded")) == 1


def test_the_panel_form_says_what_is_missing(app):
    reference = _stage3(app, "2026-12-01")
    with freeze_time("2026-12-02"):
        officer = _officer(app)
        response = _step(officer, app, reference, "panel", {"panel_date": ["31", "2", "2027"], "chair": ""})
        html = response.get_data(as_text=True)
        check_page(html, "en")
        for message in [
            "The date of the panel meeting must be a real date",
            "Enter the name of the panel’s chair",
            "Enter the name of the first panel member",
            "Enter the name of the second panel member",
        ]:
            assert message in html
        html = _step(officer, app, reference, "panel-report", {"received_on": ["", "", ""]}).get_data(as_text=True)
        check_page(html, "en")
        assert "Enter the date the panel’s report was received" in html
        assert "Enter the panel’s recommendations" in html


def test_a_panel_after_its_30_working_days_is_recorded_and_shown(app):
    reference = _stage3(app, "2026-12-01")
    with freeze_time("2027-01-19"):
        officer = _officer(app)
        assert _panel(officer, app, reference, date(2027, 1, 18)).status_code == 303  # due by 15 January
        page = officer.get(f"/staff/cases/{reference}").get_data(as_text=True)
        check_page(page, "en")
        assert "Panel met after the 30 working days" in page
        assert "Review panel meeting recorded" in page  # the timeline
    [(_, detail)] = _events(app, reference, "panel_recorded")
    assert detail["after_due"] is True
    assert _stage(app, reference).deadline == date(2027, 1, 25)


def test_panel_pages_exist_only_for_a_childrens_stage_3(app, client):
    reference = lodge(client)  # corporate Stage 1
    officer = _officer(app)
    assert officer.get(f"/staff/cases/{reference}/panel").status_code == 404
    assert officer.get(f"/staff/cases/{reference}/panel-report").status_code == 404
    assert "Review panel" not in officer.get(f"/staff/cases/{reference}").get_data(as_text=True)


def test_a_stale_panel_save_is_refused_and_keeps_what_was_typed(app):
    reference = _stage3(app, "2026-12-01")
    with freeze_time("2026-12-10"):
        officer = _officer(app)
        page = officer.get(f"/staff/cases/{reference}/panel")
        stale = _version(app, reference)
        assert _panel(officer, app, reference, date(2026, 12, 9)).status_code == 303
        assert _version(app, reference) != stale  # a change to the stage moves the case's version on
        html = officer.post(
            f"/staff/cases/{reference}/panel",
            data={
                "csrf_token": csrf_token(page),
                "version": stale,
                "panel_date": _day(date(2026, 12, 8)),
                "chair": "Kept Chair",
                "first_member": "B",
                "second_member": "C",
            },
        ).get_data(as_text=True)
        assert "Someone else changed this case" in html
        assert "Kept Chair" in html
    assert _stage(app, reference).panel_date == date(2026, 12, 9)


def test_the_resident_sees_when_the_panel_meets_and_when_to_expect_the_response(app, mail_dir):
    reference = _stage3(app, "2026-12-01")
    [escalated] = [m for m in mails(mail_dir, "escalated") if "Stage 3" in m.get_content()]
    assert "An independent panel will meet to review it by 15 January 2027" in escalated.get_content()

    def tracking_page():
        for old in mail_dir.glob("*-tracking_link-*.eml"):
            old.unlink()
        html = _open_case(app.test_client(), mail_dir, reference).get_data(as_text=True)
        check_page(html, "en")
        return " ".join(html.split())

    with freeze_time("2026-12-02"):
        page = tracking_page()
        assert "An independent panel will meet to review your complaint by 15 January 2027." in page
        assert "We will send you our response within 15 working days of receiving them." in page
        assert "Response due by" not in page
        _panel(_officer(app), app, reference, date(2027, 1, 12))
        assert "The independent panel will meet on 12 January 2027 to review your complaint." in tracking_page()
    with freeze_time("2027-01-13"):
        assert "The independent panel met on 12 January 2027 to review your complaint." in tracking_page()
        _report(_officer(app), app, reference, date(2027, 1, 13))
        page = tracking_page()
        assert "The panel has sent us its recommendations. We will send you our response by 3 February 2027." in page


@pytest.mark.parametrize("role", ["responder", "reviewer", "investigator"])
def test_only_case_workers_record_panels_and_ombudsman_decisions(app, role):
    reference = _stage3(app, "2026-12-01")
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        record = OmbudsmanRecord(case=case, received_on=date(2026, 12, 1), lgsco_reference="26 000 111")
        db.session.add(record)
        db.session.commit()
        record_id, area = record.id, case.service_area.name if case.service_area else None
    with freeze_time("2026-12-02"):
        other = staff_client(app, role, areas=(area,) if role == "responder" and area else ())
        for path in ["panel", "panel-report", "ombudsman", f"ombudsman/{record_id}"]:
            assert other.get(f"/staff/cases/{reference}/{path}").status_code == 403, path
            assert other.post(f"/staff/cases/{reference}/{path}", data={}).status_code in (400, 403), path
        if role == "investigator":
            return  # sees only the Stage 2 cases assigned to them
        page = other.get(f"/staff/cases/{reference}").get_data(as_text=True)
        check_page(page, "en")
        assert "26 000 111" in page  # everyone who sees the case sees its Ombudsman records
        assert f"/staff/cases/{reference}/ombudsman" not in page
        assert f"/staff/cases/{reference}/panel" not in page


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_administrators_record_them_too(app, role):
    reference = _stage3(app, "2026-12-01")
    with freeze_time("2026-12-02"):
        worker = staff_client(app, role)
        assert _panel(worker, app, reference, date(2026, 12, 2)).status_code == 303
        assert (
            _step(
                worker, app, reference, "ombudsman", {"received_on": _day(date(2026, 12, 2)), "lgsco_reference": "X 1"}
            ).status_code
            == 303
        )


def test_an_ombudsman_enquiry_then_its_decision_remedies_and_compliance(app, client):
    reference = lodge(client)
    officer = staff_client(app, "officer")
    page = officer.get(f"/staff/cases/{reference}").get_data(as_text=True)
    assert "No Ombudsman enquiries." in page
    assert f"/staff/cases/{reference}/ombudsman" in page

    empty = _step(officer, app, reference, "ombudsman", {"received_on": ["", "", ""], "lgsco_reference": ""})
    html = empty.get_data(as_text=True)
    check_page(html, "en")
    assert "Enter the date the Ombudsman’s enquiry was received" in html
    assert "Enter the Ombudsman’s reference" in html
    received = date.today()
    response = _step(
        officer, app, reference, "ombudsman", {"received_on": _day(received), "lgsco_reference": "24 001 234"}
    )
    assert response.status_code == 303
    with app.app_context():
        [record] = db.session.scalars(select(OmbudsmanRecord)).all()
        record_id = record.id
        assert (record.received_on, record.lgsco_reference, record.decision) == (received, "24 001 234", None)
    [(_, enquiry)] = _events(app, reference, "ombudsman_enquiry_recorded")
    # The Ombudsman's reference stays on the record, which anonymisation blanks, not in the append-only event.
    assert enquiry["record_id"] == record_id and "24 001 234" not in str(enquiry)

    page = officer.get(f"/staff/cases/{reference}").get_data(as_text=True)
    check_page(page, "en")
    assert "24 001 234" in page and "No decision yet" in page
    decision_path = f"ombudsman/{record_id}"
    assert f"/staff/cases/{reference}/{decision_path}" in page

    form = officer.get(f"/staff/cases/{reference}/{decision_path}").get_data(as_text=True)
    check_page(form, "en")
    html = _step(
        officer,
        app,
        reference,
        decision_path,
        {"remedies": ["financial"], "complied": "yes", "decided_on": ["", "", ""]},
    ).get_data(as_text=True)
    for message in [
        "Select the Ombudsman’s decision",
        "Enter the date of the decision",
        "Enter the amount of financial redress",
        "Enter the date the council did it",
    ]:
        assert message in html
    not_upheld = {"decision": "not_upheld", "decided_on": _day(received), "complied": "no"}
    html = _step(officer, app, reference, decision_path, not_upheld).get_data(as_text=True)
    assert "Select the remedies the Ombudsman asked for" in html

    decision = {
        "decision": "upheld",
        "decided_on": _day(received),
        "remedies": ["apology", "financial", "procedure_change"],
        "amount": "250",
        "remedy": "Apologise, pay £250 and review the missed-bin procedure within 3 months.",
        "complied": "yes",
        "complied_on": _day(received),
        "note": "Paid by BACS.",
    }
    assert _step(officer, app, reference, decision_path, decision).status_code == 303
    with app.app_context():
        record = db.session.get(OmbudsmanRecord, record_id)
        assert (record.decision, record.decided_on, record.amount_pence) == ("upheld", received, 25000)
        assert record.remedy_kinds == ["apology", "financial", "procedure_change"]
        assert (record.complied, record.complied_on, record.note) == (True, received, "Paid by BACS.")
    [(actor, detail)] = _events(app, reference, "ombudsman_decision_recorded")
    assert actor is not None
    assert detail["before"]["decision"] is None and detail["after"]["decision"] == "upheld"
    assert detail["after"]["amount_pence"] == 25000 and detail["after"]["complied"] is True
    assert detail["after"]["note_written"] is True and "Paid by BACS." not in str(detail)

    page = officer.get(f"/staff/cases/{reference}").get_data(as_text=True)
    check_page(page, "en")
    for words in ["Upheld", "Financial redress: £250.00", "Change to a procedure", "Yes, on", "Paid by BACS."]:
        assert words in page, words
    assert "Ombudsman decision recorded" in page
    # The form comes back filled in, to correct it; taking the money away drops the amount.
    again = officer.get(f"/staff/cases/{reference}/{decision_path}").get_data(as_text=True)
    assert 'value="250.00"' in again and "Paid by BACS." in again
    corrected = {**decision, "remedies": ["apology"], "amount": "250"}
    assert _step(officer, app, reference, decision_path, corrected).status_code == 303
    with app.app_context():
        record = db.session.get(OmbudsmanRecord, record_id)
        assert (record.remedy_kinds, record.amount_pence) == (["apology"], None)
    assert len(_events(app, reference, "ombudsman_decision_recorded")) == 2


def test_an_ombudsman_decision_cannot_come_before_its_enquiry_or_in_the_future(app, client):
    reference = lodge(client)
    officer = staff_client(app, "officer")
    today = date.today()
    _step(officer, app, reference, "ombudsman", {"received_on": _day(today), "lgsco_reference": "24 009 999"})
    with app.app_context():
        record_id = db.session.scalar(select(OmbudsmanRecord.id))
    before = date.fromordinal(today.toordinal() - 1)
    after = date.fromordinal(today.toordinal() + 1)
    html = _step(
        officer, app, reference, f"ombudsman/{record_id}", {"decision": "upheld", "decided_on": _day(before)}
    ).get_data(as_text=True)
    assert "the decision cannot come before the enquiry was received" in html
    html = _step(
        officer, app, reference, f"ombudsman/{record_id}", {"decision": "upheld", "decided_on": _day(after)}
    ).get_data(as_text=True)
    assert "the date of the decision cannot be in the future" in html
    html = _step(
        officer, app, reference, "ombudsman", {"received_on": _day(after), "lgsco_reference": "24 009 998"}
    ).get_data(as_text=True)
    assert "cannot be in the future" in html
    assert _events(app, reference, "ombudsman_decision_recorded") == []


def test_an_ombudsman_record_belongs_to_the_case_in_the_address(app, client):
    mine = lodge(client)
    other = lodge(client)
    officer = staff_client(app, "officer")
    _step(officer, app, mine, "ombudsman", {"received_on": _day(date.today()), "lgsco_reference": "24 000 001"})
    with app.app_context():
        record_id = db.session.scalar(select(OmbudsmanRecord.id))
    assert officer.get(f"/staff/cases/{mine}/ombudsman/{record_id}").status_code == 200
    assert officer.get(f"/staff/cases/{other}/ombudsman/{record_id}").status_code == 404
    assert officer.get(f"/staff/cases/{mine}/ombudsman/{record_id + 100}").status_code == 404
    token = csrf_token(officer.get(f"/staff/cases/{other}"))
    response = officer.post(
        f"/staff/cases/{other}/ombudsman/{record_id}",
        data={"csrf_token": token, "version": _version(app, other), "decision": "upheld"},
    )
    assert response.status_code == 404
    assert "24 000 001" not in officer.get(f"/staff/cases/{other}").get_data(as_text=True)


def test_the_due_soon_list_follows_the_chain(app):
    reference = _stage3(app, "2026-12-01")
    with freeze_time("2027-01-12"):
        officer = _officer(app)
        page = officer.get("/staff/due?within=5").get_data(as_text=True)
        assert reference in page  # the panel is due to meet by 15 January
        _panel(officer, app, reference, date(2027, 1, 12))
        assert reference in officer.get("/staff/due?within=5").get_data(as_text=True)  # report due 19 January
    with freeze_time("2027-01-13"):
        officer = _officer(app)
        _report(officer, app, reference, date(2027, 1, 13))
        # The response is due on 3 February: more than 5 working days away.
        assert reference not in officer.get("/staff/due?within=5").get_data(as_text=True)
    assert re.fullmatch(r"[A-Z]{3}-[2-9A-Z]{4}-[2-9A-Z]{4}", reference)


def test_an_extension_shows_in_the_timeline_and_moves_the_version_on(app, client):
    from portal.services.calendar import add_working_days

    reference = lodge(client)
    officer = staff_client(app, "officer")
    stage = _stage(app, reference)
    later = add_working_days(stage.received_on, 30, "GB-ENG")
    version = _version(app, reference)
    response = _step(officer, app, reference, "extend", {"new_date": _day(later), "reason": "Waiting for a report"})
    assert response.status_code == 303
    assert _version(app, reference) != version
    page = officer.get(f"/staff/cases/{reference}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    check_page(html, "en")
    assert f"due_on: {stage.deadline.isoformat()} → {later.isoformat()}" in html
