"""Timescale presets: the Complaint Handling Code counts from the acknowledgement."""

import re
from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, Timescale
from portal.services.calendar import working_days_between
from tests.journey import lodge
from tests.staff import staff_client


def test_the_code_preset_counts_stage_1_from_the_acknowledgement(app, client, runner):
    result = runner.invoke(args=["timescales", "--preset", "complaint-handling-code"])
    assert result.exit_code == 0, result.output
    assert "corporate stage 1: 20 days from received -> 10 days from acknowledged" in result.output
    with app.app_context():
        stage1 = db.session.scalar(select(Timescale).filter_by(process="corporate", stage=1))
        assert (stage1.working_days, stage1.max_working_days, stage1.counts_from) == (10, 20, "acknowledged")
        children = db.session.scalar(select(Timescale).filter_by(process="childrens", stage=1))
        assert (children.working_days, children.counts_from) == (10, "received")

    reference = lodge(client)
    officer = staff_client(app, "officer")
    page = officer.get(f"/staff/cases/{reference}").get_data(as_text=True)
    token = re.search(r'name="ack-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with app.app_context():
        version = db.session.scalar(select(Case.version_id).filter_by(reference=reference))
    officer.post(
        f"/staff/cases/{reference}/acknowledge",
        data={"ack-csrf_token": token, "ack-version": version, "ack-subject": "Thanks", "ack-body": "We have it."},
    )
    with app.app_context():
        stage = db.session.scalar(select(Case).filter_by(reference=reference)).stages[0]
        assert stage.acknowledged_on == date.today()
        assert working_days_between(stage.acknowledged_on, stage.deadline, "GB-ENG") == 10


def test_back_to_the_default_and_nothing_to_change(app, runner):
    assert "Nothing to change." in runner.invoke(args=["timescales", "--preset", "default"]).output
    runner.invoke(args=["timescales", "--preset", "complaint-handling-code"])
    assert (
        "10 days from acknowledged -> 20 days from received"
        in runner.invoke(args=["timescales", "--preset", "default"]).output
    )
    assert runner.invoke(args=["timescales", "--preset", "nonsense"]).exit_code != 0
