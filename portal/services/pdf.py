"""Turning a page's HTML into a PDF with WeasyPrint, using the print styles and nothing from outside the portal.

WeasyPrint lays the page out as a browser prints it (CSS @media print and @page). It may fetch only the portal's own
static files, read straight from disk: every other address (another site, a file elsewhere, a data: URL) is refused,
so a stray link in the markup can neither slow the PDF down nor reach anything it should not.
"""

import mimetypes
from urllib.parse import unquote, urlsplit

from portal import PROJECT_ROOT

STATIC_ROOT = (PROJECT_ROOT / "static").resolve()


def _static_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        """Serve /static/... from the portal's static folder, and refuse everything else."""

        def fetch(self, url, headers=None):
            path = unquote(urlsplit(url).path)
            if not path.startswith("/static/"):
                raise ValueError(f"not a static file of the portal: {url}")
            target = (STATIC_ROOT / path.removeprefix("/static/")).resolve()
            if not target.is_relative_to(STATIC_ROOT) or not target.is_file():
                raise ValueError(f"no such static file: {url}")
            content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": content_type})

    return StaticFilesOnly


def render_pdf(html: str, base_url: str) -> bytes:
    """Return the PDF of a page; base_url is the page's site address, against which /static/ links resolve."""
    from weasyprint import HTML  # imported on first use: it loads Pango, which most requests never need

    fetcher = _static_fetcher_class()()
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher, media_type="print").write_pdf()
