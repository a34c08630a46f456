"""A family starts on a phone and finishes on a computer; a coordinator merges a duplicate: in a browser."""

import re

import pytest
from django.core import mail

from intake.models import Case, PossibleDuplicate
from intake.outbox import deliver_due
from tests.conftest import make_case, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def newest_email():
    deliver_due()
    return mail.outbox[-1]


def test_a_family_starts_on_a_phone_and_finishes_on_a_computer(phone_page, browser, live_server, settings):
    settings.INTAKE_MIN_FILL_SECONDS = 0
    phone = phone_page
    phone.goto("/start/")
    phone.get_by_role("button", name="Begin").click()
    phone.wait_for_url("**/case/about-you/")
    phone.get_by_label("Your name").fill("Maria Lopez")
    phone.locator("#id_contact_email").fill("maria.lopez@example.com")
    phone.get_by_label("Type your email again").fill("maria.lopez@example.com")
    phone.get_by_label("Parent").check()
    phone.get_by_label("Email", exact=True).check()
    phone.get_by_role("button", name="Save and continue").click()
    phone.wait_for_url("**/case/patient/")
    phone.get_by_label("The patient's first name or initials").fill("JL")
    phone.get_by_label("Age in years").fill("14")
    phone.get_by_label("Male", exact=True).check()
    # Half way through the page, the family has to stop.
    phone.get_by_label("ZIP or postal code (optional)").fill("43210")
    phone.get_by_role("button", name="Save and finish later").click()

    phone.wait_for_url("**/case/save-for-later/")
    assert phone.get_by_label("Your email address").input_value() == "maria.lopez@example.com"
    phone.get_by_role("button", name="Email me my link").click()
    sent = phone.locator("[data-resume-sent]")
    assert "m•••@example.com" in sent.inner_text() and "It works until" in sent.inner_text()
    email = newest_email()
    link = re.search(r"http://\S+(/resume/\S+/)", email.body).group(1)
    assert "JL" not in email.body and "Maria" not in email.body

    # At home, on the computer: the link, then the code from a second email.
    home = browser.new_context(base_url=live_server.url)
    computer = home.new_page()
    computer.set_default_timeout(5_000)
    computer.goto(link)
    assert computer.get_by_role("heading", name="Open your case form").is_visible()
    computer.get_by_role("button", name="Email me a code").click()
    code = re.search(r"\b(\d{6})\b", newest_email().body).group(1)
    computer.get_by_label("The 6-digit code from our email").fill(code)
    computer.get_by_role("button", name="Open my form").click()
    computer.wait_for_url("**/case/patient/")
    assert "Welcome back" in computer.content()
    assert computer.get_by_label("ZIP or postal code (optional)").input_value() == "43210"
    computer.get_by_label("Anywhere in the country").check()
    computer.get_by_role("button", name="Save and continue").click()

    computer.wait_for_url("**/case/diagnosis/")
    computer.get_by_label("What is the diagnosis?").select_option("t_all")
    computer.get_by_label("Month").select_option("3")
    computer.get_by_label("Year").select_option("2025")
    computer.get_by_label("It came back (relapsed)").check()
    computer.get_by_role("button", name="Save and continue").click()
    computer.wait_for_url("**/case/treatments/")
    computer.get_by_label("Type of treatment").select_option("chemotherapy")
    computer.get_by_label("How did it go?").select_option("partly")
    computer.get_by_role("button", name="Save and continue").click()
    computer.wait_for_url("**/case/now/")
    computer.get_by_label("In bed or a chair more than half of the day").check()
    computer.get_by_label("Clinical trials").check()
    computer.get_by_role("button", name="Save and continue").click()
    computer.wait_for_url("**/case/documents/")
    computer.get_by_role("button", name="Save and continue").click()
    computer.wait_for_url("**/case/check/")
    computer.get_by_label("I have read how you protect my information").check()
    computer.get_by_label("I agree that your reviewers may read everything I send").check()
    computer.get_by_role("button", name="Send my case").click()
    computer.wait_for_url("**/case/submitted/")
    case = Case.objects.get()
    assert computer.locator("[data-reference]").inner_text() == case.reference
    assert (case.contact_name, case.patient_name, case.postal_code) == ("Maria Lopez", "JL", "43210")
    home.close()

    # The phone's link now says the form was sent, and shows nothing else.
    phone.goto(link)
    assert "sent already" in phone.content() and "JL" not in phone.content()


def test_a_coordinator_merges_a_duplicate(page, carol):
    earlier = make_case()
    newer = make_case(diagnosis={"disease_status": "refractory"})
    sign_in(page, carol)
    badge = page.get_by_role("link", name=f"possible duplicate of {earlier.reference}")
    badge.click()
    page.wait_for_url(f"**/review/cases/{newer.reference}/duplicate/")
    row = page.locator('[data-differs="disease_status"]')
    assert "It came back (relapsed)" in row.inner_text() and "not responding to treatment" in row.inner_text()
    assert page.get_by_label("Take the newer answer for Disease status").is_checked()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Merge into {earlier.reference}").click()
    page.wait_for_url(f"**/review/cases/{earlier.reference}/")
    assert f"{newer.reference} was merged into {earlier.reference}" in page.content()
    assert "It is not responding to treatment (refractory)" in page.content()
    newer.refresh_from_db()
    assert newer.status == Case.Status.CLOSED
    assert PossibleDuplicate.objects.get(case=newer).state == "merged"
    email = newest_email()
    assert earlier.reference in email.subject
    page.goto(f"/review/cases/{newer.reference}/")
    assert page.locator(f'[data-merged-into="{earlier.reference}"]').is_visible()
