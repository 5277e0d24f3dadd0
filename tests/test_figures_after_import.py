"""The figures after importing a spreadsheet match the same figures worked out from the spreadsheet's rows.

The rows are made up (seeded, so the same each run) to reach every figure: all three processes and their stages,
escalations and a history that starts at Stage 2, responses early, on the day and late, extensions, outcomes,
closures without a response, open stages overdue and not, themes with and without a detail, areas above and below
the small-numbers threshold, a service area the import creates, every other type of contact, and dates either side
of the period's ends. The expected figures come from the rows alone, with this file's own working-day arithmetic
(England's bank holidays written out below), not from the portal's calendar, deadlines or queries.
"""

import csv
import random
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from portal.config import DEFAULT_TIMESCALES
from portal.extensions import db
from portal.services.figures import compute_figures
from portal.services.importer import COLUMNS

PERIOD = (date(2024, 4, 1), date(2025, 3, 31))
AS_OF = date(2025, 6, 2)
THRESHOLD = 8
# gov.uk/bank-holidays, England and Wales.
BANK_HOLIDAYS = {
    date(2024, 1, 1), date(2024, 3, 29), date(2024, 4, 1), date(2024, 5, 6), date(2024, 5, 27), date(2024, 8, 26),
    date(2024, 12, 25), date(2024, 12, 26), date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5),
    date(2025, 5, 26), date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1),
}  # fmt: skip
WORKING_DAYS = {(process, stage): days for process, stage, days, _longest in DEFAULT_TIMESCALES}
AREAS = [
    ("Place", "Waste and recycling", 30),
    ("Place", "Libraries", 12),
    ("Exchequer", "Council tax", 8),
    ("Housing", "Homelessness", 1),  # not configured: the import creates it
]
THEMES = {
    "Quality of service": ["Failure to do something", "Delay in doing something"],
    "Communication": ["Lack of contact", "No response to calls or messages"],
    "Staff conduct": ["Poor staff attitude"],
    "Policy or procedure": [],
}
OTHER_TYPES = {"compliment": "CPL", "suggestion": "SUG", "service_request": "SRQ", "signposted": "SGN"}


def deadline(received: date, days: int) -> date:
    day = received
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in BANK_HOLIDAYS:
            days -= 1
    return day


