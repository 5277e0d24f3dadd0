"""`python -m bench.profile`: where one request of a page spends its time, in-process (no server, no network).

Prints ms/request for the form pages and hello-world through Flask's test client, a wall-clock breakdown of
/feedback/type (templates, SQL, each before/after-request hook, the session cookie), and cProfile's top entries.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from functools import wraps
from pathlib import Path

from bench import BEGIN_PAGE, BROWSER_HEADERS, FIRST_VISIT_PAGE, FORM_PAGES, PROJECT_ROOT
from bench.servers import portal_env, prepare_database

STATIC_FILES = ("/static/govuk/govuk-frontend.min.css", "/static/vendor/htmx-2.0.11.min.js")
IDENTITY = {**BROWSER_HEADERS, "Accept-Encoding": "identity"}


def per_request_ms(client, path: str, headers: dict[str, str], count: int, warm: bool = True) -> float:
    for _ in range(max(10, count // 10) if warm else 0):
        client.get(path, headers=headers)
    started = time.perf_counter()
    for _ in range(count):
        response = client.get(path, headers=headers)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code}")
    return elapsed / count * 1000


class Breakdown:
    """Wall-clock time spent in the parts of a request that can be hooked from outside the app."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def wrap(self, label: str, function):
        @wraps(function)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started
                self.calls[label] += 1

        return timed

    def install(self, app, db) -> None:
        from flask import before_render_template, template_rendered
        from sqlalchemy import event

        for functions in app.before_request_funcs.values():
            functions[:] = [self.wrap(f"before_request {_name(f)}", f) for f in functions]
        for functions in app.after_request_funcs.values():
            functions[:] = [self.wrap(f"after_request {_name(f)}", f) for f in functions]
        for functions in app.template_context_processors.values():
            functions[:] = [self.wrap(f"context processor {_name(f)}", f) for f in functions]
        for endpoint, view in app.view_functions.items():
            if endpoint != "static":
                app.view_functions[endpoint] = self.wrap("view function, templates included", view)
        interface = app.session_interface
        interface.open_session = self.wrap("session cookie: open (verify signature)", interface.open_session)
        interface.save_session = self.wrap("session cookie: save (serialise, sign)", interface.save_session)

        depth = [0]
        started = [0.0]

        def before(sender, template, context, **extra):
            if depth[0] == 0:
                started[0] = time.perf_counter()
            depth[0] += 1

        def after(sender, template, context, **extra):
            depth[0] -= 1
            if depth[0] == 0:
                self.seconds["templates (Jinja, with the GOV.UK macros and form widgets)"] += (
                    time.perf_counter() - started[0]
                )
                self.calls["templates (Jinja, with the GOV.UK macros and form widgets)"] += 1

        before_render_template.connect(before, app, weak=False)
        template_rendered.connect(after, app, weak=False)

        sql_started = {}

        def before_sql(conn, cursor, statement, parameters, context, executemany):
            sql_started[id(cursor)] = time.perf_counter()

        def after_sql(conn, cursor, statement, parameters, context, executemany):
            elapsed = time.perf_counter() - sql_started.pop(id(cursor), time.perf_counter())
            self.seconds["SQL (cursor execute)"] += elapsed
            self.calls["SQL (cursor execute)"] += 1

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", before_sql)
            event.listen(db.engine, "after_cursor_execute", after_sql)

    def report(self, requests: int, total_ms: float) -> list[str]:
        lines = []
        for label, seconds in sorted(self.seconds.items(), key=lambda item: -item[1]):
            ms = seconds / requests * 1000
            lines.append(
                f"    {label:<70} {ms:7.3f} ms {ms / total_ms:6.1%}  ({self.calls[label] / requests:.1f} calls/request)"
            )
        nested = ("templates", "SQL", "context processor")  # inside the view function
        outside = sum(s for label, s in self.seconds.items() if not label.startswith(nested)) / requests * 1000
        rest = total_ms - outside
        label = "the rest: Flask, Werkzeug, routing, the test client"
        lines.append(f"    {label:<70} {rest:7.3f} ms {rest / total_ms:6.1%}")
        return lines


def _shorten(text: str) -> str:
    for prefix in sorted({p for p in sys.path if p.endswith("-packages")}, key=len, reverse=True):
        text = text.replace(prefix + "/", "")
    return text.replace(str(PROJECT_ROOT) + "/", "")


def _name(function) -> str:
    owner = getattr(function, "__self__", None)
    prefix = f"{type(owner).__name__}." if owner is not None else ""
    return f"{prefix}{getattr(function, '__qualname__', repr(function)).split('.')[-1]} ({function.__module__})"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="requests per measurement (300)")
    parser.add_argument("--top", type=int, default=30, help="cProfile lines to print (30)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="portal-bench-profile-") as tmp:
        env = portal_env(Path(tmp))
        prepare_database(env)
        os.environ.update(env)  # the portal's config reads the environment when it is imported

        from bench.hello import app as hello_app
        from portal import create_app
        from portal.extensions import db

        app = create_app()
        client = app.test_client()
        begun = client.get(BEGIN_PAGE, headers=BROWSER_HEADERS)
        if begun.status_code != 302:
            raise RuntimeError(f"GET {BEGIN_PAGE}: {begun.status_code}")

        n = args.requests
        hello_ms = per_request_ms(hello_app.test_client(), "/", BROWSER_HEADERS, n * 5)
        print(f"== in-process, Flask test client, {n} requests each (this machine is noisy: compare, don't quote)")
        print(f"  hello-world /                 {hello_ms:7.3f} ms/request")
        for path in FORM_PAGES:
            br = per_request_ms(client, path, BROWSER_HEADERS, n)
            plain = per_request_ms(client, path, IDENTITY, n)
            print(
                f"  portal {path:<22} {br:7.3f} ms/request with br ({br / hello_ms:5.1f} x hello-world), "
                f"{plain:7.3f} ms without compression"
            )

        breakdown = Breakdown()
        breakdown.install(app, db)
        for path in FORM_PAGES:
            breakdown.seconds.clear()
            breakdown.calls.clear()
            total_ms = per_request_ms(client, path, BROWSER_HEADERS, n, warm=False)  # warmed above
            print(f"\n== where GET {path} spends {total_ms:.3f} ms (wall clock, hooks timed from outside)")
            for line in breakdown.report(n, total_ms):
                print(line)

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            client.get(FIRST_VISIT_PAGE, headers=BROWSER_HEADERS)
        profiler.disable()
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats(order)
            stats.print_stats(args.top)
            print(f"\n== cProfile of {n} x GET {FIRST_VISIT_PAGE}, by {order} (times inflated by the profiler)")
            print(_shorten("\n".join(out.getvalue().strip().splitlines()[3:])))

        print("\n== static files, served by the app on every first visit")
        for path in STATIC_FILES:
            br = per_request_ms(client, path, BROWSER_HEADERS, n // 3)
            plain = per_request_ms(client, path, IDENTITY, n // 3)
            print(f"  {path:<40} {br:7.3f} ms/request with br, {plain:7.3f} ms without compression")


if __name__ == "__main__":
    main()
