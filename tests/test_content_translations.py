"""Translations of what the council configures: the back office pages, and the names and wording residents see."""

import email
import json
import re
from datetime import date
from email import policy

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from portal.extensions import db
from portal.models import Case, ContentTranslation, Event, ServiceArea, User
from portal.services import content
from portal.services.content import council_text, council_text_plain, save_translations
from portal.services.demo import load_demo_data
from tests.conftest import csrf_token
from tests.figure_builders import StageSpec, add_complaint, area
from tests.html_checks import check_page
from tests.journey import answer, fill_all, lodge, start
from tests.staff import make_staff, staff_client

INDEX = "/staff/admin/translations"
BUILT_IN_INTRODUCTION = "Tell Example Borough Council what went wrong, what went well, or how we could do better."


def _html(response) -> str:
    return response.get_data(as_text=True)


def _area_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(ServiceArea.id).filter_by(name=name))


def _events(app) -> list[Event]:
    with app.app_context():
        found = list(db.session.scalars(select(Event).filter_by(action="content_translations_changed")))
        db.session.expunge_all()
        return found


def _stored(app, kind: str, source: str) -> dict[str, str]:
    with app.app_context():
        rows = db.session.scalars(select(ContentTranslation).filter_by(kind=kind, source=source))
        return {row.language: row.text for row in rows}


def _translate(app, kind: str, source: str, texts: dict[str, str]) -> None:
    """Save translations as an administrator would, without going through the pages."""
    with app.app_context():
        actor = db.session.scalar(select(User).filter_by(role="admin"))
        if actor is None:
            make_staff(app, "admin", email="translator@example.gov.uk")
            actor = db.session.scalar(select(User).filter_by(role="admin"))
        save_translations(kind, source, texts, actor)


def _fallback(text: str) -> str:
    return f'<span lang="en" class="app-fallback">{text}</span>'


# The back office


def test_an_administrator_saves_and_clears_translations_and_each_change_is_recorded(app):
    admin = staff_client(app, "admin")
    assert 'href="/staff/admin/translations"' in _html(admin.get("/staff/admin/"))
    index = _html(admin.get(INDEX))
    check_page(index, "en")
    waste = _area_id(app, "Waste and recycling")
    url = f"{INDEX}/service_area/{waste}"
    assert f'href="{url}"' in index
    assert "0 of 11" in index
    assert '<span class="govuk-visually-hidden"> Waste and recycling (Place)</span>' in index

    page = _html(admin.get(url))
    check_page(page, "en")
    assert "Waste and recycling" in page
    assert '<span lang="cy">Cymraeg</span> (Welsh)' in page
    assert re.search(r'<input[^>]*id="text_ur"[^>]*lang="ur"[^>]*dir="rtl"', page) or re.search(
        r'<input[^>]*lang="ur"[^>]*dir="rtl"[^>]*id="text_ur"', page
    )
    assert 'id="text_en"' not in page  # English is the source of a name, not a translation of it

    token = csrf_token(admin.get(url))
    saved = admin.post(url, data={"csrf_token": token, "text_cy": "  Gwastraff ac ailgylchu ", "text_pl": "Odpady"})
    assert saved.status_code == 303 and saved.location.endswith(INDEX)
    after = _html(admin.get(INDEX))
    assert "Translations of Waste and recycling saved." in after
    assert "2 of 11" in after
    assert _stored(app, "service_area", "Waste and recycling") == {"cy": "Gwastraff ac ailgylchu", "pl": "Odpady"}
    [event] = _events(app)
    assert event.actor_type == "staff" and event.case_id is None
    assert event.detail["after"] == {"cy": "Gwastraff ac ailgylchu", "pl": "Odpady"}
    assert event.detail["before"] == {"cy": None, "pl": None}

    # The form shows what was saved; emptying a language removes its translation.
    page = _html(admin.get(url))
    assert 'value="Odpady"' in page
    cleared = admin.post(url, data={"csrf_token": token, "text_cy": "Gwastraff ac ailgylchu", "text_pl": " "})
    assert cleared.status_code == 303
    assert _stored(app, "service_area", "Waste and recycling") == {"cy": "Gwastraff ac ailgylchu"}
    events = _events(app)
    assert len(events) == 2
    assert events[-1].detail["before"] == {"pl": "Odpady"} and events[-1].detail["after"] == {"pl": None}

    unchanged = admin.post(url, data={"csrf_token": token, "text_cy": "Gwastraff ac ailgylchu"}, follow_redirects=True)
    assert "Nothing was changed." in _html(unchanged)
    assert len(_events(app)) == 2


