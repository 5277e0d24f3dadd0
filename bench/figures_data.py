"""A SQLite database with N complaint stages (100,000 or 1,000,000) for the public figures' bench, built once.

`flask --app portal db upgrade` and `flask --app portal demo-data` make the schema, themes, timescales and the
demo's service areas; 27 more service areas bring them to 40 in 8 directorates, with Zipf-like weights so some
see only a handful of complaints a year (small numbers). Then SQLAlchemy Core `executemany` adds five years of
history with received dates spread evenly up to the day it was built:

- cases: about 70% complaints, 10% compliments, 5% suggestions, 10% service requests and 5% signposted contacts,
  each with its own placeholder resident (the figures never read contacts, messages or events, so those are left
  out to keep the build quick);
- complaint stages: corporate 75%, children's 12%, adults' 13%; about 15% of responded Stage 1s escalate to
  Stage 2 and a fifth of children's Stage 2s to Stage 3; a few imported histories start at Stage 2; deadlines in
  working days from the configured timescales and bank holidays, 6% extended; responses spread around the
  timescale (about a third late), with an outcome, a response text and one or two root-cause themes (top-level or
  detail); 4% closed without a response (withdrawn, duplicate, out of time); old stages nearly all finished, recent
  ones mostly open (so some open and overdue);
- the recent untriaged complaints have no service area, and a few complaints were reclassified after a response
  (their stage stays, on a case that is no longer a complaint).

The stage count is exact: cases are planned until their stages and the demo's add up to N. The stage's copies of
its case's type and service area, and its top-level themes, are filled in as the import fills them.

The finished database is cached under $XDG_CACHE_HOME/portal-bench (or ~/.cache/portal-bench) as
figures-N-KEY.db, KEY hashing the migrations, the models, the demo data, the config, portal/extensions.py (which
sets SQLite's page size) and this file, and rebuilt
when over a week old (dates are relative to the day it was built); each run works on a copy.
"""

import random
import sqlite3
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench.backoffice_data import _Deadlines
from bench.db_cache import bulk_engine, cache_dir, cache_key, cached_or_built
from bench.servers import portal_env, prepare_database

SEED = 20_261_124
BATCH = 20_000
PLAN_CHUNK = 50_000  # cases generated and written at a time, so a million stages never sit in memory at once
YEARS = 5

# Added to the demo's 13 service areas in 5 directorates: 40 in all.
MORE_SERVICE_AREAS = {
    "Adults": ["Safeguarding adults", "Financial assessments", "Day services", "Direct payments"],
    "Children's": ["Early help", "Fostering and adoption", "Children with disabilities", "Youth services"],
    "Education": ["Early years", "Adult learning"],
    "Place": ["Parking", "Street cleaning", "Parks and open spaces", "Trading standards", "Building control"],
    "Exchequer": ["Benefits", "Business rates"],
    "Housing": ["Homelessness", "Housing repairs", "Housing allocations", "Tenancy management"],
    "Resources": ["Customer services", "Registrars", "Elections"],
    "Public health": ["Licensing", "Pest control", "Food safety"],
}
TYPES = ("complaint", "compliment", "suggestion", "service_request", "signposted")
TYPE_WEIGHTS = (70, 10, 5, 10, 5)
PROCESSES = ("corporate", "childrens", "adults")
PROCESS_WEIGHTS = (75, 12, 13)
OUTCOMES = ("upheld", "partly_upheld", "not_upheld")
OUTCOME_WEIGHTS = (30, 30, 40)
CLOSED_OTHER = ("withdrawn", "duplicate", "out_of_time")
RESPONSE = (
    "Thank you for your complaint. We have looked into what happened, spoken to the team and checked our records. "
    "We found that the service did not do what it should have done, and we are sorry. We have put it right and "
    "changed how the team checks its work, so that it does not happen again. If you are not happy with this "
    "response, you can ask us to look at it again."
)
DESCRIPTIONS = (
    "My bin was missed again this week and nobody came back for it.",
    "I was charged twice for council tax in March and have not had a refund.",
    "The pothole outside number 12 has been reported three times and is still there.",
    "Nobody replied to my email about my son's school transport.",
)
TABLES = ("contact", "case", "stage", "stage_theme")


@dataclass
class Summary:
    """What the database holds, worked out when it was built."""

    stages: int
    built_on: str
    build_seconds: float
    rows: dict


@dataclass
class Database:
    path: Path
    env: dict
    summary: Summary
    cached: bool
    seconds: float


def prepare(tmp: Path, stages: int, use_cache: bool = True, say=print) -> Database:
    """Return a working copy of the database with `stages` complaint stages in tmp, from the cache or built now."""
    started = time.monotonic()
    name = f"figures-{stages}.db"
    env = portal_env(tmp)
    env["DATABASE_URL"] = f"sqlite:///{tmp / name}"
    target = tmp / name
    cached_db = cache_dir() / f"figures-{stages}-{cache_key(f'stages={stages}', SEED, Path(__file__))}.db"

    def build() -> Summary:
        say(f"  building the database: db upgrade, demo-data, then {stages:,} stages with Core executemany ...")
        prepare_database(env)
        return populate(target, stages, env.get("WORKING_DAY_REGION", "GB-ENG"))

    summary, from_cache = cached_or_built(target, cached_db, f"figures-{stages}-*", Summary, build, use_cache, say)
    return Database(target, env, summary, from_cache, time.monotonic() - started)


