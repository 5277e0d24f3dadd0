"""Demonstration data: service areas, themes, staff and a few cases, for trying the portal out."""

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, Contact, Stage
from portal.models.enums import ActorType, CaseStatus, CaseType, Channel, Outcome, Process
from portal.services.content import DIRECTORATE, SERVICE_AREA, ensure_translation
from portal.services.events import record_event
from portal.services.figures import last_complete_financial_year
from portal.services.lgsco_annual import LgscoInput, get_year, save_year
from portal.services.organisation import ensure_default_themes, ensure_service_area
from portal.services.references import generate_reference
from portal.services.timescales import compute_deadline, ensure_default_timescales
from portal.services.users import create_user, find_user_by_email

DEMO_SERVICE_AREAS = {
    "Adults": ["Adult social care", "Occupational therapy"],
    "Children's": ["Children's social care", "Special educational needs and disabilities"],
    "Education": ["School admissions", "Home to school transport"],
    "Place": ["Waste and recycling", "Planning", "Highways", "Environmental services", "Libraries"],
    "Exchequer": ["Council tax", "Income and debt"],
}
# A few names in Welsh and Polish; the rest show in English, marked as English, on pages in those languages.
DEMO_TRANSLATIONS = {
    (DIRECTORATE, "Place"): {"cy": "Lle"},
    (DIRECTORATE, "Exchequer"): {"cy": "Trysorlys", "pl": "Finanse"},
    (SERVICE_AREA, "Waste and recycling"): {"cy": "Gwastraff ac ailgylchu", "pl": "Odpady i recykling"},
    (SERVICE_AREA, "Council tax"): {"cy": "Treth gyngor", "pl": "Podatek lokalny (council tax)"},
    (SERVICE_AREA, "Libraries"): {"cy": "Llyfrgelloedd", "pl": "Biblioteki"},
    (SERVICE_AREA, "Highways"): {"cy": "Priffyrdd"},
}
DEMO_PASSWORD = "demo-password-change-me"  # noqa: S105 - printed for local trying-out only
# The demo accounts' authenticator secret, public like their password: add it to an app, or print the current code
# with `flask --app portal demo-code`. Real accounts each set up their own secret at their first sign-in.
DEMO_TOTP_SECRET = "DEMOCODEDEMOCODEDEMOCODEDEMOCODE"  # noqa: S105 - printed for local trying-out only
DEMO_STAFF = [
    ("officer@example.gov.uk", "officer", "Olu Officer"),
    ("manager@example.gov.uk", "manager", "Mina Manager"),
    ("admin@example.gov.uk", "admin", "Ade Admin"),
    # A children's Stage 2 needs an independent investigating officer and an independent person.
    ("investigator@example.gov.uk", "investigator", "Ifan Investigator"),
    ("independent@example.gov.uk", "investigator", "Ina Independent"),
]
DEMO_CASES = [
    # type, directorate, service, days ago, description, language, responded outcome
    (
        CaseType.COMPLAINT,
        "Place",
        "Waste and recycling",
        3,
        "My green bin has been missed three weeks running.",
        "en",
        None,
    ),
    (CaseType.COMPLAINT, "Exchequer", "Council tax", 30, "I was charged twice for March.", "cy", Outcome.PARTLY_UPHELD),
    (
        CaseType.COMPLIMENT,
        "Place",
        "Libraries",
        5,
        "The staff at the central library helped my son with his CV.",
        "en",
        None,
    ),
    (CaseType.SUGGESTION, "Place", "Highways", 8, "Please add a dropped kerb outside the post office.", "en", None),
]


def load_demo_data(today: date | None = None) -> dict:
    """Create the demonstration data that is not there yet; return what was created."""
    today = today or date.today()
    ensure_default_timescales()
    ensure_default_themes()
    for directorate, areas in DEMO_SERVICE_AREAS.items():
        for area in areas:
            ensure_service_area(directorate, area)
    for (kind, source), texts in DEMO_TRANSLATIONS.items():
        for language, text in texts.items():
            ensure_translation(kind, source, language, text)
    db.session.commit()

    created_staff = []
    for email, role, name in DEMO_STAFF:
        if find_user_by_email(email) is None:
            user = create_user(email, role, DEMO_PASSWORD, name=name)
            user.totp_secret = DEMO_TOTP_SECRET
            db.session.commit()
            created_staff.append(email)

    created_cases = 0
    if db.session.scalar(select(Case.id).limit(1)) is None:
        for case_type, directorate, area_name, days_ago, text, language, outcome in DEMO_CASES:
            _add_demo_case(
                case_type, ensure_service_area(directorate, area_name), days_ago, text, language, outcome, today
            )
            created_cases += 1
        db.session.commit()
    lgsco_year = _add_demo_ombudsman_figures(today)
    return {"staff": created_staff, "cases": created_cases, "ombudsman_year": lgsco_year}


# Made-up figures in the shape of an Ombudsman annual letter; the averages are 2022/23's for similar authorities.
DEMO_OMBUDSMAN = LgscoInput(
    categories={"adult_care": 9, "benefits_tax": 6, "corporate": 4, "education_children": 11, "highways": 5},
    detailed_investigations=12,
    upheld=Decimal("75.0"),
    upheld_average=Decimal("77.0"),
    compliance=Decimal("100.0"),
    compliance_average=Decimal("99.0"),
    remedy=Decimal("11.1"),
    remedy_average=Decimal("10.0"),
)


def _add_demo_ombudsman_figures(today: date) -> int | None:
    """Publish demonstration Ombudsman figures for the last complete financial year, unless it has some."""
    start_year = last_complete_financial_year(today)[0].year
    if get_year(start_year) is not None:
        return None
    admin = find_user_by_email(DEMO_STAFF[2][0])
    save_year(start_year, DEMO_OMBUDSMAN, admin, new=True, publish=True)
    db.session.commit()
    return start_year


def _add_demo_case(case_type, area, days_ago, text, language, outcome, today) -> None:
    received = today - timedelta(days=days_ago)
    resident = Contact(
        name="Demo Resident", email="resident@example.com", language=language, preferred_contact="email", adjustments=[]
    )
    case = Case(
        reference=generate_reference(case_type),
        type=case_type,
        status=CaseStatus.RESPONDED if outcome else CaseStatus.RECEIVED,
        channel=Channel.WEB,
        language=language,
        received_on=received,
        service_area=area,
        resident=resident,
        description=text,
        occurred_on=received - timedelta(days=2),
        desired_outcome="Put it right, please." if case_type == CaseType.COMPLAINT else None,
    )
    if case_type == CaseType.COMPLAINT:
        deadline = compute_deadline(Process.CORPORATE, 1, received)
        responded = received + timedelta(days=14) if outcome else None
        case.stages.append(
            Stage(
                process=Process.CORPORATE,
                number=1,
                received_on=received,
                deadline=deadline,
                responded_on=responded,
                within_timescale=(responded <= deadline) if responded else None,
                outcome=outcome,
            )
        )
    db.session.add(case)
    record_event(case, "case_submitted", ActorType.SYSTEM, channel=Channel.WEB, demo=True)
