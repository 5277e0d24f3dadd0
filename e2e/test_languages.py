"""Every resident page in every language, in Chromium.

- Lodging and tracking a complaint in Urdu (right to left) and in Polish.
- A walk through every resident page in each of the twelve languages: axe-core on each page, and screenshots
  of the start page and check-your-answers page kept in e2e/artifacts/screenshots/.
- The same walk in the pseudo-locale, whose catalogue wraps every message in ⟦markers⟧: any visible text or
  accessible name outside the markers was never translated (hard-coded in a template, Python, a form or JS).
- Each non-Latin script renders with a font that has its glyphs (no tofu).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.dates import get_day_names, get_month_names
from playwright.sync_api import Page, expect

from e2e.conftest import PSEUDO_CLOSE, PSEUDO_LOCALE, PSEUDO_OPEN
from e2e.pages import REFERENCE, CasePage, CookiesPage, StartPage, TrackRequestPage
from e2e.support import Mailbox, allow_console_error, assert_accessible, wait_until_settled
from portal.config import Config
from portal.languages import NATIVE_NAMES, RIGHT_TO_LEFT
from portal.services.publishing import financial_year_of

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "e2e" / "artifacts" / "screenshots"
LAST_WEEK = dt.date.today() - dt.timedelta(days=7)
LANGUAGES = list(Config.LANGUAGES)
# What a resident in each language might type, so the pages show their own script back to them.
TYPED = {
    "ur": ("میرا کوڑا تین ہفتوں سے نہیں اٹھایا گیا۔", "کوڑا اٹھائیں اور معذرت کریں۔", "عائشہ خان"),
    "pl": ("Moje śmieci nie były odbierane od trzech tygodni.", "Proszę odebrać śmieci.", "Zofia Nowak"),
}
DEFAULT_TYPED = ("The bin was not collected for three weeks.", "Collect the bin.", "Alex Resident")
LAST_COMPLETE_FINANCIAL_YEAR = financial_year_of(dt.date.today()) - 1
# Pages reached by address rather than through the journey (the demo data publishes last year's report).
PLAIN_PAGES = (
    "/track/link/no-such-link",
    "/accessibility",
    "/privacy",
    "/cookies",
    "/performance",
    "/performance/annual-report",
    f"/performance/annual-report/{LAST_COMPLETE_FINANCIAL_YEAR}",
    "/no-such-page",
)
# Plain pages with a page object, which checks them on arrival (its heading too: English, or translated).
PLAIN_PAGE_OBJECTS = {"/cookies": CookiesPage}


def _screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def walk_every_resident_page(
    page: Page, mailbox: Mailbox, email: str, lang: str, evidence: dict, on_page: Callable[[str], None]
) -> str:
    """Visit every resident page in one language, calling on_page(name) on each; return the case's reference."""
    description, outcome, name = TYPED.get(lang, DEFAULT_TYPED)
    start = StartPage.open(page, lang)
    on_page("start")
    type_page = start.start()
    type_page.submit_expecting_errors()
    on_page("type-with-errors")
    service = type_page.choose("complaint")
    on_page("service")
    details = service.choose()
    on_page("details")
    details.fill(description, LAST_WEEK, outcome)
    evidence_page = details.continue_()
    evidence_page.upload(evidence["pdf"])
    on_page("evidence")
    your_details = evidence_page.continue_()
    on_page("your-details")
    your_details.fill(name, email=email)
    contact = your_details.continue_()
    on_page("contact-preferences")
    expect(contact.language).to_have_value(lang if lang in NATIVE_NAMES else "en")
    someone_else = contact.choose("email")
    on_page("someone-else")
    check = someone_else.about_me()
    on_page("check-answers")
    confirmation = check.send("complaint")
    on_page("confirmation")
    reference = confirmation.reference

    TrackRequestPage.open(page, lang).ask_for_link(reference, email)
    on_page("check-your-email")
    link = mailbox.newest(email, "tracking_link").link("/track/link/")
    case = CasePage.open_link(page, link, reference, lang if lang in NATIVE_NAMES else "en")
    if lang not in NATIVE_NAMES:  # the pseudo-locale is not a language a case can be in: switch to it
        page.goto(f"/track/case?lang={lang}")
        case = CasePage(page, reference, lang)
    on_page("case")
    case.go_to_withdraw()
    on_page("withdraw")
    # The expired link and the missing page answer 410 and 404 on purpose; Chromium logs those as errors.
    allow_console_error(page, r"status of (410|404)")
    for path in PLAIN_PAGES:
        page.goto(path)
        wait_until_settled(page)
        expect(page.locator("html")).to_have_attribute("lang", lang.replace("_", "-"))
        if path in PLAIN_PAGE_OBJECTS:
            PLAIN_PAGE_OBJECTS[path](page, lang)
        else:
            assert_accessible(page)
        on_page(path.strip("/").replace("/", "-"))
    return reference


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_resident_page_in_every_language(page: Page, mailbox: Mailbox, resident_email, evidence, lang):
    seen = []

    def on_page(name: str) -> None:
        seen.append(name)
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang in RIGHT_TO_LEFT else "ltr")
        if name in ("start", "check-answers"):
            _screenshot(page, f"{lang}-{name}")

    walk_every_resident_page(page, mailbox, resident_email, lang, evidence, on_page)
    assert len(seen) == 13 + len(PLAIN_PAGES)
    assert (SCREENSHOTS / f"{lang}-start.png").stat().st_size > 10_000
    assert (SCREENSHOTS / f"{lang}-check-answers.png").stat().st_size > 10_000