def populate(path: Path, stages: int, region: str) -> Summary:
    """Add service areas and cases with `stages` complaint stages to a migrated database that has the demo data."""
    from sqlalchemy import func, insert, select

    from portal.models import Base

    engine = bulk_engine(path, cache_kib=400000)

    tables = Base.metadata.tables
    with engine.begin() as conn:
        _add_service_areas(conn, tables)
        areas = list(conn.scalars(select(tables["service_area"].c.id).order_by(tables["service_area"].c.id)))
        theme = tables["theme"]
        themes = dict(conn.execute(select(theme.c.id, func.coalesce(theme.c.parent_id, theme.c.id))).all())
        timescales = {
            (row.process, row.stage): row.working_days
            for row in conn.execute(
                select(tables["timescale"].c.process, tables["timescale"].c.stage, tables["timescale"].c.working_days)
            )
        }
        first_ids = {
            name: (conn.scalar(select(func.max(tables[name].c.id))) or 0) + 1 for name in ("contact", "case", "stage")
        }
        existing = conn.scalar(select(func.count()).select_from(tables["stage"]))  # the demo's
    columns = {name: tuple(tables[name].c.keys()) for name in TABLES}
    generator = _Generator(stages - existing, first_ids, columns, areas, themes, timescales, _Deadlines(region))
    counts = dict.fromkeys(TABLES, 0)
    with engine.begin() as conn:
        for chunk in generator.chunks():
            for name in TABLES:
                data = chunk[name]
                counts[name] += len(data)
                for first in range(0, len(data), BATCH):
                    conn.execute(insert(tables[name]), data[first : first + BATCH])
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    if counts["stage"] + existing != stages:
        raise RuntimeError(f"the database has {counts['stage'] + existing:,} stages, not {stages:,}")
    counts["service_area"] = len(areas)
    return Summary(stages=stages, built_on=date.today().isoformat(), build_seconds=0.0, rows=counts)


def _add_service_areas(conn, tables) -> None:
    from sqlalchemy import insert, select

    directorate, service_area = tables["directorate"], tables["service_area"]
    known = dict(conn.execute(select(directorate.c.name, directorate.c.id)).all())
    for position, (name, areas) in enumerate(MORE_SERVICE_AREAS.items(), start=len(known)):
        if name not in known:
            known[name] = conn.execute(
                insert(directorate).values(name=name, position=position).returning(directorate.c.id)
            ).scalar_one()
        existing = set(conn.scalars(select(service_area.c.name).where(service_area.c.directorate_id == known[name])))
        rows = [{"directorate_id": known[name], "name": area, "active": True} for area in areas if area not in existing]
        if rows:
            conn.execute(insert(service_area), rows)


