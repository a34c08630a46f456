"""Which language a family reads: the switch, Accept-Language, the case's language, staff in English.

The people: a Spanish-speaking mother (Rosa) whose browser asks for Spanish; an English-speaking
father; carol, a coordinator who reads English whatever her browser says.
"""

import io
import re

import pytest
from django.db import DatabaseError
from django.test import Client, RequestFactory
from django.utils import translation
from pypdf import PdfReader

from assessments import actions
from assessments.readability import inflesz
from intake.consent import TEXTS
from intake.models import Case, OutboundEmail
from tests.conftest import client_for, make_case
from tests.intake.test_family_page import page_url, verified_client
from tests.intake.test_plain_language import main_text
from tests.intake.test_translations import send_a_report

pytestmark = pytest.mark.django_db


def lang_of(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def spanish_case(**pages):
    return make_case(about_you={"preferred_language": "es", **pages.pop("about_you", {})}, **pages)


# Choosing the language -------------------------------------------------------------------------------


def test_it_offers_spanish_first_to_a_browser_that_asks_for_it():
    rosa = Client(HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    response = rosa.get("/")
    assert lang_of(response) == "es"
    assert "Empezar la evaluación de su caso" in response.content.decode()
    assert response["Content-Language"] == "es"
    assert "Accept-Language" in response["Vary"]
    english = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/")
    assert lang_of(english) == "en" and "Start your case assessment" in english.content.decode()
    # A language we do not write in falls back to English.
    assert lang_of(Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get("/")) == "en"


def test_the_switch_is_on_every_family_page_and_works_without_javascript():
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = visitor.get("/privacy/").content.decode()
    assert '<a href="/privacy/?lang=es" hreflang="es" lang="es">Español</a>' in page
    assert '<span class="fw-semibold" lang="en" aria-current="true">English</span>' in page

    response = visitor.get("/privacy/?lang=es")
    assert response.status_code == 302 and response["Location"] == "/privacy/"
    # Remembered for the visit, whatever the browser asks for.
    for url in ("/privacy/", "/", "/my-case/lost/", "/no-such-page/"):
        assert lang_of(visitor.get(url)) == "es", url
    page = visitor.get("/").content.decode()
    assert '<a href="/?lang=en" hreflang="en" lang="en">English</a>' in page

    # Other parameters stay; a language we do not have is ignored.
    assert (
        visitor.get("/case/patient/?return_to=check&lang=en")["Location"] == "/case/patient/?return_to=check"
    )
    assert visitor.get("/?lang=fr")["Location"] == "/"
    assert lang_of(visitor.get("/")) == "en"


def test_staff_pages_stay_english_whatever_the_browser_or_the_switch_says(carol):
    case = spanish_case()
    staff = client_for(carol)
    staff.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    staff.get("/?lang=es")  # chosen on a family page, in the same browser
    for url in ("/review/", f"/review/cases/{case.reference}/", "/accounts/staff/"):
        response = staff.get(url)
        assert lang_of(response) == "en", url
        assert "lang=es" not in response.content.decode(), f"no language switch on {url}"
    login = Client(HTTP_ACCEPT_LANGUAGE="es").get("/accounts/login/")
    assert lang_of(login) == "en" and "Sign in" in login.content.decode()
    assert lang_of(staff.get("/admin/")) == "en"


# The case's language ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preferred", "form_language", "written"),
    [
        ("es", "en", "es"),  # they told us: Spanish
        ("en", "es", "en"),  # they told us: English, even though they read the form in Spanish
        ("zh", "es", "es"),  # a language we do not write in: the one they filled the form in
        ("zh", "en", "en"),
        ("other", "es", "es"),
    ],
)
def test_the_case_keeps_the_language_we_write_in(preferred, form_language, written):
    with translation.override(form_language):
        case = make_case(about_you={"preferred_language": preferred})
    assert (case.preferred_language, case.language) == (preferred, written)


def test_the_language_question_starts_at_the_language_of_the_page(client):
    client.post("/start/")
    page = client.get("/case/about-you/?lang=es", follow=True).content.decode()
    assert re.search(r'<option value="es" selected>Español</option>', page)
    page = client.get("/case/about-you/?lang=en", follow=True).content.decode()
    assert re.search(r'<option value="en" selected>English</option>', page)


def test_the_private_page_speaks_the_case_language_unless_the_visitor_switches():
    case = spanish_case()
    father = verified_client(case)  # a browser that asks for English
    father.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = father.get(page_url(case))
    assert lang_of(page) == "es" and "Tenemos su caso" in page.content.decode()
    assert lang_of(Client(HTTP_ACCEPT_LANGUAGE="en").get(page_url(case, "code/"))) == "es"
    father.get(page_url(case, "?lang=en"))
    page = father.get(page_url(case))
    assert lang_of(page) == "en" and "We have your case" in page.content.decode()
    # From a form's error page the switch leads back to the case page (the form's address takes posts only).
    error_page = father.post(page_url(case, "reply/"), {"reply-body": ""}).content.decode()
    assert f'href="{page_url(case)}?lang=es"' in error_page


def test_emails_follow_the_case_language_not_the_page_that_caused_them(alice):
    case = spanish_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    with translation.override("en"):  # a reviewer's page
        actions.send_message(case=case, by=alice, body="Hola")
    email = OutboundEmail.objects.get(case=case, kind="message")
    assert email.subject.startswith(f"Un mensaje nuevo sobre el caso {case.reference}")
    assert "Le enviamos un mensaje nuevo" in email.body_text and 'lang="es"' in email.body_html
    received = OutboundEmail.objects.get(case=case, kind="case_received")
    assert received.subject.startswith(f"Recibimos su caso {case.reference}")
    assert "Gracias. Recibimos su caso." in received.body_text


def test_staff_emails_stay_english_when_a_spanish_family_causes_them(alice):
    case = spanish_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    family = verified_client(case)
    family.post(page_url(case, "reply/"), {"reply-body": "Tengo una pregunta."})
    staff_email = OutboundEmail.objects.get(case=case, kind="staff_family_update")
    assert staff_email.subject.startswith(f"The family sent a message on case {case.reference}")
    assert "For your privacy, our emails never include health details" in staff_email.body_text


def test_the_goodbye_email_is_in_the_case_language(sam):
    case = spanish_case()
    actions.erase_case(case=case, by=sam)
    email = OutboundEmail.objects.get(kind="deletion_done")
    assert email.subject.startswith(f"Borramos su caso {case.reference}")
    assert "Como nos pidió, borramos el caso" in email.body_text


def test_what_staff_keep_is_english_whatever_language_the_family_used():
    with translation.override("es"):
        case = make_case(diagnosis={"disease_status": "relapsed"})
    assert "Disease status: It came back (relapsed)" in case.urgency_reasons
    assert Case.objects.filter(search_document="leukemia").filter(pk=case.pk).exists()


def test_a_spanish_consent_is_kept_as_its_own_version(client, settings):
    from tests.conftest import ANSWERS

    settings.INTAKE_MIN_FILL_SECONDS = 0
    client.get("/?lang=es")
    client.post("/start/")
    for slug, answers in ANSWERS.items():
        client.post(f"/case/{slug}/", {**answers, "action": "continue"})
    page = client.get("/case/check/").content.decode()
    assert TEXTS["2026-11-es"]["privacy_notice"] in page
    client.post("/case/check/", {"privacy_notice": "on", "reviewers_may_read": "on"})
    case = Case.objects.get()
    assert case.consent.version == "2026-11-es"
    assert case.language == "en"  # the answer said English; the consent was read in Spanish


# Dates, numbers, the PDF and the error pages ------------------------------------------------------------


def test_dates_are_written_the_spanish_way(client):
    case = spanish_case()
    session = client.session
    session["intake_submitted"] = case.reference
    session.save()
    page = client.get("/case/submitted/?lang=es", follow=True).content.decode()
    with translation.override("es"):
        from django.utils.dateformat import format as date_format
        from django.utils.timezone import localtime

        due = date_format(localtime(case.response_due_at), r"l j \d\e F")
    assert f"<strong>{due}</strong>" in page
    assert re.fullmatch(r"[a-zé]+ \d+ de [a-z]+", due)
    check = verified_client(case).get(page_url(case)).content.decode()
    assert f"<strong>{due}</strong>" in check


def test_the_report_pdf_has_its_fixed_wording_in_spanish(alice):
    case = spanish_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    send_a_report(case, alice)
    family = verified_client(case)
    response = family.get(page_url(case, "report-1.pdf"))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for words in (
        "Su informe",
        "Lo que entendimos",
        "Opciones para hablar con su equipo médico",
        "Confidencial",
    ):
        assert words in text, words
    assert "Página 1 de 1" in text


def test_the_reviewer_previews_the_report_in_the_family_language(alice):
    case = spanish_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    actions.start_report(case=case, by=alice)
    preview = client_for(alice).get(f"/review/cases/{case.reference}/report/preview/").content.decode()
    assert '<html lang="en">' in preview and f'lang="{case.language}"' in preview
    assert "Lo que entendimos" in preview and "Preview: this is exactly what the family will see" in preview


def test_the_busy_page_speaks_the_visitor_language():
    from config.views import server_error

    request = RequestFactory().post("/case/about-you/", {"contact_name": "Rosa"})
    with translation.override("es"):
        try:
            raise DatabaseError("down")
        except DatabaseError:
            response = server_error(request)
    page = response.content.decode()
    assert response.status_code == 503 and '<html lang="es">' in page
    assert "Vuelva a intentarlo en un minuto" in page and 'value="Rosa"' in page


# The staff side --------------------------------------------------------------------------------------


def test_staff_see_and_filter_by_the_family_language(carol):
    spanish = spanish_case()
    english = make_case(ip="203.0.113.9")
    staff = client_for(carol)
    queue = staff.get("/review/?tab=all").content.decode()
    assert f'data-reference="{spanish.reference}"' in queue and '<td data-language="es">Spanish</td>' in queue
    only_spanish = staff.get("/review/?tab=all&language=es").content.decode()
    assert spanish.reference in only_spanish and english.reference not in only_spanish
    page = staff.get(f"/review/cases/{spanish.reference}/").content.decode()
    assert "Family's language: Spanish" in page


# Plain Spanish -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/start/", "/privacy/", "/my-case/lost/"])
def test_spanish_pages_read_plainly(client, url):
    """INFLESZ of 65 or more is "fairly easy" (bastante fácil), as our English pages are at grade 8."""
    score = inflesz(main_text(client.get(url, HTTP_ACCEPT_LANGUAGE="es")))
    assert score >= 65, score


def test_the_spanish_confirmation_page_reads_plainly(client):
    case = spanish_case()
    session = client.session
    session["intake_submitted"] = case.reference
    session.save()
    score = inflesz(main_text(client.get("/case/submitted/", HTTP_ACCEPT_LANGUAGE="es")))
    assert score >= 65, score
