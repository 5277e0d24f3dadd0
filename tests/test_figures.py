"""The public performance figures, computed for hand-made histories whose right answers are worked out by hand."""

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.services.figures import (
    InvalidPeriod,
    compute_figures,
    last_complete_financial_year,
    parse_period,
    percentage,
)
from tests.figure_builders import StageSpec, add_complaint, add_contact, area

FY_2024 = (date(2024, 4, 1), date(2025, 3, 31))
FY_2025 = (date(2025, 4, 1), date(2026, 3, 31))
LATER = date(2026, 6, 1)


def figures(period=FY_2024, today=LATER) -> dict:
    db.session.commit()
    return compute_figures(*period, today)


def stage_of(result: dict, process: str, number: int) -> dict:
    (entry,) = [s for s in result["stages"] if s["process"] == process and s["stage"] == number]
    return entry


def total_of(result: dict, number: int) -> dict:
    (entry,) = [s for s in result["totals_by_stage"] if s["stage"] == number]
    return entry


def area_of(result: dict, name: str) -> dict:
    (entry,) = [a for a in result["service_areas"] if a["service_area"] == name]
    return entry


# Deadlines and the within-timescale count


def test_a_response_on_the_deadline_day_is_within_and_the_day_after_is_not(database):
    # Corporate Stage 1 is 20 working days; June 2024 has no bank holiday: Monday 3 June + 4 weeks.
    on_time = add_complaint(StageSpec(date(2024, 6, 3), responded_on=date(2024, 7, 1)))
    add_complaint(StageSpec(date(2024, 6, 3), responded_on=date(2024, 7, 2)))
    assert on_time.stages[0].deadline == date(2024, 7, 1)

    stage = stage_of(figures(), "corporate", 1)

    assert (stage["received"], stage["responded"], stage["responded_within_timescale"]) == (2, 2, 1)
    assert stage["within_timescale_pct"] == 50.0


def test_the_deadline_skips_christmas_boxing_day_and_new_year(database):
    # Children's Stage 1 is 10 working days from Thursday 19 December 2024: 20, 23, 24, 27, 30, 31 December,
    # then 2, 3, 6 and 7 January (25, 26 December and 1 January are bank holidays).
    within = add_complaint(StageSpec(date(2024, 12, 19), "childrens", responded_on=date(2025, 1, 7)))
    add_complaint(StageSpec(date(2024, 12, 19), "childrens", responded_on=date(2025, 1, 8)))
    assert within.stages[0].deadline == date(2025, 1, 7)

    stage = stage_of(figures(), "childrens", 1)

    assert (stage["responded"], stage["responded_within_timescale"]) == (2, 1)


def test_the_deadline_skips_good_friday_and_easter_monday(database):
    # From Wednesday 16 April 2025: 17, 22, 23, 24, 25, 28, 29, 30 April, 1 and 2 May (18 and 21 April are holidays).
    within = add_complaint(StageSpec(date(2025, 4, 16), "childrens", responded_on=date(2025, 5, 2)))
    # The next working day is Tuesday 6 May: Monday 5 May is the early May bank holiday.
    add_complaint(StageSpec(date(2025, 4, 16), "childrens", responded_on=date(2025, 5, 6)))
    assert within.stages[0].deadline == date(2025, 5, 2)

    stage = stage_of(figures(FY_2025), "childrens", 1)

    assert (stage["responded"], stage["responded_within_timescale"]) == (2, 1)


def test_an_agreed_extension_moves_the_deadline(database):
    # Children's Stage 1 from Monday 3 June 2024: due Monday 17 June, extended to Monday 1 July.
    extended = StageSpec(date(2024, 6, 3), "childrens", extended_to=date(2024, 7, 1))
    add_complaint(replace(extended, responded_on=date(2024, 6, 25)))
    add_complaint(replace(extended, responded_on=date(2024, 7, 2)))
    add_complaint(extended)  # still open

    stage = stage_of(figures(today=date(2024, 6, 28)), "childrens", 1)

    assert (stage["responded"], stage["responded_within_timescale"]) == (2, 1)
    assert (stage["open"], stage["open_overdue"]) == (1, 0)
    assert stage_of(figures(today=date(2024, 7, 2)), "childrens", 1)["open_overdue"] == 1


