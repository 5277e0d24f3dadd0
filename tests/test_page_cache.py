"""Whole pages come from the cache only when everything that decides them is the same."""

from tests.conftest import csrf_token
from tests.journey import answer, fill_all, start


def test_a_page_without_a_form_is_shared_by_language(app, client):
    first = client.get("/").get_data(as_text=True)
    app.config["COUNCIL_NAME"] = "Renamed Council"
    assert client.get("/").get_data(as_text=True) == first
    assert "Renamed Council" in client.get("/", headers={"Accept-Language": "cy"}).get_data(as_text=True)
    assert "Set-Cookie" not in client.get("/").headers


def test_pages_with_forms_are_never_shared_between_visitors(app):
    one, two = app.test_client(), app.test_client()
    one.get("/track")
    token_one = csrf_token(one.get("/track"))
    two.get("/track")
    token_two = csrf_token(two.get("/track"))
    assert token_one != token_two
    form = {"csrf_token": token_two, "reference": "CMP-AAAA-AAAA", "email": "a@example.com"}
    response = two.post("/track", data=form)
    assert response.status_code == 303


def test_a_first_visit_to_a_form_is_not_cached_for_the_next_newcomer(app):
    first = app.test_client()
    page_one = first.get("/track")
    second = app.test_client()
    page_two = second.get("/track")
    assert csrf_token(page_one) != csrf_token(page_two)


def test_changing_an_answer_changes_the_pages_that_show_it(client):
    token = fill_all(client)
    assert "Jo Bloggs" in client.get("/feedback/your-details").get_data(as_text=True)
    answer(client, token, "your-details", {"name": "Jo Changed", "email": "jo@example.com"})
    assert "Jo Changed" in client.get("/feedback/your-details").get_data(as_text=True)
    assert "Jo Changed" in client.get("/feedback/check-answers").get_data(as_text=True)


def test_a_new_draft_is_a_new_page(client):
    token = start(client)
    answer(client, token, "type", {"type": "compliment"})
    assert 'value="compliment" checked' in client.get("/feedback/type").get_data(as_text=True)


def test_a_one_off_message_is_not_cached(app, client):
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Only once")]
    assert "Only once" in client.get("/").get_data(as_text=True)
    assert "Only once" not in client.get("/").get_data(as_text=True)


def test_cached_pages_are_kept_compressed_for_the_encoding_asked(client):
    import brotli

    first = client.get("/", headers={"Accept-Encoding": "br"})
    second = client.get("/", headers={"Accept-Encoding": "br"})
    plain = client.get("/")
    assert first.headers["Content-Encoding"] == second.headers["Content-Encoding"] == "br"
    assert brotli.decompress(second.data) == brotli.decompress(first.data) == plain.data
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in second.headers["Vary"]