@pytest.mark.parametrize("lang", ["ur", "pl"])
def test_lodge_and_track_a_complaint(page: Page, mailbox: Mailbox, resident_email, evidence, lang):
    description, outcome, name = TYPED[lang]
    start = StartPage.open(page, lang)
    assert start.heading != "Make a complaint, give a compliment or make a suggestion"
    type_page = start.start()
    if lang in RIGHT_TO_LEFT:
        # Mirrored: each radio's circle sits to the right of its words, and the text starts at the right.
        radio = type_page.page.locator(".govuk-radios__item").first
        circle = radio.locator("input").bounding_box()
        words = radio.locator("label").bounding_box()
        assert circle["x"] > words["x"], (circle, words)
        main = page.locator("main h1").bounding_box()
        assert main["x"] + main["width"] > page.viewport_size["width"] / 2
    details = type_page.choose("complaint").choose()
    details.fill(description, LAST_WEEK, outcome)
    evidence_page = details.continue_()
    evidence_page.upload(evidence["pdf"])
    your_details = evidence_page.continue_()
    your_details.fill(name, email=resident_email)
    contact = your_details.continue_()
    expect(contact.language).to_have_value(lang)
    check = contact.choose("email").about_me()
    expect(page.locator(".app-user-text").first).to_have_attribute("dir", "auto")
    expect(page.get_by_text(description)).to_be_visible()
    reference = check.send("complaint").reference
    # The reference reads left to right on a right-to-left page.
    expect(page.locator(".govuk-panel .app-reference")).to_have_attribute("dir", "ltr")

    receipt = mailbox.newest(resident_email, "receipt")
    assert receipt.language == lang
    assert reference in receipt.body
    assert "Thank you for telling us about your complaint" not in receipt.body

    TrackRequestPage.open(page, lang).ask_for_link(reference, resident_email)
    mail = mailbox.newest(resident_email, "tracking_link")
    assert mail.language == lang and reference in mail.subject
    # The emailed link opens the case in the case's language, even from a browser set to English.
    page.context.clear_cookies()
    case = CasePage.open_link(page, mail.link("/track/link/"), reference, lang)
    expect(page.locator("h1 .app-reference")).to_have_text(reference)
    expect(page.get_by_text(description)).to_have_attribute("dir", "auto")
    case.add_information(outcome)
    _screenshot(page, f"{lang}-case")


# --- The pseudo-locale -------------------------------------------------------------------------------

