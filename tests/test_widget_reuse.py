"""Radios, checkboxes, selects and buttons drawn once are reused (portal/widgets.py), and never show one resident's
choice, language or error to another."""

from markupsafe import Markup

from portal import widgets
from portal.widgets import _frozen
from tests.journey import answer, fill_all, start


def _type_page(client) -> str:
    return client.get("/feedback/type").get_data(as_text=True)


def test_one_residents_choice_is_not_shown_to_the_next(app):
    first, second = app.test_client(), app.test_client()
    answer(first, start(first), "type", {"type": "compliment"})
    assert 'value="compliment" checked' in _type_page(first)
    start(second)
    assert "checked" not in _type_page(second)
    assert 'value="compliment" checked' in _type_page(first)


def test_the_same_question_keeps_the_words_of_each_language(app):
    welsh, english = app.test_client(), app.test_client()
    start(welsh)
    start(english)
    in_welsh = welsh.get("/feedback/type?lang=cy").get_data(as_text=True)
    in_english = _type_page(english)
    assert "Canmoliaeth" in in_welsh and "A compliment" not in in_welsh
    assert "A compliment" in in_english and "Canmoliaeth" not in in_english
    assert "Canmoliaeth" in _type_page(welsh)  # the language stays chosen, the Welsh radios with it


def test_an_error_on_a_reused_widget_belongs_to_that_answer_only(app):
    careless, careful = app.test_client(), app.test_client()
    token = start(careless)
    refused = careless.post("/feedback/type", data={"csrf_token": token})
    assert refused.status_code == 200 and "govuk-radios" in refused.get_data(as_text=True)
    assert "govuk-error-message" in refused.get_data(as_text=True)
    start(careful)
    assert "govuk-error-message" not in _type_page(careful)


def test_markup_and_the_same_text_are_different_parameters():
    assert _frozen({"html": Markup("<b>x</b>")}) != _frozen({"html": "<b>x</b>"})
    assert _frozen({"items": [{"text": "a"}, {"text": "b"}]}) != _frozen({"items": [{"text": "b"}, {"text": "a"}]})
    assert _frozen({"a": 1, "b": 2}) == _frozen({"b": 2, "a": 1})


def test_nothing_a_resident_typed_is_kept(app):
    # Only this journey's widgets: earlier tests in the process keep theirs too, and the fuzz tests' random staff
    # wording (Hypothesis draws strings from constants in the code, this test's names among them) can sit in
    # radios that are rightly kept.
    widgets._rendered.clear()
    client = app.test_client()
    fill_all(
        client,
        {
            "your-details": {"name": "Zebedee Quill", "phone": "07700 900123"},
            "details": {"description": "My bin was missed by Zebedee's street", "occurred_on": ["3", "11", "2025"]},
        },
    )
    for page in ("type", "service", "details", "your-details", "contact-preferences", "someone-else"):
        assert client.get(f"/feedback/{page}").status_code == 200
    assert "Zebedee Quill" in client.get("/feedback/your-details").get_data(as_text=True)
    kept = " ".join(str(markup) for markup in widgets._rendered.values())
    assert "govuk-radios" in kept and "govuk-input" in kept  # choices and empty boxes are reused
    assert "Zebedee" not in kept and "Quill" not in kept and "900123" not in kept and 'value="2025"' not in kept
