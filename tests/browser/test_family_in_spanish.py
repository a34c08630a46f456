"""A Spanish-speaking mother goes the whole way in Spanish: from the home page to her reference code,
then to her private page with the one-time code from our email. Every page says lang="es"."""

import re
from urllib.parse import urlparse

import pytest

from intake.models import Case, OutboundEmail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rosa(phone_page):
    """A phone whose browser asks for Spanish first."""
    phone_page.context.set_extra_http_headers({"Accept-Language": "es-MX,es;q=0.9"})
    return phone_page


def assert_spanish(page, *words):
    assert page.locator("html").get_attribute("lang") == "es", page.url
    text = page.locator("body").inner_text()
    for word in words:
        assert word in text, (page.url, word)


def test_a_family_goes_the_whole_way_in_spanish(rosa, browser, live_server, settings):
    settings.INTAKE_MIN_FILL_SECONDS = 0
    page = rosa
    page.goto("/")
    assert_spanish(page, "Ayuda para buscar opciones de tratamiento", "Gratis y confidencial")
    page.get_by_role("link", name="Empezar la evaluación de su caso").click()
    assert_spanish(page, "Antes de empezar")
    page.get_by_role("button", name="Empezar").click()

    page.wait_for_url("**/case/about-you/")
    assert page.title().startswith("Sobre usted (paso 1 de 7)")
    page.get_by_label("Su nombre").fill("Rosa Martínez")
    page.get_by_role("textbox", name="Su correo electrónico", exact=True).fill("rosa@example.com")
    page.get_by_label("Escriba su correo electrónico otra vez").fill("rosa@example.com")
    page.get_by_label("Madre o padre").check()
    page.get_by_role("radio", name="Correo electrónico").check()
    assert page.get_by_label("¿Qué idioma prefiere?").input_value() == "es"
    page.get_by_role("button", name="Guardar y seguir").click()

    page.wait_for_url("**/case/patient/")
    assert_spanish(page, "Paso 2 de 7")
    page.get_by_label("Nombre o iniciales del paciente").fill("DM")
    page.get_by_label("Edad en años").fill("9")
    page.get_by_label("Masculino").check()
    page.get_by_label("Estado o región (opcional)").fill("Texas")
    page.get_by_label("A cualquier lugar del país").check()
    page.get_by_role("button", name="Guardar y seguir").click()

    page.wait_for_url("**/case/diagnosis/")
    # A mistake first: the errors come in Spanish, and the summary leads to each question.
    page.get_by_role("button", name="Guardar y seguir").click()
    summary = page.get_by_role("alert")
    assert "Revise esta página" in summary.inner_text()
    assert "¿Cuál es el diagnóstico?: Elija una respuesta." in summary.inner_text()
    assert page.title().startswith("Error: Diagnóstico (paso 3 de 7)")
    page.get_by_label("¿Cuál es el diagnóstico?").select_option("t_all")
    page.get_by_label("Mes").select_option("3")
    page.get_by_label("Año").select_option("2025")
    page.get_by_label("Volvió (recaída)").check()
    page.get_by_role("button", name="Guardar y seguir").click()

    page.wait_for_url("**/case/treatments/")
    assert_spanish(page, "Tratamientos hasta ahora")
    page.get_by_label("Tipo de tratamiento").select_option("chemotherapy")
    page.get_by_label("Nombre del tratamiento, si lo sabe").fill("Protocolo BFM")
    page.get_by_label("¿Cómo le fue?").select_option("partly")
    page.get_by_role("button", name="Guardar y seguir").click()

    page.wait_for_url("**/case/now/")
    page.get_by_label("Pasa más de la mitad del día en la cama").check()
    page.get_by_label("Ensayos clínicos").check()
    page.get_by_role("button", name="Guardar y seguir").click()

    page.wait_for_url("**/case/documents/")
    assert_spanish(page, "Documentos", "Aceptamos archivos PDF")
    page.get_by_role("button", name="Guardar y seguir").click()

    page.wait_for_url("**/case/check/")
    assert_spanish(
        page,
        "Revise sus respuestas y envíelas",
        "Leucemia linfoblástica aguda de células T (LLA-T)",
        "marzo de 2025",
        "Quimioterapia: Protocolo BFM",
    )
    page.get_by_label("Leí cómo protegen mi información").check()
    page.get_by_label("Acepto que sus revisores lean todo lo que envío").check()
    page.get_by_role("button", name="Enviar mi caso").click()

    page.wait_for_url("**/case/submitted/")
    assert_spanish(page, "Gracias. Ya tenemos su caso.", "Qué pasa ahora")
    reference = page.locator("[data-reference]").inner_text()
    case = Case.objects.get()
    assert (reference, case.language, case.preferred_language) == (case.reference, "es", "es")
    assert case.consent.version == "2026-11-es"

    # The first email, in Spanish, with the private link.
    received = OutboundEmail.objects.get(case=case, kind="case_received")
    assert received.subject.startswith(f"Recibimos su caso {reference}")
    assert "Gracias. Recibimos su caso." in received.body_text and "Abrir mi caso" in received.body_html
    link = re.search(r"http\S+/my-case/\S+/", received.body_text).group(0)

    # Later, on a computer whose browser asks for English: the case's language still leads.
    computer = browser.new_context(base_url=live_server.url, locale="en-US")
    family = computer.new_page()
    family.set_default_timeout(5_000)
    family.goto(urlparse(link).path)
    assert_spanish(family, "Abra su caso")
    family.get_by_role("button", name="Enviarme un código").click()
    family.get_by_text("Enviamos un código a r•••@example.com").wait_for()
    code_email = OutboundEmail.objects.filter(case=case, kind="access_code").latest("created_at")
    assert code_email.subject.startswith("Su código para abrir su caso")
    assert "Sirve una sola vez" in code_email.body_text
    code = re.search(r"\b(\d{6})\b", code_email.body_text).group(1)
    family.get_by_label("El código de 6 números de nuestro correo").fill(code)
    family.get_by_role("button", name="Abrir mi caso").click()
    assert_spanish(family, f"Su caso {reference}", "Tenemos su caso", "Queremos enviarle su informe")
    family.get_by_label("Su mensaje").fill("¿Hay un ensayo cerca de Texas?")
    family.get_by_role("button", name="Enviar mensaje").click()
    family.get_by_text("Gracias. Su mensaje les llegó a nuestros revisores.").wait_for()

    # She switches to English for a moment, and back.
    family.get_by_role("link", name="English").click()
    assert family.locator("html").get_attribute("lang") == "en"
    assert family.get_by_role("heading", name=f"Your case {reference}").is_visible()
    switch = family.get_by_role("navigation", name="Language").get_by_role("link", name="Español")
    assert switch.get_attribute("hreflang") == "es" and switch.get_attribute("lang") == "es"
    switch.click()
    assert_spanish(family, f"Su caso {reference}")
    computer.close()