def test_the_stored_within_timescale_flag_is_what_counts(database):
    # The back office keeps the flag; a stage it judged within (say, a deadline it recalculated) counts as within.
    case = add_complaint(StageSpec(date(2024, 6, 3), responded_on=date(2024, 8, 1)))
    case.stages[0].within_timescale = True

    assert stage_of(figures(), "corporate", 1)["responded_within_timescale"] == 1


# Which period a stage counts in


def test_a_case_straddling_the_start_counts_its_later_stage_only(database):
    add_complaint(
        StageSpec(date(2024, 3, 20), responded_on=date(2024, 4, 10), outcome="not_upheld"),
        StageSpec(date(2024, 4, 15), number=2, responded_on=date(2024, 5, 1), outcome="upheld"),
    )

    this_year = figures()
    assert total_of(this_year, 1)["received"] == 0
    assert total_of(this_year, 2)["received"] == 1
    assert this_year["received"]["complaint"] == 0  # the complaint itself arrived last year
    assert area_of(this_year, "Waste and recycling")["received"] == 1

    last_year = figures((date(2023, 4, 1), date(2024, 3, 31)))
    stage_one = total_of(last_year, 1)
    # A response sent after the period ends still counts: responded is "at any date up to now".
    assert (stage_one["received"], stage_one["responded"], stage_one["outcomes"]["not_upheld"]) == (1, 1, 1)
    assert total_of(last_year, 2)["received"] == 0
    assert last_year["received"]["complaint"] == 1


def test_a_case_straddling_the_end_counts_its_first_stage_only(database):
    add_complaint(
        StageSpec(date(2025, 3, 28), responded_on=date(2025, 4, 8)),
        StageSpec(date(2025, 4, 20), number=2),
    )

    result = figures()

    assert (total_of(result, 1)["received"], total_of(result, 2)["received"]) == (1, 0)
    assert result["received"]["complaint"] == 1


def test_a_history_that_starts_at_stage_2_counts_as_a_complaint_when_stage_2_arrives(database):
    # An import may bring a case whose Stage 1 predates the council's records.
    add_complaint(StageSpec(date(2024, 6, 3), number=2))

    result = figures()

    assert result["received"]["complaint"] == 1
    assert (total_of(result, 1)["received"], total_of(result, 2)["received"]) == (0, 1)


def test_both_ends_of_the_period_are_inclusive(database):
    add_complaint(StageSpec(date(2024, 4, 1)))
    add_complaint(StageSpec(date(2025, 3, 31)))
    add_complaint(StageSpec(date(2024, 3, 31)))
    add_complaint(StageSpec(date(2025, 4, 1)))

    assert figures()["received"]["complaint"] == 2


def test_an_escalation_within_the_period_is_one_complaint_and_two_stages(database):
    add_complaint(
        StageSpec(date(2024, 5, 1), "childrens", responded_on=date(2024, 5, 10), outcome="not_upheld"),
        StageSpec(date(2024, 6, 1), "childrens", number=2, responded_on=date(2024, 7, 1), outcome="partly_upheld"),
        StageSpec(date(2024, 8, 1), "childrens", number=3),
    )

    result = figures()

    assert result["received"]["complaint"] == 1
    assert [total_of(result, n)["received"] for n in (1, 2, 3)] == [1, 1, 1]
    assert stage_of(result, "childrens", 2)["outcomes"] == {"upheld": 0, "partly_upheld": 1, "not_upheld": 0}
    assert stage_of(result, "childrens", 3)["open"] == 1
    assert area_of(result, "Waste and recycling")["received"] == 3  # complaints (all stages)


# What became of each stage