class _Generator:
    """Plans the cases (type, process, how many stages) until the stages add up to N, then writes them in chunks."""

    def __init__(self, stages, first_ids, columns, areas, themes, timescales, deadline) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - made-up data, repeatable on purpose
        self.stages = stages
        self.ids = dict(first_ids)
        self.templates = {name: dict.fromkeys(cols) for name, cols in columns.items()}
        self.areas = areas
        # Zipf-like: the busiest service area gets about 40 times the complaints of the quietest.
        self.area_weights = [1 / (rank + 1) ** 1.1 for rank in range(len(areas))]
        self.themes = themes  # every theme's id -> its top-level theme's id
        from portal.models.case import top_theme_ids

        self.top_theme_ids = top_theme_ids
        self.timescales = timescales
        self.deadline = deadline
        self.today = date.today()
        self.start = self.today - timedelta(days=365 * YEARS + 1)

    def _plan(self) -> list[tuple]:
        """(type, process, first stage number, stage count) per case, the stage counts summing to exactly N."""
        rng, plan, total = self.rng, [], 0
        while total < self.stages:
            case_type = rng.choices(TYPES, TYPE_WEIGHTS)[0]
            if case_type != "complaint":
                plan.append((case_type, None, 0, 0))
                continue
            process = rng.choices(PROCESSES, PROCESS_WEIGHTS)[0]
            first = 2 if rng.random() < 0.005 else 1  # an imported history whose Stage 1 predates the spreadsheet
            count = 1
            if rng.random() < 0.13 and (process, first + 1) in self.timescales:
                count += 1
                if rng.random() < 0.2 and (process, first + 2) in self.timescales:
                    count += 1
            count = min(count, self.stages - total)
            plan.append(("complaint", process, first, count))
            total += count
        return plan

    def chunks(self):
        plan = self._plan()
        rng = self.rng
        span = (self.today - self.start).days
        # Received dates spread evenly over five years, with volumes growing about 5% a year; in id order.
        days = sorted(int(span * rng.random() ** 0.95) for _ in plan)
        for first in range(0, len(plan), PLAN_CHUNK):
            chunk = {name: [] for name in TABLES}
            for (case_type, process, number, count), offset in zip(
                plan[first : first + PLAN_CHUNK], days[first : first + PLAN_CHUNK], strict=True
            ):
                self._case(chunk, case_type, process, number, count, self.start + timedelta(days=offset))
            yield chunk

    def _next(self, name: str) -> int:
        value = self.ids[name]
        self.ids[name] += 1
        return value

    def _case(self, chunk, case_type, process, number, count, received_on) -> None:
        rng, today = self.rng, self.today
        age = (today - received_on).days
        contact_id = self._next("contact")
        contact = dict(self.templates["contact"])
        contact.update(id=contact_id, name="Bench resident", name_key="bench resident", language="en", adjustments=[])
        chunk["contact"].append(contact)
        case_id = self._next("case")
        untriaged = case_type == "complaint" and age < 10 and rng.random() < 0.3
        area = None if untriaged else rng.choices(self.areas, self.area_weights)[0]
        row = dict(self.templates["case"])
        row.update(
            id=case_id,
            reference=f"BEN-{case_id:08d}",
            type=case_type,
            status="closed",
            channel="web",
            language="en",
            received_at=received_on,
            received_on=received_on,
            service_area_id=area,
            resident_id=contact_id,
            consent_confirmed=False,
            description=rng.choice(DESCRIPTIONS),
            triage_class=None if untriaged else case_type,
            version_id=1,
        )
        chunk["case"].append(row)
        if case_type != "complaint":
            if case_type == "service_request" and age < 30:
                row["status"] = "with_service"
            else:
                row.update(closed_on=min(today, received_on + timedelta(days=rng.randrange(1, 20))))
                row["closed_reason"] = None if case_type == "signposted" else "resolved"
            return
        # A few complaints were reclassified after a response: the stage stays on a case that is not a complaint.
        if count == 1 and age > 60 and rng.random() < 0.003:
            row["type"] = "service_request"
        stage_received = received_on
        for position in range(count):
            stage, status = self._stage(process, number + position, stage_received, position == count - 1)
            stage.update(case_id=case_id, case_type=row["type"], service_area_id=row["service_area_id"])
            chunk["stage"].append(stage)
            if stage["responded_on"] is not None:
                picks = rng.choices((0, 1, 2), (5, 80, 15))[0]
                picked = rng.sample(list(self.themes), picks)
                for theme_id in picked:
                    chunk["stage_theme"].append({"stage_id": stage["id"], "theme_id": theme_id})
                stage["top_theme_ids"] = self.top_theme_ids({self.themes[theme_id] for theme_id in picked})
                stage_received = min(today, stage["responded_on"] + timedelta(days=rng.randrange(2, 28)))
            row["status"] = "received" if untriaged else status
            if status == "closed":
                row.update(closed_on=stage["closed_on"] or stage["responded_on"] + timedelta(days=28))
                row["closed_reason"] = stage["closed_reason"] or "resolved"

    def _stage(self, process, number, received_on, last) -> tuple[dict, str]:
        rng, today = self.rng, self.today
        days = self.timescales[process, number]
        deadline = self.deadline(received_on, days)
        stage = dict(self.templates["stage"])
        stage.update(id=self._next("stage"), process=process, number=number, received_on=received_on, deadline=deadline)
        if rng.random() < 0.06:
            stage["extended_to"] = deadline + timedelta(days=rng.randrange(10, 40))
            stage["extension_reason"] = "The investigation needs a visit."
        due = stage["extended_to"] or deadline
        age = (today - received_on).days
        if last:
            open_chance = 0.85 if age < 30 else 0.3 if age < 90 else 0.01
        else:
            open_chance = 0.0  # a stage that was escalated was answered first
        if rng.random() < open_chance:
            return stage, "with_service"
        if last and rng.random() < 0.04:
            closed_on = min(today, received_on + timedelta(days=rng.randrange(1, 40)))
            stage.update(closed_on=closed_on, closed_reason=rng.choice(CLOSED_OTHER))
            return stage, "closed"
        # Calendar days to respond: around the timescale's 1.4 calendar days per working day, about a third late.
        taken = max(1, int(rng.gauss(days * 1.3, days * 0.45)))
        responded = min(today, received_on + timedelta(days=taken))
        stage.update(
            acknowledged_on=min(responded, received_on + timedelta(days=rng.randrange(1, 4))),
            responded_on=responded,
            within_timescale=responded <= due,
            outcome=rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0],
            response_text=RESPONSE,
        )
        if number > 1:
            stage["escalation_reason"] = "The first response did not deal with what I asked."
        # The case closes a month after its last response; the stage keeps only its response.
        return stage, "closed" if last and (today - responded).days > 28 else "responded"


def describe(path: Path) -> dict:
    """Row counts of the tables the figures read, for the bench's header."""
    with sqlite3.connect(path) as conn:
        return {
            name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608 - fixed table names
            for name in ("case", "stage", "stage_theme", "service_area")
        }
