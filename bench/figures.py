"""`python -m bench.figures`: the public figures with 100,000 and 1,000,000 stages on SQLite, cold and warm.

For each size (bench/figures_data.py builds and caches the database) and each of the JSON
(/performance/data.json) and the page (/performance), both for the last complete financial year (the default
period; the page also counts the same year a year earlier, for its comparison):

- cold: the database file is dropped from the OS page cache (the whole page cache with --drop-caches, as root), a
  new interpreter creates the app (nothing cached in the process: not the figures, not the page, not SQLite's page
  cache) and the first request is timed, through Flask's test client (server time, no network);
- warm: that process then asks again: what the next resident gets, from the app's figure or page cache.

Medians of --cold-runs processes (5) and of --warm-runs requests in each (20). Targets, at every size: cold under
1,000 ms, warm under 50 ms; and from the smallest size to the largest, the cold time grows no faster than the
number of stages. Each cold request's time in the figures functions, its CPU time and what it read from storage
are shown, and with --explain SQLite's query plan for the statements that read stages or cases. Exit 1 on a miss,
2 when the bench itself could not run.
"""

import argparse
import ctypes
import json
import mmap
import os
import statistics
import subprocess  # noqa: S404 - runs this project's own bench
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import BROWSER_HEADERS, PROJECT_ROOT
from bench.backoffice import SqlRecorder, explain, one_line
from bench.environment import load_average

SIZES = (100_000, 1_000_000)
TARGETS = {"JSON": "/performance/data.json", "page": "/performance"}
MAX_COLD_MS = 1000.0
MAX_WARM_MS = 50.0


def say(line: str = "") -> None:
    print(line, flush=True)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


@dataclass
class Result:
    """One target at one size: every cold run's first request, and the warm requests after it."""

    size: int
    label: str
    path: str
    cold_ms: list[float] = field(default_factory=list)
    cold_cpu_ms: list[float] = field(default_factory=list)
    cold_figures_ms: list[float] = field(default_factory=list)  # in the figures functions: SQL, fetching, arithmetic
    resident_before: list[float] = field(default_factory=list)  # share of the database file in the page cache
    read_mb: list[float] = field(default_factory=list)  # read from storage during the cold request
    warm_ms: list[float] = field(default_factory=list)
    statements: dict[str, list[float]] = field(default_factory=dict)
    example: dict[str, list] = field(default_factory=dict)
    body_bytes: int = 0

    @property
    def cold(self) -> float:
        return statistics.median(self.cold_ms)

    @property
    def warm(self) -> float:
        return statistics.median(self.warm_ms)


# The page cache


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    return libc


