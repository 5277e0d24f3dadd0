"""A SQLite database with 100,000 cases for the back-office bench, built once and kept between runs.

`flask --app portal db upgrade` and `flask --app portal demo-data` make the schema, service areas, themes,
timescales and the demo staff; then SQLAlchemy Core `executemany` (not the ORM) adds the cases: a contact
each (some with a representative), a realistic mix of types, statuses, processes and stages (most complaints
have one stage, about 15% two), service areas, received dates over three years, about 2% still untriaged
(status "received", triaged_at NULL), and a few events and messages per case.

The finished database is cached under $XDG_CACHE_HOME/portal-bench (or ~/.cache/portal-bench), keyed on a
hash of the migrations, the models, the demo data and this file, and rebuilt when over a week old (the dates
are relative to the day it was built); each run works on a copy in its own temporary directory.
"""

import random
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.db_cache import bulk_engine, cache_dir, cache_key, cached_or_built
from bench.servers import portal_env, prepare_database, run_flask
from portal.search_text import email_key, name_key

CASES = 100_000
SEED = 20_250_601
BATCH = 20_000

FIRST_NAMES = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia", "Grace", "Freya",
    "Evie", "Poppy", "Ella", "Emily", "Alice", "Sienna", "Oliver", "George", "Noah", "Arthur", "Leo",
    "Muhammad", "Harry", "Oscar", "Archie", "Henry", "Theo", "Jack", "Charlie", "Freddie", "Jacob", "Thomas",
    "Alfie", "Finley", "Ieuan", "Rhys", "Dylan", "Cerys", "Megan", "Seren", "Ffion", "Gwen", "Aled", "Priya",
    "Aisha", "Fatima", "Omar", "Yusuf", "Zainab",
)  # fmt: skip
# Weighted like real surnames: a few very common, a long tail of rare ones.
SURNAMES = (
    ("Smith", 60), ("Jones", 55), ("Williams", 40), ("Taylor", 35), ("Brown", 35), ("Davies", 30),
    ("Evans", 28), ("Wilson", 25), ("Thomas", 25), ("Johnson", 22), ("Roberts", 22), ("Robinson", 18),
    ("Thompson", 18), ("Wright", 18), ("Walker", 16), ("White", 16), ("Edwards", 15), ("Hughes", 15),
    ("Green", 14), ("Hall", 14), ("Lewis", 14), ("Harris", 13), ("Clarke", 13), ("Patel", 13), ("Jackson", 12),
    ("Wood", 12), ("Turner", 11), ("Martin", 11), ("Cooper", 11), ("Hill", 11), ("Ward", 10), ("Morris", 10),
    ("Moore", 10), ("Clark", 10), ("Lee", 10), ("King", 9), ("Baker", 9), ("Harrison", 9), ("Morgan", 9),
    ("Allen", 8), ("James", 8), ("Scott", 8), ("Phillips", 8), ("Watson", 8), ("Davis", 8), ("Parker", 7),
    ("Price", 7), ("Bennett", 7), ("Young", 7), ("Griffiths", 7), ("Mitchell", 7), ("Kelly", 6), ("Cook", 6),
    ("Carter", 6), ("Richardson", 6), ("Bailey", 6), ("Collins", 6), ("Bell", 6), ("Shaw", 6), ("Murphy", 6),
    ("Miller", 5), ("Cox", 5), ("Richards", 5), ("Khan", 5), ("Marshall", 5), ("Anderson", 5), ("Simpson", 5),
    ("Ellis", 5), ("Adams", 5), ("Singh", 5), ("Begum", 5), ("Wilkinson", 4), ("Foster", 4), ("Chapman", 4),
    ("Powell", 4), ("Webb", 4), ("Rogers", 4), ("Gray", 4), ("Mason", 4), ("Ali", 4), ("Hunt", 4),
    ("Hussain", 4), ("Campbell", 4), ("Matthews", 4), ("Owen", 4), ("Palmer", 4), ("Holmes", 3), ("Mills", 3),
    ("Barnes", 3), ("Knight", 3), ("Lloyd", 3), ("Butler", 3), ("Russell", 3), ("Barker", 3), ("Fisher", 3),
    ("Stevens", 3), ("Jenkins", 3), ("Murray", 3), ("Dixon", 3), ("Harvey", 3), ("Pritchard", 2), ("Vaughan", 2),
    ("Llewellyn", 2), ("Prosser", 2), ("Gwilliam", 1), ("Bevan", 2), ("Rees", 3), ("Howells", 2), ("Nwosu", 1),
    ("Okafor", 1), ("Kowalski", 1), ("Nowak", 1), ("Fernandes", 1), ("Quigley", 1), ("Abernethy", 1),
)  # fmt: skip
STREETS = ["High Street", "Station Road", "Church Lane", "Mill Road", "Park Avenue", "Victoria Road", "The Green"]
COMPLAINTS = (
    "My bin was missed again this week and nobody came back for it.",
    "I was charged twice for council tax in March and have not had a refund.",
    "The pothole outside number 12 has been reported three times and is still there.",
    "My mother's care visits keep being late or missed altogether.",
    "Nobody replied to my email about my son's school transport.",
    "The planning decision ignored the objections we sent in on time.",
    "The library closed early without notice and my daughter missed her session.",
    "I was kept on hold for an hour and then cut off.",
)
PRAISE = (
    "Thank you to the crew who collected our bulky waste so quickly.",
    "The social worker was kind and patient with my father.",
    "Please add a dropped kerb outside the post office.",
    "Could the recycling centre open later on Thursdays?",
)
RELATIONSHIPS = ("daughter", "son", "advocate", "MP's caseworker", "partner", "solicitor")

