"""A family goes from the home page to a reference code, on a phone, as a person would."""

import io

import pytest
from pypdf import PdfWriter

from intake.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_pdf(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path / "pathology-report.pdf"
    path.write_bytes(buffer.getvalue())
    return path


def test_a_family_submits_a_case_on_a_phone(phone_page, settings, real_pdf):
    settings.INTAKE_MIN_FILL_SECONDS = 0
    page = phone_page
    page.goto("/")
    page.get_by_role("link", name="Start your case assessment").click()
    page.get_by_role("button", name="Begin").click()

    # Step 1 with the keyboard alone.
    page.wait_for_url("**/case/about-you/")
    assert page.title().startswith("About you (step 1 of 7)")
    page.get_by_label("Your name").focus()
    page.keyboard.type("Maria Lopez")
    page.keyboard.press("Tab")
    page.keyboard.type("maria.lopez@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("maria.lopez@example.com")
    page.keyboard.press("Tab")  # phone, optional
    page.keyboard.press("Tab")  # first relationship choice: "I am the patient"
    page.keyboard.press("ArrowDown")  # "Parent"
    page.keyboard.press("Tab")  # first contact choice: "Email"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # language, English by default
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    page.wait_for_url("**/case/patient/")
    page.get_by_label("The patient's first name or initials").fill("JL")
    page.get_by_label("Age in years").fill("14")
    page.get_by_label("Male", exact=True).check()
    page.get_by_label("State or region (optional)").fill("Ohio")
    page.get_by_label("Anywhere in the country").check()
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url("**/case/diagnosis/")
    page.get_by_label("What is the diagnosis?").select_option("t_all")
    page.get_by_label("Year").select_option("2025")
    page.get_by_label("It came back (relapsed)").check()
    page.get_by_role("button", name="Save and continue").click()
    # Half a date: the message shows beside the month and year, and the other answers stay.
    error = page.locator("#id_diagnosed_on_error")
    error.wait_for()
    assert error.is_visible() and error.inner_text() == "Please choose both the month and the year."
    assert page.get_by_label("What is the diagnosis?").input_value() == "t_all"
    assert page.get_by_label("It came back (relapsed)").is_checked()
    page.get_by_label("Month").select_option("3")
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url("**/case/treatments/")
    page.get_by_label("Type of treatment").select_option("chemotherapy")
    page.get_by_label("Name of the treatment, if you know it").fill("BFM protocol")
    page.get_by_label("How did it go?").select_option("partly")
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url("**/case/now/")
    # A mistake first: nothing chosen. The error is announced and the typed words stay.
    page.get_by_label("In bed or a chair more than half of the day").check()
    page.get_by_label("How urgent does it feel? (optional)").fill("We need a plan within weeks.")
    page.get_by_role("button", name="Save and continue").click()
    alert = page.get_by_role("alert")
    assert "Please choose at least one thing you are looking for" in alert.inner_text()
    assert page.title().startswith("Error: Now and what you hope for")
    assert (
        page.get_by_label("How urgent does it feel? (optional)").input_value()
        == "We need a plan within weeks."
    )
    page.get_by_label("Clinical trials").check()
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url("**/case/documents/")
    page.get_by_label("What kind of document is it?").select_option("pathology")
    page.get_by_label("Choose files").set_input_files(str(real_pdf))
    page.get_by_role("button", name="Add these files").click()
    page.get_by_text("Added “pathology-report.pdf”").wait_for()
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url("**/case/check/")
    assert page.get_by_text("T-cell acute lymphoblastic leukemia (T-ALL)").is_visible()
    page.get_by_label("I have read how you protect my information").check()
    page.get_by_label("I agree that your reviewers may read everything I send").check()
    page.get_by_role("button", name="Send my case").click()

    page.wait_for_url("**/case/submitted/")
    reference = page.locator("[data-reference]").inner_text()
    case = Case.objects.get()
    assert reference == case.reference
    assert case.documents.get().original_name == "pathology-report.pdf"
    assert case.treatments.get().name == "BFM protocol"
    assert case.relationship == "parent" and case.contact_preference == "email"
    # Nothing sits outside a phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
