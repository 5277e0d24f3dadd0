"""The open-data endpoints: JSON that meets the shared contract's schema, the same figures as a tidy CSV."""

import csv
import io
import json
from datetime import date

import pytest
from freezegun import freeze_time
from jsonschema import Draft202012Validator

from portal import PROJECT_ROOT
from portal.extensions import db
from portal.performance.views import CSV_COLUMNS
from portal.services.drafts import save_answers, start_draft
from portal.services.submissions import submit_draft
from tests.figure_builders import StageSpec, add_complaint, add_contact, area

# CI checks the repository out with shared/ beside it, as here.
SCHEMA_PATH = PROJECT_ROOT.parent / "shared" / "contracts" / "performance-data.schema.json"
PERIOD = "from=2024-04-01&to=2025-03-31"


@pytest.fixture(scope="module")
def validator():
    if not SCHEMA_PATH.exists():
        pytest.skip(f"the shared contract's schema is not at {SCHEMA_PATH}: check shared/ out beside the repository")
    schema = json.loads(SCHEMA_PATH.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture
def history(app):
    """A year with something in every section: stages of each kind, contacts, a shown and a suppressed area."""
    with app.app_context():
        waste, libraries = area(), area("Libraries")
        for day in range(1, 21):
            add_complaint(
                StageSpec(
                    date(2024, 5, day), responded_on=date(2024, 5, 28), outcome="upheld", themes=("Communication",)
                ),
                service_area=waste,
            )
        add_complaint(
            StageSpec(date(2024, 6, 3), "childrens", responded_on=date(2024, 6, 10), outcome="not_upheld"),
            StageSpec(date(2024, 7, 1), "childrens", number=2, closed_reason="withdrawn", closed_on=date(2024, 7, 2)),
            service_area=libraries,
        )
        add_complaint(StageSpec(date(2025, 3, 3), "adults"), allocated=False)
        add_complaint(StageSpec(date(2023, 5, 1)))  # the year before
        add_contact("compliment", date(2024, 9, 1), libraries)
        add_contact("suggestion", date(2024, 9, 1))
        db.session.commit()
        db.session.remove()


def _stage(data, process, number):
    (entry,) = [s for s in data["stages"] if s["process"] == process and s["stage"] == number]
    return entry


def test_the_json_meets_the_contract(client, history, validator):
    response = client.get(f"/performance/data.json?{PERIOD}")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    validator.validate(data)
    assert data["period"] == {"from": "2024-04-01", "to": "2025-03-31"}
    assert data["received"] == {
        "complaint": 22,
        "compliment": 1,
        "suggestion": 1,
        "service_request": 0,
        "signposted": 0,
    }
    corporate = _stage(data, "corporate", 1)
    assert (corporate["received"], corporate["responded"], corporate["responded_within_timescale"]) == (20, 20, 20)
    assert _stage(data, "childrens", 2)["closed_other"] == 1
    assert _stage(data, "adults", 1)["open"] == 1
    assert [(a["service_area"], a["received"], a["suppressed"]) for a in data["service_areas"]] == [
        ("Libraries", 2, True),
        ("Waste and recycling", 20, False),
    ]
    assert data["service_areas"][1]["top_themes"] == [{"theme": "Communication", "count": 20, "pct": 100.0}]


def test_an_empty_database_still_meets_the_contract(client, validator):
    response = client.get("/performance/data.json")

    assert response.status_code == 200
    validator.validate(response.get_json())


@freeze_time("2025-06-15")
def test_without_dates_the_period_is_the_last_complete_financial_year(client, history):
    data = client.get("/performance/data.json").get_json()

    assert data["period"] == {"from": "2024-04-01", "to": "2025-03-31"}
    assert data["as_of"] == "2025-06-15"
    assert data["received"]["complaint"] == 22


def test_an_explicit_period_is_used_with_both_ends_inclusive(client, history):
    data = client.get("/performance/data.json?from=2024-05-20&to=2024-06-03").get_json()

    assert data["period"] == {"from": "2024-05-20", "to": "2024-06-03"}
    assert data["received"]["complaint"] == 2  # 20 May and 3 June
    assert _stage(data, "corporate", 1)["received"] == 1


@pytest.mark.parametrize("endpoint", ["/performance/data.json", "/performance/data.csv"])
@pytest.mark.parametrize(
    "query",
    [
        "from=2024-13-01&to=2025-03-31",
        "from=2024-04-01&to=31/03/2025",
        "from=20240401&to=20250331",
        "from=&to=2025-03-31",
        "from=2025-04-01&to=2025-03-31",
        "from=2024-04-01",
        "to=2025-03-31",
    ],
)
def test_a_bad_period_is_a_400_with_a_json_message(client, endpoint, query):
    response = client.get(f"{endpoint}?{query}")

    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "no-store" in response.headers["Cache-Control"]


def _csv_rows(response) -> list[dict]:
    text = response.get_data().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_csv_is_tidy_with_a_header_row(client, history):
    response = client.get(f"/performance/data.csv?{PERIOD}")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.mimetype_params["charset"] == "utf-8"
    assert 'filename="complaints-performance-2024-04-01-to-2025-03-31.csv"' in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.split(b"\r\n")[0].decode() == ",".join(CSV_COLUMNS)
    rows = _csv_rows(response)
    assert all(None not in row and len(row) == len(CSV_COLUMNS) for row in rows)
    assert {row["period_from"] for row in rows} == {"2024-04-01"}
    assert {row["section"] for row in rows} == {
        "received",
        "stage",
        "total_by_stage",
        "service_area",
        "service_area_theme",
        "service_area_unallocated",
        "setting",
    }
    for row in rows:
        assert row["value"] == "" or float(row["value"]) >= 0, row


def test_the_csv_holds_the_same_figures_as_the_json(client, history):
    data = client.get(f"/performance/data.json?{PERIOD}").get_json()
    rows = _csv_rows(client.get(f"/performance/data.csv?{PERIOD}"))

    def value(section, measure, **where):
        (row,) = [r for r in rows if r["section"] == section and r["measure"] == measure and _matches(r, where)]
        return row["value"]

    for case_type, count in data["received"].items():
        assert value("received", case_type) == str(count)
    for entry in data["stages"]:
        where = {"process": entry["process"], "stage": str(entry["stage"])}
        assert value("stage", "received", **where) == str(entry["received"])
        assert value("stage", "open_overdue", **where) == str(entry["open_overdue"])
        assert value("stage", "outcome_upheld", **where) == str(entry["outcomes"]["upheld"])
        pct = entry["within_timescale_pct"]
        assert value("stage", "within_timescale_pct", **where) == ("" if pct is None else str(pct))
    for entry in data["totals_by_stage"]:
        assert value("total_by_stage", "responded", stage=str(entry["stage"])) == str(entry["responded"])
    for entry in data["service_areas"]:
        where = {"service_area": entry["service_area"], "directorate": entry["directorate"]}
        assert value("service_area", "received", **where) == str(entry["received"])
        assert value("service_area", "suppressed", **where) == str(int(entry["suppressed"]))
        for theme in entry["top_themes"]:
            assert value("service_area_theme", "pct", theme=theme["theme"], **where) == str(theme["pct"])
    assert value("service_area_unallocated", "received") == "1"
    assert value("setting", "small_numbers_threshold") == "20"


def _matches(row: dict, where: dict) -> bool:
    return all(row[column] == wanted for column, wanted in where.items())


def test_a_name_that_looks_like_a_formula_stays_text_in_the_csv(app, client):
    with app.app_context():
        add_complaint(StageSpec(date(2024, 5, 1)), service_area=area("=HYPERLINK(1)", "+Place"))
        db.session.commit()
        db.session.remove()

    (row,) = [r for r in _csv_rows(client.get(f"/performance/data.csv?{PERIOD}")) if r["section"] == "service_area"][:1]

    assert (row["directorate"], row["service_area"]) == ("'+Place", "'=HYPERLINK(1)")


@pytest.mark.parametrize("endpoint", ["/performance/data.json", "/performance/data.csv"])
def test_open_data_may_be_read_by_any_site_and_cached_by_anyone(app, client, endpoint):
    response = client.get(f"{endpoint}?{PERIOD}")

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.cache_control.public
    assert response.cache_control.max_age == app.config["CACHE_DEFAULT_TIMEOUT"]
    assert "Set-Cookie" not in response.headers


def test_the_json_and_the_csv_share_one_computation_for_the_cache_lifetime(app, client):
    first = client.get(f"/performance/data.json?{PERIOD}").get_json()
    with app.app_context():
        add_complaint(StageSpec(date(2024, 5, 1)))
        db.session.commit()
        db.session.remove()

    again = client.get(f"/performance/data.json?{PERIOD}").get_json()
    rows = _csv_rows(client.get(f"/performance/data.csv?{PERIOD}"))

    assert again == first
    assert [r["value"] for r in rows if r["section"] == "received" and r["measure"] == "complaint"] == ["0"]
    assert client.get("/performance/data.json?from=2024-04-01&to=2025-03-30").get_json()["received"]["complaint"] == 1


def test_no_personal_data_is_published(app, client):
    secrets = {
        "name": "Zebedee Quixote-Marchbanks",
        "email": "zq.marchbanks@example.org",
        "phone": "07700 900461",
        "address": "17 Lantern Yard, Nowhereton, ZZ9 9ZZ",
        "description": "The periwinkle wheelie bin vanished on a Tuesday",
        "desired_outcome": "Return the periwinkle bin",
    }
    with app.test_request_context():  # the receipt email links back to the portal
        waste = area()
        draft = start_draft()
        save_answers(
            draft,
            {
                "type": "complaint",
                "service_area_id": str(waste.id),
                "preferred_contact": "email",
                "language": "en",
                "on_behalf": "no",
                **secrets,
            },
        )
        case, created = submit_draft(draft, today=date(2024, 10, 1))
        assert created
        secrets["reference"] = case.reference
        stage = case.stages[0]
        stage.responded_on, stage.outcome = date(2024, 10, 8), "upheld"
        stage.within_timescale = True
        stage.response_text = "Dear Zebedee, we found the periwinkle bin"
        db.session.commit()
        db.session.remove()

    json_body = client.get(f"/performance/data.json?{PERIOD}").get_data(as_text=True)
    csv_body = client.get(f"/performance/data.csv?{PERIOD}").get_data(as_text=True)

    assert json.loads(json_body)["received"]["complaint"] == 1  # the case is in the figures...
    for body in (json_body, csv_body):
        for secret in (*secrets.values(), "Zebedee", "periwinkle", "900461", "Marchbanks"):
            assert secret.lower() not in body.lower(), secret  # ...and nothing about who made it
