"""A coordinator triages, a reviewer claims, reads, opens a document, notes and closes: in a browser."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import AuditEvent
from intake import uploads
from intake.models import Case
from tests.conftest import make_case, make_pdf, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_case_goes_from_triage_to_closed(page, browser, live_server, carol, alice, scanner):
    case = make_case()
    uploads.store(SimpleUploadedFile("pathology.pdf", make_pdf()), kind="pathology", existing=[], case=case)

    # The coordinator triages from the "Needs triage" tab.
    sign_in(page, carol)
    assert page.get_by_role("link", name="Needs triage 1").is_visible()
    page.get_by_role("link", name=case.reference).click()
    page.get_by_text("Disease status: It came back (relapsed)").wait_for()
    page.get_by_role("combobox", name="Urgency").select_option(label="High")
    page.get_by_role("button", name="Confirm triage").click()
    # The message is beside the reason, which describes it; the chosen urgency is still chosen.
    reason = page.get_by_label("Reason (needed when you change the suggestion)")
    assert reason.get_attribute("aria-describedby") == "id_triage-reason_error"
    error = page.locator("#id_triage-reason_error")
    assert error.is_visible()
    assert error.inner_text() == "Please give a reason for changing the suggested urgency."
    assert page.get_by_role("combobox", name="Urgency").input_value() == "2"
    page.get_by_label("Reason (needed when you change the suggestion)").fill("Stable on current treatment")
    page.get_by_role("button", name="Confirm triage").click()
    page.get_by_text("Triaged as high.").wait_for()

    # The reviewer claims the next case and works it.
    other = browser.new_context(base_url=live_server.url)
    reviewer = other.new_page()
    sign_in(reviewer, alice)
    reviewer.get_by_role("button", name="Claim next case").click()
    reviewer.wait_for_url(f"**/review/cases/{case.reference}/")
    assert reviewer.get_by_text("Maria Lopez").is_visible()
    with reviewer.expect_download() as download:
        reviewer.get_by_role("link", name="Download pathology.pdf").click()
    assert download.value.suggested_filename == "pathology.pdf"
    reviewer.get_by_role("textbox", name="Internal note").fill("Looked at CD7 CAR-T trials.")
    reviewer.get_by_role("button", name="Add note").click()
    reviewer.get_by_text("Note added.").wait_for()
    reviewer.get_by_label("Move to").select_option(label="Closed")
    reviewer.get_by_label("Why").fill("Family chose a trial at their hospital.")
    reviewer.once("dialog", lambda dialog: dialog.accept())
    reviewer.get_by_role("button", name="Change status").click()
    reviewer.get_by_text("The case is now “Closed”.").wait_for()

    timeline = reviewer.get_by_role("region", name="Timeline").inner_text()
    for entry in (
        "Case submitted",
        "Triaged",
        "Claimed",
        "Document opened",
        "Internal note added",
        "Status changed",
    ):
        assert entry in timeline
    assert "In review → Closed" in timeline
    other.close()

    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.assigned_to == alice
    actions = set(AuditEvent.objects.filter(case=case).values_list("action", flat=True))
    assert {
        "submitted",
        "triaged",
        "claimed",
        "viewed_case",
        "viewed_document",
        "note_added",
        "status_changed",
    } <= actions