def test_the_start_page_introduction_has_an_english_field_and_a_larger_box(app):
    admin = staff_client(app, "admin")
    page = _html(admin.get(f"{INDEX}/start_page/0"))
    check_page(page, "en")
    assert BUILT_IN_INTRODUCTION in page
    assert re.search(r'<textarea[^>]*id="text_en"', page)
    assert re.search(r'<textarea[^>]*id="text_ar"[^>]*lang="ar"[^>]*dir="rtl"', page) or re.search(
        r'<textarea[^>]*lang="ar"[^>]*dir="rtl"', page
    )
    token = csrf_token(admin.get(f"{INDEX}/start_page/0"))
    too_long = admin.post(f"{INDEX}/start_page/0", data={"csrf_token": token, "text_en": "x" * 2001})
    assert too_long.status_code == 200
    assert "English must be 2000 characters or fewer" in _html(too_long)
    fine = admin.post(f"{INDEX}/start_page/0", data={"csrf_token": token, "text_en": "x" * 2000})
    assert fine.status_code == 303
    assert _stored(app, "start_page", "introduction") == {"en": "x" * 2000}


def test_the_phone_line_hours_are_council_wording_with_a_standard_text_in_every_language(app):
    admin = staff_client(app, "admin")
    index = _html(admin.get(INDEX))
    assert f'href="{INDEX}/start_page/1"' in index and "Phone line opening hours" in index
    page = _html(admin.get(f"{INDEX}/start_page/1"))
    check_page(page, "en")
    assert "Monday to Friday, 9am to 5pm" in page  # the standard wording, shown to whoever translates
    assert re.search(r'<input[^>]*id="text_en"', page) and "<textarea" not in page
    token = csrf_token(admin.get(f"{INDEX}/start_page/1"))
    too_long = admin.post(f"{INDEX}/start_page/1", data={"csrf_token": token, "text_en": "x" * 121})
    assert too_long.status_code == 200 and "English must be 120 characters or fewer" in _html(too_long)
    saved = admin.post(f"{INDEX}/start_page/1", data={"csrf_token": token, "text_en": "Weekdays, 8am to 6pm"})
    assert saved.status_code == 303
    assert "Translations of Phone line opening hours saved." in _html(admin.get(INDEX))
    assert _stored(app, "start_page", "phone_hours") == {"en": "Weekdays, 8am to 6pm"}
    assert admin.get(f"{INDEX}/start_page/2").status_code == 404


def test_residents_see_the_phone_hours_in_their_language_or_the_english_marked(app, client):
    # The standard wording comes from the catalogues, so every language has it, unmarked.
    assert "(Monday to Friday, 9am to 5pm)" in _html(client.get("/?lang=en"))
    polish = _html(client.get("/?lang=pl"))
    assert "(Od poniedziałku do piątku, 9:00–17:00)" in polish and "app-fallback" not in polish
    assert "(Od poniedziałku do piątku, 9:00–17:00)" in _html(client.get("/no-such-page?lang=pl"))

    _translate(app, "start_page", "phone_hours", {"en": "Weekdays, 8am to 6pm"})
    assert "(Weekdays, 8am to 6pm)" in _html(client.get("/?lang=en"))
    polish = _html(client.get("/?lang=pl"))
    check_page(polish, "pl")
    assert f"({_fallback('Weekdays, 8am to 6pm')})" in polish

    _translate(app, "start_page", "phone_hours", {"pl": "Dni robocze, 8:00–18:00"})
    assert "(Dni robocze, 8:00–18:00)" in _html(client.get("/?lang=pl"))
    assert "(Dni robocze, 8:00–18:00)" in _html(client.get("/no-such-page?lang=pl"))
    assert f"({_fallback('Weekdays, 8am to 6pm')})" in _html(client.get("/?lang=cy"))


def test_a_name_longer_than_a_name_can_be_is_refused(app):
    admin = staff_client(app, "admin")
    url = f"{INDEX}/directorate/{_directorate_id(app, 'Place')}"
    token = csrf_token(admin.get(url))
    response = admin.post(url, data={"csrf_token": token, "text_cy": "x" * 121})
    assert response.status_code == 200
    page = _html(response)
    check_page(page, "en")
    assert page.count("Cymraeg (Welsh) must be 120 characters or fewer") >= 1
    assert 'href="#text_cy"' in page
    assert _stored(app, "directorate", "Place") == {}


