"""The query planner gets statistics after an import and from the daily job, so searches pick the right indexes."""

from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from portal.extensions import db
from portal.models import Case
from portal.services import planner
from tests.journey import lodge
from tests.test_import import VALID, run, write_csv


def _stage_analysed(app) -> bool:
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            has_table = db.session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"))
            return bool(has_table) and bool(
                db.session.scalar(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'stage'"))
            )
        return (
            db.session.scalar(text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'stage'")) is not None
        )


def _forget_statistics(app) -> None:
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            if db.session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")):
                db.session.execute(text("DELETE FROM sqlite_stat1"))
                db.session.commit()
        else:
            db.session.execute(text("SELECT pg_stat_reset()"))
            db.session.commit()


def test_an_import_leaves_the_planner_statistics_of_what_it_wrote(app, runner, tmp_path):
    _forget_statistics(app)
    assert not _stage_analysed(app)
    rows = [{**VALID, "case_reference": f"CMP-2022-{n:05d}"} for n in range(40)]
    result = run(runner, write_csv(tmp_path, rows))
    assert result.exit_code == 0, result.output
    assert _stage_analysed(app)


def test_the_daily_job_refreshes_them(app, client, runner):
    lodge(client)  # a table with no rows has nothing to describe
    _forget_statistics(app)
    assert not _stage_analysed(app)
    result = runner.invoke(args=["refresh-statistics"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Query planner statistics refreshed."
    assert _stage_analysed(app)


def test_an_import_stands_when_the_statistics_cannot_be_gathered(app, runner, tmp_path, monkeypatch, caplog):
    def busy():
        raise OperationalError("ANALYZE", {}, Exception("database is locked"))

    monkeypatch.setattr(planner, "refresh_planner_statistics", busy)
    rows = [{**VALID, "case_reference": f"CMP-2022-{n:05d}"} for n in range(3)]
    result = run(runner, write_csv(tmp_path, rows))
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == 3
    assert "planner statistics not refreshed" in caplog.text
