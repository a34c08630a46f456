"""The whole loop in a browser: a reviewer sends a report, the family opens their link with a code,
reads and downloads the report, replies, and the reviewer sees the reply."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from pypdf import PdfReader

from intake.models import Case
from intake.outbox import deliver_due
from tests.conftest import make_case, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_to_family_and_back(page, browser, live_server, alice, tmp_path):
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)

    # The reviewer writes the report.
    sign_in(page, alice)
    page.goto(f"/review/cases/{case.reference}/")
    page.get_by_role("link", name="Write the report").click()
    page.get_by_role("button", name="Start the report").click()
    page.get_by_label("What we understood about the situation").fill(
        "The leukemia came back after chemotherapy. The doctors are looking at next steps."
    )
    page.get_by_role("button", name="Add an option").click()
    page.get_by_label("Title").fill("CD7 CAR-T cell trial")
    page.get_by_label("What it is, in plain words").fill("A study of a new cell treatment for T-ALL.")
    page.get_by_label("Next steps").fill("Talk with your doctor about the trial this week.")
    assert "grade" in page.locator("[data-readability-output]").inner_text()
    page.get_by_role("button", name="Save and preview as the family will see it").click()
    assert page.get_by_role("heading", name="CD7 CAR-T cell trial").is_visible()
    page.get_by_role("link", name="Back to editing").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Save and send to the family").click()
    page.get_by_text("Report version 1 sent. The family gets an email.").wait_for()

    # The email lands, with the private link and nothing else.
    deliver_due()
    email = next(m for m in mail.outbox if "report" in m.subject and "ready" in m.subject)
    link = re.search(r"http\S+/my-case/\S+/", email.body).group(0)
    assert "CAR-T" not in email.body

    # The family opens it on their own device.
    family_context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    family = family_context.new_page()
    family.set_default_timeout(5_000)
    family.goto(urlparse(link).path)
    family.get_by_role("button", name="Email me a code").click()
    deliver_due()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    family.get_by_label("The 6-digit code from our email").fill(code)
    family.get_by_role("button", name="Open my case").click()
    assert "Your report is ready" in family.get_by_role("region", name="Where things stand").inner_text()
    assert family.get_by_role("heading", name="1. CD7 CAR-T cell trial").is_visible()
    with family.expect_download() as download:
        family.get_by_role("link", name="Download the report as a PDF").click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    assert "CD7 CAR-T cell trial" in PdfReader(pdf).pages[0].extract_text()
    family.get_by_label("Your message").fill("Thank you. Is there a trial closer to Ohio?")
    family.get_by_role("button", name="Send message").click()
    family.get_by_text("Your message was sent to our reviewers").wait_for()
    family_context.close()

    # The reviewer sees the reply, highlighted as new.
    page.goto("/review/?tab=mine")
    assert page.get_by_text("New from family").is_visible()
    page.get_by_role("link", name=case.reference).click()
    reply = page.locator(".highlight-answer")
    assert "Is there a trial closer to Ohio?" in reply.inner_text()
