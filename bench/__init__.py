"""Speed and page-weight benchmark for the portal: `make bench` runs `python -m bench`.

Every speed target is a ratio against a reference measured in the same run (a bare Flask app served the
same way), because the machine is shared and noisy; the page weight is an absolute byte count.
"""

from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent

# Targets.
MIN_FORM_PAGES_RATIO = 0.4  # form pages' requests/second over hello-world's
MAX_FIRST_VISIT_BYTES = 100 * 1024  # a first visit to /feedback/type, compressed, headers included
MIN_JOURNEYS_RATIO = 0.5  # portal journeys/second over the insert app: its POSTs/s, and its same journeys/s

# The resident's form pages hammered for the throughput figure, in rotation, after GET /feedback/begin.
FORM_PAGES = ("/feedback/type", "/", "/track")
START_PAGE = "/"
FIRST_VISIT_PAGE = "/feedback/type"
BEGIN_PAGE = "/feedback/begin"

# What a browser sends with every request; the same for the portal and the reference.
BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) portal-bench/1",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-GB,en;q=0.9",
    "Accept-Encoding": "br, gzip",
}
