"""Each stage carries copies of its case's type and service area, for the figures: kept in step, and backfilled."""

from datetime import date

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from portal.extensions import db
from portal.models import Case, Contact, Directorate, ServiceArea, Stage, Theme
from portal.models.enums import CaseStatus
from portal.services.triage import allocate_case, classify_case
from portal.services.users import create_user
from tests.conftest import empty_database
from tests.figure_builders import StageSpec, add_complaint, area, theme
from tests.journey import lodge


def copies(case: Case) -> list[tuple[str, int | None]]:
    """What the database holds on the case's stages, read past the session."""
    rows = db.session.execute(
        select(Stage.case_type, Stage.service_area_id).where(Stage.case_id == case.id).order_by(Stage.number)
    )
    return [tuple(row) for row in rows]


def stored_tops(stage: Stage) -> str | None:
    return db.session.execute(select(Stage.top_theme_ids).where(Stage.id == stage.id)).scalar_one()


def officer():
    return create_user("officer@example.gov.uk", "officer", "a long enough password")


def test_a_submitted_complaint_has_no_service_area_until_triage_gives_it_one(app, client):
    reference = lodge(client, {"service": {"service": "not_sure"}})
    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(reference=reference))
        assert copies(case) == [("complaint", None)]
        waste = area()
        classify_case(case, officer(), case.version_id, "complaint", "corporate", service_area_id=waste.id)
        assert copies(case) == [("complaint", waste.id)]


def test_allocating_to_another_service_area_moves_every_stage(database):
    case = add_complaint(
        StageSpec(date(2024, 5, 1), responded_on=date(2024, 5, 20)), StageSpec(date(2024, 6, 1), number=2)
    )
    db.session.commit()
    assert copies(case) == [("complaint", area().id)] * 2
    planning = area("Planning")
    user = officer()
    allocate_case(case, user, case.version_id, user, planning.id, None)
    assert copies(case) == [("complaint", planning.id)] * 2


def test_a_complaint_reclassified_after_a_response_keeps_its_stage_as_a_service_request(database):
    case = add_complaint(StageSpec(date(2024, 5, 1), responded_on=date(2024, 5, 20)))
    db.session.commit()
    classify_case(case, officer(), case.version_id, "service_request")
    assert copies(case) == [("service_request", area().id)]


def test_a_service_area_created_with_the_case_reaches_its_stage(database):
    directorate = Directorate(name="Housing")
    new_area = ServiceArea(directorate=directorate, name="Homelessness", active=True)
    case = Case(
        reference="NEW-0001",
        type="complaint",
        status=CaseStatus.RECEIVED,
        received_on=date(2024, 5, 1),
        service_area=new_area,
        resident=Contact(name="Someone", adjustments=[]),
        description="A complaint",
        stages=[Stage(process="corporate", number=1, received_on=date(2024, 5, 1), deadline=date(2024, 5, 30))],
    )
    db.session.add(case)
    db.session.commit()
    assert new_area.id is not None
    assert copies(case) == [("complaint", new_area.id)]


def test_a_stage_added_by_its_case_id_alone_takes_the_case_values(database):
    case = add_complaint(StageSpec(date(2024, 5, 1), responded_on=date(2024, 5, 20)))
    db.session.commit()
    db.session.add(
        Stage(case_id=case.id, process="corporate", number=2, received_on=date(2024, 6, 1), deadline=date(2024, 7, 1))
    )
    db.session.commit()
    assert copies(case) == [("complaint", area().id)] * 2


def test_a_stage_lists_the_top_level_themes_of_its_themes_once_each_as_they_change(database):
    quality, communication = theme("Quality of service"), theme("Communication")
    case = add_complaint(
        StageSpec(
            date(2024, 5, 1),
            responded_on=date(2024, 5, 20),
            themes=(
                "Quality of service",
                "Quality of service/Delay in doing something",
                "Communication/Lack of contact",
            ),
        )
    )
    db.session.commit()
    (stage,) = case.stages
    first, second = sorted((quality.id, communication.id))
    assert stored_tops(stage) == stage.top_theme_ids == f",{first},{second},"

    stage.themes = [theme("Poor staff attitude", "Staff conduct")]
    db.session.commit()
    assert stored_tops(stage) == f",{theme('Staff conduct').id},"

    new_top = Theme(name="Accessibility", active=True)
    stage.themes = [new_top]  # a theme written in the same flush: its id is known only afterwards
    db.session.commit()
    assert stored_tops(stage) == f",{new_top.id},"

    stage.themes = []
    db.session.commit()
    assert stored_tops(stage) is None


def test_the_migration_copies_each_case_onto_its_existing_stages(app):
    with app.app_context():
        empty_database()
        upgrade(revision="0006")
        statements = (
            "INSERT INTO directorate (id, name, position) VALUES (1, 'Place', 0)",
            "INSERT INTO service_area (id, directorate_id, name, active) VALUES (7, 1, 'Waste', true)",
            "INSERT INTO contact (id, name, language, adjustments) VALUES (1, 'Someone', 'en', '[]')",
            'INSERT INTO "case" (id, reference, type, status, channel, language, received_at, received_on, '
            "service_area_id, resident_id, consent_confirmed, description, version_id) VALUES "
            "(1, 'A', 'complaint', 'received', 'web', 'en', '2024-05-01 09:00', '2024-05-01', 7, 1, false, 'x', 1), "
            "(2, 'B', 'service_request', 'received', 'web', 'en', '2024-05-01 09:00', '2024-05-01', NULL, 1, false, "
            "'x', 1)",
            "INSERT INTO stage (id, case_id, process, number, received_on, deadline) VALUES "
            "(1, 1, 'corporate', 1, '2024-05-01', '2024-05-30'), (2, 1, 'corporate', 2, '2024-06-01', '2024-06-28'), "
            "(3, 2, 'corporate', 1, '2024-05-01', '2024-05-30')",
            # Stage 1: a top-level theme and one of its details, and a detail of another; stage 2: none.
            "INSERT INTO stage_theme (stage_id, theme_id) SELECT 1, id FROM theme WHERE name IN "
            "('Quality of service', 'Delay in doing something', 'Lack of contact')",
            "INSERT INTO stage_theme (stage_id, theme_id) SELECT 3, id FROM theme WHERE name = 'Staff conduct'",
        )
        with db.engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
        upgrade(revision="0007")
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, case_type, service_area_id, top_theme_ids FROM stage ORDER BY id")
            ).all()
            top = dict(connection.execute(text("SELECT name, id FROM theme WHERE parent_id IS NULL")).all())
        quality, communication, conduct = top["Quality of service"], top["Communication"], top["Staff conduct"]
        assert [tuple(row) for row in rows] == [
            (1, "complaint", 7, f",{min(quality, communication)},{max(quality, communication)},"),
            (2, "complaint", 7, None),
            (3, "service_request", None, f",{conduct},"),
        ]
        downgrade(revision="0006")
        empty_database()
        db.create_all()