def resident_share(path: Path) -> float | None:
    """The share of the file's pages in the OS page cache (mincore), or None where that cannot be asked."""
    try:
        libc = _libc()
        size = path.stat().st_size
        with open(path, "rb") as file:
            address = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, file.fileno(), 0)
        if address in (None, ctypes.c_void_p(-1).value):
            return None
        try:
            pages = -(-size // mmap.PAGESIZE)
            vector = (ctypes.c_ubyte * pages)()
            if libc.mincore(address, size, vector) != 0:
                return None
            return sum(byte & 1 for byte in vector) / pages
        finally:
            libc.munmap(address, size)
    except (OSError, AttributeError):
        return None


def evict(path: Path, drop_all: bool) -> None:
    """Take the database file (or, with drop_all, everything) out of the OS page cache."""
    os.sync()
    if drop_all:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return
    for name in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal")):
        if name.exists():
            fd = os.open(name, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def can_drop_all() -> bool:
    return os.geteuid() == 0 and os.access("/proc/sys/vm/drop_caches", os.W_OK)


# One cold process


def child(database: Path, path: str, warm_runs: int) -> None:
    """In a fresh interpreter: create the app, time the first request and then warm_runs more; print JSON."""
    from bench.servers import portal_env

    env = portal_env(database.parent)
    env["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.update(env)  # the portal's config reads the environment when it is imported
    from portal import create_app
    from portal.extensions import db

    app = create_app()
    figures_ms = _time_the_figures()
    recorder = SqlRecorder()
    with app.app_context():
        recorder.install(db.engine)
    client = app.test_client()
    read_before = _bytes_read()
    cpu, started = time.process_time(), time.perf_counter()
    response = client.get(path, headers=BROWSER_HEADERS)
    cold_ms = (time.perf_counter() - started) * 1000
    cold_cpu_ms = (time.process_time() - cpu) * 1000
    read = _bytes_read() - read_before
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code}")
    statements = [(s.sql, list(s.parameters), s.ms) for s in recorder.statements]
    cold_figures_ms = sum(figures_ms)
    warm = []
    for _ in range(warm_runs):
        started = time.perf_counter()
        again = client.get(path, headers=BROWSER_HEADERS)
        warm.append((time.perf_counter() - started) * 1000)
        if again.status_code != 200:
            raise RuntimeError(f"GET {path} again: {again.status_code}")
    json.dump(
        {
            "cold_ms": cold_ms,
            "cold_cpu_ms": cold_cpu_ms,
            "read_bytes": read,
            "figures_ms": cold_figures_ms,
            "statements": statements,
            "warm_ms": warm,
            "bytes": len(response.get_data()),
        },
        sys.stdout,
    )


def _time_the_figures() -> list[float]:
    """Time every call the performance views make for figures (computing them or finding them in the cache)."""
    from portal.performance import views

    spent: list[float] = []

    def timed(function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent.append((time.perf_counter() - started) * 1000)

        return wrapper

    views.cached_figures = timed(views.cached_figures)
    views.cached_comparison = timed(views.cached_comparison)
    return spent


def _bytes_read() -> int:
    """Bytes this process has had read from storage, not from the page cache (/proc/self/io), or 0."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("read_bytes:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_cold(result: Result, database: Path, warm_runs: int, drop_all: bool) -> None:
    evict(database, drop_all)
    share = resident_share(database)
    command = [sys.executable, "-m", "bench.figures", "--child", str(database), result.path, str(warm_runs)]
    done = subprocess.run(  # noqa: S603 - this bench, fixed arguments
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"the cold process for {result.path} failed:\n{done.stderr[-3000:]}")
    found = json.loads(done.stdout)
    result.cold_ms.append(found["cold_ms"])
    result.cold_cpu_ms.append(found["cold_cpu_ms"])
    result.read_mb.append(found["read_bytes"] / 1e6)
    result.cold_figures_ms.append(found["figures_ms"])
    result.warm_ms += found["warm_ms"]
    result.body_bytes = found["bytes"]
    if share is not None:
        result.resident_before.append(share)
    for sql, parameters, ms in found["statements"]:
        result.statements.setdefault(sql, []).append(ms)
        result.example.setdefault(sql, parameters)


# The report


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.figures", description=__doc__)
    parser.add_argument("--cold-runs", type=int, default=5, help="new processes per target and size (5)")
    parser.add_argument("--warm-runs", type=int, default=20, help="repeated requests in each of them (20)")
    parser.add_argument(
        "--sizes", default=",".join(str(size) for size in SIZES), help="stage counts, smallest first (100000,1000000)"
    )
    parser.add_argument(
        "--drop-caches", action="store_true", help="drop the whole OS page cache before each cold run (root only)"
    )
    parser.add_argument("--no-cache", action="store_true", help="build the databases now and do not keep them")
    parser.add_argument("--explain", action="store_true", help="show SQLite's plans for the figures' statements")
    parser.add_argument("--child", nargs=3, metavar=("DATABASE", "PATH", "WARM_RUNS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return args
    try:
        args.sizes = sorted(int(size) for size in args.sizes.split(","))
    except ValueError:
        parser.error("--sizes takes stage counts separated by commas")
    if not (1 <= args.cold_runs <= 50 and 1 <= args.warm_runs <= 1000 and all(s >= 10_000 for s in args.sizes)):
        parser.error("keep --cold-runs 1..50, --warm-runs 1..1000 and each size at least 10000")
    if args.drop_caches and not can_drop_all():
        parser.error("--drop-caches needs root and a writable /proc/sys/vm/drop_caches")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.child:
        database, path, warm_runs = args.child
        child(Path(database), path, int(warm_runs))
        return 0
    from bench.figures_data import prepare

    started = time.monotonic()
    cold_means = (
        "the whole OS page cache dropped (sync; echo 3 > /proc/sys/vm/drop_caches)"
        if args.drop_caches
        else "the database file dropped from the OS page cache (posix_fadvise DONTNEED)"
    )
    say(
        f"== public figures on SQLite: {', '.join(f'{s:,}' for s in args.sizes)} stages, in-process (Flask test client)"
    )
    say(f"  cold: {cold_means}, then a new process and its first request; warm: the same request again in it")
    say(f"  {args.cold_runs} cold processes per target and size, {args.warm_runs} warm requests in each; medians")
    say(f"  load average at start: {load_average()} on {os.cpu_count()} CPUs")
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="portal-bench-figures-") as tmp_name:
        for size in args.sizes:
            tmp = Path(tmp_name) / str(size)
            tmp.mkdir()
            database = prepare(tmp, size, use_cache=not args.no_cache, say=say)
            summary = database.summary
            origin = f"built in {database.seconds:.0f} s"
            if database.cached:
                origin = (
                    f"copied from the cache in {database.seconds:.1f} s "
                    f"(built {summary.built_on} in {summary.build_seconds:.0f} s)"
                )
            megabytes = database.path.stat().st_size / 1e6
            say()
            say(f"== {size:,} stages: {origin}; {megabytes:,.0f} MB; rows: ")
            say("  " + ", ".join(f"{name} {count:,}" for name, count in summary.rows.items()))
            size_results = [Result(size, label, path) for label, path in TARGETS.items()]
            # Interleaved, so that a noisy neighbour slows both targets alike.
            for _ in range(args.cold_runs):
                for result in size_results:
                    run_cold(result, database.path, args.warm_runs, args.drop_caches)
            for result in size_results:
                report(result, database.path, args.explain)
            results += size_results
            database.path.unlink()
    return verdicts(results, args.sizes, time.monotonic() - started)


def report(result: Result, database: Path, show_plans: bool) -> None:
    cpu, figures = statistics.median(result.cold_cpu_ms), statistics.median(result.cold_figures_ms)
    read = statistics.median(result.read_mb)
    runs = ", ".join(f"{ms:.0f}" for ms in result.cold_ms)
    resident = (
        f"; {statistics.median(result.resident_before):.0%} of the file in the page cache before each"
        if result.resident_before
        else ""
    )
    p95 = sorted(result.warm_ms)[int(0.95 * len(result.warm_ms))]
    say(f"  {result.label:<4} GET {result.path}  ({result.body_bytes:,} bytes)")
    say(f"       cold {result.cold:7.1f} ms: CPU {cpu:.0f} ms, figures {figures:.0f} ms, {read:.1f} MB from storage")
    say(f"            runs {runs} ms{resident}")
    say(f"       warm {result.warm:7.2f} ms (p95 {p95:.2f} ms)")
    # A statement's time to execute: SQLite does a grouped query's work as its rows are fetched, not all here.
    per_statement = sorted(((statistics.median(t), sql) for sql, t in result.statements.items()), reverse=True)
    for ms, sql in per_statement[:4]:
        say(f"      {ms:7.1f} ms to execute  {one_line(sql, 90)}")
    if show_plans:
        shown = set()
        for _ms, sql in per_statement:
            if ("FROM stage" in sql or 'FROM "case"' in sql) and sql not in shown:
                shown.add(sql)
                say(f"    SQLite's plan for {one_line(sql, 90)}")
                for line in explain(database, sql, tuple(result.example[sql])):
                    say(line)


def verdicts(results: list[Result], sizes: list[int], seconds: float) -> int:
    say()
    say("== public figures results (medians)")
    failures = []
    for result in results:
        cold_ok = result.cold < MAX_COLD_MS
        warm_ok = result.warm < MAX_WARM_MS
        failures += [] if cold_ok else [f"{result.label} cold at {result.size:,}"]
        failures += [] if warm_ok else [f"{result.label} warm at {result.size:,}"]
        name = f"figures {result.label} at {result.size:>9,} stages"
        say(f"{name}, cold  {result.cold:8.1f} ms   target < {MAX_COLD_MS:,.0f} ms   {verdict(cold_ok)}")
        say(f"{name}, warm  {result.warm:8.2f} ms   target < {MAX_WARM_MS:,.0f} ms     {verdict(warm_ok)}")
    if len(sizes) > 1:
        smallest, largest = sizes[0], sizes[-1]
        stage_ratio = largest / smallest
        for label in TARGETS:
            small = next(r for r in results if r.label == label and r.size == smallest)
            large = next(r for r in results if r.label == label and r.size == largest)
            ratio = large.cold / small.cold
            ok = ratio <= stage_ratio
            failures += [] if ok else [f"{label} cold time grows faster than the stages"]
            say(
                f"figures {label} cold growth {largest:,} / {smallest:,}: time x{ratio:.2f}, stages x{stage_ratio:g}"
                f"   target: time <= stages   {verdict(ok)}"
            )
    say(f"load average at end: {load_average()}; figures bench took {seconds:.0f} s")
    if failures:
        say(f"FAILED: {', '.join(failures)}")
        return 1
    return 0


def run_in_subprocess(extra: list[str] | None = None) -> int:
    """Run this bench in a fresh interpreter, as bench/__main__.py does after the servers stop."""
    command = [sys.executable, "-m", "bench.figures", *(extra or [])]
    done = subprocess.run(command, cwd=PROJECT_ROOT, check=False)  # noqa: S603 - this bench, fixed arguments
    if done.returncode not in (0, 1):
        raise RuntimeError(f"bench.figures exited with {done.returncode}")
    return done.returncode


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
        print(f"bench error: {error}", file=sys.stderr)
        sys.exit(2)
