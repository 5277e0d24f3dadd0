"""The checks every page must pass: one h1, a title that starts with it, unique ids, forms with actions."""

from html.parser import HTMLParser

from portal.languages import RIGHT_TO_LEFT


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.h1s: list[str] = []
        self.forms: list[dict] = []
        self.title = ""
        self.html_attrs: dict = {}
        self._in_h1 = 0
        self._in_title = False
        self._h1_text: list[str] = []
        self.inline_scripts: list[str] = []
        self.style_attributes = 0
        self._in_script_inline = False
        self.user_text_without_own_direction: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if "style" in attributes:
            self.style_attributes += 1
        if "app-user-text" in (attributes.get("class") or "").split() and attributes.get("dir") != "auto":
            self.user_text_without_own_direction.append(attributes)
        if tag == "html":
            self.html_attrs = attributes
        elif tag == "h1":
            self._in_h1 += 1
            self._h1_text = []
        elif tag == "title":
            self._in_title = True
        elif tag == "form":
            self.forms.append(attributes)
        elif tag == "script" and "src" not in attributes:
            self._in_script_inline = True
            self.inline_scripts.append("")

    def handle_endtag(self, tag):
        if tag == "h1" and self._in_h1:
            self._in_h1 -= 1
            self.h1s.append(" ".join("".join(self._h1_text).split()))
        elif tag == "title":
            self._in_title = False
        elif tag == "script":
            self._in_script_inline = False

    def handle_data(self, data):
        if self._in_h1:
            self._h1_text.append(data)
        if self._in_title:
            self.title += data
        if self._in_script_inline:
            self.inline_scripts[-1] += data


def check_page(html: str, language: str) -> _PageParser:
    """Assert the house rules for a full page and return what was parsed."""
    page = _PageParser()
    page.feed(html)
    assert page.html_attrs.get("lang") == language, page.html_attrs
    assert page.html_attrs.get("dir") == ("rtl" if language in RIGHT_TO_LEFT else "ltr"), page.html_attrs
    # Text someone typed keeps its own direction: Urdu typed on an English page reads right to left, and so on.
    assert not page.user_text_without_own_direction, page.user_text_without_own_direction
    assert len(page.h1s) == 1, page.h1s
    title = " ".join(page.title.split())
    assert (
        title.startswith(page.h1s[0])
        or title.startswith("Error: " + page.h1s[0])
        or page.h1s[0].startswith(title.split(" – ")[0])
    ), (title, page.h1s[0])
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    assert not duplicates, duplicates
    for form in page.forms:
        assert form.get("action"), form
        if form.get("method", "get").lower() == "post":
            assert "novalidate" in form, form
    # The only inline script allowed is GOV.UK Frontend's js-enabled line, which the CSP admits by its hash.
    assert all("js-enabled" in script for script in page.inline_scripts), page.inline_scripts
    assert page.style_attributes == 0
    return page
