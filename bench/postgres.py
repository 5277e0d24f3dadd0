"""A throw-away PostgreSQL in a temporary folder, started and removed as scripts/with-throwaway-postgres.sh does."""

import glob
import os
import shutil
import subprocess  # noqa: S404 - runs PostgreSQL's own tools
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.servers import free_port


class PostgresUnavailable(RuntimeError):
    """Raised when no PostgreSQL server binaries are installed, or the server would not start."""


def _bindir() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in Path(p).parent.name.split(".")]
    )
    if not found or not (Path(found[-1]) / "initdb").exists():
        raise PostgresUnavailable("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    return Path(found[-1])


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    if done.returncode != 0:
        raise PostgresUnavailable(f"{what} failed ({done.returncode}): {(done.stdout + done.stderr).strip()[-2000:]}")


@contextmanager
def throwaway_postgres(database: str = "portal_bench") -> Iterator[str]:
    """Yield a SQLAlchemy URL to a fresh database on a new server (fsync off), stopped and deleted afterwards."""
    bindir = _bindir()
    folder = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    as_pg: list[str] = []
    if os.getuid() == 0:
        # initdb refuses to run as root: run the server as Debian's postgres user.
        shutil.chown(folder, "postgres", "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    port = free_port()
    try:
        _run(
            [*as_pg, str(bindir / "initdb"), "-D", str(data), "-U", "portal", "--auth=trust", "-E", "UTF8"]
            + ["--locale=C.UTF-8"],
            "initdb",
        )
        options = (
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off"
        )
        _run(
            [*as_pg, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-o", options]
            + ["start"],
            "pg_ctl start",
        )
        _run([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "portal", database], "createdb")
        yield f"postgresql+psycopg://portal@127.0.0.1:{port}/{database}"
    finally:
        subprocess.run(  # noqa: S603 - fixed arguments
            [*as_pg, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


def version() -> str:
    """The server's version, for the environment line."""
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments
            [str(_bindir() / "postgres"), "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (PostgresUnavailable, OSError):
        return "not installed"
    return done.stdout.strip().split()[-1] if done.stdout.strip() else "unknown"
