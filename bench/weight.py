"""The bytes a first visit to a page transfers: the page and everything it makes a browser fetch."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from bench import BEGIN_PAGE, BROWSER_HEADERS, FIRST_VISIT_PAGE
from bench.rawhttp import Response, fetch

# <link rel> values that make a browser download the target on first load (alternate, canonical... do not).
FETCHED_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "manifest", "preload", "modulepreload"}
ACCEPT = {
    "document": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "style": "text/css,*/*;q=0.1",
    "script": "*/*",
    "module": "*/*",
    "image": "image/avif,image/webp,image/svg+xml,image/*,*/*;q=0.8",
    "other": "*/*",
}
# Static imports and re-exports of an ES module, minified or not: import x from "a", import "a", export * from "a".
MODULE_IMPORT = re.compile(r"""(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?(["'])([^"'\s]+)\1""")
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)""")
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+?)["']?\s*\)""")


@dataclass
class Fetched:
    url: str
    kind: str
    response: Response


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "link" and attr.get("href"):
            rels = set(attr.get("rel", "").lower().split())
            if rels & FETCHED_RELS:
                if "stylesheet" in rels or attr.get("as") == "style":
                    kind = "style"
                elif "modulepreload" in rels:
                    kind = "module"
                elif rels & {"icon", "shortcut", "apple-touch-icon"} or attr.get("as") == "image":
                    kind = "image"
                else:
                    kind = "script" if attr.get("as") == "script" else "other"
                self.found.append((attr["href"], kind))
        elif tag == "script" and attr.get("src"):
            module = attr.get("type", "").lower() == "module"
            if module or "nomodule" not in attr:  # a modern browser skips nomodule scripts
                self.found.append((attr["src"], "module" if module else "script"))
        elif tag in ("img", "source") and attr.get("src"):
            self.found.append((attr["src"], "image"))


def references(kind: str, base: str, text: str) -> list[tuple[str, str]]:
    """The same-origin URLs a resource of this kind makes the browser fetch next, resolved against base."""
    if kind == "document":
        parser = _References()
        parser.feed(text)
        found = parser.found
    elif kind == "module":
        found = [(spec, "module") for _, spec in MODULE_IMPORT.findall(text) if spec.startswith(("/", "./", "../"))]
    elif kind == "style":
        imports = CSS_IMPORT.findall(text)
        found = [(url, "style") for url in imports]
        found += [(url, "other") for url in CSS_URL.findall(text) if url not in imports and not url.startswith("data:")]
    else:
        found = []
    resolved = []
    for url, next_kind in found:
        absolute = urljoin(base, url)
        if urlsplit(absolute).netloc == urlsplit(base).netloc:
            resolved.append((absolute, next_kind))
    return resolved


def first_visit(port: int, page: str = FIRST_VISIT_PAGE) -> tuple[Response, list[Fetched]]:
    """Begin a journey with no cookie, then load `page` and every sub-resource once, as a first-time browser."""
    origin = f"http://127.0.0.1:{port}"
    begun = fetch(port, BEGIN_PAGE, BROWSER_HEADERS)
    if begun.status != 302:
        raise RuntimeError(f"GET {BEGIN_PAGE}: {begun.status}")
    cookie = begun.session_cookie()  # none: the start link stores nothing, the first page sets the session
    queue = [(origin + page, "document")]
    seen = {origin + page}
    fetched: list[Fetched] = []
    while queue:
        url, kind = queue.pop(0)
        path = urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
        headers = {**BROWSER_HEADERS, "Accept": ACCEPT[kind], **({"Cookie": cookie} if cookie else {})}
        response = fetch(port, path, headers)
        if response.status != 200:
            raise RuntimeError(f"GET {path} ({kind}): {response.status}")
        fetched.append(Fetched(path, kind, response))
        cookie = response.session_cookie() or cookie
        for next_url, next_kind in references(kind, url, response.body.decode("utf-8", errors="replace")):
            if next_url not in seen:
                seen.add(next_url)
                queue.append((next_url, next_kind))
    return begun, fetched


def table(begun: Response, fetched: list[Fetched]) -> list[str]:
    rows = [f"  {'resource':<44} {'kind':<8} {'enc':<5} {'headers':>8} {'body':>9} {'on wire':>9} {'decoded':>9}"]
    for item in fetched:
        r = item.response
        rows.append(
            f"  {item.url:<44} {item.kind:<8} {r.header('Content-Encoding') or '-':<5} {r.header_bytes:>8,} "
            f"{r.body_wire_bytes:>9,} {r.wire_bytes:>9,} {len(r.body):>9,}"
        )
    total_headers = sum(i.response.header_bytes for i in fetched)
    total_body = sum(i.response.body_wire_bytes for i in fetched)
    total_decoded = sum(len(i.response.body) for i in fetched)
    rows.append(
        f"  {'total (' + str(len(fetched)) + ' requests)':<44} {'':<8} {'':<5} {total_headers:>8,} "
        f"{total_body:>9,} {total_headers + total_body:>9,} {total_decoded:>9,}"
    )
    rows.append(f"  (not counted: the {BEGIN_PAGE} redirect before it, {begun.wire_bytes:,} bytes)")
    return rows
