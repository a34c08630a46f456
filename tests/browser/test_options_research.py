"""The coordinator's options research in a browser: a relapsed T-ALL case, matching studies with
reasons, one study judged criterion by criterion, added to the report, and read by the family."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail

from intake.models import Case
from intake.outbox import deliver_due
from tests.conftest import import_catalogue, make_case, sign_in
from trials.models import CriterionJudgement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_researches_options_and_the_family_reads_one(page, browser, live_server, carol):
    import_catalogue()
    case = make_case(
        status=Case.Status.IN_REVIEW,
        assigned_to=carol,
        patient={"patient_age": "14", "travel": "region"},
        diagnosis={"diagnosis": "t_all", "disease_status": "relapsed"},
        treatments={
            "treatments-TOTAL_FORMS": "2",
            "treatments-1-kind": "car_t",
            "treatments-1-name": "Tisagenlecleucel",
            "treatments-1-outcome": "did_not_work",
        },
    )

    # The case page lists the studies that fit, best first, with reasons.
    sign_in(page, carol)
    page.goto(f"/review/cases/{case.reference}/")
    options = page.get_by_role("region", name="Options")
    assert "3 studies fit the filters" in options.inner_text()
    first = options.locator("[data-option]").first
    assert first.get_attribute("data-option") == "NCT09000102"
    assert "for patients after CAR-T: patient had CAR-T" in first.inner_text()
    cd7 = options.locator('[data-option="NCT09000101"]')
    assert "recruiting site 124 miles away (Cleveland, Ohio, United States)" in cd7.inner_text()

    # She widens the place from the same panel, then comes back.
    page.get_by_label("Where").select_option(label="Anywhere")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/options/**")
    assert "recruiting site in Paris, France" in page.get_by_role("region", name="Options").inner_text()
    page.get_by_role("link", name=case.reference).click()

    # She judges the CD7 study line by line: the pre-filled lines show the fact they used.
    page.get_by_role("link", name=re.compile("CD7 CAR-T Cells for Relapsed")).click()
    age_line = page.locator('[data-criterion="inclusion-0"]')
    assert "Suggested: meets · Patient is 14 today" in age_line.inner_text()
    assert age_line.get_by_label("Meets", exact=True).is_checked()
    cd7_line = page.locator('[data-criterion="inclusion-2"]')
    assert cd7_line.get_by_label("Unknown").is_checked()
    cd7_line.get_by_label("Meets", exact=True).check()
    cd7_line.get_by_label("Note on line 3").fill("CD7 on 98% of blasts (flow, last month)")
    page.get_by_role("button", name="Save the eligibility check").click()
    page.get_by_text("Eligibility for NCT09000101 saved. Other reviewers see it too.").wait_for()
    assert (
        "Last saved by carol"
        in page.get_by_role("region", name="Eligibility, criterion by criterion").inner_text()
    )
    assert CriterionJudgement.objects.get(kind="inclusion", position=2).note.startswith("CD7 on 98%")

    # One click puts it into the report; she reads it through and sends the report.
    page.get_by_role("button", name="Add to report").click()
    page.get_by_text("NCT09000101 is in the report draft.").wait_for()
    assert "CD7 CAR-T Cells" in page.get_by_label("Title").input_value()
    assert "Cleveland, Ohio" in page.get_by_label("Where it is offered").input_value()
    page.get_by_label("What we understood about the situation").fill(
        "The leukemia came back after CAR-T. There are studies for this."
    )
    page.get_by_label("Next steps").fill("Ask your doctor about the study below this week.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Save and send to the family").click()
    page.get_by_text("Report version 1 sent. The family gets an email.").wait_for()

    # The family reads it on their page.
    deliver_due()
    email = next(m for m in mail.outbox if "ready" in m.subject)
    link = re.search(r"http\S+/my-case/\S+/", email.body).group(0)
    family = browser.new_context(base_url=live_server.url).new_page()
    family.set_default_timeout(5_000)
    family.goto(urlparse(link).path)
    family.get_by_role("button", name="Email me a code").click()
    deliver_due()
    family.get_by_label("The 6-digit code from our email").fill(
        re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    )
    family.get_by_role("button", name="Open my case").click()
    option = family.locator(".report-option")
    assert family.get_by_role("heading", name=re.compile(r"1\. \[Example\] CD7 CAR-T Cells")).is_visible()
    text = option.inner_text()
    assert "Where it is offered" in text and "Cleveland, Ohio, United States (124 miles from home)" in text
    assert "555-0100" in text and "NCT09000101" in text
    family.context.close()