# Table names in insertion order (foreign keys point backwards).
TABLES = ("contact", "case", "stage", "stage_theme", "message", "event")


@dataclass
class Picks:
    """The rows the bench asks for, chosen when the database was built."""

    cases: int
    built_on: str
    build_seconds: float
    rich_reference: str  # a complaint with two stages, events, messages and notes
    small_reference: str  # a complaint of the same shape (one open stage, a representative), few events and messages
    needle: str  # a surname substring for the search
    needle_matches: int  # complaints with_service matching it
    rows: dict


@dataclass
class Database:
    path: Path
    env: dict
    picks: Picks
    cached: bool
    seconds: float


def bench_env(tmp: Path) -> dict[str, str]:
    env = portal_env(tmp)
    env["DATABASE_URL"] = f"sqlite:///{tmp / 'bo.db'}"
    return env


def prepare(tmp: Path, cases: int = CASES, use_cache: bool = True, say=print) -> Database:
    """Return a working copy of the 100,000-case database in tmp, from the cache or built now."""
    started = time.monotonic()
    env = bench_env(tmp)
    target = tmp / "bo.db"
    cached_db = cache_dir() / f"backoffice-{cache_key(f'cases={cases}', SEED, Path(__file__))}.db"

    def build() -> Picks:
        say(f"  building the database: db upgrade, demo-data, then {cases:,} cases with Core executemany ...")
        prepare_database(env)
        picks = populate(target, cases, env.get("WORKING_DAY_REGION", "GB-ENG"))
        # As an import leaves it, and the daily job keeps it: with the planner's statistics.
        run_flask(env, "refresh-statistics")
        return picks

    picks, from_cache = cached_or_built(target, cached_db, "backoffice-*", Picks, build, use_cache, say)
    return Database(target, env, picks, from_cache, time.monotonic() - started)


class _Deadlines:
    """Working-day deadlines, memoised by (start, days): there are only about a thousand distinct starts."""

    def __init__(self, region: str) -> None:
        from portal.services.calendar import add_working_days

        self.add = add_working_days
        self.region = region
        self.memo: dict[tuple[date, int], date] = {}

    def __call__(self, start: date, days: int) -> date:
        key = (start, days)
        if key not in self.memo:
            self.memo[key] = self.add(start, days, self.region)
        return self.memo[key]


