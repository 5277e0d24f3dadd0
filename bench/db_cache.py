"""Build a bench database once and keep a copy: the key that says when a copy is stale, the throw-away engine a
build writes through, and the cached copy itself (with the summary of what was built beside it as JSON)."""

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

from bench import PROJECT_ROOT

CACHE_MAX_AGE = timedelta(days=7)


def cache_dir() -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "portal-bench"


def cache_key(size: str, seed: int, generator: Path) -> str:
    """Hash everything a database's content depends on: migrations, models, demo data, config and its generator."""
    digest = hashlib.sha256(f"{size} seed={seed}".encode())
    sources = sorted((PROJECT_ROOT / "migrations").rglob("*.py")) + sorted(
        (PROJECT_ROOT / "portal" / "models").glob("*.py")
    )
    sources += [PROJECT_ROOT / "portal" / name for name in ("services/demo.py", "config.py", "extensions.py")]
    sources.append(generator)
    for source in sources:
        digest.update(str(source.relative_to(PROJECT_ROOT)).encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def bulk_engine(path: Path, cache_kib: int):
    """Return an engine for a throw-away build: no journal, no fsync, a large page cache."""
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _fast(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA journal_mode=OFF")
        dbapi_connection.execute("PRAGMA synchronous=OFF")
        dbapi_connection.execute(f"PRAGMA cache_size=-{cache_kib}")

    return engine


def cached_or_built(
    target: Path, cached_db: Path, old_copies: str, summary_type, build: Callable, use_cache: bool, say
) -> tuple[object, bool]:
    """Copy a fresh cached database to target, or build it there (and cache it); return (summary, from_cache).

    `build()` builds target and returns its summary, a dataclass with `built_on` and `build_seconds`; `old_copies`
    is the glob, in the cache folder, of this database's earlier copies, which a new one replaces.
    """
    started = time.monotonic()
    cached_summary = cached_db.with_suffix(".json")
    if use_cache and cached_db.exists() and cached_summary.exists():
        try:
            summary = summary_type(**json.loads(cached_summary.read_text()))
            fresh = date.today() - date.fromisoformat(summary.built_on) <= CACHE_MAX_AGE
        except (OSError, ValueError, TypeError):
            fresh = False  # unreadable: build it again
        if fresh:
            shutil.copyfile(cached_db, target)
            return summary, True
    for stale in target, *(target.with_name(f"{target.name}-{side}") for side in ("journal", "wal", "shm")):
        stale.unlink(missing_ok=True)
    summary = build()
    summary.build_seconds = round(time.monotonic() - started, 1)
    if use_cache:
        try:
            cache_dir().mkdir(parents=True, exist_ok=True)
            for old in cache_dir().glob(old_copies):
                old.unlink(missing_ok=True)
            partial = cached_db.with_suffix(".partial")
            _checkpoint(target)
            shutil.copyfile(target, partial)
            partial.replace(cached_db)
            cached_summary.write_text(json.dumps(asdict(summary), indent=1))
        except OSError as error:
            say(f"  (could not cache the database: {error})")
    return summary, False


def _checkpoint(path: Path) -> None:
    """Move what the portal's commands left in the write-ahead log (the planner statistics, say) into the file."""
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