def pct(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return float((Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def make_rows() -> list[dict]:
    """A made-up history from January 2024 to December 2025, one row per stage or other contact."""
    rng = random.Random(20250602)  # noqa: S311 - made-up data, repeatable on purpose
    start, days = date(2024, 1, 1), 700
    rows = []
    weights = [weight for _d, _a, weight in AREAS]
    for number in range(320):
        directorate, service_area, _weight = rng.choices(AREAS, weights)[0]
        received = start + timedelta(days=rng.randrange(days))
        common = {"directorate": directorate, "service_area": service_area}
        if number % 5 == 4:
            case_type = list(OTHER_TYPES)[number % 4]
            reference = f"{OTHER_TYPES[case_type]}-{number:05d}"
            rows.append({"case_reference": reference, "type": case_type, "received_on": received.isoformat(), **common})
            continue
        process = rng.choice(("corporate", "corporate", "childrens", "adults"))
        last_stage = 3 if process == "childrens" else 2
        first = 2 if number % 37 == 0 else 1  # the spreadsheet starts at Stage 2: Stage 1 was before it
        stage, stage_received = first, received
        while True:
            row = {
                "case_reference": f"CMP-{number:05d}",
                "type": "complaint",
                "process": process,
                "stage": str(stage),
                "received_on": stage_received.isoformat(),
                **common,
            }
            due = deadline(stage_received, WORKING_DAYS[process, stage])
            if rng.random() < 0.1:
                due = due + timedelta(days=rng.randrange(5, 30))
                row["extended_to"] = due.isoformat()
            fate = rng.random()
            if fate < 0.7:
                # Around the deadline: early, on the day, the day after, late.
                responded = due + timedelta(days=rng.choice((-12, -3, -1, 0, 0, 1, 2, 9)))
                responded = max(responded, stage_received)
                row["responded_on"] = responded.isoformat()
                row["outcome"] = rng.choice(("upheld", "partly_upheld", "not_upheld", ""))
                if rng.random() < 0.85:
                    theme = rng.choice(list(THEMES))
                    row["theme"] = theme
                    if THEMES[theme] and rng.random() < 0.6:
                        row["theme_detail"] = rng.choice(THEMES[theme])
            elif fate < 0.8:
                row["closed_reason"] = rng.choice(("withdrawn", "duplicate", "out_of_time"))
            rows.append(row)
            escalate = "responded_on" in row and stage < last_stage and rng.random() < 0.45
            if not escalate:
                break
            stage += 1
            stage_received = date.fromisoformat(row["responded_on"]) + timedelta(days=rng.randrange(1, 40))
    return rows


def expected_figures(rows: list[dict], period: tuple[date, date] = PERIOD) -> dict:
    """The figures for a period as of AS_OF, worked out from the rows as the contracts define them."""
    period_from, period_to = period
    in_period = lambda day: period_from <= date.fromisoformat(day) <= period_to  # noqa: E731
    complaints = [row for row in rows if row["type"] == "complaint"]
    first_stage = {}
    for row in complaints:
        reference = row["case_reference"]
        if reference not in first_stage or int(row["stage"]) < int(first_stage[reference]["stage"]):
            first_stage[reference] = row
    received = {kind: 0 for kind in ("complaint", *OTHER_TYPES)}
    received["complaint"] = sum(in_period(row["received_on"]) for row in first_stage.values())
    for row in rows:
        if row["type"] != "complaint" and in_period(row["received_on"]):
            received[row["type"]] += 1

    measures = defaultdict(Counter)
    by_area = Counter()
    themes = defaultdict(Counter)
    for row in complaints:
        if not in_period(row["received_on"]):
            continue
        process, number = row["process"], int(row["stage"])
        counts = measures[process, number]
        due = date.fromisoformat(row.get("extended_to") or "") if row.get("extended_to") else None
        due = due or deadline(date.fromisoformat(row["received_on"]), WORKING_DAYS[process, number])
        counts["received"] += 1
        if row.get("responded_on"):
            counts["responded"] += 1
            counts["responded_within_timescale"] += date.fromisoformat(row["responded_on"]) <= due
            if row.get("outcome"):
                counts[row["outcome"]] += 1
        elif row.get("closed_reason"):
            counts["closed_other"] += 1
        else:
            counts["open"] += 1
            counts["open_overdue"] += due < AS_OF
        area_key = (row["directorate"], row["service_area"])
        by_area[area_key] += 1
        if row.get("theme"):
            themes[area_key][row["theme"]] += 1

    def figures(counts: Counter) -> dict:
        return {
            "received": counts["received"],
            "responded": counts["responded"],
            "responded_within_timescale": counts["responded_within_timescale"],
            "within_timescale_pct": pct(counts["responded_within_timescale"], counts["responded"]),
            "open": counts["open"],
            "open_overdue": counts["open_overdue"],
            "closed_other": counts["closed_other"],
            "outcomes": {outcome: counts[outcome] for outcome in ("upheld", "partly_upheld", "not_upheld")},
        }

    configured = [(process, stage) for process, stage, _days, _longest in DEFAULT_TIMESCALES]
    totals = defaultdict(Counter)
    for process, number in configured:
        totals[number].update(measures[process, number])
    areas = []
    for (directorate, service_area), count in by_area.items():
        shown = count >= THRESHOLD
        ranked = sorted(themes[directorate, service_area].items(), key=lambda item: (-item[1], item[0]))[:3]
        areas.append(
            {
                "directorate": directorate,
                "service_area": service_area,
                "received": count,
                "suppressed": not shown,
                "top_themes": [{"theme": t, "count": n, "pct": pct(n, count)} for t, n in ranked] if shown else [],
            }
        )
    return {
        "received": received,
        "stages": [{"process": p, "stage": n, **figures(measures[p, n])} for p, n in configured],
        "totals_by_stage": [{"stage": n, **figures(totals[n])} for n in sorted(totals)],
        "service_areas": sorted(areas, key=lambda a: (a["directorate"], a["service_area"])),
        "complaints_without_service_area": 0,
    }


@pytest.fixture
def imported(make_app, tmp_path):
    app = make_app(SMALL_NUMBERS_THRESHOLD=THRESHOLD)
    rows = make_rows()
    path = tmp_path / "history.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    result = app.test_cli_runner().invoke(args=["import-cases", str(path)])
    assert result.exit_code == 0, result.output
    return app, rows


def test_the_rows_reach_every_figure(imported):
    _app, rows = imported
    expected = expected_figures(rows)
    stage = {(s["process"], s["stage"]): s for s in expected["stages"]}
    assert all(count > 0 for count in expected["received"].values())
    assert all(stage[key]["received"] > 0 for key in stage)
    for measure in ("responded", "open", "open_overdue", "closed_other"):
        assert expected["totals_by_stage"][0][measure] > 0
    assert any(0 < s["responded_within_timescale"] < s["responded"] for s in expected["stages"])
    assert {a["suppressed"] for a in expected["service_areas"]} == {True, False}
    assert any(len(a["top_themes"]) == 3 for a in expected["service_areas"])
    assert any(row.get("theme_detail") for row in rows) and any(row.get("extended_to") for row in rows)
    lowest = defaultdict(set)
    for row in rows:
        if row["type"] == "complaint":
            lowest[row["case_reference"]].add(int(row["stage"]))
    assert any(min(stages) == 2 for stages in lowest.values())
    assert any(len(stages) == 3 for stages in lowest.values())


def test_the_figures_after_an_import_match_the_figures_from_its_rows(imported):
    app, rows = imported
    with app.app_context():
        figures = compute_figures(*PERIOD, AS_OF)
        db.session.remove()
    expected = expected_figures(rows)

    assert figures["received"] == expected["received"]
    assert figures["stages"] == expected["stages"]
    assert figures["totals_by_stage"] == expected["totals_by_stage"]
    ordered = sorted(figures["service_areas"], key=lambda a: (a["directorate"], a["service_area"]))
    assert ordered == expected["service_areas"]
    assert figures["complaints_without_service_area"] == expected["complaints_without_service_area"]
    assert figures["small_numbers_threshold"] == THRESHOLD


@pytest.mark.parametrize(
    "period",
    [
        (date(2024, 1, 1), date(2024, 3, 31)),
        (date(2024, 10, 1), date(2024, 12, 31)),
        (date(2025, 4, 1), date(2025, 12, 31)),
    ],
)
def test_other_periods_match_too(imported, period):
    app, rows = imported
    with app.app_context():
        figures = compute_figures(*period, AS_OF)
        db.session.remove()
    expected = expected_figures(rows, period)

    assert figures["received"] == expected["received"]
    assert figures["stages"] == expected["stages"]
    ordered = sorted(figures["service_areas"], key=lambda a: (a["directorate"], a["service_area"]))
    assert ordered == expected["service_areas"]
