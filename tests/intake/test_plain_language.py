"""Family pages are written in plain language: about grade 8 or lower (Flesch-Kincaid)."""

import re
from html import unescape

import pytest

from assessments.readability import grade
from tests.conftest import make_case

pytestmark = pytest.mark.django_db


def main_text(response) -> str:
    html = response.content.decode()
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", main, flags=re.S)
    # Headings, list items and paragraphs end sentences as a reader hears them.
    main = re.sub(r"</(h\d|li|p|dt|dd|label|legend|button)>", ". ", main)
    return unescape(re.sub(r"<[^>]+>", " ", main))


@pytest.mark.parametrize("url", ["/", "/start/", "/privacy/", "/my-case/lost/"])
def test_family_pages_read_at_grade_eight_or_lower(client, url):
    assert grade(main_text(client.get(url))) <= 8


def test_the_confirmation_page_reads_plainly(client):
    case = make_case()
    session = client.session
    session["intake_submitted"] = case.reference
    session.save()
    assert grade(main_text(client.get("/case/submitted/"))) <= 8