def populate(path: Path, cases: int, region: str) -> Picks:
    """Add `cases` cases and what hangs off them to a migrated database that has the demo data."""
    from sqlalchemy import func, insert, select

    from portal.models import Base

    engine = bulk_engine(path, cache_kib=200000)

    tables = Base.metadata.tables
    with engine.connect() as conn:
        start_ids = {
            name: (conn.scalar(select(func.max(tables[name].c.id))) or 0) + 1
            for name in TABLES
            if name != "stage_theme"
        }
        areas = conn.execute(select(tables["service_area"].c.id, tables["service_area"].c.name)).all()
        staff = dict(conn.execute(select(tables["user_account"].c.role, tables["user_account"].c.id)).all())
        theme = tables["theme"]
        parents = dict(conn.execute(select(theme.c.id, theme.c.parent_id).where(theme.c.parent_id.is_not(None))).all())
        themes = list(parents)
        timescales = {
            (row.process, row.stage): row.working_days
            for row in conn.execute(
                select(tables["timescale"].c.process, tables["timescale"].c.stage, tables["timescale"].c.working_days)
            )
        }
        existing_refs = set(conn.scalars(select(tables["case"].c.reference)))
    if not areas or "officer" not in staff or not themes:
        raise RuntimeError("demo-data did not create service areas, the officer and themes")

    columns = {name: list(tables[name].c.keys()) for name in TABLES}
    rows = _generate(
        cases, start_ids, columns, areas, staff, (themes, parents), timescales, _Deadlines(region), existing_refs
    )
    with engine.begin() as conn:
        for name in TABLES:
            table = tables[name]
            data = rows[name]
            for first in range(0, len(data), BATCH):
                conn.execute(insert(table), data[first : first + BATCH])
    engine.dispose()

    picks = rows["picks"]
    picks.rows = {name: len(rows[name]) for name in TABLES}
    picks.needle, picks.needle_matches = _choose_needle(path)
    picks.small_reference = _choose_small_case(path)
    return picks