def test_closed_without_a_response_is_closed_other_not_open_nor_responded(database):
    add_complaint(StageSpec(date(2024, 5, 1), closed_on=date(2024, 5, 3), closed_reason="withdrawn"))
    add_complaint(StageSpec(date(2024, 5, 1), closed_reason="duplicate"))  # an import gives no closing date
    add_complaint(StageSpec(date(2024, 5, 1), closed_on=date(2024, 5, 3), closed_reason="out_of_time"))
    # Responded, then the case was closed: a response, not a closure.
    add_complaint(StageSpec(date(2024, 5, 1), responded_on=date(2024, 5, 20), closed_on=date(2024, 6, 1)))
    add_complaint(StageSpec(date(2024, 5, 1)))

    stage = stage_of(figures(), "corporate", 1)

    assert (stage["received"], stage["responded"], stage["closed_other"], stage["open"]) == (5, 1, 3, 1)


def test_open_overdue_is_judged_on_the_day_given(database):
    add_complaint(StageSpec(date(2024, 6, 3)))  # due Monday 1 July 2024
    add_complaint(StageSpec(date(2024, 6, 3), extended_to=date(2024, 7, 15)))
    add_complaint(StageSpec(date(2024, 6, 3), responded_on=date(2024, 8, 1)))  # late, but not open

    on_the_day = stage_of(figures(today=date(2024, 7, 1)), "corporate", 1)
    day_after = stage_of(figures(today=date(2024, 7, 2)), "corporate", 1)
    after_extension = stage_of(figures(today=date(2024, 7, 16)), "corporate", 1)

    assert (on_the_day["open"], on_the_day["open_overdue"]) == (2, 0)
    assert day_after["open_overdue"] == 1
    assert after_extension["open_overdue"] == 2


def test_outcomes_are_counted_among_the_responded(database):
    for outcome in ("upheld", "upheld", "partly_upheld", "not_upheld"):
        add_complaint(StageSpec(date(2024, 5, 1), "adults", responded_on=date(2024, 5, 20), outcome=outcome))
    add_complaint(StageSpec(date(2024, 5, 1), "adults", number=2, responded_on=date(2024, 5, 20), outcome="upheld"))

    result = figures()

    assert stage_of(result, "adults", 1)["outcomes"] == {"upheld": 2, "partly_upheld": 1, "not_upheld": 1}
    assert total_of(result, 1)["outcomes"] == {"upheld": 2, "partly_upheld": 1, "not_upheld": 1}
    assert total_of(result, 2)["outcomes"]["upheld"] == 1


def test_every_stage_is_responded_closed_or_open(database):
    add_complaint(StageSpec(date(2024, 5, 1), responded_on=date(2024, 5, 2)))
    add_complaint(StageSpec(date(2024, 5, 1), closed_reason="withdrawn", closed_on=date(2024, 5, 2)))
    add_complaint(StageSpec(date(2024, 5, 1)))

    for entry in figures()["stages"] + figures()["totals_by_stage"]:
        assert entry["received"] == entry["responded"] + entry["closed_other"] + entry["open"], entry


def test_totals_by_stage_sum_the_processes(database):
    add_complaint(StageSpec(date(2024, 5, 1), "corporate", responded_on=date(2024, 5, 2)))
    add_complaint(StageSpec(date(2024, 5, 1), "childrens", responded_on=date(2024, 8, 2)))
    add_complaint(StageSpec(date(2024, 5, 1), "adults", responded_on=date(2024, 5, 2)))

    stage_one = total_of(figures(), 1)

    assert (stage_one["received"], stage_one["responded"], stage_one["responded_within_timescale"]) == (3, 3, 2)
    assert stage_one["within_timescale_pct"] == 66.7


def test_one_entry_per_configured_timescale_in_a_stable_order(database):
    result = figures()

    assert [(s["process"], s["stage"]) for s in result["stages"]] == [
        ("corporate", 1),
        ("corporate", 2),
        ("childrens", 1),
        ("childrens", 2),
        ("childrens", 3),
        ("adults", 1),
        ("adults", 2),
    ]
    assert [s["stage"] for s in result["totals_by_stage"]] == [1, 2, 3]
    assert all(s["within_timescale_pct"] is None for s in result["stages"])


