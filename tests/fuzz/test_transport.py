"""The fuzz tests' own machinery: what reaches the server, and how a page is read back."""

import pytest

from tests.conftest import ANSWERS
from tests.fuzz.harness import Page, Visit, arrived, send
from tests.fuzz.table import World

pytestmark = pytest.mark.django_db


def test_lone_surrogates_reach_the_server_as_replacement_characters():
    client = World().family_at("about-you")
    visit = Visit(client, "/case/about-you/", {})
    sent = {**{k: [v] for k, v in ANSWERS["about-you"].items()}, "contact_name": ["Ma\ud800ria"]}
    response = send(visit, "post", sent)
    assert response.status_code == 302
    # One U+FFFD for each of the three bytes a surrogate takes.
    assert response.wsgi_request.POST["contact_name"] == arrived("Ma\ud800ria") == "Ma\ufffd\ufffd\ufffdria"
    # NUL bytes arrive as they are: it is the application's job to refuse or drop them.
    assert arrived("a\x00b") == "a\x00b"


def test_a_page_is_read_back_as_a_browser_would_send_it():
    page = Page(
        """<form><input name="a" value="x &amp; y"><input type="checkbox" name="b" checked>
        <input type="checkbox" name="b2"><input type="radio" name="c" value="1">
        <input type="radio" name="c" value="2" checked><select name="d"><option value="">-</option>
        <option value="7">Seven</option></select><select name="e"><option>One</option>
        <option selected>Two</option></select><textarea name="f">\nline 1\nline 2</textarea>
        <input type="submit" name="go" value="Go"><input name="g" disabled value="no">
        <div id="id_a_error" class="invalid-feedback"><p>Bad <strong>a</strong></p></div>
        <input name="h" aria-describedby="id_a_error id_x"><div role="alert">Check this page</div></form>"""
    )
    assert page.values == {
        "a": ["x & y"],
        "b": ["on"],
        "c": ["2"],
        "d": [""],
        "e": ["Two"],
        "f": ["line 1\nline 2"],
        "h": [""],
    }
    assert page.ids["id_a_error"] == "Bad a"
    assert {"id_a_error", "id_x"} <= page.described
    assert page.alerts == ["Check this page"]
