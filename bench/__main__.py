"""`python -m bench`: throughput ratio against hello-world, the weight of a first visit, whole resident journeys
against an insert-one-row app (SQLite and PostgreSQL), the back office at 100,000 cases and the public figures at
100,000 and 1,000,000 stages. Exit 1 on a miss."""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from bench import (
    BEGIN_PAGE,
    FIRST_VISIT_PAGE,
    FORM_PAGES,
    MAX_FIRST_VISIT_BYTES,
    MIN_FORM_PAGES_RATIO,
    START_PAGE,
    environment,
    journeys,
    servers,
    throughput,
    weight,
)
from bench import load as wrk_load
from bench.backoffice import run_in_subprocess as run_backoffice
from bench.figures import run_in_subprocess as run_figures


def say(line: str = "") -> None:
    print(line, flush=True)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per server and page set (5)")
    parser.add_argument("--seconds", type=int, default=5, help="seconds per measured run (5)")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per page set; the median counts (3)")
    parser.add_argument("--no-journeys", action="store_true", help="skip the whole resident journeys")
    journeys.add_arguments(parser, prefix="journey-")
    parser.add_argument("--no-backoffice", action="store_true", help="skip the back office at 100,000 cases")
    parser.add_argument(
        "--no-figures", action="store_true", help="skip the public figures at 100,000 and 1,000,000 stages"
    )
    parser.add_argument(
        "--drop-caches",
        action="store_true",
        help="for the figures' cold runs, drop the whole OS page cache, not only the database file's (root only)",
    )
    args = parser.parse_args(argv)
    if not (1 <= args.seconds <= 30 and 0 <= args.warmup <= 30 and 1 <= args.runs <= 9):
        parser.error("keep --seconds 1..30, --warmup 0..30, --runs 1..9")
    journeys.check_arguments(
        parser, args.journey_seconds, args.journey_warmup, args.journey_rounds, args.journey_concurrency
    )
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    wrk = wrk_load.ensure_wrk()
    load_generator = (
        f"{wrk_load.wrk_version(wrk)}, {wrk_load.CONNECTIONS} threads x 1 connection, Lua script, "
        "one session cookie per connection"
    )
    server_line = f"gunicorn --workers {servers.WORKERS} --worker-class {servers.WORKER_CLASS}, both apps, 127.0.0.1"
    say("== environment")
    for line in environment.describe(load_generator, server_line):
        say(line)

    failures = []
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = servers.portal_env(tmp)
        servers.prepare_database(env)
        hello = portal = None
        try:
            hello = servers.start_gunicorn("hello", servers.HELLO_APP, env, tmp, "/")
            portal = servers.start_gunicorn("portal", servers.PORTAL_APP, env, tmp, "/healthz")

            say()
            say(f"== page weight: first visit to {FIRST_VISIT_PAGE} after {BEGIN_PAGE}, Accept-Encoding: br, gzip")
            begun, fetched = weight.first_visit(portal.port)
            for line in weight.table(begun, fetched):
                say(line)
            total = sum(item.response.wire_bytes for item in fetched)

            say()
            say(f"== throughput: {args.warmup} s warm-up, then {args.runs} interleaved rounds of {args.seconds} s")
            say(f"  form pages rotation: {', '.join(FORM_PAGES)}; start page: {START_PAGE}")
            runs, cookies = throughput.scenarios(hello, portal, tmp)
            throughput.measure(wrk, runs, args.warmup, args.seconds, args.runs, say)
            # The sessions must still be good at the end, or the figures counted redirects.
            wrk_load.check_pages(portal.port, FORM_PAGES, cookies[0])
        finally:
            for server in (portal, hello):
                if server is not None:
                    server.stop()

    # Whole resident journeys (bench/journeys.py), each database kind with its own servers, once the others stopped.
    journey_outcomes = []
    if not args.no_journeys:
        say()
        journey_outcomes = journeys.run(
            journeys.DATABASES[args.journey_databases],
            args.journey_seconds,
            args.journey_warmup,
            args.journey_rounds,
            args.journey_concurrency,
            say,
        )
        failures += [f"resident journeys on {o.database}" for o in journey_outcomes if not o.ok]

    # The back office at 100,000 cases (bench/backoffice.py), in its own interpreter once the servers are stopped.
    if not args.no_backoffice:
        say()
        if run_backoffice() != 0:
            failures.append("back office (see its results above)")

    # The public figures (bench/figures.py), cold and warm, each cold run in a new interpreter.
    if not args.no_figures:
        say()
        if run_figures(["--drop-caches"] if args.drop_caches else []) != 0:
            failures.append("public figures (see their results above)")

    reference, form, start = (scenario.median_rps for scenario in runs)
    form_ratio = form / reference
    start_ratio = start / reference
    form_ok = form_ratio >= MIN_FORM_PAGES_RATIO
    weight_ok = total < MAX_FIRST_VISIT_BYTES
    failures += [] if form_ok else ["form pages throughput ratio"]
    failures += [] if weight_ok else ["first-visit bytes"]

    say()
    say("== results (medians)")
    say(f"hello-world reference throughput         {reference:10.1f} req/s   (reference, no target)")
    say(f"form pages throughput                    {form:10.1f} req/s   (no target on its own)")
    say(f"start page / throughput                  {start:10.1f} req/s   (no target on its own)")
    say(
        f"form pages / hello-world ratio           {form_ratio:10.3f}         "
        f"target >= {MIN_FORM_PAGES_RATIO}   {verdict(form_ok)}"
    )
    say(f"start page / hello-world ratio           {start_ratio:10.3f}         (reported, no target)")
    say(
        f"first visit to {FIRST_VISIT_PAGE}, on wire   {total:10,} bytes   "
        f"target < {MAX_FIRST_VISIT_BYTES:,} bytes   {verdict(weight_ok)}"
    )
    for line in journeys.result_lines(journey_outcomes):
        say(line)
    say(
        "load generator CPU (median, share of one core): "
        + ", ".join(f"{s.name} {s.median_generator_cpu:.0%}" for s in runs)
        + f" of {os.cpu_count()} cores"
    )
    say("median latency (p50): " + ", ".join(f"{s.name} {s.median_p50_ms:.1f} ms" for s in runs))
    say(f"load average at end: {environment.load_average()}; bench took {time.monotonic() - started:.0f} s")
    if failures:
        say(f"FAILED: {', '.join(failures)}")
        if not form_ok:
            say("  (profile a request in-process with: .venv/bin/python -m bench.profile)")
        return 1
    say("all targets met")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, OSError) as error:
        print(f"bench error: {error}", file=sys.stderr)
        sys.exit(2)