# Percentages


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(2, 3, 66.7), (1, 8, 12.5), (1, 16, 6.3), (1, 3, 33.3), (0, 5, 0.0), (5, 5, 100.0), (1, 0, None)],
)
def test_percentages_have_one_decimal_place_and_halves_round_up(part, whole, expected):
    assert percentage(part, whole) == expected


def test_within_timescale_percentages_round_as_a_reader_would(database):
    add_complaint(StageSpec(date(2024, 6, 3), responded_on=date(2024, 6, 10)))
    for _ in range(7):
        add_complaint(StageSpec(date(2024, 6, 3), "adults", responded_on=date(2024, 9, 1)))
    add_complaint(StageSpec(date(2024, 6, 3), "adults", responded_on=date(2024, 6, 4)))

    result = figures()

    assert stage_of(result, "corporate", 1)["within_timescale_pct"] == 100.0
    assert stage_of(result, "adults", 1)["within_timescale_pct"] == 12.5


# What was received


def test_received_counts_complaints_by_first_stage_and_contacts_by_their_date(database):
    for case_type, times in (("compliment", 3), ("suggestion", 2), ("service_request", 1), ("signposted", 1)):
        for _ in range(times):
            add_contact(case_type, date(2024, 9, 1))
    add_contact("compliment", date(2025, 4, 1))  # next year
    add_complaint(StageSpec(date(2024, 9, 1)))
    add_complaint(StageSpec(date(2024, 9, 1)), StageSpec(date(2024, 10, 1), number=2))

    assert figures()["received"] == {
        "complaint": 2,
        "compliment": 3,
        "suggestion": 2,
        "service_request": 1,
        "signposted": 1,
    }


def test_a_stage_left_on_a_case_reclassified_after_its_response_is_not_a_complaint(database):
    add_complaint(StageSpec(date(2024, 9, 1), responded_on=date(2024, 9, 2)), case_type="service_request")

    result = figures()

    assert result["received"]["complaint"] == 0
    assert result["received"]["service_request"] == 1
    assert total_of(result, 1)["received"] == 0


# Service areas, small numbers and themes


def test_service_areas_count_complaint_stages_and_list_only_those_with_some(database):
    libraries, council_tax = area("Libraries"), area("Council tax", "Exchequer")
    add_complaint(StageSpec(date(2024, 5, 1)), service_area=council_tax)
    add_complaint(StageSpec(date(2024, 5, 1)), StageSpec(date(2024, 6, 1), number=2))
    add_complaint(StageSpec(date(2024, 5, 1)), allocated=False)
    add_contact("compliment", date(2024, 5, 1), libraries)

    result = figures()

    assert [(a["directorate"], a["service_area"], a["received"]) for a in result["service_areas"]] == [
        ("Exchequer", "Council tax", 1),
        ("Place", "Waste and recycling", 2),
    ]
    assert result["complaints_without_service_area"] == 1
    assert total_of(result, 1)["received"] == 3


def _complaints(count: int, service_area, themes=()) -> None:
    for _ in range(count):
        add_complaint(StageSpec(date(2024, 5, 1), themes=themes), service_area=service_area)


def test_small_numbers_are_suppressed_below_the_threshold(database):
    _complaints(19, area("Libraries"), ("Communication/Lack of contact",))
    _complaints(20, area("Council tax", "Exchequer"), ("Communication/Lack of contact",))

    result = figures()

    libraries, council_tax = area_of(result, "Libraries"), area_of(result, "Council tax")
    assert (libraries["received"], libraries["suppressed"], libraries["top_themes"]) == (19, True, [])
    assert (council_tax["received"], council_tax["suppressed"]) == (20, False)
    assert council_tax["top_themes"] == [{"theme": "Communication", "count": 20, "pct": 100.0}]
    assert result["small_numbers_threshold"] == 20


def test_the_threshold_is_a_setting(make_app):
    app = make_app(SMALL_NUMBERS_THRESHOLD=3)
    with app.app_context():
        _complaints(3, area("Libraries"), ("Staff conduct/Refusal to assist",))
        result = figures()
        db.session.remove()

    assert result["small_numbers_threshold"] == 3
    assert area_of(result, "Libraries")["top_themes"] == [{"theme": "Staff conduct", "count": 3, "pct": 100.0}]


