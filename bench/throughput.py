"""Requests/second of the portal's pages and of hello-world, measured in interleaved rounds."""

import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import FORM_PAGES, START_PAGE
from bench import load as wrk_load
from bench.servers import Server


@dataclass
class Scenario:
    name: str
    server: Server
    paths: tuple[str, ...]
    script: Path
    results: list[wrk_load.Result] = field(default_factory=list)

    @property
    def median_rps(self) -> float:
        return statistics.median(r.rps for r in self.results)

    @property
    def median_generator_cpu(self) -> float:
        return statistics.median(r.generator_cpu_share for r in self.results)

    @property
    def median_p50_ms(self) -> float:
        return statistics.median(r.p50_ms for r in self.results)


def scenarios(hello: Server, portal: Server, tmp: Path) -> tuple[list[Scenario], list[str]]:
    """One session (begin, then the first page) per wrk connection, each kept in its own wrk thread."""
    cookies = [wrk_load.begin_session(portal.port) for _ in range(wrk_load.CONNECTIONS)]
    for cookie in (cookies[0], cookies[-1]):
        wrk_load.check_pages(portal.port, FORM_PAGES, cookie)
    # The reference gets byte-for-byte the same requests (cookie included), which it ignores.
    runs = [
        Scenario("hello-world", hello, ("/",), wrk_load.write_script(tmp / "hello.lua", ("/",), cookies)),
        Scenario("form pages", portal, FORM_PAGES, wrk_load.write_script(tmp / "form.lua", FORM_PAGES, cookies)),
        Scenario("start page", portal, (START_PAGE,), wrk_load.write_script(tmp / "start.lua", (START_PAGE,), cookies)),
    ]
    return runs, cookies


def measure(wrk: str, runs: list[Scenario], warmup: int, seconds: int, rounds: int, say) -> None:
    """Warm every scenario up, then run them in turn, round after round, so drift in load hits them alike."""
    for scenario in runs if warmup > 0 else []:
        warm = wrk_load.run(wrk, scenario.server.port, scenario.script, warmup)
        say(f"  warm-up {scenario.name:<12} {warmup} s: {warm.rps:8.1f} req/s (not counted)")
    reference = runs[0]
    for round_number in range(1, rounds + 1):
        parts = []
        for scenario in runs:
            result = wrk_load.run(wrk, scenario.server.port, scenario.script, seconds)
            scenario.results.append(result)
            _check(scenario, result, say)
            if scenario is reference:
                parts.append(f"{scenario.name} {result.rps:.1f}")
            else:
                parts.append(f"{scenario.name} {result.rps:.1f} (x{result.rps / reference.results[-1].rps:.3f})")
        say(f"  round {round_number} ({seconds} s each), req/s: " + ", ".join(parts))
        time.sleep(0.2)


def _check(scenario: Scenario, result: wrk_load.Result, say) -> None:
    if result.status_errors:
        raise RuntimeError(f"{scenario.name}: {result.status_errors} responses were not 2xx/3xx")
    if result.requests == 0:
        raise RuntimeError(f"{scenario.name}: no request completed")
    if result.socket_errors:
        say(f"  note: {scenario.name} had {result.socket_errors} socket errors in {result.requests} requests")