def _directorate_id(app, name: str) -> int:
    from portal.models import Directorate

    with app.app_context():
        return db.session.scalar(select(Directorate.id).filter_by(name=name))


def test_translations_are_for_administrators_only(app, client):
    waste = _area_id(app, "Waste and recycling")
    urls = [INDEX, f"{INDEX}/service_area/{waste}", f"{INDEX}/start_page/0"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/staff/sign-in" in response.location, url
    for role in ("officer", "manager"):
        other = staff_client(app, role)
        for url in urls:
            assert other.get(url).status_code == 403, (role, url)
        assert 'href="/staff/admin/translations"' not in _html(other.get("/staff/admin/"))
    officer = staff_client(app, "officer", email="second-officer@example.gov.uk")
    token = csrf_token(officer.get("/staff/"))
    refused = officer.post(urls[1], data={"csrf_token": token, "text_pl": "Odpady"})
    assert refused.status_code == 403
    assert _stored(app, "service_area", "Waste and recycling") == {}


def test_a_save_without_its_csrf_token_is_refused(app):
    admin = staff_client(app, "admin")
    url = f"{INDEX}/service_area/{_area_id(app, 'Waste and recycling')}"
    response = admin.post(url, data={"text_pl": "Odpady"})
    assert response.status_code == 400
    assert _stored(app, "service_area", "Waste and recycling") == {}


def test_an_unknown_kind_or_item_is_not_found(app):
    admin = staff_client(app, "admin")
    for url in (f"{INDEX}/nonsense/1", f"{INDEX}/service_area/99999", f"{INDEX}/theme/99999", f"{INDEX}/start_page/2"):
        assert admin.get(url).status_code == 404, url


# What residents see


def test_the_service_page_in_polish_translates_names_and_marks_the_english_ones(app, client):
    _translate(app, "service_area", "Waste and recycling", {"pl": "Odpady i recykling"})
    _translate(app, "directorate", "Place", {"pl": "Miejsce <i>"})
    token = start(client)
    answer(client, token, "type", {"type": "complaint"})
    page = _html(client.get("/feedback/service?lang=pl"))
    check_page(page, "pl")
    assert ">Odpady i recykling</label>" in page
    assert "Miejsce &lt;i&gt;</h2>" in page  # the council's wording is text, never markup
    assert _fallback("Libraries") in page and _fallback("Exchequer") in page
    assert "Waste and recycling" not in page

    english = _html(client.get("/feedback/service?lang=en"))
    assert ">Waste and recycling</label>" in english and "app-fallback" not in english

    fill_all(client, {"service": {"service": str(_area_id(app, "Waste and recycling"))}})
    summary = _html(client.get("/feedback/check-answers?lang=pl"))
    check_page(summary, "pl")
    assert '<dd class="govuk-summary-list__value">Odpady i recykling</dd>' in summary


def test_the_start_page_introduction_is_translated_else_the_councils_english_else_the_standard_one(app, client):
    assert BUILT_IN_INTRODUCTION in _html(client.get("/?lang=en"))
    assert "app-fallback" not in _html(client.get("/?lang=pl"))  # the standard sentence, from the catalogue

    _translate(app, "start_page", "introduction", {"en": "Tell us how we did."})
    english = _html(client.get("/?lang=en"))
    check_page(english, "en")
    assert '<p class="govuk-body-l">Tell us how we did.</p>' in english
    assert BUILT_IN_INTRODUCTION not in english
    polish = _html(client.get("/?lang=pl"))
    check_page(polish, "pl")
    assert _fallback("Tell us how we did.") in polish

    _translate(app, "start_page", "introduction", {"pl": "Powiedz nam, jak nam poszło."})
    polish = _html(client.get("/?lang=pl"))
    assert '<p class="govuk-body-l">Powiedz nam, jak nam poszło.</p>' in polish
    assert "app-fallback" not in polish
    assert _fallback("Tell us how we did.") in _html(client.get("/?lang=cy"))

    # The cached page (no ?lang=, the language remembered) follows a change straight away.
    client.get("/?lang=en")
    assert "Tell us how we did." in _html(client.get("/"))
    _translate(app, "start_page", "introduction", {"en": ""})
    assert BUILT_IN_INTRODUCTION in _html(client.get("/"))


def test_the_performance_page_translates_names_but_the_open_data_stays_in_english(app, client):
    with app.app_context():
        for day in range(1, 21):
            add_complaint(
                StageSpec(date(2025, 5, day), responded_on=date(2025, 5, 20), themes=("Communication",)),
                service_area=area(),
            )
        db.session.commit()
    period = "from=2025-04-01&to=2026-03-31"
    client.get(f"/performance?{period}&lang=pl")  # chooses Polish, remembered for the next pages
    assert "Waste and recycling" in _html(client.get(f"/performance?{period}"))  # and now cached
    _translate(app, "service_area", "Waste and recycling", {"pl": "Odpady i recykling"})
    _translate(app, "theme", "Communication", {"pl": "Komunikacja"})
    page = _html(client.get(f"/performance?{period}"))
    check_page(page, "pl")
    assert "Odpady i recykling" in page and "Komunikacja (100" in page
    assert _fallback("Place") in page
    data = json.loads(_html(client.get(f"/performance/data.json?{period}&lang=pl")))
    text = json.dumps(data, ensure_ascii=False)
    assert "Waste and recycling" in text and "Place" in text
    assert "Odpady" not in text and "Komunikacja" not in text and "app-fallback" not in text
    csv = _html(client.get(f"/performance/data.csv?{period}&lang=pl"))
    assert "Waste and recycling" in csv and "Odpady" not in csv


def test_the_acknowledgement_names_the_service_in_the_cases_language(app, client, mail_dir):
    _translate(app, "service_area", "Waste and recycling", {"pl": "Odpady i recykling"})
    waste = str(_area_id(app, "Waste and recycling"))
    reference = lodge(client, {"service": {"service": waste}, "contact-preferences": {"language": "pl"}})
    officer = staff_client(app, "officer")
    page = _html(officer.get(f"/staff/cases/{reference}"))
    body = re.search(r'<textarea[^>]*name="ack-body"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert "Odpady i recykling" in body
    subject = re.search(r'name="ack-subject" type="text" value="([^"]+)"', page).group(1)
    token = re.search(r'name="ack-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with app.app_context():
        version = db.session.scalar(select(Case.version_id).filter_by(reference=reference))
    sent = officer.post(
        f"/staff/cases/{reference}/acknowledge",
        data={"ack-csrf_token": token, "ack-version": version, "ack-subject": subject, "ack-body": body},
    )
    assert sent.status_code == 303
    [mail_path] = list(mail_dir.glob("*-acknowledgement-*.eml"))
    mail = email.message_from_bytes(mail_path.read_bytes(), policy=policy.default)
    assert "Odpady i recykling" in mail.get_body(("plain",)).get_content()


# The service


def test_council_text_escapes_marks_and_falls_back(app):
    _translate(app, "service_area", "Libraries", {"cy": "Llyfrgelloedd & mwy"})
    with app.app_context():
        assert str(council_text("service_area", "Libraries", "cy")) == "Llyfrgelloedd &amp; mwy"
        assert str(council_text("service_area", "Libraries", "en")) == "Libraries"
        assert str(council_text("service_area", "Tax & <b>", "pl")) == _fallback("Tax &amp; &lt;b&gt;")
        # Only English itself goes unmarked: the browser tests' pseudo-locale skips text marked lang="en".
        assert str(council_text("service_area", "Libraries", "en_001")) == _fallback("Libraries")
        assert council_text("start_page", "introduction", "pl") is None
        assert council_text_plain("service_area", "Libraries", "cy") == "Llyfrgelloedd & mwy"
        assert council_text_plain("service_area", "Libraries", "pl") == "Libraries"


def test_the_phone_hours_still_show_when_the_database_fails(app, monkeypatch):
    def broken(*args):
        raise OperationalError("SELECT", {}, Exception("the database is down"))

    monkeypatch.setattr(content, "council_text", broken)
    with app.test_request_context("/?lang=cy"):
        assert str(content.phone_hours()) == "Dydd Llun i ddydd Gwener, 9am i 5pm"


def test_the_demonstration_data_has_some_translations_once(app):
    with app.app_context():
        load_demo_data(date(2026, 5, 1))
        count = db.session.scalar(select(func.count()).select_from(ContentTranslation))
        load_demo_data(date(2026, 5, 1))
        assert db.session.scalar(select(func.count()).select_from(ContentTranslation)) == count
        languages = set(db.session.scalars(select(ContentTranslation.language)))
        assert {"cy", "pl"} <= languages
        # Some names stay untranslated, so a demonstration shows the marked English too.
        assert str(council_text("service_area", "Planning", "pl")) == _fallback("Planning")