def test_top_themes_roll_details_up_to_their_top_level_theme(database):
    waste = area()
    _complaints(8, waste, ("Communication/Lack of contact",))
    _complaints(3, waste, ("Communication/No response to calls or messages",))
    # Two details of one top-level theme: the stage counts once towards it.
    _complaints(1, waste, ("Communication/Lack of contact", "Communication/Incorrect or insufficient information"))
    _complaints(4, waste, ("Quality of service/Delay in doing something",))
    # Two top-level themes: the stage counts once towards each.
    _complaints(1, waste, ("Quality of service/Failure to do something", "Staff conduct/Poor staff attitude"))
    _complaints(1, waste, ("Staff conduct",))
    _complaints(1, waste, ("Staff conduct/Refusal to assist",))
    _complaints(1, waste, ("Policy or procedure/Disagrees with policy or procedure",))
    _complaints(1, waste)  # no theme yet: in the denominator, in no theme

    entry = area_of(figures(), "Waste and recycling")

    assert entry["received"] == 21
    assert entry["top_themes"] == [
        {"theme": "Communication", "count": 12, "pct": 57.1},
        {"theme": "Quality of service", "count": 5, "pct": 23.8},
        {"theme": "Staff conduct", "count": 3, "pct": 14.3},
    ]


def test_top_themes_count_themes_from_the_period_only(database):
    waste = area()
    _complaints(20, waste, ("Communication",))
    add_complaint(StageSpec(date(2024, 3, 1), themes=("Staff conduct",)), service_area=waste)

    assert [t["theme"] for t in area_of(figures(), "Waste and recycling")["top_themes"]] == ["Communication"]


# How the figures are computed


def _statements_for(period, today) -> int:
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        compute_figures(*period, today)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_history(database):
    _complaints(20, area(), ("Communication",))
    db.session.commit()
    few = _statements_for(FY_2024, LATER)
    for name in ("Libraries", "Council tax", "Parking", "Planning"):
        _complaints(25, area(name), ("Communication/Lack of contact", "Quality of service"))
    add_contact("compliment", date(2024, 5, 1))
    db.session.commit()

    assert _statements_for(FY_2024, LATER) == few <= 6


def test_no_personal_data_is_read(database):
    add_complaint(StageSpec(date(2024, 5, 1)))
    db.session.commit()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        compute_figures(*FY_2024, LATER)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)

    sql = " ".join(statements).lower()
    for column in ("contact", "reference", "description", "response_text", "extension_reason", "closure_note"):
        assert column not in sql


# The period


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 3, 31), (date(2023, 4, 1), date(2024, 3, 31))),
        (date(2025, 4, 1), (date(2024, 4, 1), date(2025, 3, 31))),
        (date(2025, 1, 15), (date(2023, 4, 1), date(2024, 3, 31))),
        (date(2025, 12, 31), (date(2024, 4, 1), date(2025, 3, 31))),
    ],
)
def test_the_last_complete_financial_year(today, expected):
    assert last_complete_financial_year(today) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (("2024-13-01", "2025-03-31"), "from must be a real date"),
        (("2024-04-01", "2025-02-30"), "to must be a real date"),
        (("20240401", "2025-03-31"), "from must be a real date"),
        (("2024-W14-1", "2025-03-31"), "from must be a real date"),
        (("", "2025-03-31"), "from must be a real date"),
        (("2025-04-01", "2025-03-31"), "from must be on or before to"),
        (("2024-04-01", None), "Give both"),
    ],
)
def test_a_bad_period_is_refused_with_a_reason(given, message):
    with pytest.raises(InvalidPeriod, match=message):
        parse_period(*given, today=date(2025, 6, 1))


def test_one_day_is_a_period(database):
    add_complaint(StageSpec(date(2024, 5, 1)))

    assert figures((date(2024, 5, 1), date(2024, 5, 1)))["received"]["complaint"] == 1