def _generate(cases, ids, columns, areas, staff, themes, timescales, deadline, existing_refs):
    themes, parents = themes  # detail themes' ids, and each one's top-level theme
    rng = random.Random(SEED)  # noqa: S311 - made-up data, repeatable on purpose
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    today = now.date()
    span = timedelta(days=3 * 365)
    received = sorted(now - span * rng.random() for _ in range(cases))  # uniform over three years, ids in date order
    surnames = [name for name, _weight in SURNAMES]
    weights = [weight for _name, weight in SURNAMES]
    officer_ids = [staff["officer"], staff["manager"]] if "manager" in staff else [staff["officer"]]
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    prefixes = {
        "complaint": "CMP",
        "compliment": "CPL",
        "suggestion": "SUG",
        "service_request": "SRQ",
        "signposted": "SGN",
    }

    contacts, case_rows, stages, stage_themes, messages, events = [], [], [], [], [], []
    contact_id, case_id, stage_id, message_id, event_id = (
        ids[n] for n in ("contact", "case", "stage", "message", "event")
    )
    refs = set(existing_refs)
    rich_index = cases - 4000  # about 44 days old
    rich_reference = ""
    # Every column of the table, so that each batch of rows has the same keys (None where the row says nothing).
    contact_template, case_template, stage_template = (
        dict.fromkeys(columns[name]) for name in ("contact", "case", "stage")
    )

    def contact(language: str) -> int:
        nonlocal contact_id
        first, last = rng.choice(FIRST_NAMES), rng.choices(surnames, weights)[0]
        has_email = rng.random() < 0.8
        row = dict(contact_template)
        name = f"{first} {last}"
        email = f"{first}.{last}{rng.randrange(1, 999)}@example.com".lower() if has_email else None
        row.update(
            id=contact_id,
            name=name,
            email=email,
            name_key=name_key(name),  # Core bypasses the model's listeners that keep the search keys
            email_key=email_key(email),
            phone=f"07700 9{rng.randrange(0, 100000):05d}" if rng.random() < 0.6 else None,
            address=f"{rng.randrange(1, 200)} {rng.choice(STREETS)}, Exampleton" if rng.random() < 0.5 else None,
            preferred_contact="email" if has_email else "phone",
            language=language,
            adjustments=["large_print"] if rng.random() < 0.03 else [],
        )
        contacts.append(row)
        contact_id += 1
        return row["id"]

    def add_event(case_pk, at, action, actor_type="staff", actor_id=None, **detail):
        nonlocal event_id
        events.append(
            dict(
                id=event_id,
                case_id=case_pk,
                occurred_at=at,
                actor_type=actor_type,
                actor_id=actor_id,
                action=action,
                detail=detail,
            )
        )
        event_id += 1

    def add_message(case_pk, at, kind, body, subject=None, author_id=None):
        nonlocal message_id
        messages.append(
            dict(
                id=message_id,
                case_id=case_pk,
                kind=kind,
                subject=subject,
                body=body,
                created_at=at,
                author_id=author_id,
            )
        )
        message_id += 1

    def reference(case_type: str) -> str:
        while True:
            body = "".join(rng.choice(alphabet) for _ in range(8))
            ref = f"{prefixes[case_type]}-{body[:4]}-{body[4:]}"
            if ref not in refs:
                refs.add(ref)
                return ref

    for index, received_at in enumerate(received):
        rich = index == rich_index
        age = (now - received_at).days
        case_type = rng.choices(
            ("complaint", "compliment", "suggestion", "service_request", "signposted"), (70, 10, 5, 10, 5)
        )[0]
        if rich:
            case_type = "complaint"
        language = "cy" if rng.random() < 0.05 else "en"
        channel = rng.choices(("web", "email", "phone", "letter", "in_person", "webchat"), (60, 15, 15, 5, 2, 3))[0]
        received_on = received_at.date()
        untriaged = not rich and age < 90 and rng.random() < 0.245
        area = rng.choice(areas)[0] if (not untriaged or rng.random() < 0.7) else None
        officer = rng.choice(officer_ids)
        triaged_at = None if untriaged else received_at + timedelta(hours=rng.randrange(1, 60))
        resident = contact(language)
        representative = contact(language) if (rich or rng.random() < 0.05) else None
        row = dict(case_template)
        row.update(
            id=case_id,
            reference=reference(case_type),
            type=case_type,
            channel=channel,
            language=language,
            received_at=received_at,
            received_on=received_on,
            service_area_id=area,
            resident_id=resident,
            representative_id=representative,
            representative_relationship=rng.choice(RELATIONSHIPS) if representative else None,
            consent_confirmed=representative is not None,
            description=rng.choice(
                COMPLAINTS if case_type in ("complaint", "service_request", "signposted") else PRAISE
            ),
            occurred_on=received_on - timedelta(days=rng.randrange(0, 20)),
            desired_outcome="Put it right and tell me what will change." if case_type == "complaint" else None,
            submission_key=f"bench-{case_id}" if channel == "web" else None,
            triaged_at=triaged_at,
            triage_class=None if untriaged else case_type,
            version_id=1,
        )
        add_event(
            case_id,
            received_at,
            "case_submitted",
            "resident" if channel == "web" else "staff",
            None if channel == "web" else officer,
            channel=channel,
        )
        if rng.random() < 0.8:
            add_event(case_id, received_at + timedelta(seconds=2), "receipt_sent", "system", language=language)

        if untriaged:
            row["status"] = "received"
            if case_type == "complaint":  # submission opens a corporate Stage 1 until triage says otherwise
                stages.append(
                    dict(
                        stage_template,
                        id=stage_id,
                        case_id=case_id,
                        case_type=case_type,
                        service_area_id=area,
                        process="corporate",
                        number=1,
                        received_on=received_on,
                        deadline=deadline(received_on, timescales["corporate", 1]),
                    )
                )
                stage_id += 1
        elif case_type == "complaint":
            process = "corporate" if rich else rng.choices(("corporate", "childrens", "adults"), (80, 10, 10))[0]
            acknowledged = received_on + timedelta(days=rng.randrange(1, 6))
            row.update(acknowledged_on=acknowledged, assigned_officer_id=officer)
            add_event(
                case_id, triaged_at, "case_triaged", actor_id=officer, classification="complaint", process=process
            )
            add_event(
                case_id,
                triaged_at + timedelta(minutes=5),
                "case_allocated",
                actor_id=officer,
                after={"officer_id": officer, "service_area_id": area},
            )
            add_message(
                case_id,
                datetime.combine(acknowledged, datetime.min.time()) + timedelta(hours=10),
                "to_resident",
                "Thank you for your complaint. We will reply by the date shown.",
                subject="We have your complaint",
                author_id=officer,
            )
            add_event(
                case_id,
                datetime.combine(acknowledged, datetime.min.time()) + timedelta(hours=10),
                "case_acknowledged",
                actor_id=officer,
                on=acknowledged.isoformat(),
            )
            escalated = rich or (rng.random() < 0.15 and (process, 2) in timescales)
            stage_numbers = (1, 2) if escalated else (1,)
            stage_received = received_on
            status = "closed"
            for number in stage_numbers:
                days = timescales[process, number]
                due = deadline(stage_received, days)
                last = number == stage_numbers[-1]
                stage_age = (today - stage_received).days
                if not last:
                    open_stage = False
                elif rich:
                    open_stage = True
                elif stage_age > 120:
                    open_stage = rng.random() < 0.02
                elif stage_age > 30:
                    open_stage = rng.random() < 0.25
                else:
                    open_stage = rng.random() < 0.8
                stage = dict(
                    stage_template,
                    id=stage_id,
                    case_id=case_id,
                    case_type=case_type,
                    service_area_id=area,
                    process=process,
                    number=number,
                    received_on=stage_received,
                    deadline=due,
                    acknowledged_on=stage_received + timedelta(days=rng.randrange(1, 6)),
                    responding_manager_id=staff.get("manager"),
                )
                if number > 1:
                    stage["escalation_reason"] = "The first response did not deal with what I asked."
                if open_stage:
                    status = "acknowledged" if rng.random() < 0.15 and not rich else "with_service"
                else:
                    responded = min(
                        today, stage_received + timedelta(days=max(1, int(rng.gauss(days * 1.3, days * 0.5))))
                    )
                    outcome = rng.choice(("upheld", "partly_upheld", "not_upheld"))
                    stage.update(
                        responded_on=responded,
                        within_timescale=responded <= due,
                        outcome=outcome,
                        response_text="We have looked into your complaint and this is what we found.",
                    )
                    at = datetime.combine(responded, datetime.min.time()) + timedelta(hours=14)
                    add_message(case_id, at, "to_resident", stage["response_text"], author_id=officer)
                    add_event(
                        case_id,
                        at,
                        "stage_responded",
                        actor_id=officer,
                        stage=number,
                        outcome=outcome,
                        within_timescale=responded <= due,
                    )
                    theme_id = rng.choice(themes)
                    stage_themes.append({"stage_id": stage_id, "theme_id": theme_id})
                    stage["top_theme_ids"] = f",{parents[theme_id]},"  # as Stage.top_theme_ids keeps it
                    if not last:
                        stage_received = responded + timedelta(days=rng.randrange(2, 28))
                        if stage_received > today:
                            stage_received = responded
                        add_event(
                            case_id,
                            datetime.combine(stage_received, datetime.min.time()) + timedelta(hours=9),
                            "case_escalated",
                            "resident",
                            stage=number + 1,
                        )
                    elif (today - responded).days > 28 or rng.random() < 0.5:
                        status = "closed"
                        row.update(
                            closed_on=responded + timedelta(days=28) if (today - responded).days > 28 else responded,
                            closed_reason="resolved",
                        )
                        add_event(case_id, at + timedelta(days=1), "case_closed", actor_id=officer, reason="resolved")
                    else:
                        status = "responded"
                stages.append(stage)
                stage_id += 1
            row["status"] = status
            if rng.random() < 0.1 or rich:
                add_message(
                    case_id,
                    triaged_at + timedelta(hours=3),
                    "internal_note",
                    "Spoke to the service manager; they will call the resident.",
                    author_id=officer,
                )
                add_event(case_id, triaged_at + timedelta(hours=3), "note_added", actor_id=officer)
        else:
            add_event(case_id, triaged_at, "case_triaged", actor_id=officer, classification=case_type)
            if case_type == "signposted":
                row.update(status="closed", closed_on=triaged_at.date(), signposted_to="Citizens Advice")
            elif case_type == "service_request" and age < 30:
                row.update(status="with_service", assigned_officer_id=officer)
            else:
                row.update(
                    status="closed",
                    closed_on=min(today, received_on + timedelta(days=rng.randrange(1, 20))),
                    closed_reason="resolved",
                )

        if rich:
            rich_reference = row["reference"]
            for hours in (30, 54, 78):
                add_message(
                    case_id,
                    triaged_at + timedelta(hours=hours),
                    "internal_note",
                    f"Chased the service ({hours} h).",
                    author_id=officer,
                )
                add_event(case_id, triaged_at + timedelta(hours=hours), "note_added", actor_id=officer)
            add_message(
                case_id, triaged_at + timedelta(hours=90), "from_resident", "Here are the photos you asked for."
            )
        case_rows.append(row)
        case_id += 1

    picks = Picks(
        cases=cases,
        built_on=today.isoformat(),
        build_seconds=0.0,
        rich_reference=rich_reference,
        small_reference="",
        needle="",
        needle_matches=0,
        rows={},
    )
    return {
        "contact": contacts,
        "case": case_rows,
        "stage": stages,
        "stage_theme": stage_themes,
        "message": messages,
        "event": events,
        "picks": picks,
    }


