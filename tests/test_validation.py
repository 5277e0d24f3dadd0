"""Every question's validation: a GOV.UK error summary, a message by the field, and nothing typed is lost."""

import pytest

from tests.journey import answer, fill_all, start


def _errors(response, prefix: str = "Error: ") -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert f"<title>{prefix}" in html
    return html


@pytest.mark.parametrize(
    ("slug", "data", "message", "kept"),
    [
        ("type", {}, "Select whether you want to make a complaint, give a compliment or make a suggestion", None),
        ("type", {"type": "rant"}, "Select whether you want to make a complaint", None),
    ],
)
def test_first_question(client, slug, data, message, kept):
    token = start(client)
    html = _errors(answer(client, token, slug, data))
    assert message in html
    assert 'href="#type"' in html


def _at(client, slug, overrides=None):
    """Answer everything, then return to one page as if changing it."""
    token = fill_all(client, overrides)
    return token


def test_service_must_be_chosen(client):
    token = _at(client, "service")
    html = _errors(answer(client, token, "service", {}))
    assert "Select the service it is about, or select ‘I’m not sure’" in html
    html = _errors(answer(client, token, "service", {"service": "99999"}))
    assert 'id="service-error"' in html


def test_complaint_details_errors_keep_what_was_typed(client):
    token = _at(client, "details")
    response = answer(
        client,
        token,
        "details",
        {"description": "", "occurred_on": ["31", "2", "2026"], "desired_outcome": "An apology"},
    )
    html = _errors(response)
    assert "Tell us what happened" in html
    assert "The date it happened must be a real date" in html
    assert "An apology" in html
    assert 'value="31"' in html
    assert 'href="#occurred_on-day"' in html


def test_complaint_details_need_a_date_not_in_the_future(client):
    token = _at(client, "details")
    html = _errors(
        answer(
            client, token, "details", {"description": "x", "occurred_on": ["1", "1", "2099"], "desired_outcome": "y"}
        )
    )
    assert "The date must be today or in the past" in html
    html = _errors(
        answer(client, token, "details", {"description": "x", "occurred_on": ["", "", ""], "desired_outcome": "y"})
    )
    assert "Enter the date it happened" in html


def test_description_has_a_length_limit(client):
    token = _at(client, "details")
    html = _errors(
        answer(
            client,
            token,
            "details",
            {"description": "x" * 5001, "occurred_on": ["1", "1", "2026"], "desired_outcome": "y"},
        )
    )
    assert "What happened must be 5000 characters or fewer" in html


def test_complaint_must_say_what_would_put_it_right(client):
    token = _at(client, "details")
    html = _errors(answer(client, token, "details", {"description": "x", "occurred_on": ["1", "1", "2026"]}))
    assert "Tell us what would put it right" in html


def test_whitespace_alone_is_not_an_answer(client):
    token = _at(client, "your-details")
    html = _errors(answer(client, token, "your-details", {"name": "   ", "email": "  jo@example.com  "}))
    assert "Enter your full name" in html
    assert 'value="jo@example.com"' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Jo"}, "Enter an email address or a phone number"),
        (
            {"name": "Jo", "email": "not-an-email"},
            "Enter an email address in the correct format, like name@example.com",
        ),
        ({"name": "Jo", "phone": "call me"}, "Enter a phone number, like 01632 960 001 or 07700 900 982"),
        ({"name": "Jo", "phone": "12"}, "Enter a phone number, like 01632 960 001 or 07700 900 982"),
    ],
)
def test_your_details(client, data, message):
    token = _at(client, "your-details")
    html = _errors(answer(client, token, "your-details", data))
    assert message in html
    assert 'value="Jo"' in html


def test_contact_preference_must_be_chosen(client):
    token = _at(client, "contact-preferences")
    html = _errors(answer(client, token, "contact-preferences", {"language": "en", "adjustments": ["bsl"]}))
    assert "Select how we should contact you" in html
    assert 'value="bsl" checked' in html


def test_acting_for_someone_else_needs_their_name_relationship_and_consent(client):
    token = _at(client, "someone-else")
    html = _errors(answer(client, token, "someone-else", {"on_behalf": "yes", "relationship": "Son"}))
    assert "Enter their full name" in html
    assert "Confirm that they have agreed to you acting for them" in html
    assert 'value="Son"' in html
    html = _errors(answer(client, token, "someone-else", {}))
    assert "Select whether you are acting for someone else" in html


def test_errors_are_in_welsh_on_a_welsh_page(client):
    token = start(client)
    client.get("/?lang=cy")
    html = _errors(answer(client, token, "type", {}), prefix="Gwall: ")
    assert '<html lang="cy"' in html
    assert "Mae problem wedi codi" in html
    assert "Select whether you want to make a complaint" not in html


def test_htmx_gets_the_fragment_with_errors_and_a_200(client):
    token = start(client)
    response = answer(client, token, "type", {}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.startswith("<title>Error: ")
    assert 'id="question-form"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_success_redirects_with_hx_redirect(client):
    token = start(client)
    response = answer(client, token, "type", {"type": "complaint"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].endswith("/feedback/service")


def test_htmx_inline_check_shows_only_the_field_that_changed_and_saves_nothing(client):
    token = _at(client, "your-details")
    response = answer(
        client,
        token,
        "your-details",
        {"name": "", "email": "bad"},
        headers={"HX-Request": "true", "HX-Validate": "1", "HX-Trigger-Name": "email"},
    )
    html = response.get_data(as_text=True)
    assert "Enter an email address in the correct format" in html
    assert "Enter your full name" not in html
    page = client.get("/feedback/check-answers").get_data(as_text=True)
    assert "Jo Bloggs" in page


def test_a_valid_inline_check_does_not_move_on(client):
    token = _at(client, "your-details")
    response = answer(
        client,
        token,
        "your-details",
        {"name": "Jo Changed", "email": "jo@example.com"},
        headers={"HX-Request": "true", "HX-Validate": "1", "HX-Trigger-Name": "name"},
    )
    assert response.status_code == 200
    assert "HX-Redirect" not in response.headers
    assert "Jo Changed" not in client.get("/feedback/check-answers").get_data(as_text=True)