COLLECT_TEXT = """() => {
  const pageLang = document.documentElement.lang;
  // Text in another language on purpose: the language switch's names, council content shown in English.
  const ownLanguage = (el) => { const owner = el.closest('[lang]'); return !owner || owner.lang === pageLang; };
  const parts = [];
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest('script, style, noscript, template') || !ownLanguage(el)) continue;
    parts.push(node.nodeValue);
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
    if (!ownLanguage(el)) continue;
    for (const name of ['aria-label', 'placeholder', 'title', 'alt']) {
      if (el.hasAttribute(name)) parts.push(' ' + el.getAttribute(name) + ' ');
    }
  }
  return parts.join('');
}"""
MARKED = re.compile(
    re.escape(PSEUDO_OPEN) + "[^" + re.escape(PSEUDO_OPEN + PSEUDO_CLOSE) + "]*" + re.escape(PSEUDO_CLOSE)
)
WORD = re.compile(r"[^\W\d_]{2,}")


def untranslated_words(text: str, data: set[str]) -> list[str]:
    """The words left once every marked message is taken out (innermost first), less data the page shows."""
    previous = None
    while previous != text:
        previous, text = text, MARKED.sub(" ", text)
    text = REFERENCE.sub(" ", text)
    return [word for word in WORD.findall(text) if word.lower() not in data]


def _data_words(*values: str) -> set[str]:
    return {word.lower() for value in values for word in WORD.findall(value)}


# Data, not wording: the council's contact details (from its configuration) and dates (CLDR names the months and
# days in each real language). What the resident typed, file names and addresses are added per test.
COUNCIL_DATA = _data_words(
    Config.COUNCIL_NAME,
    Config.COUNCIL_PHONE,
    Config.COUNCIL_EMAIL,
    Config.COUNCIL_ADDRESS,
    *get_month_names("wide", locale="en").values(),
    *get_day_names("wide", locale="en").values(),
)


def test_no_resident_page_shows_text_that_was_never_translated(page: Page, mailbox: Mailbox, resident_email, evidence):
    data = COUNCIL_DATA | _data_words(*DEFAULT_TYPED, resident_email, evidence["pdf"].name)
    found: dict[str, list[str]] = {}

    def on_page(name: str) -> None:
        words = untranslated_words(page.evaluate(COLLECT_TEXT), data)
        if words:
            found[name] = words

    walk_every_resident_page(page, mailbox, resident_email, PSEUDO_LOCALE, evidence, on_page)
    assert not found, "text shown without a translation:\n" + "\n".join(f"{k}: {v}" for k, v in found.items())


def test_the_pseudo_locale_check_finds_hard_coded_text(page: Page):
    """The check above can fail: a word put on the page outside any message is caught."""
    StartPage.open(page, PSEUDO_LOCALE)
    page.evaluate("() => document.querySelector('main').insertAdjacentText('beforeend', 'Hardcoded wording')")
    assert untranslated_words(page.evaluate(COLLECT_TEXT), COUNCIL_DATA) == ["Hardcoded", "wording"]


# --- Fonts ---------------------------------------------------------------------------------------------

SCRIPT_FONTS = {"bn": "Bengali", "pa": "Gurmukhi", "gu": "Gujarati", "ar": "Arabic", "ur": "Arabic|Urdu"}


@pytest.mark.parametrize("lang", sorted(SCRIPT_FONTS))
def test_each_script_is_drawn_with_a_font_that_has_its_letters(page: Page, lang):
    StartPage.open(page, lang)
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    heading = session.send("DOM.querySelector", {"nodeId": root, "selector": "main h1"})["nodeId"]
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": heading})["fonts"]
    names = [font["familyName"] for font in fonts]
    # Chromium names the fonts that drew the heading's glyphs; one must be a Noto font for this script.
    assert any(re.search(SCRIPT_FONTS[lang], name) for name in names), names
    drawn = sum(font["glyphCount"] for font in fonts if re.search(SCRIPT_FONTS[lang], font["familyName"]))
    assert drawn >= 5, fonts