def _choose_needle(path: Path) -> tuple[str, int]:
    """Pick a surname whose complaints with_service fill between two and five pages of 25."""
    with sqlite3.connect(path) as conn:
        for surname, _weight in sorted(SURNAMES, key=lambda item: -item[1]):
            needle = surname.lower()[:5] if len(surname) > 6 else surname.lower()
            like = f"%{needle}%"
            (count,) = conn.execute(
                'SELECT count(*) FROM "case" c JOIN contact r ON r.id = c.resident_id '
                "LEFT JOIN contact p ON p.id = c.representative_id "
                "WHERE c.type = 'complaint' AND c.status = 'with_service' AND (lower(c.reference) LIKE ? "
                "OR r.name_key LIKE ? OR r.email_key LIKE ? OR p.name_key LIKE ? OR p.email_key LIKE ?)",
                (like,) * 5,
            ).fetchone()
            if 50 <= count <= 125 and count % 25:
                return needle, count
    raise RuntimeError("no surname gives a search of two to five pages; change SURNAMES")


def _choose_small_case(path: Path) -> str:
    """A complaint shaped like the rich one (open stage, representative) but with one stage and few events."""
    with sqlite3.connect(path) as conn:
        found = conn.execute(
            'SELECT c.reference FROM "case" c WHERE c.type = ? AND c.status = ? AND c.representative_id IS NOT NULL '
            "AND (SELECT count(*) FROM stage s WHERE s.case_id = c.id) = 1 "
            "ORDER BY (SELECT count(*) FROM event e WHERE e.case_id = c.id) "
            "+ (SELECT count(*) FROM message m WHERE m.case_id = c.id), c.id LIMIT 1",
            ("complaint", "with_service"),
        ).fetchone()
    if found is None:
        raise RuntimeError("no one-stage complaint with a representative to compare the case page with")
    return found[0]
